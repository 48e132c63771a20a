import { Migrator } from 'kysely';
import { migrations } from '../../migrations';
import { digestCommand } from '../../src/cli/digest.command';
import type { CommandContext } from '../../src/cli/support';
import { firstStartedAt } from '../../src/db/installation.repository';
import { migrateToLatest } from '../../src/db/migrate';
import { automaticDigestWeek } from '../../src/digest/digest.service';
import { createLogger } from '../../src/logger';
import { EXEC_GROUP, EXEC_IN_GROUP, testConfig } from '../helpers/config';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack';
import { startTestApp } from '../helpers/test-app';
import { createTestDb, emptyTables, type TestDb } from '../helpers/test-db';

/** Monday 30 Nov 2026, 09:30 UTC: the default DIGEST_SCHEDULE (Monday 09:00) has fired, so a start catches up. */
const MONDAY = new Date('2026-11-30T09:30:00Z');
/** The week that ended on the Sunday before MONDAY. */
const LAST_WEEK = '2026-11-23';

describe('automaticDigestWeek (pure)', () => {
  it.each([
    ['first started this morning, after last week ended', '2026-11-30T08:00:00Z', undefined],
    ['first started exactly when last week ended', '2026-11-30T00:00:00Z', undefined],
    ['first started on the last Sunday of the week', '2026-11-29T23:00:00Z', LAST_WEEK],
    ['running for months', '2026-06-01T00:00:00Z', LAST_WEEK],
  ])('%s (%s) → %s', (_label, iso, expected) => {
    expect(automaticDigestWeek(MONDAY, 'UTC', new Date(iso))?.start).toBe(expected);
  });

  it('reads the end of the week in TIMEZONE', () => {
    // 02:00 UTC Monday is still Sunday evening in New York, so the week had not ended there at that instant.
    const started = new Date('2026-11-30T02:00:00Z');
    expect(automaticDigestWeek(MONDAY, 'UTC', started)).toBeUndefined();
    expect(automaticDigestWeek(new Date('2026-11-30T15:00:00Z'), 'America/New_York', started)?.start).toBe(LAST_WEEK);
  });
});

describe('the digest catch-up at start-up, and the first start it is measured from', () => {
  let db: TestDb;
  let slack: FakeSlack;

  beforeAll(async () => {
    db = await createTestDb();
    slack = await startFakeSlack();
    slack.setUserGroup(EXEC_GROUP, [EXEC_IN_GROUP]);
  });
  afterAll(async () => {
    await slack.close();
    await db.close();
  });
  // Each test starts as a new install: nothing stored, no first start recorded.
  beforeEach(async () => {
    await emptyTables(db.db);
    await db.db.deleteFrom('installation').execute();
    slack.reset();
  });

  /** Starts Pickup at `now` with its cron jobs (so the catch-up runs), then stops it once that work is done. */
  async function startAndStop(now: Date): Promise<void> {
    const app = await startTestApp(db, slack, {
      cronJobs: true,
      now: () => now,
      // No pick to catch up, so only the digest runs.
      env: { PICK_SCHEDULE: '0 0 29 2 *', TIMEZONE: 'UTC' },
    });
    await app.stop(); // waits for the jobs in flight
  }
  const digestWeeks = async () =>
    (await db.db.selectFrom('digests').select('week_start').orderBy('week_start').execute()).map((r) => r.week_start);
  const digestPosts = () =>
    db.db.selectFrom('outbox').select('dedupe_key').where('dedupe_key', 'like', 'digest:%:post').execute();

  it('posts nothing for the week before the first start, and records that start once', async () => {
    await startAndStop(MONDAY);

    expect(await digestWeeks()).toEqual([]);
    expect(await digestPosts()).toEqual([]);
    const recorded = await db.db.selectFrom('installation').selectAll().execute();
    // The workspace is recorded too, from auth.test, so its settings load at the next start.
    expect(recorded).toEqual([{ id: 1, first_started_at: MONDAY, team_id: 'T1' }]);

    // A later start (or another instance) keeps the first.
    expect(await firstStartedAt(db.db, new Date('2026-12-07T09:30:00Z'))).toEqual(MONDAY);
  });

  it('posts last week once Pickup was already running before that week ended', async () => {
    await db.db
      .insertInto('installation')
      .values({ first_started_at: new Date('2026-11-25T12:00:00Z') })
      .execute();

    await startAndStop(MONDAY);

    expect(await digestWeeks()).toEqual([LAST_WEEK]);
    expect(await digestPosts()).toEqual([{ dedupe_key: `digest:${LAST_WEEK}:post` }]);
  });

  it("still posts an operator's explicit digest --week for a week before the first start", async () => {
    const lines: string[] = [];
    const ctx: CommandContext = {
      args: ['--week', '2026-11-10'],
      config: testConfig({ SLACK_API_URL: slack.url, TIMEZONE: 'UTC' }),
      logger: createLogger('silent'),
      out: (line) => lines.push(line),
      now: () => new Date(),
      withDatabase: (fn) => fn(db),
    };

    expect(await digestCommand.run(ctx)).toBe(0);

    expect(lines.join('\n')).toContain('Queued the digest for the week of 2026-11-09 to 2026-11-15');
    expect(await digestWeeks()).toEqual(['2026-11-09']);
  });
});

describe('migration 20261129_0006_installation', () => {
  let db: TestDb;
  const names = Object.keys(migrations).sort();
  const before = names[names.indexOf('20261129_0006_installation') - 1] ?? '';

  beforeAll(async () => {
    db = await createTestDb();
  });
  afterAll(() => db.close());
  // What one test stored would be backfilled from by the next one's migration.
  beforeEach(() => emptyTables(db.db));

  const migrateTo = async (name: string) => {
    const migrator = new Migrator({ db: db.db, provider: { getMigrations: async () => migrations } });
    const { error } = await migrator.migrateTo(name);
    if (error) throw error;
  };

  it('leaves a new, empty database without a first start: the first start-up records it', async () => {
    await migrateTo(before);
    await migrateToLatest(db.db);
    expect(await db.db.selectFrom('installation').selectAll().execute()).toEqual([]);
  });

  it('backfills an install older than the record with the earliest thing it stored (never a received date)', async () => {
    await migrateTo(before);
    const earliest = new Date('2026-03-02T10:00:00Z');
    // Only the columns that existed at migration 0006: today's factory writes later ones (the assignee) too.
    await db.db
      .insertInto('complaints')
      .values({
        source: 'api',
        external_id: 'before-0006',
        subject: 'A complaint stored by an older release',
        priority: 'urgent',
        tags: [],
        is_major: true,
        received_at: new Date('2025-01-01'),
        created_at: new Date('2026-04-01T00:00:00Z'),
      })
      .execute();
    await db.db
      .insertInto('picks')
      .values({ pick_date: '2026-03-02', pool_size: 0, pool_hash: 'h', trigger: 'test', created_at: earliest })
      .execute();

    await migrateToLatest(db.db);

    expect(await db.db.selectFrom('installation').select('first_started_at').execute()).toEqual([
      { first_started_at: earliest },
    ]);
  });
});
