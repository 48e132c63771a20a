import { stringify } from 'csv-stringify/sync';
import { EXPORT_COLUMNS, type ExportRow, exportAttempts, PII_COLUMNS } from '../calls/attempt.export';
import { migrateToLatest } from '../db/migrate';
import { isRealDate } from '../shared/time';
import { type Command, parseFlags, UsageError } from './support';

const FORMATS = ['csv', 'json'] as const;
type Format = (typeof FORMATS)[number];

/** Rows per write: big exports go out in chunks, never held whole in memory. */
const CHUNK_ROWS = 500;

/** Free-text columns a spreadsheet could read as a formula; phone and timestamps are left exactly as stored. */
const FORMULA_PRONE = new Set<string>([
  'notes',
  'source',
  'external_id',
  'subject',
  'company',
  'evidence_kinds',
  'action_description',
  'action_theme',
  'customer_name',
  'customer_email',
]);

/**
 * A cell starting with = + - @ (or a tab or carriage return) runs as a formula when the CSV is opened in a
 * spreadsheet, and subjects and notes are customer and executive text. A leading apostrophe shows it as text.
 */
function neutralizeFormula(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

function csvCells(row: ExportRow, columns: readonly string[]): Record<string, unknown> {
  const cells: Record<string, unknown> = {};
  for (const column of columns) {
    const value: unknown = row[column as keyof ExportRow];
    cells[column] = typeof value === 'string' && FORMULA_PRONE.has(column) ? neutralizeFormula(value) : value;
  }
  return cells;
}

function csvChunk(rows: ExportRow[], columns: readonly string[]): string {
  const text = stringify(
    rows.map((r) => csvCells(r, columns)),
    {
      columns: [...columns],
      cast: { boolean: (b) => (b ? 'true' : 'false') },
    },
  );
  // ctx.out ends every write with its own newline.
  return text.endsWith('\n') ? text.slice(0, -1) : text;
}

/**
 * `export --from D --to D [--format csv|json] [--include-pii]`: every call attempt in the range (inclusive dates
 * in TIMEZONE), one row each, to stdout and nothing else there, so it can be piped.
 * CSV (default) has a header row; booleans are true/false, missing values empty, timestamps ISO 8601 UTC, and
 * free text that would run as a spreadsheet formula is prefixed with an apostrophe.
 * JSON is one JSON array (valid as a whole for jq and json.load), written one object per line; missing values are
 * null. Contact details (customer_name, customer_phone, customer_email) appear only with --include-pii.
 */
export const exportCommand: Command = {
  summary: 'export call attempts (with complaint, executive, outcome, advocacy, action) as CSV or JSON to stdout',
  usage: 'export --from YYYY-MM-DD --to YYYY-MM-DD [--format csv|json] [--include-pii]',
  purpose: 'database',
  async run(ctx) {
    const { values } = parseFlags(ctx.args, {
      from: { type: 'string' },
      to: { type: 'string' },
      format: { type: 'string' },
      'include-pii': { type: 'boolean' },
    });
    const { from, to } = values;
    if (from === undefined || to === undefined) throw new UsageError('give both --from and --to');
    for (const [flag, date] of [
      ['--from', from],
      ['--to', to],
    ] as const) {
      if (!isRealDate(date)) throw new UsageError(`${flag} must be a real date as YYYY-MM-DD, not "${date}"`);
    }
    if (from > to) throw new UsageError(`--from (${from}) is after --to (${to})`);
    const format = FORMATS.find((f) => f === (values.format ?? 'csv'));
    if (!format) throw new UsageError(`--format must be csv or json, not "${values.format}"`);
    const includePii = values['include-pii'] === true;
    const columns: readonly string[] = includePii ? [...EXPORT_COLUMNS, ...PII_COLUMNS] : EXPORT_COLUMNS;

    return ctx.withDatabase(async ({ db }) => {
      await migrateToLatest(db);
      const rows = exportAttempts(db, { from, to, timezone: ctx.config.timezone, includePii });
      await write(ctx.out, format, rows, columns);
      return 0;
    });
  },
};

async function write(
  out: (chunk: string) => void,
  format: Format,
  rows: AsyncIterable<ExportRow>,
  columns: readonly string[],
): Promise<void> {
  if (format === 'csv') {
    out(stringify([columns]).trimEnd());
    let chunk: ExportRow[] = [];
    for await (const row of rows) {
      chunk.push(row);
      if (chunk.length >= CHUNK_ROWS) {
        out(csvChunk(chunk, columns));
        chunk = [];
      }
    }
    if (chunk.length > 0) out(csvChunk(chunk, columns));
    return;
  }
  // One object per line; the comma goes before every object but the first, so nothing needs to be held back.
  let lines: string[] = ['['];
  let first = true;
  for await (const row of rows) {
    lines.push(`${first ? '' : ','}${JSON.stringify(row)}`);
    first = false;
    if (lines.length >= CHUNK_ROWS) {
      out(lines.join('\n'));
      lines = [];
    }
  }
  lines.push(']');
  out(lines.join('\n'));
}
