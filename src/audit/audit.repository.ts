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

/** Appends to the audit log, in the caller's transaction. */
export async function recordAudit(db: Kysely<Database> | Transaction<Database>, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      actor: entry.actor,
      action: entry.action,
      complaint_id: entry.complaintId ?? null,
      details: JSON.stringify(entry.details ?? {}),
    })
    .execute();
}
