import { parse } from 'csv-parse/sync';
import { EXPORT_COLUMNS, PII_COLUMNS } from '../../src/calls/attempt.export';
import { exportCommand } from '../../src/cli/export.command';
import { type CommandContext, UsageError } from '../../src/cli/support';
import { loadConfig } from '../../src/config';
import type { DatabaseHandle } from '../../src/db/connection';
import { createLogger } from '../../src/logger';
import { EXEC_1, testEnv } from '../helpers/config';
import { insertComplaint } from '../helpers/factories';
import { createTestDb, type TestDb } from '../helpers/test-db';

const PHONE = '+14155550123';
const EMAIL = 'ada@example.com';
const ROWS = 1234;

/** A context like runCli builds, with every write captured and the test database handed to the command. */
function context(db: TestDb, args: string[], env: Record<string, string> = {}) {
  const writes: string[] = [];
  const ctx: CommandContext = {
    args,
    env: testEnv(env),
    config: loadConfig(testEnv(env), 'database'),
    logger: createLogger('silent'),
    out: (chunk) => writes.push(chunk),
    now: () => new Date(),
    // runCli opens and closes the database; here the test owns it, so it is only handed over.
    withDatabase: <T>(fn: (database: DatabaseHandle) => Promise<T>) => fn(db),
  };
  // What a pipe would receive: console.log ends every write with a newline.
  const stdout = () => writes.map((w) => `${w}\n`).join('');
  return { ctx, writes, stdout };
}

