import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { runCli } from '../../src/cli';
import { DataDirLockedError, openViaRunningBot } from '../../src/db/connection';
import { embeddedSocket } from '../../src/db/embedded-server';
import type { Database } from '../../src/db/schema';
import { createLogger } from '../../src/logger';
import { type RunningPickup, startPickup } from '../../src/main';
import { enqueueMessage } from '../../src/outbox/outbox.repository';
import { runDailyPick } from '../../src/picks/pick.service';
import {
  EXEC_CHANNEL,
  LEAD_1,
  LEADERSHIP_CHANNEL,
  TEST_INGEST_TOKEN,
  TEST_SIGNING_SECRET,
  testEnv,
} from '../helpers/config';
import { ON_POSTGRES } from '../helpers/env';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack';
import { newTriggerId, sendSlashCommand, startResponseUrlServer } from '../helpers/slack-requests';
import { createTestDb, type TestDb } from '../helpers/test-db';
import { waitFor, waitUntilPasses } from '../helpers/wait-for';

// Every CLI command, run while the bot runs. On PGlite the bot holds DATA_DIR, so the CLI goes through the
// socket the bot serves there; on PostgreSQL (TEST_DATABASE_URL) both simply share the server. The same table
// and the same expectations run on both: the results are the same.

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

/** What one row of the table may use: the bot's database, its URL, a scratch directory, the fake Slack. */
interface World {
  db: Kysely<Database>;
  baseUrl: string;
  dir: string;
  slack: FakeSlack;
}

/** One CLI command run beside the bot: what to prepare, the arguments, what it prints, and what it changed. */
interface CommandCase {
  name: string;
  setup?: (w: World) => Promise<void>;
  args: (w: World) => string[];
  out: RegExp;
  verify?: (w: World) => Promise<void>;
}

/** POSTs one complaint to the bot's generic webhook, as a help desk would; resolves with the HTTP status. */
async function sendComplaint(baseUrl: string, externalId: string, email = `${externalId}@example.com`) {
  const res = await fetch(`${baseUrl}/webhooks/complaints`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_INGEST_TOKEN}` },
    body: JSON.stringify({
      externalId,
      subject: `Complaint ${externalId}`,
      priority: 'urgent',
      customer: { name: 'Ada', email, phone: '+14155550100' },
    }),
  });
  await res.text();
  return res.status;
}

/** How long the bot's outbox worker, polling in its own time, may take to act. */
const WORKER_WAIT = { timeoutMs: 10_000 };

const postsTo = (slack: FakeSlack, channel: string) =>
  slack.callsTo('chat.postMessage').filter((c) => c.args.channel === channel && c.args.thread_ts === undefined);

/** Queues a post to a channel Slack does not know, and waits until the bot's worker has failed it for good. */
async function failedPost(w: World, key: string, channel: string): Promise<void> {
  w.slack.setChannel(channel, null);
  await enqueueMessage(w.db, key, { operation: 'post', message: { channel, text: key } });
  await waitUntilPasses(async () => {
    const row = await w.db.selectFrom('outbox').select('status').where('dedupe_key', '=', key).executeTakeFirst();
    expect(row?.status).toBe('failed');
  }, WORKER_WAIT);
}

const complaintsWithSource = async (db: Kysely<Database>, source: string) =>
  db.selectFrom('complaints').select(['external_id', 'customer_email']).where('source', '=', source).execute();

/** A support lead the environment does not name: `settings set` makes them one, and the running bot follows. */
const NEW_LEAD = 'ULEADNEW1';

/**
 * Whether the bot lets `userId` run /escalate: it opens the escalation modal (views.open with the command's trigger)
 * for a support lead, and answers anyone else with a refusal on the command's response_url.
 */
async function mayEscalate(w: World, userId: string): Promise<boolean> {
  const responses = await startResponseUrlServer();
  try {
    const triggerId = newTriggerId();
    const target = { url: `${w.baseUrl}/slack/events`, signingSecret: TEST_SIGNING_SECRET };
    const command = { command: '/escalate', text: '', userId, channelId: 'CSUPPORT1', triggerId };
    const res = await sendSlashCommand(target, { ...command, responseUrl: responses.url });
    expect(res.status).toBe(200);
    const answer = await waitFor(
      () =>
        (w.slack.callsTo('views.open').some((c) => c.args.trigger_id === triggerId) && 'modal') ||
        (responses.posts.some((p) => JSON.stringify(p.body).includes('Only support leads')) && 'refused'),
      { what: `the bot's answer to /escalate from ${userId}` },
    );
    return answer === 'modal';
  } finally {
    await responses.close();
  }
}

