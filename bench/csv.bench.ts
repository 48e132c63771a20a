import { stringify } from 'csv-stringify/sync';
import { type Kysely, sql } from 'kysely';
import { CSV_COLUMNS, importComplaintsCsv } from '../src/complaints/complaint.import';
import type { Database } from '../src/db/schema';
import type { Engine } from './engines';
import type { Size } from './options';
import { type BenchOutput, figure } from './result';
import { timed } from './stats';

/** One row's values, already in the form Pickup stores them (normalised phone, lower-case email and tags). */
interface Row {
  externalId: string;
  source: string;
  subject: string;
  description: string;
  priority: string;
  name: string;
  phone: string;
  email: string;
  company: string;
  timezone: string;
  url: string;
  receivedAt: string;
  tags: string[];
  supportTried: string;
}

function makeRows(source: string, count: number, now: Date): Row[] {
  return Array.from({ length: count }, (_, i) => ({
    externalId: `T-${i}`,
    source,
    subject: `Ticket ${i}: "cancelled" order, refund promised twice`,
    description: `Customer ${i} says the courier lost the parcel, then support closed the ticket, twice.\nWants a call.`,
    priority: i % 3 === 0 ? 'urgent' : 'high',
    name: `Csv Customer ${i}`,
    phone: `+1212555${String(i % 10_000).padStart(4, '0')}`,
    email: `csv${i}@example.com`,
    company: `Csv Co ${i % 1000}`,
    timezone: 'Europe/Berlin',
    url: `https://help.example.com/tickets/T-${i}`,
    receivedAt: new Date(now.getTime() - (i % 1440) * 60_000).toISOString(),
    tags: i % 4 === 0 ? ['billing', 'refund'] : ['billing'],
    supportTried: 'Reissued the refund; escalated to the courier',
  }));
}

/** The rows as the CSV file an operator would import (the generic webhook's column names). */
function toCsv(rows: readonly Row[]): string {
  const header = [...CSV_COLUMNS];
  const records = rows.map((r) => {
    const cells: Record<(typeof CSV_COLUMNS)[number], string> = {
      externalId: r.externalId,
      source: r.source,
      subject: r.subject,
      description: r.description,
      priority: r.priority,
      'customer.name': r.name,
      'customer.phone': r.phone,
      'customer.email': r.email,
      'customer.company': r.company,
      'customer.timezone': r.timezone,
      url: r.url,
      receivedAt: r.receivedAt,
      doNotCall: 'false',
      tags: r.tags.join(';'),
      supportTried: r.supportTried,
    };
    return header.map((c) => cells[c]);
  });
  return stringify([header, ...records]);
}

const COPY_COLUMNS = [
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
  'customer_email',
  'customer_timezone',
  'ticket_url',
  'received_at',
] as const;

/** COPY's text format: backslash escapes for the characters that delimit it. */
function copyText(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

/** The same rows in COPY text format, one line each. */
function toCopy(rows: readonly Row[]): string {
  const lines = rows.map((r) =>
    [
      r.source,
      r.externalId,
      r.subject,
      r.description,
      r.supportTried,
      r.priority,
      `{${r.tags.join(',')}}`,
      't',
      'f',
      r.name,
      r.company,
      r.phone,
      r.email,
      r.timezone,
      r.url,
      r.receivedAt,
    ]
      .map(copyText)
      .join('\t'),
  );
  return `${lines.join('\n')}\n`;
}

/**
 * CSV import: importComplaintsCsv on a file of `size.csvRows` rows (parse, validate each row with the webhook's
 * schema, the major rule, COPY into a staging table, one INSERT … SELECT with dedupe, one transaction) on the
 * engine's 'pickup' side, against COPY … FROM STDIN of the same rows on its 'raw' side. Both land in the seeded
 * table and are deleted after each run, each on its own side.
 */
export async function benchCsv(engine: Engine, size: Size, runs: number): Promise<BenchOutput> {
  const rows = size.csvRows;
  const rate: number[] = [];
  const copyRate: number[] = [];
  const stamp = Date.now().toString(36);
  const rule = { priorities: ['urgent', 'high'], tags: ['exec-callback', 'vip'] };
  // The rows are fresh and nothing references them, so the foreign-key triggers are skipped: claims.complaint_id has
  // no plain index, and checking it would scan every claim for each deleted row.
  const remove = (db: Kysely<Database>, source: string) =>
    db.transaction().execute(async (trx) => {
      await sql`SET LOCAL session_replication_role = replica`.execute(trx);
      await sql`DELETE FROM complaints WHERE source = ${source}`.execute(trx);
    });
  for (let run = 0; run < runs; run++) {
    const now = new Date();
    await engine.use('raw');
    const copySource = `bench-copy-${stamp}-${run}`;
    const copy = toCopy(makeRows(copySource, rows, now));
    const copied = await timed(() => engine.copyIn('complaints', COPY_COLUMNS, copy));
    if (copied.result !== rows) throw new Error(`COPY wrote ${copied.result} rows, expected ${rows}`);
    copyRate.push((rows / copied.ms) * 1000);
    await remove(engine.rawDb, copySource);

    await engine.use('pickup');
    const csvSource = `bench-csv-${stamp}-${run}`;
    const csv = toCsv(makeRows(csvSource, rows, now));
    const imported = await timed(() =>
      importComplaintsCsv(engine.handle, { csv, rule, skipInvalid: false, now, file: 'bench.csv' }),
    );
    const report = imported.result;
    if (!report.committed || report.created !== rows) {
      throw new Error(
        `the import created ${report.created} of ${rows} rows: ${JSON.stringify(report.invalid.slice(0, 3))}`,
      );
    }
    rate.push((rows / imported.ms) * 1000);
    await remove(engine.handle.db, csvSource);
  }
  return {
    figures: [
      figure(
        {
          benchmark: 'CSV import',
          engine: engine.name,
          measure: 'rows/s',
          unit: '/s',
          target: '≥ 25% of COPY',
          note: `${rows.toLocaleString('en-US')} rows into the seeded table`,
        },
        rate,
        { label: 'COPY FROM STDIN rows/s', runs: copyRate },
        (v, b) => b !== undefined && v >= 0.25 * b,
      ),
    ],
  };
}
