import type { Route } from './http';

/** Deliveries that failed for good, and the newest one's reason: what /healthz reports as `outbox`. */
export interface OutboxHealth {
  failed: number;
  lastError: string | null;
}

/**
 * GET /healthz is readiness: one `SELECT 1`, bounded at 2 s, so a load balancer stops sending traffic while the
 * database is away. GET /livez is liveness: it touches nothing, so an orchestrator never restarts a process
 * that is merely waiting for its database to come back. Failed deliveries show in the /healthz body but keep it
 * 200: Slack refusing a channel is no reason to restart Pickup, and a restart would not fix it.
 */
export function healthRoutes(ping: () => Promise<void>, outbox?: () => Promise<OutboxHealth>): Route[] {
  return [
    {
      method: 'GET',
      path: '/livez',
      bodyLimit: 0,
      async handle() {
        return { status: 200, body: { status: 'ok' } };
      },
    },
    {
      method: 'GET',
      path: '/healthz',
      bodyLimit: 0,
      async handle() {
        try {
          await withTimeout(ping(), 2_000);
          const failures = outbox ? { outbox: await withTimeout(outbox(), 2_000) } : {};
          return { status: 200, body: { status: 'ok', db: 'ok', ...failures } };
        } catch {
          return { status: 503, headers: { 'retry-after': '10' }, body: { status: 'unavailable', db: 'unreachable' } };
        }
      },
    },
  ];
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
