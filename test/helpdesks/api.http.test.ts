import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { createVendorApi, parseRetryAfter, resetAtHeader, retryAfterHeader } from '../../src/helpdesks/api.http';
import { apiError } from './client-errors';

const NOW = Date.parse('2026-11-23T10:00:00Z');

describe('parseRetryAfter', () => {
  it.each([
    ['30', 30_000],
    ['0', 0],
    ['1.5', 1_500],
    ['Mon, 23 Nov 2026 10:01:00 GMT', 60_000],
    ['Mon, 23 Nov 2026 09:59:00 GMT', 0],
  ])('reads %p as %p ms', (value, ms) => {
    expect(parseRetryAfter(value, NOW)).toBe(ms);
  });

  it.each([null, '', 'soon', '-5'])('gives undefined for %p', (value) => {
    expect(parseRetryAfter(value, NOW)).toBeUndefined();
  });
});

describe('rate-limit header readers', () => {
  it('reads delay-seconds from the named header', () => {
    expect(retryAfterHeader('x-ratelimit-retry-after')(new Headers({ 'x-ratelimit-retry-after': '12' }), NOW)).toBe(
      12_000,
    );
  });

  it('reads a reset time in Unix seconds as the wait until then', () => {
    const reset = String(NOW / 1000 + 9);
    expect(resetAtHeader('x-ratelimit-reset')(new Headers({ 'x-ratelimit-reset': reset }), NOW)).toBe(9_000);
    expect(resetAtHeader('x-ratelimit-reset')(new Headers(), NOW)).toBeUndefined();
  });
});

describe('createVendorApi', () => {
  let server: Server;
  let answer: { status: number; body: string; type?: string };
  let url: string;

  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.writeHead(answer.status, { 'content-type': answer.type ?? 'application/json' });
      res.end(answer.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );

  const api = () =>
    createVendorApi({
      vendor: 'Acme Desk',
      baseUrl: `${url}/`,
      fixes: { credentials: 'check ACME_TOKEN', permissions: 'grant tickets:write', baseUrl: 'ACME_URL' },
      retryAfter: retryAfterHeader('retry-after'),
    });
  const get = () => api().request({ method: 'GET', path: '/tickets/1' }, z.looseObject({ id: z.number() }));

  it('parses a 2xx body with the schema', async () => {
    answer = { status: 200, body: '{"id":1,"extra":true}' };
    expect((await get()).body).toEqual({ id: 1, extra: true });
  });

  it('refuses a 2xx body in another shape for good, naming the base URL setting', async () => {
    answer = { status: 200, body: '<html>Sign in</html>', type: 'text/html' };
    const err = await apiError(get);
    expect(err).toMatchObject({ retryable: false, status: 200 });
    expect(err.message).toBe('Acme Desk answered GET /tickets/1 in an unexpected shape (at (body)): check ACME_URL');
  });

  it('refuses another 4xx for good, quoting the vendor’s reason with contact details removed', async () => {
    answer = {
      status: 422,
      body: JSON.stringify({ errors: [{ field: 'email', message: 'jane.doe@example.com is not an agent' }] }),
    };
    const err = await apiError(get);
    expect(err).toMatchObject({ retryable: false, status: 422 });
    expect(err.message).toBe(
      'Acme Desk refused the request (422 on GET /tickets/1) (Acme Desk said: [email] is not an agent)',
    );
  });

  it('quotes the text of an HTML error page, not its markup', async () => {
    answer = { status: 502, body: '<html><body><h1>502 Bad Gateway</h1><p>nginx</p></body></html>', type: 'text/html' };
    const err = await apiError(get);
    expect(err).toMatchObject({ retryable: true, status: 502 });
    expect(err.message).toBe(
      'Acme Desk could not handle the request (502 on GET /tickets/1) (Acme Desk said: 502 Bad Gateway nginx)',
    );
  });

  it('retries a 409 conflict (a concurrent edit)', async () => {
    answer = { status: 409, body: '{"error":"UpdateConflict"}' };
    expect(await apiError(get)).toMatchObject({ retryable: true, status: 409 });
  });

  it('names the fix for a 403, with what the vendor said', async () => {
    answer = { status: 403, body: '{"error":"Forbidden","description":"You do not have access"}' };
    const err = await apiError(get);
    expect(err.message).toBe(
      'Acme Desk denied the request (403 on GET /tickets/1): grant tickets:write (Acme Desk said: Forbidden; You do not have access)',
    );
  });

  it('says the vendor cannot be reached when nothing listens', async () => {
    const spare = createServer();
    await new Promise<void>((resolve) => spare.listen(0, '127.0.0.1', resolve));
    const { port } = spare.address() as AddressInfo;
    await new Promise<void>((resolve) => spare.close(() => resolve()));
    const closed = createVendorApi({
      vendor: 'Acme Desk',
      baseUrl: `http://127.0.0.1:${port}`,
      fixes: { credentials: '', permissions: '', baseUrl: '' },
      retryAfter: retryAfterHeader('retry-after'),
    });
    const err = await apiError(() => closed.request({ method: 'GET', path: '/x' }, z.unknown()));
    expect(err).toMatchObject({ retryable: true, status: undefined });
    expect(err.message).toBe('Acme Desk could not be reached (GET /x): ECONNREFUSED');
  });

  it('stops waiting when the caller cancels, retryable', async () => {
    answer = { status: 200, body: '{"id":1}' };
    const controller = new AbortController();
    controller.abort();
    const err = await apiError(() =>
      api().request({ method: 'GET', path: '/tickets/1', signal: controller.signal }, z.unknown()),
    );
    expect(err).toMatchObject({ retryable: true });
    expect(err.message).toBe('Acme Desk call cancelled (GET /tickets/1)');
  });
});
