import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../src/cli';
import { openDatabase } from '../../src/db/connection';
import { createLogger } from '../../src/logger';
import { drainOutbox } from '../../src/scheduler/outbox.worker';
import { createSlackPort, createWebClient } from '../../src/slack/slack.client';
import { EXEC_CHANNEL, testEnv } from '../helpers/config';
import { describeOnPostgres, TEST_DATABASE_URL } from '../helpers/env';
import { type RecordedCall, startFakeSlack } from '../helpers/fake-slack';
import { createTestDb, type TestDb } from '../helpers/test-db';

/** Runs the CLI as an operator would, capturing what it prints. */
async function cli(args: string[], env: NodeJS.ProcessEnv) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(
    args,
    env,
    (l) => out.push(l),
    (l) => err.push(l),
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const delivered = (calls: RecordedCall[]) => calls.filter((c) => !c.failure);
const failedWith = (calls: RecordedCall[], error: string) =>
  calls.filter((c) => c.failure && 'error' in c.failure && c.failure.error === error);

/** A fresh operator setup: an embedded database in a temp dir (or its own PostgreSQL database) and a fake Slack. */
async function setUp() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pickup-outbox-cli-'));
  const slack = await startFakeSlack();
  const pgDb: TestDb | undefined = TEST_DATABASE_URL ? await createTestDb() : undefined;
  const env = testEnv({
    SLACK_API_URL: slack.url,
    DATA_DIR: path.join(dir, 'data'),
    DATABASE_URL: pgDb?.url,
    LOG_LEVEL: 'silent',
  });
  const csv = path.join(dir, 'complaints.csv');
  fs.writeFileSync(
    csv,
    'externalId,subject,priority,customer.name,customer.company\n' +
      'O-1,Refund never came,urgent,Ada,Analytical\n' +
      'O-2,Locked out for a week,high,Bob,Babbage Ltd\n' +
      'O-3,Data export broken,urgent,Cy,Difference Inc\n' +
      'O-4,Billed twice,urgent,Di,Engines plc\n',
  );
  expect((await cli(['import', csv], env)).code).toBe(0);
  /** Reads the database between CLI runs (the embedded one serves one process at a time). */
  const query = async <T>(fn: (db: Awaited<ReturnType<typeof openDatabase>>['db']) => Promise<T>): Promise<T> => {
    const handle = await openDatabase({ url: pgDb?.url, dataDir: env.DATA_DIR ?? '', logger: createLogger('silent') });
    try {
      return await fn(handle.db);
    } finally {
      await handle.close();
    }
  };
  const tearDown = async () => {
    await slack.close();
    await pgDb?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  return { slack, env, query, tearDown };
}

describe('npm run cli -- outbox, and re-running a pick whose post failed', () => {
  let ctx: Awaited<ReturnType<typeof setUp>>;
  beforeAll(async () => {
    ctx = await setUp();
  }, 60_000);
  afterAll(() => ctx.tearDown());

  it('re-queues the same pick once when `pick --date D` runs again, and delivers it after the channel is fixed', async () => {
    const { slack, env } = ctx;
    slack.setChannel(EXEC_CHANNEL, null);
    const first = await cli(['pick', '--date', '2026-11-21'], env);
    expect(first.code).toBe(0);
    const complaintId = /Picked complaint (\d+) for 2026-11-21/.exec(first.out)?.[1];
    expect(complaintId).toBeDefined();
    expect(first.out).toContain('1 failed (`npm run cli -- outbox --failed` says why and what to do)');
    const [refused] = failedWith(slack.callsTo('chat.postMessage'), 'channel_not_found');
    expect(refused?.args.channel).toBe(EXEC_CHANNEL);

    const listing = await cli(['outbox'], env);
    expect(listing.code).toBe(0);
    const id = /#(\d+) {2}FAILED {2}pick:2026-11-21:post/.exec(listing.out)?.[1];
    expect(id).toBeDefined();
    expect(listing.out).toContain('1 failed, 0 waiting.');
    expect(listing.out).toContain(`post to ${EXEC_CHANNEL}, 1 attempt`);
    expect(listing.out).toContain('reason: Slack refused the call: channel_not_found');
    expect(listing.out).toMatch(/to do: {2}Channel CEXECS001 does not exist, or it is private.*invite @Pickup/);
    expect(listing.out).toContain(
      `then:   npm run cli -- outbox retry ${id} (or \`npm run cli -- pick --date 2026-11-21\``,
    );
    expect((await cli(['outbox', '--failed'], env)).out).toContain(`#${id}  FAILED  pick:2026-11-21:post`);

    slack.setChannel(EXEC_CHANNEL, {});
    slack.reset();
    const again = await cli(['pick', '--date', '2026-11-21'], env);
    expect(again.code).toBe(0);
    expect(again.out).toContain(`2026-11-21 was already picked (complaint ${complaintId}`);
    expect(again.out).toContain(
      `Its post had failed (Slack refused the call: channel_not_found), so the same post is queued again for ${EXEC_CHANNEL} (outbox id ${id}); no new draw.`,
    );
    expect(again.out).toContain('Outbox: 1 message(s) delivered.');
    const [posted, ...more] = slack.callsTo('chat.postMessage');
    expect(more).toEqual([]);
    expect(posted?.failure).toBeUndefined();
    expect(posted?.args.channel).toBe(EXEC_CHANNEL);
    expect(posted?.args.text).toBe(refused?.args.text);
    expect(JSON.stringify(posted?.args.blocks)).toContain(`"value":"${complaintId}"`);

    const third = await cli(['pick', '--date', '2026-11-21'], env);
    expect(third.out).toContain('already picked');
    expect(third.out).not.toContain('queued again');
    expect(slack.callsTo('chat.postMessage')).toHaveLength(1);
    expect((await cli(['outbox'], env)).out).toBe('The outbox is clear: nothing failed, nothing waiting.');
    const picks = await ctx.query((db) =>
      db.selectFrom('picks').select(['pick_date', 'complaint_id']).where('pick_date', '=', '2026-11-21').execute(),
    );
    expect(picks).toEqual([{ pick_date: '2026-11-21', complaint_id: Number(complaintId) }]);
  }, 120_000);

  it('sends a re-queued pick post to EXEC_CHANNEL as set now, when the fix was a corrected channel ID', async () => {
    const { slack, env } = ctx;
    slack.setChannel('CTYPO0001', null);
    const typo = { ...env, EXEC_CHANNEL: 'CTYPO0001' };
    expect((await cli(['pick', '--date', '2026-11-24'], typo)).out).toContain('1 failed');
    slack.reset();
    const fixed = await cli(['pick', '--date', '2026-11-24'], env);
    expect(fixed.out).toContain(`queued again for ${EXEC_CHANNEL}`);
    expect(delivered(slack.callsTo('chat.postMessage')).map((c) => c.args.channel)).toEqual([EXEC_CHANNEL]);
  }, 60_000);

  it('retries by id or --all-failed, each failed message once, and says what it did', async () => {
    const { slack, env } = ctx;
    slack.setChannel(EXEC_CHANNEL, null);
    for (const date of ['2026-11-22', '2026-11-23']) expect((await cli(['pick', '--date', date], env)).code).toBe(0);
    const failed = await cli(['outbox', '--failed'], env);
    expect(failed.out).toContain('2 failed.');
    const ids = [...failed.out.matchAll(/#(\d+) {2}FAILED {2}pick:2026-11-2[23]:post/g)].map((m) => m[1]);
    expect(ids).toHaveLength(2);
    const [first, second] = ids;

    slack.setChannel(EXEC_CHANNEL, {});
    slack.reset();
    const one = await cli(['outbox', 'retry', String(first)], env);
    expect(one.code).toBe(0);
    expect(one.out).toContain(`Re-queued #${first} (pick:2026-11-22:post).`);
    expect(one.out).toContain('Outbox: 1 message(s) delivered.');
    const twice = await cli(['outbox', 'retry', String(first)], env);
    expect(twice.out).toBe(`#${first} was already delivered: nothing to do.`);

    const all = await cli(['outbox', 'retry', '--all-failed'], env);
    expect(all.out).toContain(`Re-queued #${second} (pick:2026-11-23:post).`);
    expect((await cli(['outbox', 'retry', '--all-failed'], env)).out).toBe('Nothing has failed: nothing to re-queue.');
    expect(delivered(slack.callsTo('chat.postMessage'))).toHaveLength(2);
    expect(slack.callsTo('chat.postMessage')).toHaveLength(2);

    const unknown = await cli(['outbox', 'retry', '999999'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.out).toBe('No outbox message #999999.');
  }, 120_000);

  it('refuses malformed commands with usage', async () => {
    for (const args of [
      ['outbox', 'retry'],
      ['outbox', 'retry', 'abc'],
      ['outbox', 'retry', '0'],
      ['outbox', 'retry', '1', '--all-failed'],
      ['outbox', 'retry', '--failed', '1'],
      ['outbox', '--all-failed'],
      ['outbox', 'resend'],
    ]) {
      const res = await cli(args, ctx.env);
      expect([args.join(' '), res.code]).toEqual([args.join(' '), 2]);
      expect(res.err).toContain('Usage: npm run cli -- outbox [--failed] | outbox retry ID...');
    }
  });
});

describeOnPostgres(
  'npm run cli -- outbox retry, twice at once (real PostgreSQL only: the embedded database serves one process)',
  () => {
    let ctx: Awaited<ReturnType<typeof setUp>>;
    beforeAll(async () => {
      ctx = await setUp();
    }, 60_000);
    afterAll(() => ctx.tearDown());

    it('re-queues once and delivers once', async () => {
      const { slack, env } = ctx;
      slack.setChannel(EXEC_CHANNEL, null);
      await cli(['pick', '--date', '2026-11-25'], env);
      const id = /#(\d+) {2}FAILED/.exec((await cli(['outbox', '--failed'], env)).out)?.[1];
      slack.setChannel(EXEC_CHANNEL, {});
      slack.reset();
      const runs = await Promise.all([
        cli(['outbox', 'retry', String(id)], env),
        cli(['outbox', 'retry', String(id)], env),
        cli(['outbox', 'retry', '--all-failed'], env),
      ]);
      expect(runs.map((r) => r.code)).toEqual([0, 0, 0]);
      expect(runs.filter((r) => r.out.includes(`Re-queued #${id}`))).toHaveLength(1);
      // The running bot's worker drains too; whichever process gets the lease, the post goes out once.
      const port = createSlackPort(createWebClient('xoxb-test', slack.url, createLogger('silent')));
      await ctx.query((db) => drainOutbox(db, port, createLogger('silent')));
      expect(slack.callsTo('chat.postMessage')).toHaveLength(1);
      expect(slack.callsTo('chat.postMessage')[0]?.failure).toBeUndefined();
      expect((await cli(['outbox'], env)).out).toBe('The outbox is clear: nothing failed, nothing waiting.');
    }, 60_000);
  },
);
