import { type CsvError, parse } from 'csv-parse';
import type { Kysely } from 'kysely';
import { recordAudit } from '../audit/audit.repository';
import type { Database, NewComplaintRow } from '../db/schema';
import { PickupError } from '../shared/errors';
import { fromGenericComplaint, genericComplaintSchema } from './complaint';
import { isMajor, type MajorRule } from './complaint.major';
import { insertComplaintsBatch } from './complaint.repository';
import { toComplaintRow } from './complaint.service';

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

/** Rows inserted per statement by default: ~17 parameters each stays far below PostgreSQL's 65,535. */
export const DEFAULT_IMPORT_BATCH_SIZE = 1000;
const MAX_BATCH_SIZE = 3000;

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

/** Options for {@link importComplaintsCsv}. */
export interface ImportOptions {
  /** The file's content (UTF-8, with or without a BOM; LF, CRLF or CR line ends). */
  csv: string | Buffer;
  rule: MajorRule;
  /** Import the valid rows and report the invalid ones, instead of importing nothing when any row is invalid. */
  skipInvalid: boolean;
  /** The received-at time of rows that leave receivedAt blank. */
  now: Date;
  batchSize?: number;
  /** The file's name, recorded in the audit log. */
  file?: string;
}

// Thrown from csv-parse's `columns` callback, which passes the very same object on to the reader.
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

/**
 * Imports complaints from a CSV file whose header names the generic webhook's fields ({@link CSV_COLUMNS}, or
 * the {@link CSV_COLUMN_ALIASES}). Each row is validated by the webhook's own schema: priority in any case,
 * doNotCall as true/false/yes/no/1/0, tags separated by `;` or `|`, source `csv` when blank.
 *
 * All-or-nothing by default: one transaction, and any invalid row means nothing is written and every problem is
 * reported by line and field. With `skipInvalid`, the valid rows are imported and the invalid ones reported; a
 * header problem or a quoting error (after which row boundaries are guesswork) still stops the whole import.
 * Non-major rows are ignored as on the webhook. Existing complaints are never changed: a row whose
 * (source, externalId) is stored already, or came earlier in the file, is a duplicate, so re-importing a file
 * creates nothing. Rows go in as batched multi-row inserts; one audit row records the whole import.
 */
export async function importComplaintsCsv(db: Kysely<Database>, options: ImportOptions): Promise<ImportReport> {
  const batchSize = options.batchSize ?? DEFAULT_IMPORT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
    throw new RangeError(`batchSize must be an integer from 1 to ${MAX_BATCH_SIZE}`);
  }
  // csv-parse miscounts lines on CRLF input; one line-end convention keeps every reported line number right.
  const text = (typeof options.csv === 'string' ? options.csv : options.csv.toString('utf8')).replace(/\r\n?/g, '\n');
  const headerLine = 1 + countNewlines(/^\uFEFF?(?:[ \t]*\n)*/.exec(text)?.[0] ?? '');

  const reading: CsvReading = {
    rows: 0,
    ignored: 0,
    repeatedInFile: 0,
    invalid: [],
    toInsert: [],
    seen: new Set(),
    sawHeader: false,
    malformed: false,
  };
  try {
    await readRecords(createCsvParser(text, headerLine, reading), reading, options);
  } catch (err) {
    // A header problem is the file's, reported like any other; csv-parse hands our own error back unchanged.
    if (!(err instanceof HeaderProblem)) throw err;
    return aborted(
      0,
      err.errors.map((message) => ({ line: headerLine, field: '', message })),
    );
  }
  if (!reading.sawHeader) {
    return aborted(0, [
      {
        line: 1,
        field: '',
        message: `the file is empty: its first line must name the columns (${REQUIRED_CSV_COLUMNS.join(', ')} at least)`,
      },
    ]);
  }
  const { rows, invalid, toInsert, repeatedInFile, ignored } = reading;
  invalid.sort((a, b) => a.line - b.line);
  if (reading.malformed || (invalid.length > 0 && !options.skipInvalid)) return aborted(rows, invalid);

  const created = await insertImported(db, reading, batchSize, options.file);
  return { rows, created, duplicates: toInsert.length - created + repeatedInFile, ignored, invalid, committed: true };
}

