import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import { sql } from 'kysely';
import { createLogger } from '../src/logger';
import { startPickup } from '../src/main';
import { SLACK_EVENTS_PATH } from '../src/slack/app';
import { toBoltLogger } from '../src/slack/bolt-logger';
import { ActionIds } from '../src/slack/ids';
import { BENCH_SIGNING_SECRET, benchEnv } from './config';
import { type BenchContext, expectStatus } from './context';
import type { Engine } from './engines';
import type { EngineName, Size } from './options';
import { type BenchOutput, type Figure, figure } from './result';
import { percentile, sleep, waitUntil } from './stats';

const WAVE = 50;

/** Lone clicks sent (to each app) before the recorded ones: they open the connection and compile the hot paths. */
const LONE_WARMUP = 20;

/** How often a lone click's settle polls: often, as the bench waits for it after every click. */
const LONE_SETTLE_POLL_MS = 5;

/**
 * Quiet time before each lone click, bare Bolt's and Pickup's alike. A click sent straight after another is answered
 * faster (by about 0.35 ms at the median, on a busy 2-core machine) because the processes are still awake; without the pause the bare click,
 * always sent after the settle, paid that and Pickup's, sent straight after it, did not.
 */
const LONE_QUIET_MS = 10;

/** The baseline: a bare Bolt app on HTTPReceiver whose claim handler only acks. */
async function startBareBolt(): Promise<{ port: number; close(): Promise<void> }> {
  const logger = toBoltLogger(createLogger('silent'));
  const receiver = new HTTPReceiver({
    signingSecret: BENCH_SIGNING_SECRET,
    endpoints: SLACK_EVENTS_PATH,
    logger,
    processBeforeResponse: false,
  });
  const app = new App({
    receiver,
    token: 'xoxb-bench',
    botId: 'BBENCH',
    botUserId: 'UBENCH',
    logger,
    logLevel: LogLevel.ERROR,
  });
  app.action(ActionIds.claimComplaint, async ({ ack }) => {
    await ack();
  });
  const server = http.createServer(receiver.requestListener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Complaints to claim, recent and callable, outside the seeded history (source 'bench-claim'). */
async function createClaimables(engine: Engine, count: number): Promise<number[]> {
  const r = await engine.raw.query<{ id: number }>(
    `INSERT INTO complaints (source, external_id, subject, priority, is_major, customer_name, customer_phone,
       customer_email, customer_company, customer_timezone, received_at, became_major_at)
     SELECT 'bench-claim', 'C' || g || '-' || extract(epoch FROM now())::bigint, 'Double charged for order ' || g, 'urgent', true,
            'Claim Customer ' || g, '+1666' || lpad(g::text, 7, '0'), 'claim' || g || '@example.com',
            'Claim Co ' || g, 'Europe/Paris', now() - interval '1 hour', now() - interval '1 hour'
     FROM generate_series(1, $1::int) g
     RETURNING id`,
    [count],
  );
  return r.rows.map((row) => row.id).sort((a, b) => a - b);
}

/** What both phases share: the engine, the helper processes, the bare Bolt app and the complaints left to click. */
interface ClaimRig {
  engine: Engine;
  ctx: BenchContext;
  barePort: number;
  /** The next `count` complaints, each clicked once by the bare app and once by Pickup. */
  take(count: number): number[];
}

/** Per-run p50 and p99 of Pickup's acks and of bare Bolt's. */
interface AckRuns {
  p50: number[];
  p99: number[];
  baseP50: number[];
  baseP99: number[];
}

function addRun(into: AckRuns, real: readonly number[], base: readonly number[]): void {
  into.p50.push(percentile(real, 50));
  into.p99.push(percentile(real, 99));
  into.baseP50.push(percentile(base, 50));
  into.baseP99.push(percentile(base, 99));
}

/** Signed claim clicks on `complaintIds`, all at once, from the load process; resolves with each ack's latency. */
async function click(rig: ClaimRig, port: number, complaintIds: number[]): Promise<number[]> {
  const timings = await rig.ctx.load.claimWave(port, SLACK_EVENTS_PATH, complaintIds, rig.ctx.slack.responseUrl);
  expectStatus(timings, 200, 'claim clicks');
  return timings.map((t) => t.ms);
}

/** Waits until the clicked complaints' claims are committed and the outbox is drained (their briefs delivered). */
async function settle(rig: ClaimRig, complaintIds: readonly number[], everyMs?: number): Promise<void> {
  await waitUntil(
    'the clicked complaints’ claims to commit and the outbox to drain',
    async () => {
      // Through Pickup's own handle: the engine's 'pickup' side is the one open while Pickup runs.
      const r = await sql<{ claims: number; pending: number }>`
        SELECT (SELECT count(*)::int FROM claims WHERE complaint_id = ANY(${[...complaintIds]}::bigint[])) AS claims,
               (SELECT count(*)::int FROM outbox WHERE status = 'pending') AS pending`.execute(rig.engine.handle.db);
      return r.rows[0]?.claims === complaintIds.length && r.rows[0]?.pending === 0;
    },
    60_000,
    everyMs,
  );
}

/** Starts the in-process Pickup under measurement on the engine's handle. */
function startBenchPickup(rig: ClaimRig, outboxPollMs?: number) {
  return startPickup(benchEnv({ SLACK_API_URL: rig.ctx.slack.apiUrl }), createLogger('silent'), {
    database: rig.engine.handle,
    botUserId: 'UBOT',
    cronJobs: false,
    ...(outboxPollMs === undefined ? {} : { outboxPollMs }),
  });
}

/**
 * Waves of 50 concurrent clicks: a warm-up wave, then `size.claimWaves` recorded waves per run, each sent to the bare
 * app and then to Pickup. After each wave the bench waits until every claim is committed and the outbox is drained,
 * so waves do not overlap. The outbox polls every 200 ms (a kick drains it at once anyway).
 */
async function concurrentWaves(rig: ClaimRig, size: Size, runs: number): Promise<AckRuns> {
  const pickup = await startBenchPickup(rig, 200);
  try {
    // Warm-up wave on each (opens the 50 keep-alive connections, compiles the hot paths); not recorded.
    const warm = rig.take(WAVE);
    await click(rig, rig.barePort, warm);
    await click(rig, pickup.port, warm);
    await settle(rig, warm);

    const out: AckRuns = { p50: [], p99: [], baseP50: [], baseP99: [] };
    for (let run = 0; run < runs; run++) {
      const base: number[] = [];
      const real: number[] = [];
      for (let w = 0; w < size.claimWaves; w++) {
        // The bare app ignores the ids; it gets the same payloads as Pickup's wave.
        const clicked = rig.take(WAVE);
        base.push(...(await click(rig, rig.barePort, clicked)));
        real.push(...(await click(rig, pickup.port, clicked)));
        await settle(rig, clicked);
      }
      addRun(out, real, base);
    }
    return out;
  } finally {
    await pickup.stop();
  }
}

/**
 * Lone clicks: one client, one click at a time, each on its own complaint, to the bare app and then to Pickup, each
 * after LONE_QUIET_MS of quiet; after each pair the bench waits until the claim is committed and its brief delivered,
 * so every click meets an idle server.
 * On a fresh Pickup with the outbox's production poll (1 s), so no faster background polling competes with the ack.
 */
async function loneClicks(rig: ClaimRig, size: Size, runs: number): Promise<AckRuns> {
  const pickup = await startBenchPickup(rig);
  const one = async (complaintId: number) => {
    await sleep(LONE_QUIET_MS);
    const [base = Number.NaN] = await click(rig, rig.barePort, [complaintId]);
    await sleep(LONE_QUIET_MS);
    const [real = Number.NaN] = await click(rig, pickup.port, [complaintId]);
    await settle(rig, [complaintId], LONE_SETTLE_POLL_MS);
    return { base, real };
  };
  try {
    for (const id of rig.take(LONE_WARMUP)) await one(id);
    const out: AckRuns = { p50: [], p99: [], baseP50: [], baseP99: [] };
    for (let run = 0; run < runs; run++) {
      const base: number[] = [];
      const real: number[] = [];
      for (const id of rig.take(size.loneClicks)) {
        const t = await one(id);
        base.push(t.base);
        real.push(t.real);
      }
      addRun(out, real, base);
    }
    return out;
  } finally {
    await pickup.stop();
  }
}

/** The target both the concurrent and the lone p99 are judged by: Pickup's ack costs at most Bolt's own again. */
const ACK_TARGET = '≤ 100 ms and ≤ 2× baseline';

/** p50 (no target) and p99 (ACK_TARGET) of one phase, each beside bare Bolt's. */
function ackFigures(benchmark: string, engine: EngineName, runs: AckRuns, note: string): Figure[] {
  return [
    figure({ benchmark, engine, measure: 'p50', unit: 'ms', note }, runs.p50, {
      label: 'bare Bolt ack p50',
      runs: runs.baseP50,
    }),
    figure(
      { benchmark, engine, measure: 'p99', unit: 'ms', target: ACK_TARGET, note },
      runs.p99,
      { label: 'bare Bolt ack p99', runs: runs.baseP99 },
      (v, b) => v <= 100 && b !== undefined && v <= 2 * b,
    ),
  ];
}

/**
 * Claim-button ack latency: signed block_actions (claim_complaint) on distinct complaints, through the real Pickup
 * (HTTP server, Slack pre-checks, Bolt, the claim listener, the claim transaction, the outbox to a fake Slack),
 * against a bare Bolt app that only acks. Two phases: waves of 50 concurrent clicks, then lone clicks from one client.
 */
export async function benchClaim(engine: Engine, size: Size, runs: number, ctx: BenchContext): Promise<BenchOutput> {
  // Created on the bench's side before Pickup's opens: on PGlite the two never have the data directory at once.
  await engine.use('raw');
  const ids = await createClaimables(
    engine,
    WAVE * (1 + runs * size.claimWaves) + LONE_WARMUP + runs * size.loneClicks,
  );
  let next = 0;
  const take = (count: number) => {
    const slice = ids.slice(next, next + count);
    next += count;
    return slice;
  };
  await engine.use('pickup');
  const bare = await startBareBolt();
  try {
    const rig: ClaimRig = { engine, ctx, barePort: bare.port, take };
    const concurrent = await concurrentWaves(rig, size, runs);
    const lone = await loneClicks(rig, size, runs);
    const sent = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM outbox WHERE status = 'sent' AND dedupe_key LIKE 'claim:%:brief'`.execute(
      engine.handle.db,
    );
    return {
      figures: [
        ...ackFigures(
          'claim-button ack',
          engine.name,
          concurrent,
          `${size.claimWaves} × ${WAVE} concurrent clicks per run`,
        ),
        ...ackFigures('lone click ack', engine.name, lone, `${size.loneClicks} clicks one at a time per run`),
      ],
      details: { briefsSent: sent.rows[0]?.n ?? 0 },
    };
  } finally {
    await bare.close();
  }
}
