import { createLogger } from '../src/logger';
import { startPickup } from '../src/main';
import { benchEnv } from './config';
import { type BenchContext, expectStatus } from './context';
import type { Engine } from './engines';
import { runConcurrently } from './http-client';
import type { Size } from './options';
import { type BenchOutput, figure } from './result';
import { percentile } from './stats';
import { complaintFields } from './webhook-body';

/** Concurrent deliveries, as the issue asks. */
export const INGEST_CONCURRENCY = 32;

const BASELINE_INSERT = `INSERT INTO complaints (source, external_id, subject, description, support_tried, priority, tags,
  is_major, do_not_call, customer_name, customer_company, customer_phone, customer_email, customer_timezone, ticket_url,
  escalated_by, received_at, became_major_at) VALUES ($1, $2, $3, $4, $5, $6, $7, true, false, $8, $9, $10, $11, $12,
  $13, NULL, $14, $14)`;

async function baselineInserts(engine: Engine, total: number, tag: string) {
  const latencies: number[] = [];
  const wallMs = await runConcurrently(total, INGEST_CONCURRENCY, async (i) => {
    const f = complaintFields(tag, i);
    const started = performance.now();
    await engine.raw.query(BASELINE_INSERT, [
      'bench-raw',
      f.externalId,
      f.subject,
      f.description,
      f.supportTried,
      f.priority,
      f.tags,
      f.name,
      f.company,
      f.phone,
      f.email,
      f.timezone,
      f.url,
      f.receivedAt,
    ]);
    latencies.push(performance.now() - started);
  });
  return { wallMs, latencies };
}

/**
 * Webhook ingest: deliveries to POST /webhooks/complaints at 32 concurrent, sent by the load process, through a
 * fresh in-process Pickup per run (HTTP, bearer auth, JSON and zod, the major rule, upsert with dedupe, audit row,
 * commit) on the engine's 'pickup' side, against raw single-row INSERTs of the same rows through pg at the same
 * concurrency on its 'raw' side. Each worker sends
 * from its own loopback address: the per-address rate limit is a policy, not the capacity measured here.
 */
export async function benchIngest(engine: Engine, size: Size, runs: number, ctx: BenchContext): Promise<BenchOutput> {
  const rate: number[] = [];
  const p99: number[] = [];
  const baseRate: number[] = [];
  const baseP99: number[] = [];
  const total = size.ingestRequests;
  const stamp = Date.now().toString(36);
  for (let run = 0; run < runs; run++) {
    await engine.use('raw');
    const base = await baselineInserts(engine, total, `raw-${stamp}-${run}`);
    baseRate.push((total / base.wallMs) * 1000);
    baseP99.push(percentile(base.latencies, 99));

    // A fresh Pickup per run, so every run starts with full rate-limit buckets.
    await engine.use('pickup');
    const pickup = await startPickup(benchEnv({ SLACK_API_URL: ctx.slack.apiUrl }), createLogger('silent'), {
      database: engine.handle,
      botUserId: 'UBOT',
      cronJobs: false,
    });
    try {
      const real = await ctx.load.ingest(pickup.port, total, INGEST_CONCURRENCY, `hook-${stamp}-${run}`);
      expectStatus(real.timings, 201, 'webhook deliveries');
      rate.push((total / real.wallMs) * 1000);
      p99.push(
        percentile(
          real.timings.map((t) => t.ms),
          99,
        ),
      );
    } finally {
      await pickup.stop();
    }
  }
  const note = `${total.toLocaleString('en-US')} deliveries per run, ${INGEST_CONCURRENCY} concurrent`;
  return {
    figures: [
      figure(
        {
          benchmark: 'webhook ingest',
          engine: engine.name,
          measure: 'throughput',
          unit: '/s',
          target: '≥ 50% of baseline and ≥ 1,000/s',
          note,
        },
        rate,
        { label: 'raw single-row INSERTs/s', runs: baseRate },
        (v, b) => b !== undefined && v >= 0.5 * b && v >= 1000,
      ),
      figure({ benchmark: 'webhook ingest', engine: engine.name, measure: 'p99', unit: 'ms', note }, p99, {
        label: 'raw INSERT p99',
        runs: baseP99,
      }),
    ],
  };
}
