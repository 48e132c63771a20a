import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema';

/** The actions the audit log records. */
export type AuditAction =
  | 'complaint.received'
  | 'complaint.updated'
  /** A delivery older than the one already applied: nothing changed. */
  | 'complaint.stale'
  | 'complaint.erased'
  | 'complaints.retention_purge'
  | 'pick.drawn'
  | 'claim.created'
  | 'claim.released'
  | 'attempt.logged'
  | 'advocacy.recorded'
  | 'digest.posted'
  | 'away.set'
  | 'away.cleared'
  | 'action.opened'
  | 'action.closed'
  | 'action.reassigned'
  | 'action.fix_held'
  | 'action.reopened';

/** One audit row. `details` holds ids and facts, never contact details or free text from customers. */
export interface AuditEntry {
  actor: string;
  action: AuditAction;
  complaintId?: number | null;
  details?: Record<string, unknown>;
}

/**
 * The columns of an audit row, in the order an `INSERT … SELECT` must select them: for statements that write their
 * audit row together with the change it records (intake's one-statement delivery), in recordAudit's shape.
 */
export const AUDIT_COLUMNS = ['actor', 'action', 'complaint_id', 'details'] as const;

/** An audit row's `details` as stored: the JSON of the details, `{}` when there are none. */
export function auditDetailsJson(details: Record<string, unknown> | undefined): string {
  return JSON.stringify(details ?? {});
}

/** Appends to the audit log, in the caller's transaction. */
export async function recordAudit(db: Kysely<Database> | Transaction<Database>, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      actor: entry.actor,
      action: entry.action,
      complaint_id: entry.complaintId ?? null,
      details: auditDetailsJson(entry.details),
    })
    .execute();
}
