import type { AddressInfo } from 'node:net';
import { feedbackRoutes } from '../../src/http/feedback.routes';
import { createRateLimiter, DEFAULT_WEBHOOK_RATE_LIMIT } from '../../src/http/rate-limit';
import { createHttpServer } from '../../src/http/server';
import { webhookRoutes } from '../../src/http/webhook.routes';
import { createLogger } from '../../src/logger';
import { TEST_INGEST_TOKEN, testConfig } from '../helpers/config';
import { createTestDb, emptyTables, type TestDb } from '../helpers/test-db';

/** A clock the test moves by hand. */
function fakeClock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('token-bucket rate limiter (pure)', () => {
  it('allows a full burst, then refuses with the seconds until the next token', () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ burst: 300, windowMs: 10_000 }, clock.now);
    for (let i = 0; i < 300; i++) expect(limiter.take('a')).toEqual({ allowed: true });
    // 30 tokens a second: the next one is 1/30 s away, which a Retry-After rounds up to 1.
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });

  it('refills evenly over the window, never beyond the burst', () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ burst: 4, windowMs: 8_000 }, clock.now);
    for (let i = 0; i < 4; i++) limiter.take('a');
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 2 });
    clock.advance(1_999);
    expect(limiter.take('a').allowed).toBe(false);
    clock.advance(1);
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(false);
    // A long quiet spell refills to the burst and no further.
    clock.advance(60_000);
    for (let i = 0; i < 4; i++) expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(false);
  });

  it('counts each key on its own', () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ burst: 1, windowMs: 60_000 }, clock.now);
    expect(limiter.take('route-a 10.0.0.1').allowed).toBe(true);
    expect(limiter.take('route-a 10.0.0.1')).toEqual({ allowed: false, retryAfterSeconds: 60 });
    expect(limiter.take('route-a 10.0.0.2').allowed).toBe(true);
    expect(limiter.take('route-b 10.0.0.1').allowed).toBe(true);
  });

  it('stays within maxKeys by forgetting full buckets first, then the least recently seen', () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ burst: 2, windowMs: 1_000, maxKeys: 3 }, clock.now);
    limiter.take('busy');
    limiter.take('busy');
    limiter.take('idle');
    clock.advance(1_000);
    // 'idle' has refilled, so it is dropped to make room; 'busy' (also refilled now) goes too.
    for (const key of ['x', 'y', 'z']) expect(limiter.take(key).allowed).toBe(true);
    limiter.take('x');
    expect(limiter.take('x').allowed).toBe(false);
    // A fourth busy key evicts the least recently seen busy one ('y'), never the one just refused.
    limiter.take('w');
    expect(limiter.take('x').allowed).toBe(false);
  });

  it('refuses nonsense options', () => {
    expect(() => createRateLimiter({ burst: 0, windowMs: 1_000 }, Date.now)).toThrow(/burst >= 1/);
    expect(() => createRateLimiter({ burst: 10, windowMs: 0 }, Date.now)).toThrow(/windowMs > 0/);
  });

  it('defaults to 300 requests per 10 s per source', () => {
    expect(DEFAULT_WEBHOOK_RATE_LIMIT).toEqual({ burst: 300, windowMs: 10_000 });
  });
});

describe('webhook rate limit over HTTP', () => {
  let db: TestDb;
  let url: string;
  let close: () => Promise<void>;
  let clock: ReturnType<typeof fakeClock>;

  beforeAll(async () => {
    db = await createTestDb();
  });
  afterAll(() => db.close());
  // Each test gets a server with full buckets, its own clock and empty tables.
  beforeEach(async () => {
    await emptyTables(db.db);
    clock = fakeClock();
    const deps = {
      db: db.db,
      config: testConfig(),
      logger: createLogger('silent'),
      kickOutbox: () => {},
      now: () => new Date(),
      rateLimit: { burst: 2, windowMs: 60_000 },
      rateLimitClock: () => clock.now(),
    };
    const server = createHttpServer({ routes: [...webhookRoutes(deps), ...feedbackRoutes(deps)], logger: deps.logger });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  });
  afterEach(() => close());

  const post = (path: string, body: unknown, token = TEST_INGEST_TOKEN) =>
    fetch(`${url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  const complaint = (externalId: string) => ({
    externalId,
    subject: 'Refund missing',
    priority: 'urgent',
    customer: { name: 'Ada' },
  });

  it('answers 429 with Retry-After and a JSON error once the burst is spent, and stores nothing', async () => {
    expect((await post('/webhooks/complaints', complaint('R-1'))).status).toBe(201);
    // Failed authentication spends a token too: guessing the token is throttled like anything else.
    expect((await post('/webhooks/complaints', complaint('R-2'), 'wrong-token-wrong-token')).status).toBe(401);
    const limited = await post('/webhooks/complaints', complaint('R-3'));
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('30');
    expect(limited.headers.get('content-type')).toMatch(/application\/json/);
    expect(await limited.json()).toEqual({ error: expect.stringMatching(/too many requests/), retryAfter: 30 });
    const stored = await db.db.selectFrom('complaints').select('external_id').execute();
    expect(stored.map((r) => r.external_id)).toEqual(['R-1']);
  });

  it('limits each route separately, the feedback webhook included', async () => {
    expect((await post('/webhooks/zendesk', {}, 'wrong-token-wrong-token')).status).toBe(401);
    expect((await post('/webhooks/feedback', { complaintId: 999_999, score: 9 })).status).toBe(404);
    expect((await post('/webhooks/feedback', { complaintId: 999_999, score: 9 })).status).toBe(404);
    const limited = await post('/webhooks/feedback', { complaintId: 999_999, score: 9 });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('30');
  });

  it('lets the source in again once its bucket has refilled', async () => {
    expect((await post('/webhooks/complaints', complaint('R-1'))).status).toBe(201);
    expect((await post('/webhooks/complaints', complaint('R-2'))).status).toBe(201);
    expect((await post('/webhooks/complaints', complaint('R-3'))).status).toBe(429);
    clock.advance(30_000);
    expect((await post('/webhooks/complaints', complaint('R-4'))).status).toBe(201);
    expect((await post('/webhooks/complaints', complaint('R-5'))).status).toBe(429);
  });
});
