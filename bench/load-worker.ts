import { ActionIds } from '../src/shared/ids';
import { buttonClickPayload, signSlackRequest } from '../test/helpers/slack-requests';
import { BENCH_INGEST_TOKEN, BENCH_SIGNING_SECRET } from './config';
import { createHttpClient, runConcurrently, workerAddress } from './http-client';
import type { LoadRequest, LoadResponse, LoadTiming } from './load';
import { BENCH_EXECUTIVES } from './seed';
import { nowMs } from './stats';
import { webhookBody } from './webhook-body';

/** The channel the clicked posts live in. */
const EXEC_CHANNEL = 'CEXECS001';

// One keep-alive agent for the whole process: a wave reuses the connections the warm-up opened.
const clicks = createHttpClient(64);
const deliveries = createHttpClient(2);

async function claimWave(r: Extract<LoadRequest, { kind: 'claimWave' }>): Promise<LoadResponse> {
  // Signed before the clock starts, so signing is not in the timings.
  const requests = r.complaintIds.map((id, i) => {
    const payload = buttonClickPayload({
      actionId: ActionIds.claimComplaint,
      value: String(id),
      userId: BENCH_EXECUTIVES[i % BENCH_EXECUTIVES.length] ?? 'UEXEC0000',
      channelId: EXEC_CHANNEL,
      responseUrl: r.responseUrl,
    });
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    const headers = {
      'content-type': 'application/x-www-form-urlencoded',
      ...signSlackRequest(body, BENCH_SIGNING_SECRET),
    };
    return { body, headers };
  });
  const started = nowMs();
  const timings = await Promise.all(requests.map((q) => clicks.send(r.port, r.path, q.headers, q.body)));
  return {
    id: r.id,
    ok: true,
    wallMs: nowMs() - started,
    timings: timings.map(
      (t): LoadTiming =>
        t.status === 200 ? { status: t.status, ms: t.ms } : { status: t.status, ms: t.ms, body: t.body.slice(0, 200) },
    ),
  };
}

const WEBHOOK_HEADERS = { 'content-type': 'application/json', authorization: `Bearer ${BENCH_INGEST_TOKEN}` };

async function ingest(r: Extract<LoadRequest, { kind: 'ingest' }>): Promise<LoadResponse> {
  const timings: LoadTiming[] = [];
  const wallMs = await runConcurrently(r.total, r.concurrency, async (i, worker) => {
    const t = await deliveries.send(
      r.port,
      '/webhooks/complaints',
      WEBHOOK_HEADERS,
      webhookBody(r.tag, i),
      workerAddress(worker),
    );
    timings.push(
      t.status === 201 ? { status: t.status, ms: t.ms } : { status: t.status, ms: t.ms, body: t.body.slice(0, 200) },
    );
  });
  return { id: r.id, ok: true, wallMs, timings };
}

process.on('message', (msg: LoadRequest) => {
  const work = msg.kind === 'claimWave' ? claimWave(msg) : ingest(msg);
  void work
    .catch(
      (err: unknown): LoadResponse => ({
        id: msg.id,
        ok: false,
        error: err instanceof Error ? err.message : String(err),
      }),
    )
    .then((response) => process.send?.(response));
});

process.on('disconnect', () => {
  clicks.close();
  deliveries.close();
});
