import { pipeline, Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { type CsvError, parse } from 'csv-parse';
import type { Transaction } from 'kysely';
import { recordAudit } from '../audit/audit.repository';
import type { DatabaseHandle } from '../db/connection';
import type { CopyRow } from '../db/copy';
import type { Database, NewComplaintRow } from '../db/schema';
import { PickupError } from '../shared/errors';
import { fromGenericComplaint, genericComplaintSchema } from './complaint';
import { isMajor, type MajorRule } from './complaint.major';
import { toComplaintRow } from './complaint.service';
import {
  createImportStaging,
  IMPORT_STAGING_COLUMNS,
  IMPORT_STAGING_TABLE,
  insertStagedComplaints,
  toStagingRow,
} from './complaint-import.repository';

/**
 * The columns a CSV import understands, named after the generic webhook's fields (nested customer fields with a
 * dot). Header names match case-insensitively, in any order; only externalId, subject, priority and customer.name
 * are required. See {@link CSV_COLUMN_ALIASES} for the other spellings accepted.
 */
export const CSV_COLUMNS = [
  'externalId',
  'source',
  'subject',
  'description',
  'priority',
  'customer.name',
  'customer.phone',
  'customer.email',
  'customer.company',
  'customer.timezone',
  'url',
  'receivedAt',
  'doNotCall',
  'tags',
  'supportTried',
] as const;

/** One of {@link CSV_COLUMNS}. */
export type CsvColumn = (typeof CSV_COLUMNS)[number];

/** Snake-case and flat spellings accepted in a header, as exported by spreadsheets and help desks. */
export const CSV_COLUMN_ALIASES: Readonly<Record<string, CsvColumn>> = {
  external_id: 'externalId',
  customer_name: 'customer.name',
  customer_phone: 'customer.phone',
  customer_email: 'customer.email',
  company: 'customer.company',
  customer_company: 'customer.company',
  timezone: 'customer.timezone',
  customer_timezone: 'customer.timezone',
  ticket_url: 'url',
  received_at: 'receivedAt',
  do_not_call: 'doNotCall',
  support_tried: 'supportTried',
};

/** Columns a file must have; a row may still leave them blank, and is then invalid. */
export const REQUIRED_CSV_COLUMNS: readonly CsvColumn[] = ['externalId', 'subject', 'priority', 'customer.name'];

/** The source recorded for rows that leave `source` blank. */
export const DEFAULT_CSV_SOURCE = 'csv';

/** One problem in the file: its physical line (the header is line 1), the field path, and what is wrong. */
export interface ImportError {
  line: number;
  /** A field path such as `customer.email`; empty when the problem is the whole row or the header. */
  field: string;
  message: string;
}

/**
 * What an import did. `rows` counts the data rows read; when `committed` is false nothing was written and the
 * other counts are 0. Otherwise every valid row is exactly one of created, duplicates (already stored, or repeated
 * in the file) or ignored (not major, so not stored, as on the webhook).
 */
export interface ImportReport {
  rows: number;
  created: number;
  duplicates: number;
  ignored: number;
  invalid: ImportError[];
  committed: boolean;
}

/** How far an import has read, as {@link ImportOptions.onProgress} hears it while the file streams in. */
export interface ImportProgress {
  /** Bytes of the file read so far. */
  bytes: number;
  /** Data rows read so far. */
  rows: number;
  /** Valid major rows so far: what the import takes in (each a new complaint or a duplicate) unless it is refused. */
  imported: number;
  /** Invalid rows so far. */
  refused: number;
  /** Valid rows that are not major, so not stored. */
  ignored: number;
  /** True on the last call: the whole file is read, and what remains is moving the rows into complaints. */
  done: boolean;
}

/**
 * A CSV file's content: whole (a string or Buffer), or as it streams in (a file's read stream, any async iterable
 * of Buffers or of strings). UTF-8, with or without a BOM; LF, CRLF or CR line ends.
 */
export type CsvSource = string | Buffer | AsyncIterable<Buffer | string>;

/** Options for {@link importComplaintsCsv}. */
export interface ImportOptions {
  csv: CsvSource;
  rule: MajorRule;
  /** Import the valid rows and report the invalid ones, instead of importing nothing when any row is invalid. */
  skipInvalid: boolean;
  /** The received-at time of rows that leave receivedAt blank. */
  now: Date;
  /** The file's name, recorded in the audit log. */
  file?: string;
  /** Hears the counts as the file is read: after each piece of it, and once at the end (`done`). */
  onProgress?: (progress: ImportProgress) => void;
}

// Thrown from csv-parse's `columns` callback, which ends the parse with it; kept in the reading too, because the
// transport a parse feeds (a COPY stream) may end with an error of its own.
class HeaderProblem extends PickupError<'csv_header_invalid'> {
  constructor(readonly errors: readonly string[]) {
    super('csv_header_invalid', errors.join('; '));
  }
}

const COLUMN_BY_NAME: ReadonlyMap<string, CsvColumn> = new Map<string, CsvColumn>([
  ...CSV_COLUMNS.map((c): [string, CsvColumn] => [c.toLowerCase(), c]),
  ...Object.entries(CSV_COLUMN_ALIASES).map(([alias, c]): [string, CsvColumn] => [alias.toLowerCase(), c]),
]);

/** Maps header cells to columns, or throws a HeaderProblem naming every unknown, repeated or missing column. */
function resolveHeader(header: readonly string[]): CsvColumn[] {
  const columns: CsvColumn[] = [];
  const unknown: string[] = [];
  const seen = new Map<CsvColumn, string>();
  const repeated: string[] = [];
  header.forEach((raw, i) => {
    const name = raw.trim();
    const column = COLUMN_BY_NAME.get(name.toLowerCase());
    if (!column) {
      unknown.push(name === '' ? `(blank, column ${i + 1})` : `"${name}"`);
      return;
    }
    const earlier = seen.get(column);
    if (earlier !== undefined) repeated.push(`"${earlier}" and "${name}" both give ${column}`);
    seen.set(column, name);
    columns.push(column);
  });
  const errors: string[] = [];
  if (unknown.length > 0) {
    errors.push(
      `unknown column${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')}; the accepted columns are ${CSV_COLUMNS.join(', ')}`,
    );
  }
  if (repeated.length > 0) errors.push(`repeated column: ${repeated.join('; ')}`);
  const missing = REQUIRED_CSV_COLUMNS.filter((c) => !seen.has(c));
  if (missing.length > 0)
    errors.push(`missing required column${missing.length === 1 ? '' : 's'} ${missing.join(', ')}`);
  if (errors.length > 0) throw new HeaderProblem(errors);
  return columns;
}

const BOOLEANS: Readonly<Record<string, boolean>> = {
  true: true,
  yes: true,
  '1': true,
  false: false,
  no: false,
  '0': false,
};

type Row = Partial<Record<CsvColumn, string>>;

// PostgreSQL text cannot hold U+0000; caught here, it is a reported cell instead of a failed import.
const NUL = String.fromCharCode(0);

/**
 * Turns one row's cells into the generic webhook's body. Blank cells are absent, except required text fields,
 * which stay '' so the schema says "is required". Returns the cell-level problems the schema cannot phrase well.
 */
function toGenericBody(row: Row): { body: Record<string, unknown>; problems: { field: string; message: string }[] } {
  const cell = (c: CsvColumn) => (row[c] === undefined || row[c] === '' ? undefined : row[c]);
  const problems: { field: string; message: string }[] = [];
  for (const [column, value] of Object.entries(row)) {
    if (value?.includes(NUL))
      problems.push({ field: column, message: 'contains a NUL character, which cannot be stored' });
  }
  let doNotCall: boolean | undefined;
  const dnc = cell('doNotCall');
  if (dnc !== undefined) {
    doNotCall = BOOLEANS[dnc.toLowerCase()];
    if (doNotCall === undefined) problems.push({ field: 'doNotCall', message: 'must be true/false, yes/no or 1/0' });
  }
  const tags = cell('tags')
    ?.split(/[;|]/)
    .map((t) => t.trim())
    .filter(Boolean);
  const customer: Record<string, string | undefined> = {
    name: row['customer.name'] ?? '',
    phone: cell('customer.phone'),
    email: cell('customer.email'),
    company: cell('customer.company'),
    timezone: cell('customer.timezone'),
  };
  return {
    body: {
      externalId: row.externalId ?? '',
      source: cell('source') ?? DEFAULT_CSV_SOURCE,
      subject: row.subject ?? '',
      description: cell('description'),
      // People type "High" in spreadsheets; the webhook's enum is lower-case.
      priority: (row.priority ?? '').toLowerCase(),
      customer,
      url: cell('url'),
      receivedAt: cell('receivedAt'),
      doNotCall,
      tags,
      supportTried: cell('supportTried'),
    },
    problems,
  };
}

const countNewlines = (text: string) => {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
};

/**
 * The physical line a record starts on. csv-parse reports the line it ends on (`lines`); the record's raw text
 * minus the blank lines skipped before it and its own line end says how many lines it spans.
 */
function startLine(endLine: number, raw: string | undefined): number {
  const own = (raw ?? '').replace(/^(?:[ \t]*\n)+/, '').replace(/\n$/, '');
  return endLine - countNewlines(own);
}

/** Bytes per piece a whole file (a string or Buffer) is read in, as a file's read stream would hand them over. */
const PIECE_BYTES = 64 * 1024;

/** The file's pieces as they come, or a whole file cut into pieces, so it streams through like any other. */
async function* piecesOf(source: CsvSource): AsyncGenerator<Buffer> {
  if (typeof source === 'string' || Buffer.isBuffer(source)) {
    const bytes = typeof source === 'string' ? Buffer.from(source, 'utf8') : source;
    for (let at = 0; at < bytes.length; at += PIECE_BYTES) yield bytes.subarray(at, at + PIECE_BYTES);
    return;
  }
  for await (const piece of source) yield typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece;
}

const CR = 0x0d;
const LF = 0x0a;
const LF_BYTES = Buffer.from([LF]);

/**
 * The file with LF line ends. csv-parse miscounts lines on CRLF, so one convention keeps every reported line number
 * right. Works on bytes, since CR and LF never occur inside a UTF-8 sequence: a piece without a CR passes through
 * as it is. A CR that ends a piece waits for the next one, which may start with its LF. `onPiece` hears each piece,
 * and the bytes it came from, before the parser does.
 */
export async function* lfPieces(
  pieces: AsyncIterable<Buffer>,
  onPiece: (piece: Buffer, bytes: number) => void = () => {},
): AsyncGenerator<Buffer> {
  let heldCr = false;
  for await (const piece of pieces) {
    const normalised = lfBytes(piece, heldCr);
    heldCr = normalised.heldCr;
    onPiece(normalised.bytes, piece.length);
    if (normalised.bytes.length > 0) yield normalised.bytes;
  }
  if (heldCr) {
    onPiece(LF_BYTES, 0);
    yield LF_BYTES;
  }
}

/** One piece with CRLF and CR turned into LF; `heldCr` says a CR came just before it, or ends it (and may pair). */
function lfBytes(piece: Buffer, heldCr: boolean): { bytes: Buffer; heldCr: boolean } {
  if (piece.length === 0) return { bytes: piece, heldCr };
  if (!heldCr && piece.indexOf(CR) === -1) return { bytes: piece, heldCr: false };
  const parts: Buffer[] = [];
  let start = 0;
  if (heldCr) {
    parts.push(LF_BYTES);
    if (piece[0] === LF) start = 1;
  }
  for (let cr = piece.indexOf(CR, start); cr !== -1; cr = piece.indexOf(CR, start)) {
    parts.push(piece.subarray(start, cr));
    if (cr === piece.length - 1) return { bytes: Buffer.concat(parts), heldCr: true };
    parts.push(LF_BYTES);
    start = piece[cr + 1] === LF ? cr + 2 : cr + 1;
  }
  parts.push(piece.subarray(start));
  return { bytes: Buffer.concat(parts), heldCr: false };
}

/**
 * Imports complaints from a CSV file whose header names the generic webhook's fields ({@link CSV_COLUMNS}, or
 * the {@link CSV_COLUMN_ALIASES}). Each row is validated by the webhook's own schema: priority in any case,
 * doNotCall as true/false/yes/no/1/0, tags separated by `;` or `|`, source `csv` when blank.
 *
 * The file streams through: parsed and validated row by row, each valid row COPYed into a staging table as it is
 * read (`database.transactionWithCopy`), then moved into complaints with one INSERT … SELECT. All-or-nothing by
 * default: one transaction, and any invalid row means nothing is written (the rest of the file is still read, so
 * every problem is reported by line and field). With `skipInvalid`, the valid rows are imported and the invalid ones
 * reported; a header problem or a quoting error (after which row boundaries are guesswork) still stops the whole
 * import. Non-major rows are ignored as on the webhook. Existing complaints are never changed: a row whose
 * (source, externalId) is stored already, or came earlier in the file, is a duplicate, so re-importing a file
 * creates nothing. One audit row records the whole import.
 */
export async function importComplaintsCsv(
  database: Pick<DatabaseHandle, 'transactionWithCopy'>,
  options: ImportOptions,
): Promise<ImportReport> {
  const reading = newReading();
  try {
    return await database.transactionWithCopy(async (trx, copyRows) => {
      await createImportStaging(trx);
      const staged = await copyRows(IMPORT_STAGING_TABLE, IMPORT_STAGING_COLUMNS, stagedRows(options, reading));
      if (!reading.sawHeader) throw new RowsRefused(aborted(0, [emptyFileError()]));
      if (refusing(reading, options.skipInvalid)) throw new RowsRefused(aborted(reading.rows, sortedInvalid(reading)));
      const created = await insertStagedComplaints(trx);
      const report: ImportReport = {
        rows: reading.rows,
        created,
        duplicates: staged - created,
        ignored: reading.ignored,
        invalid: sortedInvalid(reading),
        committed: true,
      };
      await auditImport(trx, report, options.file);
      return report;
    });
  } catch (err) {
    if (err instanceof RowsRefused) return err.report;
    // A header problem is the file's, reported like any other. It stops the parser, and whatever error the copy
    // then ends with (the transport's own, or the problem handed back unchanged) follows from it.
    if (reading.headerProblem) {
      return aborted(
        0,
        reading.headerProblem.errors.map((message) => ({ line: reading.headerLine, field: '', message })),
      );
    }
    throw err;
  }
}

/** Thrown from an import's transaction to roll it back when rows are refused; carries the report to return. */
class RowsRefused extends PickupError<'csv_rows_invalid'> {
  constructor(readonly report: ImportReport) {
    super('csv_rows_invalid', `nothing imported: ${report.invalid.length} problem(s) in the file`);
  }
}

/** What reading a file found so far: the counts and problems its report gives. */
interface CsvReading {
  /** Bytes read. */
  bytes: number;
  /** Data rows read, readable or not. */
  rows: number;
  /** Valid major rows, each staged for import while the import is not refused. */
  accepted: number;
  /** Valid rows that are not major, so not stored (as on the webhook). */
  ignored: number;
  invalid: ImportError[];
  /** Rows with at least one problem. */
  refused: number;
  sawHeader: boolean;
  /** The physical line of the header: 1, unless blank lines come first. */
  headerLine: number;
  /** The file's start while it is all blank, until the header's line is known; undefined after. */
  lead: { text: string; decoder: StringDecoder } | undefined;
  headerProblem: HeaderProblem | undefined;
  /** A quoting error: row boundaries after it are guesswork, so nothing is imported. */
  malformed: boolean;
}

function newReading(): CsvReading {
  return {
    bytes: 0,
    rows: 0,
    accepted: 0,
    ignored: 0,
    invalid: [],
    refused: 0,
    sawHeader: false,
    headerLine: 1,
    lead: { text: '', decoder: new StringDecoder('utf8') },
    headerProblem: undefined,
    malformed: false,
  };
}

/** True once nothing will be imported: a quoting error, or an invalid row without skipInvalid. */
function refusing(reading: CsvReading, skipInvalid: boolean): boolean {
  return reading.malformed || (reading.invalid.length > 0 && !skipInvalid);
}

function sortedInvalid(reading: CsvReading): ImportError[] {
  return reading.invalid.sort((a, b) => a.line - b.line);
}

function emptyFileError(): ImportError {
  const message = `the file is empty: its first line must name the columns (${REQUIRED_CSV_COLUMNS.join(', ')} at least)`;
  return { line: 1, field: '', message };
}

function progressOf(reading: CsvReading, done: boolean): ImportProgress {
  const { bytes, rows, accepted: imported, refused, ignored } = reading;
  return { bytes, rows, imported, refused, ignored, done };
}

/** Notes where the header is: after the blank lines (and BOM) the file starts with, as csv-parse skips them. */
function noteLeadingText(reading: CsvReading, piece: Buffer): void {
  const lead = reading.lead;
  if (lead === undefined) return;
  lead.text += lead.decoder.write(piece);
  const blank = /^\uFEFF?(?:[ \t]*\n)*/.exec(lead.text)?.[0] ?? '';
  reading.headerLine = 1 + countNewlines(blank);
  // Spaces at the end of what came so far may yet turn out to be one more blank line.
  if (!/^[ \t]*$/.test(lead.text.slice(blank.length))) reading.lead = undefined;
}

/**
 * The staging rows: every valid major row with its line, in file order, while the import is not refused. Reading
 * goes on to the end either way, so every problem in the file is reported.
 */
async function* stagedRows(options: ImportOptions, reading: CsvReading): AsyncGenerator<CopyRow> {
  const onPiece = (piece: Buffer, bytes: number) => {
    reading.bytes += bytes;
    noteLeadingText(reading, piece);
    options.onProgress?.(progressOf(reading, false));
  };
  // One piece read ahead at most, so the progress's bytes and rows stay close.
  const input = Readable.from(lfPieces(piecesOf(options.csv), onPiece), { highWaterMark: 1 });
  // The callback has nothing to do: a failing source destroys the parser with its error, and the parser's own
  // errors (a header problem) end the iteration below, so every error reaches this generator's consumer.
  const records = pipeline(input, createCsvParser(reading), () => {});
  for await (const entry of records as AsyncIterable<ParsedRecord>) {
    reading.rows += 1;
    const line = startLine(entry.info.lines, entry.raw);
    const row = validRow(entry.record, line, reading, options);
    if (row && !refusing(reading, options.skipInvalid)) yield toStagingRow(line, row);
  }
  options.onProgress?.(progressOf(reading, true));
}

/** One record as csv-parse gives it with `info` and `raw`. */
interface ParsedRecord {
  record: Row;
  info: { lines: number };
  raw?: string;
}

/** The parser: it resolves the header, and records every row it must skip in `reading`. */
function createCsvParser(reading: CsvReading) {
  return parse({
    bom: true,
    columns: (header: string[]) => {
      reading.sawHeader = true;
      try {
        return resolveHeader(header);
      } catch (err) {
        if (err instanceof HeaderProblem) reading.headerProblem = err;
        throw err;
      }
    },
    trim: true,
    skip_empty_lines: true,
    relax_column_count: false,
    info: true,
    raw: true,
    skip_records_with_error: true,
    on_skip: (err: CsvError | undefined, raw: string | undefined) => {
      reading.rows += 1;
      reading.refused += 1;
      const line = startLine(typeof err?.lines === 'number' ? err.lines : reading.headerLine, raw);
      const problem = { line, field: '', message: err?.message ?? 'unreadable row' };
      if (err?.code === 'CSV_RECORD_INCONSISTENT_COLUMNS') {
        const cells = Array.isArray(err.record) ? err.record.length : '?';
        const columns = Array.isArray(err.columns) ? err.columns.length : '?';
        reading.invalid.push({ ...problem, message: `has ${cells} cells but the header has ${columns} columns` });
      } else {
        reading.invalid.push({
          ...problem,
          message: `${problem.message}; rows after a quoting error cannot be read reliably, so nothing is imported`,
        });
        reading.malformed = true;
      }
      return undefined;
    },
  });
}

/**
 * Validates one record as the webhook would, and sorts it into `reading`: invalid, ignored, or accepted. Returns
 * the complaint row of an accepted one.
 */
function validRow(
  record: Row,
  line: number,
  reading: CsvReading,
  options: Pick<ImportOptions, 'rule' | 'now'>,
): NewComplaintRow | undefined {
  const { body, problems } = toGenericBody(record);
  const parsed = genericComplaintSchema.safeParse(body);
  const issues = [
    ...problems,
    ...(parsed.success
      ? []
      : parsed.error.issues.map((i) => ({ field: i.path.map(String).join('.'), message: i.message }))),
  ];
  if (!parsed.success || issues.length > 0) {
    reading.refused += 1;
    for (const issue of issues) reading.invalid.push({ line, ...issue });
    return undefined;
  }
  const input = fromGenericComplaint(parsed.data);
  if (!isMajor({ priority: input.priority, tags: input.tags }, options.rule)) {
    reading.ignored += 1;
    return undefined;
  }
  reading.accepted += 1;
  return toComplaintRow(input, true, options.now);
}

/** The one audit row of a committed import. */
function auditImport(trx: Transaction<Database>, report: ImportReport, file: string | undefined): Promise<void> {
  return recordAudit(trx, {
    actor: 'cli:import',
    action: 'complaint.received',
    details: {
      rows: report.rows,
      created: report.created,
      duplicates: report.duplicates,
      ignored: report.ignored,
      invalidRows: new Set(report.invalid.map((e) => e.line)).size,
      ...(file === undefined ? {} : { file }),
    },
  });
}

function aborted(rows: number, invalid: ImportError[]): ImportReport {
  return { rows, created: 0, duplicates: 0, ignored: 0, invalid, committed: false };
}

/** A person's summary of an import: the counts, then each problem as `line 7, customer.email: …`. */
export function formatImportReport(report: ImportReport, options: { maxErrors?: number } = {}): string {
  const maxErrors = options.maxErrors ?? 100;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const badRows = new Set(report.invalid.map((e) => e.line)).size;
  const lines: string[] = [];
  if (report.committed) {
    lines.push(
      `Imported ${plural(report.rows, 'row')}: ${report.created} created, ${plural(report.duplicates, 'duplicate')} ` +
        `(already stored or repeated in the file), ${report.ignored} ignored (not major)` +
        (badRows > 0 ? `, ${badRows} invalid and skipped.` : '.'),
    );
  } else {
    lines.push(
      `Nothing was imported: ${plural(report.invalid.length, 'problem')}` +
        (report.rows > 0 ? ` in ${plural(badRows, 'row')} of ${report.rows}.` : '.'),
    );
  }
  for (const e of report.invalid.slice(0, maxErrors)) {
    lines.push(`  line ${e.line}${e.field ? `, ${e.field}` : ''}: ${e.message}`);
  }
  if (report.invalid.length > maxErrors)
    lines.push(`  … and ${plural(report.invalid.length - maxErrors, 'more problem')}`);
  if (!report.committed && report.rows > 0) {
    lines.push('Fix these rows and import again, or pass --skip-invalid to import the valid rows and skip these.');
  }
  return lines.join('\n');
}
