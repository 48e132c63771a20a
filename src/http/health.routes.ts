import type { Route } from './http';

/**
 * GET /healthz is readiness: one `SELECT 1`, bounded at 2 s, so a load balancer stops sending traffic while the
 * database is away. GET /livez is liveness: it touches nothing, so an orchestrator never restarts a process
 * that is merely waiting for its database to come back.
 */
export function healthRoutes(ping: () => Promise<void>): Route[] {
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
          return { status: 200, body: { status: 'ok', db: 'ok' } };
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
