import type { AddressInfo } from 'node:net';
import { openDatabase } from '../../src/db/connection';
import { healthRoutes, type OutboxHealth, type SlackHealth } from '../../src/http/health.routes';
import { createHttpServer } from '../../src/http/server';
import { createLogger, type Logger } from '../../src/logger';
import { enqueueMessage, markFailed, summarizeFailures } from '../../src/outbox/outbox.repository';
import { createTestDb } from '../helpers/test-db';

async function serve(
  ping: () => Promise<void>,
  outbox?: () => Promise<OutboxHealth>,
  slack?: SlackHealth,
  logger: Logger = createLogger('silent'),
) {
  const server = createHttpServer({ routes: healthRoutes({ ping, outbox, slack, logger }), logger });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('GET /healthz', () => {
  it('is 200 when the database answers', async () => {
    const s = await serve(async () => {});
    const res = await fetch(`${s.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', db: 'ok' });
    await s.close();
  });

  it('is 503 when the database is unreachable', async () => {
    // Nothing listens on port 1: the pool fails to connect, as it would with Postgres down.
    const handle = await openDatabase({
      url: 'postgres://postgres@127.0.0.1:1/none',
      dataDir: '',
      logger: createLogger('silent'),
    });
    const s = await serve(handle.ping);
    const res = await fetch(`${s.url}/healthz`);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('10');
    expect(await res.json()).toEqual({ status: 'unavailable', db: 'unreachable' });
    // Liveness does not depend on the database, so the process is not restarted for an outage.
    expect((await fetch(`${s.url}/livez`)).status).toBe(200);
    await s.close();
    await handle.close();
  });

  it('makes /livez 503 once the database can never answer again in this process (a dead embedded database)', async () => {
    let alive = true;
    const server = createHttpServer({
      routes: healthRoutes({ ping: async () => {}, databaseAlive: () => alive, logger: createLogger('silent') }),
      logger: createLogger('silent'),
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect((await fetch(`${url}/livez`)).status).toBe(200);
      alive = false;
      const res = await fetch(`${url}/livez`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ status: 'dead', db: 'stopped' });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('logs why the database counted as unreachable', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger('info', { write: (line: string) => lines.push(JSON.parse(line)) });
    const s = await serve(
      async () => {
        throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
      },
      undefined,
      undefined,
      logger,
    );
    expect((await fetch(`${s.url}/healthz`)).status).toBe(503);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 40,
        msg: 'health check: the database did not answer',
        err: expect.objectContaining({ message: 'connect ECONNREFUSED 127.0.0.1:5432' }),
      }),
    );
    await s.close();
  });

  it.each([
    ['connected', true, 200, 'ok'],
    ['http', true, 200, 'ok'],
    ['reconnecting', true, 200, 'ok'],
    ['reconnecting', false, 503, 'unavailable'],
    ['connecting', false, 503, 'unavailable'],
  ])('reports Slack %s (healthy: %s) as %i', async (state, healthy, status, overall) => {
    const s = await serve(async () => {}, undefined, { state: () => state, healthy: () => healthy });
    const res = await fetch(`${s.url}/healthz`);
    expect(res.status).toBe(status);
    expect(await res.json()).toEqual({ status: overall, db: 'ok', slack: state });
    await s.close();
  });

  it('stays 200 with failed deliveries, and reports their count and the newest reason in the body', async () => {
    const db = await createTestDb();
    const s = await serve(db.ping, () => summarizeFailures(db.db));
    expect(await (await fetch(`${s.url}/healthz`)).json()).toEqual({
      status: 'ok',
      db: 'ok',
      outbox: { failed: 0, lastError: null },
    });
    for (const [key, reason] of [
      ['a', 'Slack refused the call: not_in_channel'],
      ['b', 'Slack refused the call: channel_not_found'],
    ] as const) {
      await enqueueMessage(db.db, key, { operation: 'post', message: { channel: 'C1', text: key } });
      const { id } = await db.db
        .selectFrom('outbox')
        .select('id')
        .where('dedupe_key', '=', key)
        .executeTakeFirstOrThrow();
      await markFailed(db.db, id, reason);
    }
    const res = await fetch(`${s.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: 'ok',
      db: 'ok',
      outbox: { failed: 2, lastError: 'Slack refused the call: channel_not_found' },
    });
    await s.close();
    await db.close();
  });

  it('answers 404 for unknown paths and 405 for the wrong method', async () => {
    const s = await serve(async () => {});
    expect((await fetch(`${s.url}/nope`)).status).toBe(404);
    expect((await fetch(`${s.url}/healthz`, { method: 'POST' })).status).toBe(405);
    await s.close();
  });
});
