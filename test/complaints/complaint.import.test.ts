import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CSV_COLUMN_ALIASES,
  CSV_COLUMNS,
  type CsvSource,
  formatImportReport,
  type ImportProgress,
  type ImportReport,
  importComplaintsCsv,
  lfPieces,
} from '../../src/complaints/complaint.import';
import type { MajorRule } from '../../src/complaints/complaint.major';
import { createSocketTestDb, createTestDb, emptyTables, type SocketTestDb, type TestDb } from '../helpers/test-db';

const RULE: MajorRule = { priorities: ['urgent', 'high'], tags: ['exec-callback', 'vip'] };
const NOW = new Date('2026-11-23T10:00:00Z');
const HEADER = 'externalId,subject,priority,customer.name,customer.email,customer.phone,tags,doNotCall';

/** A CSV file: header, then rows, each line ending in LF. */
const csvFile = (header: string, ...rows: string[]) => `${[header, ...rows].join('\n')}\n`;

describe('importComplaintsCsv', () => {
  let db: TestDb;

  beforeAll(async () => {
    db = await createTestDb();
  });
  afterAll(async () => {
    await db.close();
  });
  // Several tests import the same file; each starts from an empty table.
  beforeEach(() => emptyTables(db.db));

  const storedWithPrefix = (prefix: string) =>
    db.db
      .selectFrom('complaints')
      .selectAll()
      .where('external_id', 'like', `${prefix}%`)
      .orderBy('external_id')
      .execute();

  const countWithPrefix = async (prefix: string) =>
    Number(
      (
        await db.db
          .selectFrom('complaints')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('external_id', 'like', `${prefix}%`)
          .executeTakeFirstOrThrow()
      ).n,
    );

  const importAudits = () =>
    db.db.selectFrom('audit_log').selectAll().where('actor', '=', 'cli:import').orderBy('id').execute();

  const run = (csv: CsvSource, skipInvalid = false, extra: { file?: string } = {}) =>
    importComplaintsCsv(db, { csv, rule: RULE, skipInvalid, now: NOW, ...extra });

  it('imports a valid file: every field mapped, source csv, one audit row for the whole import', async () => {
    const auditsBefore = (await importAudits()).length;
    const csv = csvFile(
      `${HEADER},description,customer.company,customer.timezone,url,receivedAt,supportTried,source`,
      'ok-1,Refund never arrived,Urgent,Ada Lovelace,Ada@Example.com,+44 20 7946 0018,Billing;VIP,yes,Waited 3 weeks,Lovelace Ltd,Europe/London,https://help.example.com/t/1,2026-11-20T09:00:00Z,Refund retried,',
      'ok-2,Router dead,high,Grace Hopper,,,,no,,,,,,,',
      'ok-3,Invoice wrong,low,Alan Turing,,,exec-callback|billing,0,,,,,,,legacy-desk',
    );

    const report = await run(csv, false, { file: 'complaints.csv' });

    expect(report).toEqual({ rows: 3, created: 3, duplicates: 0, ignored: 0, invalid: [], committed: true });
    const [first, second, third] = await storedWithPrefix('ok-');
    expect(first).toMatchObject({
      source: 'csv',
      external_id: 'ok-1',
      subject: 'Refund never arrived',
      priority: 'urgent',
      description: 'Waited 3 weeks',
      support_tried: 'Refund retried',
      tags: ['billing', 'vip'],
      is_major: true,
      do_not_call: true,
      customer_name: 'Ada Lovelace',
      customer_email: 'ada@example.com',
      customer_phone: '+442079460018',
      customer_company: 'Lovelace Ltd',
      customer_timezone: 'Europe/London',
      ticket_url: 'https://help.example.com/t/1',
      received_at: new Date('2026-11-20T09:00:00Z'),
    });
    // A blank receivedAt means "now"; blank optional cells are stored as NULL, not as ''.
    expect(second).toMatchObject({
      priority: 'high',
      do_not_call: false,
      customer_email: null,
      customer_phone: null,
      description: null,
      received_at: NOW,
    });
    expect(third).toMatchObject({ source: 'legacy-desk', priority: 'low', tags: ['exec-callback', 'billing'] });

    const audits = await importAudits();
    expect(audits).toHaveLength(auditsBefore + 1);
    expect(audits.at(-1)).toMatchObject({
      action: 'complaint.received',
      complaint_id: null,
      details: { rows: 3, created: 3, duplicates: 0, ignored: 0, invalidRows: 0, file: 'complaints.csv' },
    });
  });

  const MIXED = csvFile(
    HEADER,
    'mix-1,Fine row,urgent,Ada,,,,', // line 2
    'mix-2,Bad email,urgent,Grace,not-an-email,,,', // line 3
    'mix-3,Fine too,high,Alan,,,,', // line 4
    'mix-4,,sometimes,,,,,maybe', // line 5: four problems
    'mix-5,Bad phone,urgent,Edsger,,call me,,', // line 6
  );

  const MIXED_ERRORS = [
    { line: 3, field: 'customer.email', message: 'must be an email address' },
    { line: 5, field: 'doNotCall', message: 'must be true/false, yes/no or 1/0' },
    { line: 5, field: 'subject', message: 'is required' },
    { line: 5, field: 'priority', message: 'must be one of urgent, high, normal, low' },
    { line: 5, field: 'customer.name', message: 'is required' },
    { line: 6, field: 'customer.phone', message: expect.stringContaining('must be a phone number') },
  ];

  it('writes nothing when any row is invalid, and lists every problem by line and field', async () => {
    const auditsBefore = (await importAudits()).length;

    const report = await run(MIXED);

    expect(report).toEqual({ rows: 5, created: 0, duplicates: 0, ignored: 0, invalid: MIXED_ERRORS, committed: false });
    expect(await storedWithPrefix('mix-')).toEqual([]);
    expect(await importAudits()).toHaveLength(auditsBefore);
  });

  it('with skipInvalid, imports the valid rows and reports the invalid ones', async () => {
    const report = await run(MIXED, true);

    expect(report).toEqual({ rows: 5, created: 2, duplicates: 0, ignored: 0, invalid: MIXED_ERRORS, committed: true });
    expect((await storedWithPrefix('mix-')).map((r) => r.external_id)).toEqual(['mix-1', 'mix-3']);
    expect((await importAudits()).at(-1)?.details).toMatchObject({ rows: 5, created: 2, invalidRows: 3 });
  });

  it('creates nothing when the same file is imported again; repeats inside one file are duplicates too', async () => {
    const csv = csvFile(
      HEADER,
      'again-1,First,urgent,Ada,,,,',
      'again-2,Second,urgent,Grace,,,,',
      'again-1,First (repeated),urgent,Ada,,,,',
    );

    const first = await run(csv);
    const second = await run(csv);

    expect(first).toMatchObject({ rows: 3, created: 2, duplicates: 1, committed: true });
    expect(second).toMatchObject({ rows: 3, created: 0, duplicates: 3, ignored: 0, committed: true });
    const stored = await storedWithPrefix('again-');
    expect(stored.map((r) => [r.external_id, r.subject])).toEqual([
      ['again-1', 'First'],
      ['again-2', 'Second'],
    ]);
  });

  it('treats the same external id from another source as a different complaint', async () => {
    const csv = csvFile(
      'externalId,source,subject,priority,customer.name',
      'src-1,desk-a,From A,urgent,Ada',
      'src-1,desk-b,From B,urgent,Ada',
    );
    expect(await run(csv)).toMatchObject({ created: 2, duplicates: 0 });
  });

  it('ignores rows that are not major, like the webhook, and stores those a major tag lifts', async () => {
    const csv = csvFile(
      HEADER,
      'minor-1,Slow page,normal,Ada,,,,',
      'minor-2,Typo on invoice,low,Grace,,,billing,',
      'minor-3,Slow page for a VIP,normal,Alan,,,Vip,',
    );

    const report = await run(csv);

    expect(report).toEqual({ rows: 3, created: 1, duplicates: 0, ignored: 2, invalid: [], committed: true });
    expect((await storedWithPrefix('minor-')).map((r) => r.external_id)).toEqual(['minor-3']);
  });

  it('accepts the snake-case and flat aliases, in any case and order', async () => {
    const csv = csvFile(
      'Customer_Name,external_id,PRIORITY,Subject,company,timezone,ticket_url,received_at,do_not_call,customer_email,customer_phone,support_tried',
      'Ada,alias-1,High,Aliased row,Lovelace Ltd,Europe/Paris,https://x.example/1,2026-11-01T08:00:00+01:00,TRUE,ada@example.com,+33 1 42 68 53 00,Called twice',
    );

    expect(await run(csv)).toMatchObject({ rows: 1, created: 1, invalid: [] });
    expect((await storedWithPrefix('alias-'))[0]).toMatchObject({
      customer_name: 'Ada',
      customer_company: 'Lovelace Ltd',
      customer_timezone: 'Europe/Paris',
      ticket_url: 'https://x.example/1',
      received_at: new Date('2026-11-01T07:00:00Z'),
      do_not_call: true,
      customer_email: 'ada@example.com',
      customer_phone: '+33142685300',
      support_tried: 'Called twice',
    });
    expect(Object.values(CSV_COLUMN_ALIASES).every((c) => (CSV_COLUMNS as readonly string[]).includes(c))).toBe(true);
  });

  it('refuses unknown columns with one error on line 1 naming them all, even with skipInvalid', async () => {
    const csv = csvFile(`${HEADER},notes,Order Number`, 'hdr-1,Fine,urgent,Ada,,,,,x,y');

    const report = await run(csv, true);

    expect(report.committed).toBe(false);
    expect(report.invalid).toEqual([
      { line: 1, field: '', message: expect.stringContaining('unknown columns "notes", "Order Number"') },
    ]);
    expect(report.invalid[0]?.message).toContain(CSV_COLUMNS.join(', '));
    expect(await storedWithPrefix('hdr-')).toEqual([]);
  });

  it('refuses a header without the required columns, and one that gives a column twice', async () => {
    const missing = await run(csvFile('externalId,description', 'hdr-2,Something'));
    expect(missing).toEqual({
      rows: 0,
      created: 0,
      duplicates: 0,
      ignored: 0,
      invalid: [{ line: 1, field: '', message: 'missing required columns subject, priority, customer.name' }],
      committed: false,
    });

    const twice = await run(csvFile('externalId,subject,priority,customer.name,customer_name', 'hdr-3,S,urgent,A,B'));
    expect(twice.invalid).toEqual([
      { line: 1, field: '', message: 'repeated column: "customer.name" and "customer_name" both give customer.name' },
    ]);
    expect(await storedWithPrefix('hdr-')).toEqual([]);
  });

  it('refuses an empty file and accepts a header-only one as zero rows', async () => {
    expect(await run('')).toMatchObject({
      committed: false,
      invalid: [{ line: 1, field: '', message: expect.stringContaining('the file is empty') }],
    });
    expect(await run(`${HEADER}\n`)).toEqual({
      rows: 0,
      created: 0,
      duplicates: 0,
      ignored: 0,
      invalid: [],
      committed: true,
    });
  });

  const QUOTED = csvFile(
    'externalId,subject,priority,customer.name,description',
    'q-1,"Charged twice, then refused","urgent","Moreau, Alex","Line one',
    'line two, with a comma',
    '',
    'line four after a blank line"', // ends the record that started on line 2
    '',
    'q-2,"He said ""call me""",high,Grace,', // line 7
    'q-3,Bad address,urgent,Alan,"multi', // line 8, spans to line 9
    'line"',
    'q-4,Fine,urgent,Edsger,,extra cell', // line 10
    'q-5,"Quote ""inside"", comma",urgent,"",x', // line 11: blank name
  );

  it('reads quoted fields with commas, quotes and newlines, and still reports physical line numbers', async () => {
    const report = await run(QUOTED, true);

    expect(report.invalid).toEqual([
      { line: 10, field: '', message: 'has 6 cells but the header has 5 columns' },
      { line: 11, field: 'customer.name', message: 'is required' },
    ]);
    expect(report).toMatchObject({ rows: 5, created: 3, committed: true });
    const stored = await storedWithPrefix('q-');
    expect(stored.map((r) => [r.external_id, r.subject, r.customer_name, r.description])).toEqual([
      [
        'q-1',
        'Charged twice, then refused',
        'Moreau, Alex',
        'Line one\nline two, with a comma\n\nline four after a blank line',
      ],
      ['q-2', 'He said "call me"', 'Grace', null],
      ['q-3', 'Bad address', 'Alan', 'multi\nline'],
    ]);
  });

  it('reports the same line numbers for CRLF and CR files', async () => {
    const broken = csvFile(
      'externalId,subject,priority,customer.name,description',
      'crlf-1,"Multi',
      'line subject",urgent,Ada,', // ends on line 3
      '',
      'crlf-2,Bad,whenever,Grace,"also', // line 5
      'multi"',
      'crlf-3,Bad too,urgent,,', // line 7
    );
    const expected = [
      { line: 5, field: 'priority', message: 'must be one of urgent, high, normal, low' },
      { line: 7, field: 'customer.name', message: 'is required' },
    ];

    for (const csv of [broken, broken.replace(/\n/g, '\r\n'), broken.replace(/\n/g, '\r')]) {
      expect(await run(csv)).toMatchObject({ rows: 3, committed: false, invalid: expected });
    }
    expect(await storedWithPrefix('crlf-')).toEqual([]);
  });

  it('stops at a quoting error even with skipInvalid, since the rows after it cannot be trusted', async () => {
    const csv = csvFile(
      HEADER,
      'qe-1,Fine,urgent,Ada,,,,',
      'qe-2,"Unclosed,urgent,Grace,,,,',
      'qe-3,Fine,urgent,Alan,,,,',
    );

    const report = await run(csv, true);

    expect(report.committed).toBe(false);
    expect(report.invalid).toEqual([
      { line: 3, field: '', message: expect.stringMatching(/Quote Not Closed.*nothing is imported/) },
    ]);
    expect(await storedWithPrefix('qe-')).toEqual([]);
  });

  it('reports a NUL character as an invalid cell instead of failing the import', async () => {
    const csv = csvFile(HEADER, 'nul-1,Fine,urgent,Ada,,,,', `nul-2,Bad${String.fromCharCode(0)}byte,urgent,Grace,,,,`);

    const report = await run(csv, true);

    expect(report).toMatchObject({ rows: 2, created: 1, committed: true });
    expect(report.invalid).toEqual([
      { line: 3, field: 'subject', message: 'contains a NUL character, which cannot be stored' },
    ]);
  });

  const STREAMED = csvFile(
    'externalId,subject,priority,customer.name,description',
    'st-1,"Multi', // line 2: a quoted newline
    'line subject",urgent,Zoë,"Paid 20 €, twice"',
    '',
    'st-2,Bad,whenever,Grace,"also', // line 5
    'multi"',
    'st-3,Fine,high,Ana,"quoted ""with"" comma, and ü"', // line 7
    'st-4,Not major,low,Bo,', // line 8
    'st-1,Repeated,urgent,Cy,', // line 9
  );

  it('reads a file streamed in awkward pieces as it reads it whole: CRLF, CR and characters split between pieces', async () => {
    const whole = await run(STREAMED, true);
    expect(whole).toEqual({
      rows: 5,
      created: 2,
      duplicates: 1,
      ignored: 1,
      invalid: [{ line: 5, field: 'priority', message: 'must be one of urgent, high, normal, low' }],
      committed: true,
    });
    const stored = async () =>
      (await storedWithPrefix('st-')).map((r) => [r.external_id, r.subject, r.customer_name, r.description]);
    const expected = [
      ['st-1', 'Multi\nline subject', 'Zoë', 'Paid 20 €, twice'],
      ['st-3', 'Fine', 'Ana', 'quoted "with" comma, and ü'],
    ];
    expect(await stored()).toEqual(expected);

    for (const lineEnd of ['\r\n', '\r']) {
      const file = Buffer.from(STREAMED.replace(/\n/g, lineEnd));
      // Size 1 puts every CR at the end of a piece and splits every multi-byte character.
      for (const size of [1, 2, 3, 5, 8, 13, 64]) {
        await emptyTables(db.db);
        const report = await run(piecesOf(file, size), true);
        expect({ lineEnd: JSON.stringify(lineEnd), size, report }).toEqual({
          lineEnd: JSON.stringify(lineEnd),
          size,
          report: whole,
        });
        expect(await stored()).toEqual(expected);
      }
    }
  });

  it('finds the header after a BOM and blank lines when the file comes a byte at a time', async () => {
    const file = Buffer.from(
      `\uFEFF\r\n\r\n${csvFile('externalId,subject,priority,customer.name,notes', 'bom-1,S,urgent,Ada,x')}`,
    );

    const report = await run(piecesOf(file, 1));

    expect(report.invalid).toEqual([
      { line: 3, field: '', message: expect.stringContaining('unknown column "notes"') },
    ]);
    expect(report.committed).toBe(false);
  });

  it('writes nothing when a row deep in a streamed file is invalid, and imports the rest with skipInvalid', async () => {
    // Enough rows that several chunks were already COPYed when the invalid row comes.
    const rows = Array.from({ length: 12_000 }, (_, i) => {
      const id = `deep-${String(i).padStart(5, '0')}`;
      if (i === 8_999) return `${id},Bad address,urgent,Ada,not-an-email,,,`; // line 9,001
      return `${id},Complaint ${i},urgent,Ada,ada${i}@example.com,,,`;
    });
    rows.push('deep-last,,urgent,Grace,,,,'); // line 12,002
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pickup-import-'));
    const file = path.join(dir, 'deep.csv');
    fs.writeFileSync(file, csvFile(HEADER, ...rows));
    const auditsBefore = (await importAudits()).length;
    const errors = [
      { line: 9_001, field: 'customer.email', message: 'must be an email address' },
      { line: 12_002, field: 'subject', message: 'is required' },
    ];
    try {
      const refused = await run(fs.createReadStream(file));
      expect(refused).toEqual({
        rows: 12_001,
        created: 0,
        duplicates: 0,
        ignored: 0,
        invalid: errors,
        committed: false,
      });
      expect(await countWithPrefix('deep-')).toBe(0);
      expect(await importAudits()).toHaveLength(auditsBefore);

      const skipped = await run(fs.createReadStream(file), true);
      expect(skipped).toEqual({
        rows: 12_001,
        created: 11_999,
        duplicates: 0,
        ignored: 0,
        invalid: errors,
        committed: true,
      });
      expect(await countWithPrefix('deep-')).toBe(11_999);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('keeps the first of rows repeated in the file, and leaves stored complaints as they are', async () => {
    await run(csvFile(HEADER, 'dup-1,Stored first,urgent,Ada,,,,'));

    const report = await run(
      csvFile(
        HEADER,
        'dup-1,Changed subject,urgent,Ada,,,,', // stored already
        'dup-2,First of two,urgent,Bo,,,,',
        'dup-3,Only one,high,Cy,,,,',
        'dup-2,Second of two,urgent,Bo,,,,', // repeated in the file
      ),
    );

    expect(report).toEqual({ rows: 4, created: 2, duplicates: 2, ignored: 0, invalid: [], committed: true });
    const stored = await storedWithPrefix('dup-');
    expect(stored.map((r) => [r.external_id, r.subject])).toEqual([
      ['dup-1', 'Stored first'],
      ['dup-2', 'First of two'],
      ['dup-3', 'Only one'],
    ]);
    // Created in file order.
    const [, second, third] = stored;
    expect(Number(second?.id)).toBeLessThan(Number(third?.id));
    expect((await importAudits()).at(-1)?.details).toMatchObject({ rows: 4, created: 2, duplicates: 2 });
  });

  it('tells onProgress how far it has read, and the last call adds up to the report', async () => {
    const invalid = (i: number) => i % 10 === 3;
    const minor = (i: number) => !invalid(i) && i % 7 === 0;
    const rows = Array.from({ length: 6_000 }, (_, i) => {
      if (invalid(i)) return `prog-${i},,urgent,Ada,,,,`;
      // Rows from 5,000 on repeat the ids of earlier ones.
      return `prog-${i % 5_000},Complaint ${i},${minor(i) ? 'low' : 'urgent'},Ada,,,,`;
    });
    const refused = rows.filter((_, i) => invalid(i)).length;
    const ignored = rows.filter((_, i) => minor(i)).length;
    const file = Buffer.from(csvFile(HEADER, ...rows));
    const seen: ImportProgress[] = [];

    const report = await importComplaintsCsv(db, {
      // Pieces as large as the parser's input buffer, so reading waits for parsing as it does on a real file.
      csv: piecesOf(file, 16 * 1024),
      rule: RULE,
      skipInvalid: true,
      now: NOW,
      onProgress: (p) => seen.push(p),
    });

    expect(report).toMatchObject({ rows: 6_000, ignored, committed: true });
    expect(report.created + report.duplicates).toBe(6_000 - refused - ignored);
    expect(report.duplicates).toBeGreaterThan(0);
    expect(seen.at(-1)).toEqual({
      bytes: file.length,
      rows: 6_000,
      imported: 6_000 - refused - ignored,
      refused,
      ignored,
      done: true,
    });
    expect(seen.filter((p) => p.done)).toHaveLength(1);
    // Heard while reading, not only at the end.
    expect(seen.some((p) => p.bytes > 0 && p.bytes < file.length && p.rows > 0 && p.rows < 6_000)).toBe(true);
    for (const [i, p] of seen.entries()) {
      const before = seen[i - 1];
      if (!before) continue;
      for (const key of ['bytes', 'rows', 'imported', 'refused', 'ignored'] as const) {
        expect(p[key]).toBeGreaterThanOrEqual(before[key]);
      }
    }
  });

  it('imports a 20,000-row file, and a second import of it creates nothing', async () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => {
      const priority = i % 10 === 0 ? 'normal' : 'urgent'; // every tenth row is not major
      return `bulk-${String(i).padStart(5, '0')},Complaint ${i},${priority},Customer ${i},customer${i}@example.com,+1555${String(i).padStart(7, '0')},,`;
    });
    const csv = csvFile(HEADER, ...rows);

    const report = await run(csv);

    expect(report).toEqual({
      rows: 20_000,
      created: 18_000,
      duplicates: 0,
      ignored: 2_000,
      invalid: [],
      committed: true,
    });
    const { count } = await db.db
      .selectFrom('complaints')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('external_id', 'like', 'bulk-%')
      .executeTakeFirstOrThrow();
    expect(count).toBe(18_000);
    expect(await run(csv)).toMatchObject({ created: 0, duplicates: 18_000, ignored: 2_000 });
    // Correctness at volume, not speed (npm run bench measures that): two 20,000-row imports can take well over the
    // default 30 s on a loaded 2-core machine.
  }, 180_000);
});

/** `file` in pieces of `size` bytes, as a stream hands them over. */
async function* piecesOf(file: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let at = 0; at < file.length; at += size) yield file.subarray(at, at + size);
}