/** What reading a file found so far: the rows to insert, and the counts and problems its report gives. */
interface CsvReading {
  /** Data rows read, readable or not. */
  rows: number;
  /** Valid rows that are not major, so not stored (as on the webhook). */
  ignored: number;
  /** Valid rows whose (source, externalId) came earlier in the file. */
  repeatedInFile: number;
  invalid: ImportError[];
  toInsert: NewComplaintRow[];
  /** The (source, externalId) keys of `toInsert`. */
  seen: Set<string>;
  sawHeader: boolean;
  /** A quoting error: row boundaries after it are guesswork, so nothing is imported. */
  malformed: boolean;
}

/** The parser over `text`: it resolves the header, and records every row it must skip in `reading`. */
function createCsvParser(text: string, headerLine: number, reading: CsvReading) {
  return parse(text, {
    bom: true,
    columns: (header: string[]) => {
      reading.sawHeader = true;
      return resolveHeader(header);
    },
    trim: true,
    skip_empty_lines: true,
    relax_column_count: false,
    info: true,
    raw: true,
    skip_records_with_error: true,
    on_skip: (err: CsvError | undefined, raw: string | undefined) => {
      reading.rows += 1;
      const line = startLine(typeof err?.lines === 'number' ? err.lines : headerLine, raw);
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

/** Validates each record as the webhook would and sorts it into `reading`: invalid, ignored, repeated or to insert. */
async function readRecords(
  parser: ReturnType<typeof createCsvParser>,
  reading: CsvReading,
  options: Pick<ImportOptions, 'rule' | 'now'>,
): Promise<void> {
  for await (const entry of parser as AsyncIterable<{ record: Row; info: { lines: number }; raw?: string }>) {
    reading.rows += 1;
    const line = startLine(entry.info.lines, entry.raw);
    const { body, problems } = toGenericBody(entry.record);
    const parsed = genericComplaintSchema.safeParse(body);
    const issues = [
      ...problems,
      ...(parsed.success
        ? []
        : parsed.error.issues.map((i) => ({ field: i.path.map(String).join('.'), message: i.message }))),
    ];
    if (!parsed.success || issues.length > 0) {
      for (const issue of issues) reading.invalid.push({ line, ...issue });
      continue;
    }
    const input = fromGenericComplaint(parsed.data);
    if (!isMajor({ priority: input.priority, tags: input.tags }, options.rule)) {
      reading.ignored += 1;
      continue;
    }
    const key = `${input.source}\u0000${input.externalId}`;
    if (reading.seen.has(key)) {
      reading.repeatedInFile += 1;
      continue;
    }
    reading.seen.add(key);
    reading.toInsert.push(toComplaintRow(input, true, options.now));
  }
}

/** Inserts the rows in batches and audits the whole import, in one transaction; returns how many were new. */
function insertImported(
  db: Kysely<Database>,
  reading: CsvReading,
  batchSize: number,
  file: string | undefined,
): Promise<number> {
  const { rows, toInsert, repeatedInFile, ignored, invalid } = reading;
  return db.transaction().execute(async (trx) => {
    let inserted = 0;
    for (let i = 0; i < toInsert.length; i += batchSize) {
      inserted += await insertComplaintsBatch(trx, toInsert.slice(i, i + batchSize));
    }
    await recordAudit(trx, {
      actor: 'cli:import',
      action: 'complaint.received',
      details: {
        rows,
        created: inserted,
        duplicates: toInsert.length - inserted + repeatedInFile,
        ignored,
        invalidRows: new Set(invalid.map((e) => e.line)).size,
        ...(file === undefined ? {} : { file }),
      },
    });
    return inserted;
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
