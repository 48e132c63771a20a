import { sql } from 'kysely';
import type { CopyRow } from './copy';
import type { Db } from './schema';

/** PostgreSQL's limit on bind parameters in one statement. */
const MAX_PARAMETERS = 65_535;
/** Rows per INSERT at most: past this, larger statements only cost more to build and parse. */
const MAX_ROWS_PER_INSERT = 1_000;

/**
 * Inserts rows into `table (columns)` with multi-row INSERTs, in batches that stay under PostgreSQL's 65,535 bind
 * parameters; resolves with how many went in. COPY's stand-in where the connection cannot carry COPY data (the
 * embedded database reached through the bot's socket): the same rows land in the same table, only slower. The
 * table and column names are trusted identifiers (code's, never input's).
 */
export async function insertRowsInBatches(
  db: Db,
  table: string,
  columns: readonly string[],
  rows: AsyncIterable<CopyRow>,
): Promise<number> {
  const batchRows = Math.max(1, Math.min(MAX_ROWS_PER_INSERT, Math.floor(MAX_PARAMETERS / columns.length)));
  const target = sql`${sql.table(table)} (${sql.join(columns.map((c) => sql.ref(c)))})`;
  let inserted = 0;
  let batch: CopyRow[] = [];
  const flush = async () => {
    // pg sends a JS array as an array literal, and INSERT … VALUES types each parameter by its target column.
    const values = sql.join(batch.map((row) => sql`(${sql.join(row)})`));
    await sql`INSERT INTO ${target} VALUES ${values}`.execute(db);
    inserted += batch.length;
    batch = [];
  };
  for await (const row of rows) {
    batch.push(row);
    if (batch.length >= batchRows) await flush();
  }
  if (batch.length > 0) await flush();
  return inserted;
}