describe('lfPieces', () => {
  const read = async (pieces: (string | Buffer)[]) => {
    const out: Buffer[] = [];
    const input = (async function* () {
      for (const piece of pieces) yield Buffer.from(piece);
    })();
    for await (const piece of lfPieces(input)) out.push(piece);
    return Buffer.concat(out).toString('utf8');
  };

  it.each<[string, (string | Buffer)[], string]>([
    ['CRLF within a piece', ['a\r\nb\r\n'], 'a\nb\n'],
    ['CRLF split between pieces', ['a\r', '\nb'], 'a\nb'],
    ['a CR ending a piece, then text', ['a\r', 'b\r', 'c'], 'a\nb\nc'],
    ['a CR ending the file', ['a\r'], 'a\n'],
    ['a CR alone in a piece, then an empty piece, then its LF', ['a', '\r', '', '\nb'], 'a\nb'],
    ['CR CR LF as two line ends', ['a\r', '\r', '\n'], 'a\n\n'],
    ['LF alone untouched', ['a\n', '\nb\n'], 'a\n\nb\n'],
    [
      'a character split between pieces, then a CRLF split too',
      [Buffer.from([0x5a, 0x6f, 0xc3]), Buffer.from([0xab, 0x0d]), Buffer.from([0x0a])],
      'Zoë\n',
    ],
  ])('%s', async (_name, pieces, text) => {
    expect(await read(pieces)).toBe(text);
  });
});

