import { digestCommand } from '../../src/cli/digest.command';
import { type CommandContext, UsageError } from '../../src/cli/support';
import { createLogger } from '../../src/logger';
import { resetDigestTables, SEED_SECRETS, seedKnownWeek } from '../digest/seed';
import { EXEC_GROUP, EXEC_IN_GROUP, LEADERSHIP_CHANNEL, testConfig, testEnv } from '../helpers/config';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack';
import { createTestDb, type TestDb } from '../helpers/test-db';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('npm run cli -- digest', () => {
  let db: TestDb;
  let slack: FakeSlack;

  /** Runs the command as runCli would, on the test database (left open) and the fake Slack. */
  async function digest(args: string[]) {
    const lines: string[] = [];
    const ctx: CommandContext = {
      args,
      env: testEnv({ SLACK_API_URL: slack.url, TIMEZONE: 'America/New_York' }),
      config: testConfig({ SLACK_API_URL: slack.url, TIMEZONE: 'America/New_York' }),
      logger: createLogger('silent'),
      out: (line) => lines.push(line),
      now: () => new Date(),
      withDatabase: (fn) => fn(db),
    };
    const code = await digestCommand.run(ctx);
    return { code, out: lines.join('\n') };
  }

  const count = async (table: 'digests' | 'outbox') =>
    Number(
      (
        await db.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  beforeAll(async () => {
    db = await createTestDb();
    slack = await startFakeSlack();
    slack.setUserGroup(EXEC_GROUP, [EXEC_IN_GROUP]);
    await resetDigestTables(db.db);
    await seedKnownWeek(db.db);
  });
  afterAll(async () => {
    await slack.close();
    await db.close();
  });
  // The seeded week stays; what a run writes or sends does not carry over to the next test.
  beforeEach(async () => {
    await db.db.deleteFrom('digests').execute();
    await db.db.deleteFrom('outbox').execute();
    slack.reset();
  });

  it('refuses a bad --week or an unknown flag with a usage error', async () => {
    await expect(digest(['--week', '2026-02-30'])).rejects.toThrow(UsageError);
    await expect(digest(['--week', 'last-week'])).rejects.toThrow(/--week must be a real date as YYYY-MM-DD/);
    await expect(digest(['--when', 'now'])).rejects.toThrow(UsageError);
    expect(digestCommand.usage).toBe('digest [--week YYYY-MM-DD] [--dry-run]');
    expect(digestCommand.purpose).toBe('jobs');
  });

  it('--dry-run prints the text, the Block Kit JSON and a Builder link, and writes or sends nothing', async () => {
    const { code, out } = await digest(['--week', '2026-11-18', '--dry-run']);
    expect(code).toBe(0);
    const textAt = out.indexOf('Pickup weekly digest: Nov 16 – Nov 22, 2026');
    const jsonAt = out.indexOf('Block Kit JSON:');
    const linkAt = out.indexOf('Preview in Block Kit Builder: https://app.slack.com/block-kit-builder#');
    expect(textAt).toBe(0);
    expect(jsonAt).toBeGreaterThan(textAt);
    expect(linkAt).toBeGreaterThan(jsonAt);
    expect(out).toContain('"type": "header"');
    expect(out).toContain('Funnel: 4 major complaints received (1 escalated by support leads) → 4 picked');
    expect(out).toMatch(/Dry run: the digest for the week of 2026-11-16 to 2026-11-22 was built/);
    for (const secret of Object.values(SEED_SECRETS)) expect(out).not.toContain(secret);
    expect(await count('digests')).toBe(0);
    expect(await count('outbox')).toBe(0);
    // Expanding the executives' user group is a read; nothing is posted or uploaded.
    expect(slack.calls.map((c) => c.method)).toEqual(['usergroups.users.list']);
  });

  it('posts the week once, with the chart in its thread, and says so on a second run', async () => {
    const first = await digest(['--week', '2026-11-18']);
    expect(first.code).toBe(0);
    expect(first.out).toContain(
      'Queued the digest for the week of 2026-11-16 to 2026-11-22 to the leadership channel, with its chart in the thread.',
    );
    expect(first.out).toContain('Outbox: 2 message(s) delivered.');

    const [post, ...morePosts] = slack.callsTo('chat.postMessage');
    expect(morePosts).toHaveLength(0);
    expect(post?.args.channel).toBe(LEADERSHIP_CHANNEL);
    expect(post?.failure).toBeUndefined();
    expect(String(post?.args.text)).toContain('Pickup weekly digest for Nov 16 – Nov 22, 2026');
    const json = JSON.stringify(post?.args);
    for (const secret of Object.values(SEED_SECRETS)) expect(json).not.toContain(secret);
    expect(json).not.toContain('<!channel>');

    const [complete] = slack.callsTo('files.completeUploadExternal');
    expect(complete?.args).toMatchObject({ channel_id: LEADERSHIP_CHANNEL });
    // The chart lands in the digest's thread: the ts the post got.
    const postedTs = (
      await db.db.selectFrom('outbox').select('result_ts').where('operation', '=', 'post').executeTakeFirst()
    )?.result_ts;
    expect(complete?.args.thread_ts).toBe(postedTs);
    expect(slack.uploads).toHaveLength(1);
    expect(slack.uploads[0]?.content.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);

    const second = await digest(['--week', '2026-11-22']);
    expect(second.code).toBe(0);
    expect(second.out).toBe('The digest for the week of 2026-11-16 was already posted; nothing new was sent.');
    expect(slack.callsTo('chat.postMessage')).toHaveLength(1);
    expect(await count('digests')).toBe(1);
    expect(await count('outbox')).toBe(2);
  });
});
