import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Migrator, sql } from 'kysely';
import { migrations } from '../../migrations';
import { DataDirLockedError, openDatabase } from '../../src/db/connection';
import { migrateToLatest } from '../../src/db/migrate';
import { createLogger } from '../../src/logger';
import { insertPick } from '../helpers/factories';
import { createTestDb, type TestDb } from '../helpers/test-db';

describe('migrations', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await createTestDb();
  });
  afterAll(() => db.close());

  it('created every table of the core schema', async () => {
    const { rows } = await sql<{ table_name: string }>`
      SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`.execute(
      db.db,
    );
    expect(rows.map((r) => r.table_name)).toEqual(
      expect.arrayContaining([
        'advocacy_evidence',
        'audit_log',
        'call_attempts',
        'claims',
        'complaints',
        'digests',
        'executive_away',
        'outbox',
        'picks',
      ]),
    );
  });

  it('is idempotent: a second run applies nothing', async () => {
    expect(await migrateToLatest(db.db)).toEqual([]);
  });

  it('enforces one complaint per (source, external_id)', async () => {
    const row = {
      source: 's',
      external_id: 'x',
      subject: 'a',
      priority: 'high' as const,
      is_major: true,
      received_at: new Date(),
    };
    await db.db.insertInto('complaints').values(row).execute();
    await expect(db.db.insertInto('complaints').values(row).execute()).rejects.toThrow(
      /complaints_source_external_id_key/,
    );
  });

  it('enforces one pick per date and one digest per week', async () => {
    const pick = { pick_date: '2026-11-23', pool_size: 0, pool_hash: 'h', trigger: 'test' };
    await db.db.insertInto('picks').values(pick).execute();
    await expect(db.db.insertInto('picks').values(pick).execute()).rejects.toThrow(/picks_pick_date_key/);
    const digest = { week_start: '2026-11-16', metrics: '{}' };
    await db.db.insertInto('digests').values(digest).execute();
    await expect(db.db.insertInto('digests').values(digest).execute()).rejects.toThrow(/digests_week_start_key/);
  });

  it('enforces one open claim per complaint, while allowing released ones', async () => {
    const { id } = await db.db
      .insertInto('complaints')
      .values({
        source: 's',
        external_id: 'claimed',
        subject: 'a',
        priority: 'high',
        is_major: true,
        received_at: new Date(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db.db.insertInto('claims').values({ complaint_id: id, claimed_by: 'U1', status: 'released' }).execute();
    await db.db.insertInto('claims').values({ complaint_id: id, claimed_by: 'U1' }).execute();
    await expect(db.db.insertInto('claims').values({ complaint_id: id, claimed_by: 'U2' }).execute()).rejects.toThrow(
      /claims_one_open_per_complaint/,
    );
  });

  it('keeps date columns as YYYY-MM-DD strings and counts as numbers', async () => {
    const { id } = await insertPick(db.db, { pick_date: '2026-11-24' });
    const row = await db.db
      .selectFrom('picks')
      .select(['pick_date', 'id'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.pick_date).toBe('2026-11-24');
    expect(typeof row.id).toBe('number');
  });
});

describe('migration 20261129_0004_complaint_event_times', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await createTestDb();
  });
  afterAll(() => db.close());

  const migrator = () => new Migrator({ db: db.db, provider: { getMigrations: async () => migrations } });

  it('backfills became_major_at with received_at for major complaints only, and goes down and up again', async () => {
    const down = await migrator().migrateTo('20261123_0002_reached_attempts_index');
    expect(down.error).toBeUndefined();
    await sql`
      INSERT INTO complaints (source, external_id, subject, priority, is_major, received_at) VALUES
        ('s', 'major', 'a', 'urgent', true, '2026-10-01T08:00:00Z'),
        ('s', 'minor', 'b', 'low', false, '2026-10-02T08:00:00Z')`.execute(db.db);

    expect((await migrator().migrateToLatest()).error).toBeUndefined();

    const rows = await db.db
      .selectFrom('complaints')
      .select(['external_id', 'became_major_at', 'source_updated_at'])
      .where('source', '=', 's')
      .orderBy('external_id')
      .execute();
    expect(rows).toEqual([
      { external_id: 'major', became_major_at: new Date('2026-10-01T08:00:00Z'), source_updated_at: null },
      { external_id: 'minor', became_major_at: null, source_updated_at: null },
    ]);
    const { rows: index } = await sql<{ indexdef: string }>`
      SELECT indexdef FROM pg_indexes WHERE indexname = 'complaints_eligible_idx'`.execute(db.db);
    expect(index[0]?.indexdef).toMatch(/COALESCE\(became_major_at, received_at\) DESC, id/);
  });
});

describe('the embedded database directory', () => {
  it('refuses a second opener with a clear error instead of losing writes', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pickup-lock-'));
    const logger = createLogger('silent');
    const first = await openDatabase({ dataDir: dir, logger });
    try {
      await expect(openDatabase({ dataDir: dir, logger })).rejects.toThrow(DataDirLockedError);
      await expect(openDatabase({ dataDir: dir, logger })).rejects.toThrow(/in use by another Pickup process/);
    } finally {
      await first.close();
    }
    // Once closed, the directory can be opened again, with its data.
    const again = await openDatabase({ dataDir: dir, logger });
    await again.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('takes over a stale lock left by a dead process', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pickup-stale-'));
    fs.writeFileSync(path.join(dir, 'pickup.lock'), '999999999');
    const handle = await openDatabase({ dataDir: dir, logger: createLogger('silent') });
    await handle.ping();
    await handle.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);
});
