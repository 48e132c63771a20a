import { type RawBuilder, sql, type Transaction } from 'kysely';
import { AUDIT_COLUMNS, type AuditAction, auditDetailsJson } from '../audit/audit.repository';
import { PREPARED } from '../db/prepared';
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

/** The audit row a delivery writes in its own statement: who sent it, and the details for each outcome. */
export interface DeliveryAudit {
  actor: string;
  /** Details when the delivery applied (created or updated the complaint). */
  applied: Record<string, unknown>;
  /** Details when it was older than the stored complaint and changed nothing. */
  stale: Record<string, unknown>;
}

const RECEIVED: AuditAction = 'complaint.received';
const UPDATED: AuditAction = 'complaint.updated';
const STALE: AuditAction = 'complaint.stale';

/**
 * The audit row of a delivery, selected from its `outcome` (id, created, applied), in recordAudit's shape: received
 * when it created the complaint, updated when it applied, stale when it changed nothing.
 */
function outcomeAuditColumns(audit: DeliveryAudit) {
  return [
    sql<string>`${audit.actor}::text`.as('actor'),
    sql<string>`CASE WHEN outcome.created THEN ${RECEIVED}::text WHEN outcome.applied THEN ${UPDATED}::text ELSE ${STALE}::text END`.as(
      'action',
    ),
    sql<number>`outcome.id`.as('complaint_id'),
    sql<string>`CASE WHEN outcome.applied THEN ${auditDetailsJson(audit.applied)}::jsonb ELSE ${auditDetailsJson(audit.stale)}::jsonb END`.as(
      'details',
    ),
  ];
}

/**
 * What a re-delivery sets on the stored complaint (the ON CONFLICT update). Contact details are only filled in,
 * never blanked; nothing customer-written is restored after an erasure; do-not-call, once set, stays set; the
 * assignee follows the latest delivery that names one. `became_major_at` is kept while the complaint stays major; a
 * complaint that turns major again starts its eligibility window at this delivery's vendor time (or `now`, when it
 * arrived).
 */
function redeliveryChanges(now: Date) {
  return {
    subject: keepIfErased('subject', sql<string>`excluded.subject`),
    description: keepIfErased(
      'description',
      sql<string | null>`coalesce(excluded.description, complaints.description)`,
    ),
    support_tried: keepIfErased(
      'support_tried',
      sql<string | null>`coalesce(excluded.support_tried, complaints.support_tried)`,
    ),
    priority: sql<ComplaintRow['priority']>`excluded.priority`,
    tags: sql<string[]>`excluded.tags`,
    is_major: sql<boolean>`excluded.is_major`,
    do_not_call: sql<boolean>`excluded.do_not_call OR complaints.do_not_call`,
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
    ticket_url: sql<string | null>`coalesce(excluded.ticket_url, complaints.ticket_url)`,
    // Name and email describe one person: a delivery naming an assignee replaces both, one naming none keeps them.
    assignee_name: sql<
      string | null
    >`CASE WHEN ${NAMES_NO_ASSIGNEE} THEN complaints.assignee_name ELSE excluded.assignee_name END`,
    assignee_email: sql<
      string | null
    >`CASE WHEN ${NAMES_NO_ASSIGNEE} THEN complaints.assignee_email ELSE excluded.assignee_email END`,
    source_updated_at: sql<Date | null>`greatest(complaints.source_updated_at, excluded.source_updated_at)`,
    became_major_at: sql<Date | null>`CASE WHEN complaints.is_major THEN coalesce(complaints.became_major_at, excluded.became_major_at) ELSE coalesce(excluded.source_updated_at, ${now}::timestamptz) END`,
    updated_at: sql<Date>`now()`,
  };
}

/**
 * Inserts a complaint, or updates the one with the same (source, external_id), and writes its audit row: one
 * statement, one round trip, so it needs no transaction of its own (autocommit makes it atomic). Safe under
 * concurrent identical deliveries: the unique constraint makes exactly one of them the insert.
 * Out-of-order deliveries are settled in the same statement: the update only applies when the delivery's vendor
 * time is not older than the stored one, and the row lock ON CONFLICT takes makes that check atomic. A delivery
 * that was older changes nothing and is audited as stale. The rules of a re-delivery: {@link redeliveryChanges}.
 */