describe("importComplaintsCsv through the bot's socket (rows go in as batched INSERTs)", () => {
  let served: SocketTestDb;

  beforeAll(async () => {
    served = await createSocketTestDb();
  }, 60_000);
  afterAll(async () => {
    await served?.close();
  });

  it('imports, refuses and counts as on a database of its own', async () => {
    // More rows than one INSERT takes.
    const rows = Array.from({ length: 1_500 }, (_, i) => `sock-${i},Complaint ${i},urgent,Ada,,,,`);
    const file = csvFile(HEADER, ...rows, 'sock-7,Repeated,urgent,Ada,,,,', 'sock-bad,Bad,urgent,Ada,nope,,,');
    const options = { csv: file, rule: RULE, now: NOW };

    const refused = await importComplaintsCsv(served.cli, { ...options, skipInvalid: false });
    expect(refused).toMatchObject({ rows: 1_502, created: 0, committed: false });
    expect(refused.invalid).toEqual([{ line: 1_503, field: 'customer.email', message: 'must be an email address' }]);

    const skipped = await importComplaintsCsv(served.cli, { ...options, skipInvalid: true });
    expect(skipped).toMatchObject({ rows: 1_502, created: 1_500, duplicates: 1, ignored: 0, committed: true });
    const stored = await served.bot.db
      .selectFrom('complaints')
      .select(['external_id', 'subject'])
      .where('external_id', 'like', 'sock-%')
      .execute();
    expect(stored).toHaveLength(1_500);
    expect(stored.find((r) => r.external_id === 'sock-7')?.subject).toBe('Complaint 7');
  }, 60_000);
});