/** Add a command here when one is added to the CLI (outbox, verify, settings, ...). */
const COMMANDS: CommandCase[] = [
  { name: 'migrate', args: () => ['migrate'], out: /Already up to date/ },
  {
    name: 'import',
    setup: async (w) => {
      fs.writeFileSync(
        path.join(w.dir, 'import.csv'),
        'externalId,source,subject,priority,customer.name\nI-1,import-case,Broken,urgent,Ann\nI-2,import-case,Slow,high,Bo\n',
      );
    },
    args: (w) => ['import', path.join(w.dir, 'import.csv')],
    out: /2 created/,
    verify: async (w) => {
      expect((await complaintsWithSource(w.db, 'import-case')).map((c) => c.external_id).sort()).toEqual([
        'I-1',
        'I-2',
      ]);
    },
  },
  {
    name: 'pick',
    args: () => ['pick', '--date', '2026-11-24'],
    out: /Picked complaint \d+ for 2026-11-24/,
    verify: async (w) => {
      expect(
        await w.db.selectFrom('picks').select('pick_date').where('pick_date', '=', '2026-11-24').execute(),
      ).toHaveLength(1);
      // Delivered once, by the CLI or by the bot's outbox worker, whichever leased it first.
      await waitUntilPasses(() => expect(postsTo(w.slack, EXEC_CHANNEL)).toHaveLength(1), WORKER_WAIT);
    },
  },
  {
    name: 'digest',
    args: () => ['digest', '--week', '2026-11-16'],
    out: /Queued the digest for the week of 2026-11-16/,
    verify: async (w) => {
      expect(await w.db.selectFrom('digests').select('week_start').execute()).toContainEqual({
        week_start: '2026-11-16',
      });
      await waitUntilPasses(() => expect(postsTo(w.slack, LEADERSHIP_CHANNEL)).toHaveLength(1), WORKER_WAIT);
    },
  },
  {
    name: 'outbox',
    setup: (w) => failedPost(w, 'beside:list', 'CBESIDE01'),
    args: () => ['outbox', '--failed'],
    out: /#\d+ {2}FAILED {2}beside:list\n {4}post to CBESIDE01[\s\S]*channel_not_found/,
  },
  {
    name: 'outbox retry',
    setup: async (w) => {
      await failedPost(w, 'beside:retry', 'CBESIDE02');
      w.slack.setChannel('CBESIDE02', {});
    },
    args: () => ['outbox', 'retry', '--all-failed'],
    out: /Re-queued #\d+ \(beside:retry\)/,
    verify: async (w) => {
      // Delivered once, by the CLI or by the bot's outbox worker, whichever leased it first.
      await waitUntilPasses(
        () => expect(postsTo(w.slack, 'CBESIDE02').filter((c) => !c.failure)).toHaveLength(1),
        WORKER_WAIT,
      );
    },
  },
  {
    name: 'export',
    args: () => ['export', '--from', '2026-01-01', '--to', '2026-12-31'],
    out: /^attempt_id,attempted_at,executive,outcome/,
  },
  {
    name: 'forget',
    setup: async (w) => {
      expect(await sendComplaint(w.baseUrl, 'F-1', 'forget.me@example.com')).toBe(201);
    },
    args: () => ['forget', '--email', 'forget.me@example.com'],
    out: /Erased 1 complaint/,
    verify: async (w) => {
      const [row] = await w.db
        .selectFrom('complaints')
        .select('customer_email')
        .where('external_id', '=', 'F-1')
        .execute();
      expect(row).toEqual({ customer_email: null });
    },
  },
  {
    name: 'verify',
    // A draw made in a week long over, so its seed is revealed whatever today's date; it queues no message.
    setup: async (w) => {
      await runDailyPick(w.db, {
        date: '2024-03-06',
        now: new Date('2024-03-06T15:00:00Z'),
        timezone: 'UTC',
        executives: [],
        eligibleDays: 30,
        cooldownDays: 90,
        trigger: 'cli',
        actor: 'test',
        buildMessages: () => [],
      });
    },
    args: () => ['verify', '--date', '2024-03-06'],
    out: /^The draw of 2024-03-06 checks out\./,
  },
  {
    name: 'settings',
    args: () => ['settings'],
    out: /^ {2}EXEC_CHANNEL +CEXECS001 +env$[\s\S]*Setup is complete/m,
  },
  {
    name: 'settings set',
    setup: async (w) => {
      expect(await mayEscalate(w, NEW_LEAD)).toBe(false);
    },
    args: () => ['settings', 'set', 'SUPPORT_LEADS', `${LEAD_1},${NEW_LEAD}`],
    out: new RegExp(`SUPPORT_LEADS: ${LEAD_1} \\(env\\) → ${LEAD_1},${NEW_LEAD} \\(slack: set by the CLI`),
    verify: async (w) => {
      // Applied by the running bot without a restart: a notification, or its poll, within seconds.
      await waitUntilPasses(async () => expect(await mayEscalate(w, NEW_LEAD)).toBe(true), WORKER_WAIT);
    },
  },
];

