import { type RawBuilder, sql, type Transaction } from 'kysely';
import type { ComplaintRow, Database, Db, NewComplaintRow } from '../db/schema';

/** A re-delivery may update a column, unless the complaint was erased: then what the erasure left stays. */
function keepIfErased<T>(column: string, value: RawBuilder<T>): RawBuilder<T> {
  return sql<T>`CASE WHEN complaints.pii_erased_at IS NULL THEN ${value} ELSE ${sql.ref(`complaints.${column}`)} END`;
}

/**
 * True when the delivery in `excluded` is not older than what the stored row last applied. A delivery without a
 * vendor time cannot be ordered, so it applies, as does any delivery to a row that never had one.
 */
const NOT_OLDER_THAN_STORED = sql<boolean>`(complaints.source_updated_at IS NULL OR excluded.source_updated_at IS NULL OR excluded.source_updated_at >= complaints.source_updated_at)`;

/** True when the delivery in `excluded` does not say who is assigned (most sources never do). */
const NAMES_NO_ASSIGNEE = sql<boolean>`(excluded.assignee_name IS NULL AND excluded.assignee_email IS NULL)`;

/** Where one complaint delivery landed: `applied` is false when the stored row was newer and was left as it was. */
export interface UpsertResult {
  id: number;
  created: boolean;
  applied: boolean;
}

/**
 * Inserts a complaint, or updates the one with the same (source, external_id). Safe under concurrent
 * identical deliveries: the unique constraint makes exactly one of them the insert.
 * Out-of-order deliveries are settled in the same statement: the update only applies when the delivery's vendor
 * time is not older than the stored one, and the row lock ON CONFLICT takes makes that check atomic.
 * Contact details are only filled in, never blanked; nothing customer-written is restored after an erasure;
 * do-not-call, once set, stays set; the assignee follows the latest delivery that names one. `became_major_at` is
 * kept while the complaint stays major; a complaint that turns major again starts its eligibility window at this
 * delivery's vendor time (or `now`, when it arrived).
 */
export async function upsertComplaint(db: Db, row: NewComplaintRow, now: Date): Promise<UpsertResult> {
  const result = await db
    .insertInto('complaints')
    .values(row)
    .onConflict((oc) =>
      oc
        .columns(['source', 'external_id'])
        .doUpdateSet((eb) => ({
          subject: keepIfErased('subject', sql<string>`excluded.subject`),
          description: keepIfErased(
            'description',
            sql<string | null>`coalesce(excluded.description, complaints.description)`,
          ),
          support_tried: keepIfErased(
            'support_tried',
            sql<string | null>`coalesce(excluded.support_tried, complaints.support_tried)`,
          ),
          priority: eb.ref('excluded.priority'),
          tags: eb.ref('excluded.tags'),
          is_major: eb.ref('excluded.is_major'),
          do_not_call: sql`excluded.do_not_call OR complaints.do_not_call`,
          customer_name: keepIfErased(
            'customer_name',
            sql<string | null>`coalesce(excluded.customer_name, complaints.customer_name)`,
          ),
          customer_company: keepIfErased(
            'customer_company',
            sql<string | null>`coalesce(excluded.customer_company, complaints.customer_company)`,
          ),
          customer_phone: keepIfErased(
            'customer_phone',
            sql<string | null>`coalesce(excluded.customer_phone, complaints.customer_phone)`,
          ),
          // The normalised phone follows the phone it was computed from, even when that one could not be read.
          customer_phone_e164: keepIfErased(
            'customer_phone_e164',
            sql<
              string | null
            >`CASE WHEN excluded.customer_phone IS NULL THEN complaints.customer_phone_e164 ELSE excluded.customer_phone_e164 END`,
          ),
          customer_email: keepIfErased(
            'customer_email',
            sql<string | null>`coalesce(excluded.customer_email, complaints.customer_email)`,
          ),
          customer_timezone: keepIfErased(
            'customer_timezone',
            sql<string | null>`coalesce(excluded.customer_timezone, complaints.customer_timezone)`,
          ),
          ticket_url: sql`coalesce(excluded.ticket_url, complaints.ticket_url)`,
          // Name and email describe one person: a delivery naming an assignee replaces both, one naming none keeps them.
          assignee_name: sql`CASE WHEN ${NAMES_NO_ASSIGNEE} THEN complaints.assignee_name ELSE excluded.assignee_name END`,
          assignee_email: sql`CASE WHEN ${NAMES_NO_ASSIGNEE} THEN complaints.assignee_email ELSE excluded.assignee_email END`,
          source_updated_at: sql`greatest(complaints.source_updated_at, excluded.source_updated_at)`,
          became_major_at: sql`CASE WHEN complaints.is_major THEN coalesce(complaints.became_major_at, excluded.became_major_at) ELSE coalesce(excluded.source_updated_at, ${now}::timestamptz) END`,
          updated_at: sql`now()`,
        }))
        .where(NOT_OLDER_THAN_STORED),
    )
    // xmax is 0 only for a row this statement inserted: the cheap, race-free "was it new?".
    .returning(['id', sql<boolean>`(xmax = 0)`.as('created')])
    .executeTakeFirst();
  if (result) return { id: result.id, created: result.created, applied: true };
  // The stored row was newer: ON CONFLICT locked it without updating, so it exists and stays as it is.
  const stored = await findComplaintByExternalId(db, row.source, row.external_id);
  if (!stored) throw new Error(`complaint ${row.source}/${row.external_id} vanished during its upsert`);
  return { id: stored.id, created: false, applied: false };
}