describe('npm run cli -- export', () => {
  let db: TestDb;

  beforeAll(async () => {
    db = await createTestDb();
    const complaintId = await insertComplaint(db.db, {
      subject: '=HYPERLINK("https://evil.example","click") and "quotes", commas',
      customer: { name: 'Ada Lovelace', phone: PHONE, email: EMAIL },
    });
    const { id: claimId } = await db.db
      .insertInto('claims')
      .values({ complaint_id: complaintId, claimed_by: EXEC_1, claimed_at: '2026-05-01T08:00:00Z' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const base = Date.parse('2026-05-01T09:00:00Z');
    await db.db
      .insertInto('call_attempts')
      .values(
        Array.from({ length: ROWS }, (_, i) => ({
          claim_id: claimId,
          complaint_id: complaintId,
          executive: EXEC_1,
          outcome: i === ROWS - 1 ? 'reached' : 'no_answer',
          notes: i === 0 ? 'Line one\nline two, with "quotes"' : null,
          follow_up_date: null,
          advocate_assessment: i === ROWS - 1 ? 'advocate' : null,
          ok_to_quote: i === ROWS - 1,
          // Minutes apart: all on 2026-05-01 and 2026-05-02 (UTC).
          created_at: new Date(base + i * 60_000).toISOString(),
        })),
      )
      .execute();
  });
  afterAll(async () => {
    await db.close();
  });

  it('writes CSV with a header row to stdout, in chunks, and nothing else', async () => {
    const { ctx, writes, stdout } = context(db, ['--from', '2026-05-01', '--to', '2026-05-02']);
    expect(await exportCommand.run(ctx)).toBe(0);
    expect(writes.length).toBeGreaterThan(2);
    const records: string[][] = parse(stdout());
    expect(records[0]).toEqual([...EXPORT_COLUMNS]);
    expect(records).toHaveLength(ROWS + 1);
    const rows = records.slice(1).map((r) => Object.fromEntries(EXPORT_COLUMNS.map((c, i) => [c, r[i]])));
    expect(rows[0]).toMatchObject({
      executive: EXEC_1,
      outcome: 'no_answer',
      notes: 'Line one\nline two, with "quotes"',
      ok_to_quote: 'false',
      is_advocate: 'false',
      follow_up_date: '',
      picked_on: '',
      attempted_at: '2026-05-01T09:00:00.000Z',
    });
    // A cell a spreadsheet would run as a formula is shown as text instead.
    expect(rows[0]?.subject).toBe(`'=HYPERLINK("https://evil.example","click") and "quotes", commas`);
    expect(rows.at(-1)).toMatchObject({ outcome: 'reached', advocate_assessment: 'advocate', ok_to_quote: 'true' });
    const out = stdout();
    expect(out).not.toContain(PHONE);
    expect(out).not.toContain(EMAIL);
    expect(out).not.toContain('Ada Lovelace');
  });

  it('adds the contact columns with --include-pii', async () => {
    const { ctx, stdout } = context(db, ['--from', '2026-05-01', '--to', '2026-05-01', '--include-pii']);
    expect(await exportCommand.run(ctx)).toBe(0);
    const records: string[][] = parse(stdout());
    expect(records[0]).toEqual([...EXPORT_COLUMNS, ...PII_COLUMNS]);
    // 2026-05-01 09:00 + 900 minutes reaches midnight: 900 attempts on the first day.
    expect(records).toHaveLength(900 + 1);
    expect(records[1]?.slice(-3)).toEqual(['Ada Lovelace', PHONE, EMAIL]);
  });

  it('writes JSON as one valid array, one object per line', async () => {
    const { ctx, stdout } = context(db, ['--from', '2026-05-01', '--to', '2026-05-02', '--format', 'json']);
    expect(await exportCommand.run(ctx)).toBe(0);
    const out = stdout();
    const rows = JSON.parse(out) as Record<string, unknown>[];
    expect(rows).toHaveLength(ROWS);
    expect(out.trimEnd().split('\n')).toHaveLength(ROWS + 2);
    expect(Object.keys(rows[0] ?? {})).toEqual([...EXPORT_COLUMNS]);
    expect(rows[0]).toMatchObject({ ok_to_quote: false, follow_up_date: null, picked_on: null, is_advocate: false });
    // JSON is not opened as a spreadsheet: text stays exactly as stored.
    expect(rows[0]?.subject).toMatch(/^=HYPERLINK/);
    expect(out).not.toContain(PHONE);
    expect(out).not.toContain(EMAIL);

    const pii = context(db, ['--from', '2026-05-01', '--to', '2026-05-02', '--format', 'json', '--include-pii']);
    await exportCommand.run(pii.ctx);
    expect(JSON.parse(pii.stdout())[0]).toMatchObject({ customer_phone: PHONE, customer_email: EMAIL });
  });

  it('reads the dates in TIMEZONE', async () => {
    // In Tokyo (UTC+9), 2026-05-02 runs from 2026-05-01T15:00Z: the attempts from then on.
    const { ctx, stdout } = context(db, ['--from', '2026-05-02', '--to', '2026-05-02', '--format', 'json'], {
      TIMEZONE: 'Asia/Tokyo',
    });
    await exportCommand.run(ctx);
    const rows = JSON.parse(stdout()) as { attempted_at: string }[];
    expect(rows[0]?.attempted_at).toBe('2026-05-01T15:00:00.000Z');
    expect(rows).toHaveLength(ROWS - 360);
  });

  it('writes just the header, or an empty array, for a range without attempts', async () => {
    const csv = context(db, ['--from', '2020-01-01', '--to', '2020-12-31']);
    expect(await exportCommand.run(csv.ctx)).toBe(0);
    expect(csv.stdout()).toBe(`${EXPORT_COLUMNS.join(',')}\n`);
    const json = context(db, ['--from', '2020-01-01', '--to', '2020-12-31', '--format', 'json']);
    await exportCommand.run(json.ctx);
    expect(JSON.parse(json.stdout())).toEqual([]);
  });

  it.each([
    [[], /--from and --to/],
    [['--from', '2026-05-01'], /--from and --to/],
    [['--from', '2026-02-30', '--to', '2026-03-01'], /--from must be a real date/],
    [['--from', '2026-05-01', '--to', '05/02/2026'], /--to must be a real date/],
    [['--from', '2026-05-02', '--to', '2026-05-01'], /after --to/],
    [['--from', '2026-05-01', '--to', '2026-05-02', '--format', 'xlsx'], /--format must be csv or json/],
    [['--from', '2026-05-01', '--to', '2026-05-02', '--pii'], /Unknown option '--pii'/],
    [['--from', '2026-05-01', '--to', '2026-05-02', 'extra'], /positional/],
  ])('refuses %j with a usage error and writes nothing', async (args, message) => {
    const { ctx, writes } = context(db, args);
    await expect(exportCommand.run(ctx)).rejects.toThrow(UsageError);
    await expect(exportCommand.run(ctx)).rejects.toThrow(message);
    expect(writes).toEqual([]);
  });

  it('is a database command with a usage line naming every flag', () => {
    expect(exportCommand.purpose).toBe('database');
    for (const flag of ['--from', '--to', '--format csv|json', '--include-pii']) {
      expect(exportCommand.usage).toContain(flag);
    }
  });
});