describe(`CLI commands while the bot runs (${ON_POSTGRES ? 'PostgreSQL' : 'embedded PGlite, through its socket'})`, () => {
  let dir: string;
  let slack: FakeSlack;
  let pgDb: TestDb | undefined;
  let env: NodeJS.ProcessEnv;
  let bot: RunningPickup;
  let world: World;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pickup-beside-'));
    slack = await startFakeSlack();
    pgDb = ON_POSTGRES ? await createTestDb() : undefined;
    env = testEnv({
      SLACK_API_URL: slack.url,
      DATA_DIR: path.join(dir, 'data'),
      DATABASE_URL: pgDb?.url,
      LOG_LEVEL: 'silent',
    });
    // The bot opens DATA_DIR itself, exactly as `npm start` does, and so holds its lock.
    bot = await startPickup(env, createLogger('silent'), {
      botUserId: 'UBOT',
      cronJobs: false,
      outboxPollMs: 50,
    });
    const baseUrl = `http://127.0.0.1:${bot.port}`;
    world = { db: bot.database.db, baseUrl, dir, slack };
    // Something to pick from.
    for (let i = 1; i <= 3; i++) expect(await sendComplaint(baseUrl, `SEED-${i}`)).toBe(201);
  }, 120_000);
  afterAll(async () => {
    await bot?.stop();
    await slack?.close();
    await pgDb?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs on the database the bot holds', () => {
    expect(bot.database.engine).toBe(ON_POSTGRES ? 'postgres' : 'pglite');
    if (!ON_POSTGRES) {
      expect(fs.readFileSync(path.join(dir, 'data', 'pickup.lock'), 'utf8')).toBe(String(process.pid));
      expect(fs.statSync(embeddedSocket(path.join(dir, 'data')).path).isSocket()).toBe(true);
    }
  });

  it.each(COMMANDS)(
    '$name works while the bot runs',
    async (c) => {
      await c.setup?.(world);
      const res = await cli(c.args(world), env);
      expect(res).toMatchObject({ code: 0, err: '' });
      expect(res.out).toMatch(c.out);
      await c.verify?.(world);
    },
    60_000,
  );

  it('imports and erases while the bot is busy ingesting, and neither loses a write', async () => {
    const csv = path.join(dir, 'busy.csv');
    const lines = Array.from({ length: 300 }, (_, i) => `B-${i},busy-import,Subject ${i},urgent,Cat`);
    fs.writeFileSync(csv, `externalId,source,subject,priority,customer.name\n${lines.join('\n')}\n`);
    expect(await sendComplaint(world.baseUrl, 'BUSY-ERASE', 'busy.erase@example.com')).toBe(201);

    const webhooks = Promise.all(Array.from({ length: 40 }, (_, i) => sendComplaint(world.baseUrl, `BUSY-${i}`)));
    const [statuses, imported, erased] = await Promise.all([
      webhooks,
      cli(['import', csv], env),
      cli(['forget', '--email', 'busy.erase@example.com'], env),
    ]);

    expect(statuses).toEqual(Array(40).fill(201));
    expect(imported).toMatchObject({ code: 0, err: '' });
    expect(imported.out).toMatch(/300 created/);
    expect(erased).toMatchObject({ code: 0, err: '' });
    expect(erased.out).toMatch(/Erased 1 complaint/);
    expect(await complaintsWithSource(world.db, 'busy-import')).toHaveLength(300);
    const ingested = await world.db
      .selectFrom('complaints')
      .select('external_id')
      .where('external_id', 'like', 'BUSY-%')
      .execute();
    expect(ingested).toHaveLength(41);
    const health = await fetch(`${world.baseUrl}/healthz`);
    expect(health.status).toBe(200);
  }, 120_000);
});

describe('CLI commands when the embedded database is locked by a process that does not answer', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pickup-stale-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('says who holds the lock, where it looked, and what to do, when nothing listens on the socket', async () => {
    // A live process holds the lock (this one), as a bot that is still starting up would.
    fs.writeFileSync(path.join(dir, 'pickup.lock'), String(process.pid));
    const res = await cli(['export', '--from', '2026-01-01', '--to', '2026-01-31'], testEnv({ DATA_DIR: dir }));
    expect(res.code).toBe(1);
    expect(res.out).toBe('');
    expect(res.err).toContain(`in use by process ${process.pid}, which does not answer on ${embeddedSocket(dir).path}`);
    expect(res.err).toContain('no socket there');
    expect(res.err).toContain('starting up, try again');
    expect(res.err).toContain(`remove ${path.join(dir, 'pickup.lock')}`);
  });

  it('names the limit when DATA_DIR is too deep for a Unix socket path', async () => {
    const deep = path.join(dir, 'd'.repeat(100));
    await expect(openViaRunningBot(new DataDirLockedError(deep, process.pid), createLogger('silent'))).rejects.toThrow(
      /does not answer on .* \(the socket path .* is \d+ bytes, over the 10\d a Unix socket allows: use a shorter DATA_DIR\)/,
    );
  });

  it('gives up with a clear error when the socket accepts but never answers', async () => {
    const socket = embeddedSocket(dir);
    fs.mkdirSync(socket.dir, { mode: 0o700 });
    const accepted = new Set<net.Socket>();
    const silent = net.createServer((conn) => accepted.add(conn));
    await new Promise<void>((resolve) => silent.listen(socket.path, resolve));
    try {
      await expect(
        openViaRunningBot(new DataDirLockedError(dir, process.pid), createLogger('silent'), 300),
      ).rejects.toThrow(/does not answer on .*\.s\.PGSQL\.5432 \(no answer within 0\.3 s\)/);
    } finally {
      for (const conn of accepted) conn.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
