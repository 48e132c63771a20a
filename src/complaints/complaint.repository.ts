import { type Kysely, type RawBuilder, sql, type Transaction } from 'kysely';
import type { ComplaintRow, Database, NewComplaintRow } from '../db/schema';

type Db = Kysely<Database> | Transaction<Database>;

/** A re-delivery may update a column, unless the complaint was erased: then what the erasure left stays. */
function keepIfErased<T>(column: string, value: RawBuilder<T>): RawBuilder<T> {
  return sql<T>`CASE WHEN complaints.pii_erased_at IS NULL THEN ${value} ELSE ${sql.ref(`complaints.${column}`)} END`;
}

/**
 * Inserts a complaint, or updates the one with the same (source, external_id). Safe under concurrent
 * identical deliveries: the unique constraint makes exactly one of them the insert.
 * Contact details are only filled in, never blanked; nothing customer-written is restored after an erasure;
 * do-not-call, once set, stays set.
 */
export async function upsertComplaint(db: Db, row: NewComplaintRow): Promise<{ id: number; created: boolean }> {
  const result = await db
    .insertInto('complaints')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['source', 'external_id']).doUpdateSet((eb) => ({
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
        updated_at: sql`now()`,
      })),
    )
    // xmax is 0 only for a row this statement inserted: the cheap, race-free "was it new?".
    .returning(['id', sql<boolean>`(xmax = 0)`.as('created')])
    .executeTakeFirstOrThrow();
  return { id: result.id, created: result.created };
}

/** Applies a non-major re-delivery to an existing complaint; returns its id, or undefined when there is none. */
export async function updateExistingComplaint(
  db: Db,
  source: string,
  externalId: string,
  changes: Pick<NewComplaintRow, 'subject' | 'priority' | 'tags' | 'is_major'>,
): Promise<number | undefined> {
  const row = await db
    .updateTable('complaints')
    .set({
      ...changes,
      subject: sql`CASE WHEN pii_erased_at IS NULL THEN ${changes.subject} ELSE subject END`,
      updated_at: sql`now()`,
    })
    .where('source', '=', source)
    .where('external_id', '=', externalId)
    .returning('id')
    .executeTakeFirst();
  return row?.id;
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

/** Inserts many complaints at once, skipping (source, external_id) pairs that exist; returns how many were new. */
export async function insertComplaintsBatch(db: Db, rows: NewComplaintRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const inserted = await db
    .insertInto('complaints')
    .values(rows)
    .onConflict((oc) => oc.columns(['source', 'external_id']).doNothing())
    .returning('id')
    .execute();
  return inserted.length;
}
