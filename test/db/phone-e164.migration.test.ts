import { Migrator, sql } from 'kysely';
import { migrations } from '../../migrations';
import { createTestDb, type TestDb } from '../helpers/test-db';

const NAME = '20261129_0003_phone_e164';

/** The migration that adds customer_phone_e164 backfills the rows already there, and can be undone. */
describe(`migration ${NAME}`, () => {
  let db: TestDb;
  let migrator: Migrator;
  beforeAll(async () => {
    db = await createTestDb();
    migrator = new Migrator({ db: db.db, provider: { getMigrations: async () => migrations } });
  });
  afterAll(() => db.close());

  const names = Object.keys(migrations).sort();
  const before = names[names.indexOf(NAME) - 1];

  it('is registered, after the released ones', () => {
    expect(names).toContain(NAME);
    expect(before).toBeDefined();
  });

  it('backfills every stored phone it can read (as a US number when it has no +), and leaves the rest NULL', async () => {
    if (!before) throw new Error('no migration before this one');
    const down = await migrator.migrateTo(before);
    expect(down.error).toBeUndefined();
    const { rows: columns } = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM information_schema.columns
      WHERE table_name = 'complaints' AND column_name = 'customer_phone_e164'`.execute(db.db);
    expect(columns[0]?.n).toBe(0);

    const phones = ['202-555-0177', '+1 (415) 555-0142', '+44 20 7946 0958', '020 7946 0958', 'ask reception', null];
    for (const [i, phone] of phones.entries()) {
      await sql`
        INSERT INTO complaints (source, external_id, subject, priority, is_major, customer_phone, received_at)
        VALUES ('old', ${`old-${i}`}, 'Stored before the column', 'high', true, ${phone}, now())`.execute(db.db);
    }

    const up = await migrator.migrateToLatest();
    expect(up.error).toBeUndefined();
    const { rows } = await sql<{ customer_phone: string | null; customer_phone_e164: string | null }>`
      SELECT customer_phone, customer_phone_e164 FROM complaints WHERE source = 'old' ORDER BY external_id`.execute(
      db.db,
    );
    expect(rows).toEqual([
      { customer_phone: '202-555-0177', customer_phone_e164: '+12025550177' },
      { customer_phone: '+1 (415) 555-0142', customer_phone_e164: '+14155550142' },
      { customer_phone: '+44 20 7946 0958', customer_phone_e164: '+442079460958' },
      // A UK national number without its +44 is not a US number: left for forget's digit match.
      { customer_phone: '020 7946 0958', customer_phone_e164: null },
      { customer_phone: 'ask reception', customer_phone_e164: null },
      { customer_phone: null, customer_phone_e164: null },
    ]);
    const { rows: indexes } = await sql<{ indexname: string }>`
      SELECT indexname FROM pg_indexes WHERE tablename = 'complaints' AND indexname LIKE 'complaints_phone_%'
      ORDER BY indexname`.execute(db.db);
    expect(indexes.map((i) => i.indexname)).toEqual([
      'complaints_phone_digits_idx',
      'complaints_phone_e164_idx',
      'complaints_phone_idx',
    ]);
  });
});