describe('formatImportReport', () => {
  it('summarises a committed import', () => {
    const report: ImportReport = { rows: 10, created: 7, duplicates: 2, ignored: 1, invalid: [], committed: true };
    expect(formatImportReport(report)).toBe(
      'Imported 10 rows: 7 created, 2 duplicates (already stored or repeated in the file), 1 ignored (not major).',
    );
  });

  it('lists each problem as "line N, field: message" and says how to go on', () => {
    const report: ImportReport = {
      rows: 9,
      created: 0,
      duplicates: 0,
      ignored: 0,
      invalid: [
        { line: 4, field: '', message: 'has 6 cells but the header has 5 columns' },
        { line: 7, field: 'customer.email', message: 'must be an email address' },
        { line: 7, field: 'priority', message: 'must be one of urgent, high, normal, low' },
      ],
      committed: false,
    };
    expect(formatImportReport(report)).toBe(
      [
        'Nothing was imported: 3 problems in 2 rows of 9.',
        '  line 4: has 6 cells but the header has 5 columns',
        '  line 7, customer.email: must be an email address',
        '  line 7, priority: must be one of urgent, high, normal, low',
        'Fix these rows and import again, or pass --skip-invalid to import the valid rows and skip these.',
      ].join('\n'),
    );
  });

  it('mentions skipped rows after a partial import and caps a long list', () => {
    const invalid = Array.from({ length: 5 }, (_, i) => ({ line: i + 2, field: 'subject', message: 'is required' }));
    const report: ImportReport = { rows: 6, created: 1, duplicates: 0, ignored: 0, invalid, committed: true };
    const text = formatImportReport(report, { maxErrors: 2 });
    expect(text.split('\n')).toEqual([
      'Imported 6 rows: 1 created, 0 duplicates (already stored or repeated in the file), 0 ignored (not major), 5 invalid and skipped.',
      '  line 2, subject: is required',
      '  line 3, subject: is required',
      '  … and 3 more problems',
    ]);
  });
});
