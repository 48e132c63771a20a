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
import type { Size } from './options';
import { type BenchOutput, figure } from './result';
import { percentile, waitUntil } from './stats';

const WAVE = 50;

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

/**
 * Claim-button ack latency: waves of 50 concurrent signed block_actions (claim_complaint) on distinct complaints,
 * through the real Pickup (HTTP server, Slack pre-checks, Bolt, the claim listener, the claim transaction, the
 * outbox to a fake Slack), against a bare Bolt app that only acks. After each wave the bench waits until every
 * claim is committed and the outbox is drained, so waves do not overlap.
 */
export async function benchClaim(engine: Engine, size: Size, runs: number, ctx: BenchContext): Promise<BenchOutput> {
  // Created before Pickup starts: on PGlite nothing may share its one session while Pickup runs.
  const ids = await createClaimables(engine, WAVE * (1 + runs * size.claimWaves));
  const bare = await startBareBolt();
  const pickup = await startPickup(benchEnv({ SLACK_API_URL: ctx.slack.apiUrl }), createLogger('silent'), {
    database: engine.handle,
    botUserId: 'UBOT',
    cronJobs: false,
    outboxPollMs: 200,
  });
  const wave = async (port: number, complaintIds: number[]) => {
    const timings = await ctx.load.claimWave(port, SLACK_EVENTS_PATH, complaintIds, ctx.slack.responseUrl);
    expectStatus(timings, 200, 'claim clicks');
    return timings.map((t) => t.ms);
  };
  try {
    let next = 0;
    const takeWave = () => {
      const slice = ids.slice(next, next + WAVE);
      next += WAVE;
      return slice;
    };
    const settle = async (complaintIds: readonly number[]) => {
      await waitUntil('the wave’s claims to commit and the outbox to drain', async () => {
        // Through Pickup's own pool: on PGlite a second session would interleave with its open transactions.
        const r = await sql<{ claims: number; pending: number }>`
          SELECT (SELECT count(*)::int FROM claims WHERE complaint_id = ANY(${[...complaintIds]}::bigint[])) AS claims,
                 (SELECT count(*)::int FROM outbox WHERE status = 'pending') AS pending`.execute(engine.handle.db);
        return r.rows[0]?.claims === complaintIds.length && r.rows[0]?.pending === 0;
      });
    };

    // Warm-up wave on each (opens the 50 keep-alive connections, compiles the hot paths); not recorded.
    const warm = takeWave();
    await wave(bare.port, warm);
    await wave(pickup.port, warm);
    await settle(warm);

    const p50: number[] = [];
    const p99: number[] = [];
    const baseP50: number[] = [];
    const baseP99: number[] = [];
    for (let run = 0; run < runs; run++) {
      const base: number[] = [];
      const real: number[] = [];
      for (let w = 0; w < size.claimWaves; w++) {
        // The bare app ignores the ids; it gets the same payloads as Pickup's wave.
        const clicked = takeWave();
        base.push(...(await wave(bare.port, clicked)));
        real.push(...(await wave(pickup.port, clicked)));
        await settle(clicked);
      }
      p50.push(percentile(real, 50));
      p99.push(percentile(real, 99));
      baseP50.push(percentile(base, 50));
      baseP99.push(percentile(base, 99));
    }
    const sent = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM outbox WHERE status = 'sent' AND dedupe_key LIKE 'claim:%:brief'`.execute(
      engine.handle.db,
    );
    const samples = `${size.claimWaves} × ${WAVE} concurrent clicks per run`;
    return {
      figures: [
        figure({ benchmark: 'claim-button ack', engine: engine.name, measure: 'p50', unit: 'ms', note: samples }, p50, {
          label: 'bare Bolt ack p50',
          runs: baseP50,
        }),
        figure(
          {
            benchmark: 'claim-button ack',
            engine: engine.name,
            measure: 'p99',
            unit: 'ms',
            target: '≤ 100 ms and ≤ 2× baseline',
            note: samples,
          },
          p99,
          { label: 'bare Bolt ack p99', runs: baseP99 },
          (v, b) => v <= 100 && b !== undefined && v <= 2 * b,
        ),
      ],
      details: { briefsSent: sent.rows[0]?.n ?? 0 },
    };
  } finally {
    await pickup.stop();
    await bare.close();
  }
}