export async function upsertComplaintAudited(
  db: Db,
  row: NewComplaintRow,
  now: Date,
  audit: DeliveryAudit,
): Promise<UpsertResult> {
  const outcome = await db
    .with('delivered', (qb) =>
      qb
        .insertInto('complaints')
        .values(row)
        .onConflict((oc) =>
          oc.columns(['source', 'external_id']).doUpdateSet(redeliveryChanges(now)).where(NOT_OLDER_THAN_STORED),
        )
        // xmax is 0 only for a row this statement inserted: the cheap, race-free "was it new?".
        .returning(['id', sql<boolean>`(xmax = 0)`.as('created')]),
    )
    .with('outcome', (qb) =>
      qb
        .selectFrom('delivered')
        .select(['id', 'created', sql<boolean>`true`.as('applied')])
        .unionAll(
          // Nothing delivered: the stored row was newer. ON CONFLICT locked it without updating it.
          qb
            .selectFrom('complaints')
            .select(['id', sql<boolean>`false`.as('created'), sql<boolean>`false`.as('applied')])
            .where('source', '=', row.source)
            .where('external_id', '=', row.external_id)
            .where(({ not, exists, selectFrom }) => not(exists(selectFrom('delivered').select('id')))),
        ),
    )
    .with('audited', (qb) =>
      qb
        .insertInto('audit_log')
        .columns(AUDIT_COLUMNS)
        .expression(qb.selectFrom('outcome').select(outcomeAuditColumns(audit)))
        .returning('id'),
    )
    .selectFrom('outcome')
    .select(['id', 'created', 'applied'])
    .modifyEnd(PREPARED)
    .executeTakeFirst();
  return outcome ?? auditStaleDelivery(db, row.source, row.external_id, audit);
}

/**
 * The audit row of a stale delivery whose statement found no outcome, written by a second statement. This happens
 * when the stored row was committed by a concurrent delivery after the statement's snapshot was taken (READ
 * COMMITTED): ON CONFLICT waits for that delivery and judges its committed row (newer, so left as it is), but every
 * other part of the statement reads the snapshot, where that row does not exist yet, so it found nothing to return
 * or audit. A new statement takes a new snapshot, which holds the row.
 */
async function auditStaleDelivery(
  db: Db,
  source: string,
  externalId: string,
  audit: DeliveryAudit,
): Promise<UpsertResult> {
  const written = await db
    .with('outcome', (qb) =>
      qb
        .selectFrom('complaints')
        .select(['id', sql<boolean>`false`.as('created'), sql<boolean>`false`.as('applied')])
        .where('source', '=', source)
        .where('external_id', '=', externalId),
    )
    .insertInto('audit_log')
    .columns(AUDIT_COLUMNS)
    .expression((eb) => eb.selectFrom('outcome').select(outcomeAuditColumns(audit)))
    .returning('complaint_id')
    .executeTakeFirst();
  const id = written?.complaint_id;
  if (id === undefined || id === null) throw new Error(`complaint ${source}/${externalId} vanished during its upsert`);
  return { id, created: false, applied: false };
}

/**
 * Applies a non-major re-delivery to an existing complaint (it stops being major) and writes its audit row, in one
 * statement. Like the upsert, it leaves a complaint alone when the stored row reflects a newer vendor time (checked
 * in the same statement), and audits that as stale. Undefined, with nothing written, when there is no such complaint
 * (in the statement's snapshot: a complaint committed concurrently after it is taken is one that did not exist yet
 * when this delivery arrived).
 */
export async function updateExistingComplaintAudited(
  db: Db,
  source: string,
  externalId: string,
  changes: Pick<NewComplaintRow, 'subject' | 'priority' | 'tags' | 'source_updated_at'>,
  audit: DeliveryAudit,
): Promise<{ id: number; applied: boolean } | undefined> {
  const sourceUpdatedAt = changes.source_updated_at ?? null;
  return db
    .with('delivered', (qb) =>
      qb
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
        .returning('id'),
    )
    .with('outcome', (qb) =>
      qb
        .selectFrom('delivered')
        .select(['id', sql<boolean>`false`.as('created'), sql<boolean>`true`.as('applied')])
        .unionAll(
          // Not updated: either no such complaint (no row, so nothing is audited) or a newer stored one (stale).
          qb
            .selectFrom('complaints')
            .select(['id', sql<boolean>`false`.as('created'), sql<boolean>`false`.as('applied')])
            .where('source', '=', source)
            .where('external_id', '=', externalId)
            .where(({ not, exists, selectFrom }) => not(exists(selectFrom('delivered').select('id')))),
        ),
    )
    .with('audited', (qb) =>
      qb
        .insertInto('audit_log')
        .columns(AUDIT_COLUMNS)
        .expression(qb.selectFrom('outcome').select(outcomeAuditColumns(audit)))
        .returning('id'),
    )
    .selectFrom('outcome')
    .select(['id', 'applied'])
    .modifyEnd(PREPARED)
    .executeTakeFirst();
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
