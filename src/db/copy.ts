import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PGliteInterface } from '@electric-sql/pglite';
import type { Kysely, Transaction } from 'kysely';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Database } from './schema';

/*
 * Bulk loading with COPY, the fastest way rows get into PostgreSQL. Callers stream rows of values; how they reach the
 * table depends on the connection: COPY … FROM STDIN on PostgreSQL (pg-copy-streams), COPY … FROM '/dev/blob' on
 * PGlite (its node-postgres bridge cannot carry CopyData), and batched INSERTs where neither is possible.
 */

/** One value of a row to COPY: text, numbers, booleans, times, NULL, or a text[] array. */
export type CopyValue = string | number | boolean | Date | null | readonly string[];

/** One row to COPY, its values in the order of the columns named. */
export type CopyRow = readonly CopyValue[];

/**
 * Loads rows into `table (columns)` inside the transaction it was handed with, and resolves with how many went in.
 * The table and column names are trusted identifiers (code's, never input's).
 */
export type CopyRows = (table: string, columns: readonly string[], rows: AsyncIterable<CopyRow>) => Promise<number>;

/** Loads one piece of COPY text into `table (columns)` and resolves with the rows it held. */
export type LoadCopyChunk = (table: string, columns: readonly string[], text: string) => Promise<number>;

/**
 * Runs `work` in one transaction, handing it a {@link CopyRows} that loads inside that same transaction: when `work`
 * (or a COPY) fails, everything is rolled back, the rows copied included.
 */
export type TransactionWithCopy = <T>(
  work: (trx: Transaction<Database>, copyRows: CopyRows) => Promise<T>,
) => Promise<T>;

/** Rows per COPY chunk where the data travels as one piece (PGlite's blob): bounds the memory one chunk holds. */
export const COPY_CHUNK_ROWS = 5_000;

/** Characters of COPY text per write on a COPY FROM STDIN stream: each write is one CopyData message. */
const COPY_STREAM_WRITE_CHARS = 64 * 1024;

/** Escapes text for COPY's text format: backslash, and the tab, newline and carriage return that delimit. */
function escapeText(s: string): string {
  return s.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

/** An array literal, `{"a","b"}`, each element quoted so commas, braces and spaces inside stay in it. */
function arrayLiteral(items: readonly string[]): string {
  return `{${items.map((i) => `"${i.replace(/[\\"]/g, (c) => `\\${c}`)}"`).join(',')}}`;
}

function copyField(value: CopyValue): string {
  if (value === null) return '\\N';
  if (typeof value === 'string') return escapeText(value);
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (value instanceof Date) return value.toISOString();
  return escapeText(arrayLiteral(value));
}

/** One row as a line of COPY's text format (tab-separated, `\N` for NULL), newline included. */
export function toCopyLine(row: CopyRow): string {
  return `${row.map(copyField).join('\t')}\n`;
}

/** The COPY statement that reads `table (columns)` from `from`: STDIN on PostgreSQL, '/dev/blob' on PGlite. */
export function copyStatement(table: string, columns: readonly string[], from: 'STDIN' | "'/dev/blob'"): string {
  return `COPY ${table} (${columns.join(', ')}) FROM ${from}`;
}

/**
 * Runs one COPY of `text` (COPY's text format) on PGlite, through /dev/blob. The caller must hold PGlite's session,
 * that is, run this inside its own transaction: PGlite has one session, and this statement joins whatever it is in.
 */
export async function copyTextIntoPglite(
  pglite: PGliteInterface,
  table: string,
  columns: readonly string[],
  text: string,
): Promise<number> {
  const result = await pglite.query(copyStatement(table, columns, "'/dev/blob'"), [], { blob: new Blob([text]) });
  return result.affectedRows ?? 0;
}

/**
 * Collects rows into chunks of COPY text and hands each to `load` (which resolves with the rows it loaded), so a
 * transport that needs a whole piece (PGlite's blob, a message to a worker thread) never holds the whole file.
 */
export async function copyInChunks(
  rows: AsyncIterable<CopyRow>,
  load: (text: string) => Promise<number>,
  chunkRows = COPY_CHUNK_ROWS,
): Promise<number> {
  let loaded = 0;
  for await (const text of copyTextPieces(rows, { rows: chunkRows })) loaded += await load(text);
  return loaded;
}

/**
 * A transactionWithCopy for PGlite, wherever it runs: `load` puts one chunk of COPY text into the session the
 * transaction holds (in this process, {@link copyTextIntoPglite}; from another thread, a message to it).
 */
export function chunkedTransactionWithCopy(
  db: Kysely<Database>,
  load: LoadCopyChunk,
  chunkRows = COPY_CHUNK_ROWS,
): TransactionWithCopy {
  const copyRows: CopyRows = (table, columns, rows) =>
    copyInChunks(rows, (text) => load(table, columns, text), chunkRows);
  return (work) => db.transaction().execute((trx) => work(trx, copyRows));
}

/**
 * The rows as COPY text in pieces that end once they hold `limit.rows` rows or about `limit.chars` characters: whole
 * pieces for a transport that carries one at a time, few large messages for a stream.
 */
async function* copyTextPieces(
  rows: AsyncIterable<CopyRow>,
  limit: { rows: number } | { chars: number },
): AsyncGenerator<string> {
  let text = '';
  let count = 0;
  for await (const row of rows) {
    text += toCopyLine(row);
    count += 1;
    if ('rows' in limit ? count >= limit.rows : text.length >= limit.chars) {
      yield text;
      text = '';
      count = 0;
    }
  }
  if (text !== '') yield text;
}

/**
 * Streams rows into `table (columns)` with COPY … FROM STDIN on `client`, in whatever transaction it is in, as the
 * rows come: backpressure from the socket paces the producer. A failing producer aborts the COPY (CopyFail) and its
 * error is the rejection; a row the server refuses rejects with the server's error. Either way the connection is
 * left ready for the ROLLBACK that follows.
 */
export async function copyIntoPostgres(
  client: pg.ClientBase,
  table: string,
  columns: readonly string[],
  rows: AsyncIterable<CopyRow>,
): Promise<number> {
  const stream = client.query(copyFrom(copyStatement(table, columns, 'STDIN')));
  await pipeline(Readable.from(copyTextPieces(rows, { chars: COPY_STREAM_WRITE_CHARS })), stream);
  return stream.rowCount;
}