/**
 * Applies a non-major re-delivery to an existing complaint: it stops being major. Like the upsert, it leaves a
 * complaint alone when the stored row reflects a newer vendor time (checked in the same statement).
 * Undefined when there is no such complaint.
 */
export async function updateExistingComplaint(
  db: Db,
  source: string,
  externalId: string,
  changes: Pick<NewComplaintRow, 'subject' | 'priority' | 'tags' | 'source_updated_at'>,
): Promise<{ id: number; applied: boolean } | undefined> {
  const sourceUpdatedAt = changes.source_updated_at ?? null;
  const row = await db
    .updateTable('complaints')
    .set({
      subject: sql`CASE WHEN pii_erased_at IS NULL THEN ${changes.subject} ELSE subject END`,
      priority: changes.priority,
      tags: changes.tags,
      is_major: false,
      became_major_at: null,
      source_updated_at: sql`greatest(source_updated_at, ${sourceUpdatedAt}::timestamptz)`,
      updated_at: sql`now()`,
    })
    .where('source', '=', source)
    .where('external_id', '=', externalId)
    .where(
      // Parenthesised: Kysely joins where clauses with AND as written, and an unbracketed OR would match every row.
      sql<boolean>`(source_updated_at IS NULL OR ${sourceUpdatedAt}::timestamptz IS NULL OR ${sourceUpdatedAt}::timestamptz >= source_updated_at)`,
    )
    .returning('id')
    .executeTakeFirst();
  if (row) return { id: row.id, applied: true };
  const stored = await findComplaintByExternalId(db, source, externalId);
  return stored ? { id: stored.id, applied: false } : undefined;
}

/** One complaint by id. */
export async function findComplaintById(db: Db, id: number): Promise<ComplaintRow | undefined> {
  return db.selectFrom('complaints').selectAll().where('id', '=', id).executeTakeFirst();
}

/** One complaint by its source and external id. */
export async function findComplaintByExternalId(
  db: Db,
  source: string,
  externalId: string,
): Promise<ComplaintRow | undefined> {
  return db
    .selectFrom('complaints')
    .selectAll()
    .where('source', '=', source)
    .where('external_id', '=', externalId)
    .executeTakeFirst();
}

/** Locks one complaint row for the rest of the transaction. */
export async function lockComplaint(trx: Transaction<Database>, id: number): Promise<ComplaintRow | undefined> {
  return trx.selectFrom('complaints').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

/** Marks a complaint closed (its customer was reached) at `closedAt`. */
export async function closeComplaint(db: Db, id: number, closedAt: Date): Promise<void> {
  await db.updateTable('complaints').set({ closed_at: closedAt }).where('id', '=', id).execute();
}
