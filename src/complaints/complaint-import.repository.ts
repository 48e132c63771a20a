import { sql, type Transaction } from 'kysely';
import type { CopyRow } from '../db/copy';
import type { Database, NewComplaintRow } from '../db/schema';

/*
 * The CSV import's staging: valid rows are COPYed into a temporary table as the file is read, then moved into
 * complaints with one INSERT … SELECT. The table lives in the import's transaction only (ON COMMIT DROP; a rollback
 * never created it), so imports in other sessions never see each other's.
 */

/** The staging table, temporary to the import's transaction. */
export const IMPORT_STAGING_TABLE = 'complaint_import';

/** The complaint columns an import fills: every column toComplaintRow maps. */
const STAGED_COMPLAINT_COLUMNS = [
  'source',
  'external_id',
  'subject',
  'description',
  'support_tried',
  'priority',
  'tags',
  'is_major',
  'do_not_call',
  'customer_name',
  'customer_company',
  'customer_phone',
  'customer_phone_e164',
  'customer_email',
  'customer_timezone',
  'ticket_url',
  'escalated_by',
  'assignee_name',
  'assignee_email',
  'received_at',
  'source_updated_at',
  'became_major_at',
] as const satisfies readonly (keyof NewComplaintRow)[];

/** The staging table's columns, in the order {@link toStagingRow} gives the values: the file's line, then the row. */
export const IMPORT_STAGING_COLUMNS: readonly string[] = ['line', ...STAGED_COMPLAINT_COLUMNS];

/** Creates the staging table in `trx`, with the complaint columns' own types; it is dropped when `trx` commits. */
export async function createImportStaging(trx: Transaction<Database>): Promise<void> {
  const columns = sql.join(STAGED_COMPLAINT_COLUMNS.map((c) => sql.ref(c)));
  await sql`CREATE TEMP TABLE ${sql.table(IMPORT_STAGING_TABLE)} ON COMMIT DROP AS
    SELECT 0 AS line, ${columns} FROM complaints WITH NO DATA`.execute(trx);
}

/** One complaint row, read from line `line` of the file, as a row of the staging table. */
export function toStagingRow(line: number, row: NewComplaintRow): CopyRow {
  return [
    line,
    ...STAGED_COMPLAINT_COLUMNS.map((column) => (column === 'tags' ? (row.tags ?? []) : (row[column] ?? null))),
  ];
}

/**
 * Moves the staged rows into complaints, in file order, leaving alone every (source, external_id) already stored:
 * of rows repeated in the file the first one wins, as ON CONFLICT DO NOTHING skips a row that conflicts with one this
 * statement inserted. Resolves with how many complaints were created; the rest were duplicates.
 */
export async function insertStagedComplaints(trx: Transaction<Database>): Promise<number> {
  const columns = sql.join(STAGED_COMPLAINT_COLUMNS.map((c) => sql.ref(c)));
  const result = await sql<{ created: number }>`
    WITH inserted AS (
      INSERT INTO complaints (${columns})
      SELECT ${columns} FROM ${sql.table(IMPORT_STAGING_TABLE)} ORDER BY line
      ON CONFLICT (source, external_id) DO NOTHING
      RETURNING 1
    )
    SELECT count(*)::int AS created FROM inserted`.execute(trx);
  return result.rows[0]?.created ?? 0;
}
