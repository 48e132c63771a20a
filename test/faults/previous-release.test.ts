import { migrations } from '../../migrations';
import { type DatabaseHandle, openDatabase } from '../../src/db/connection';
import { migrateToLatest } from '../../src/db/migrate';
import { createLogger } from '../../src/logger';
import { EXEC_1, EXEC_CHANNEL } from '../helpers/config';
import { ON_POSTGRES } from '../helpers/env';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack';
import {
  clickButton,
  type ResponseUrlServer,
  sendSlashCommand,
  startResponseUrlServer,
} from '../helpers/slack-requests';
import { startTestApp } from '../helpers/test-app';
import { createEmptyPostgresDb } from '../helpers/test-db';
import { waitFor } from '../helpers/wait-for';
import { type BotProcess, errorLines, startBot, stopAllBots } from './support/bot-process';
import { postsTo } from './support/db-state';
import { postWebhook } from './support/http-client';
import { buildRelease, PREVIOUS_RELEASE, type ReleaseBuild } from './support/previous-release';

// A rolling upgrade on PostgreSQL: an instance of the previous release is serving when an instance of this version
// starts and applies its migrations. The old instance must go on serving the core loop (webhook intake, the pick,
// a claim) on the migrated schema, which holds as long as every migration only adds (nullable or defaulted
// columns, new tables). Whatever migrations main has, this runs them all.

const SKIP_REASON =
  'TEST_DATABASE_URL is not set: an upgrade is tested on PostgreSQL, where instances share a database';
const describeUpgrade = ON_POSTGRES ? describe : describe.skip;
if (!ON_POSTGRES) console.log(`Skipping the previous-release upgrade test: ${SKIP_REASON}`);

const NEW_MIGRATIONS = Object.keys(migrations).sort();

describeUpgrade(`an instance of the previous release (${PREVIOUS_RELEASE}) during a rolling upgrade`, () => {
  let release: ReleaseBuild;
  let database: Awaited<ReturnType<typeof createEmptyPostgresDb>>;
  let fake: FakeSlack;
  let responses: ResponseUrlServer;
  let old: BotProcess;
  let handle: DatabaseHandle;
  const logger = createLogger('silent');

  beforeAll(async () => {
    [release, database, fake, responses] = await Promise.all([
      buildRelease(),
      createEmptyPostgresDb(),
      startFakeSlack(),
      startResponseUrlServer(),
    ]);
    // The old instance creates the schema it knows and serves.
    old = await startBot({
      label: 'previous',
      mainJs: release.mainJs,
      env: { DATABASE_URL: database.url, SLACK_API_URL: fake.url },
    });
    // Then this version starts beside it and migrates.
    handle = await openDatabase({ url: database.url, dataDir: '', logger, poolSize: 2 });
    const applied = await migrateToLatest(handle.db);
    expect(applied).toEqual(NEW_MIGRATIONS.filter((m) => !release.migrations.includes(m)));
  }, 120_000);

  afterAll(async () => {
    await stopAllBots();
    await handle?.close();
    await responses?.close();
    await fake?.close();
    await database?.drop();
  });

  it('keeps serving the core loop on the migrated schema: intake, the pick, a claim', async () => {
    const created = await postWebhook(old.baseUrl, '/webhooks/complaints', {
      externalId: 'upgrade-1',
      subject: 'Invoices doubled after the upgrade',
      priority: 'urgent',
      customer: { name: 'Ada Lovelace', phone: '+44 20 7946 0018', email: 'ada@example.com', company: 'Engines' },
    });
    expect(created.status).toBe(201);

    const target = old.slackTarget(responses.url);
    await sendSlashCommand(target, { command: '/pickup', text: 'pick', userId: EXEC_1, channelId: EXEC_CHANNEL });
    const [post] = await waitFor(
      () => {
        const posts = postsTo(fake.calls, EXEC_CHANNEL, { thread: 'none' });
        return posts.length > 0 ? posts : undefined;
      },
      { timeoutMs: 20_000, seen: () => old.tail() },
    );
    // Whichever complaint the draw chose (another test may have added one to the pool), the post names it.
    const drawn = await handle.db
      .selectFrom('picks')
      .innerJoin('complaints', 'complaints.id', 'picks.complaint_id')
      .select(['complaints.id', 'complaints.subject'])
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(post?.args.blocks)).toContain(drawn.subject);

    await clickButton(target, {
      actionId: 'claim_complaint',
      value: String(drawn.id),
      userId: EXEC_1,
      channelId: EXEC_CHANNEL,
    });
    // The claim is recorded, the brief reaches the claimer by DM, and the channel post shows who holds it.
    await waitFor(() => postsTo(fake.calls, EXEC_1).length > 0, { timeoutMs: 20_000, seen: () => old.tail() });
    await fake.waitFor('chat.update', 1, 20_000);
    const claim = await handle.db.selectFrom('claims').select(['complaint_id', 'claimed_by']).executeTakeFirstOrThrow();
    expect(claim).toEqual({ complaint_id: drawn.id, claimed_by: EXEC_1 });
    expect(errorLines(old)).toEqual([]);
  }, 60_000);

  it('takes in complaints that this version then offers for the pick (its queue lists them)', async () => {
    const subject = 'Taken in by the previous release mid-upgrade';
    const created = await postWebhook(old.baseUrl, '/webhooks/complaints', {
      externalId: 'upgrade-2',
      subject,
      priority: 'high',
      customer: { name: 'Grace Hopper', company: 'Navy' },
    });
    expect(created.status).toBe(201);

    const current = await startTestApp({ ...handle, url: database.url }, fake);
    try {
      responses.reset();
      await sendSlashCommand(
        { ...current.slackTarget, responseUrl: responses.url },
        { command: '/pickup', text: 'queue', userId: EXEC_1, channelId: EXEC_CHANNEL },
      );
      const [answer] = await responses.waitFor(1, 20_000);
      expect(JSON.stringify(answer?.body)).toContain(subject);
    } finally {
      await current.stop();
    }
  }, 60_000);
});

describeUpgrade(`the previous release (${PREVIOUS_RELEASE}) started on a database this version migrated`, () => {
  let release: ReleaseBuild;
  let database: Awaited<ReturnType<typeof createEmptyPostgresDb>>;
  let fake: FakeSlack;

  beforeAll(async () => {
    [release, database, fake] = await Promise.all([buildRelease(), createEmptyPostgresDb(), startFakeSlack()]);
    const current = await openDatabase({ url: database.url, dataDir: '', logger: createLogger('silent'), poolSize: 1 });
    try {
      await migrateToLatest(current.db);
    } finally {
      await current.close();
    }
  }, 120_000);

  afterAll(async () => {
    await stopAllBots();
    await fake?.close();
    await database?.drop();
  });

  it('starts only when it knows every migration applied: its migrator refuses newer ones', async () => {
    const unknown = NEW_MIGRATIONS.filter((m) => !release.migrations.includes(m));
    const start = startBot({
      label: 'previous, (re)started',
      mainJs: release.mainJs,
      env: { DATABASE_URL: database.url, SLACK_API_URL: fake.url },
    });
    if (unknown.length === 0) {
      expect((await start).isAlive()).toBe(true);
      return;
    }
    // The previous release predates src/db/migrate.ts's tolerance of newer migrations: Kysely refuses them, so an
    // old instance that restarts after the upgrade migrated stays down (the README says so).
    await expect(start).rejects.toThrow(/corrupted migrations: previously executed migration \S+ is missing/);
  }, 60_000);
});
