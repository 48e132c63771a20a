import type { Route } from './http';

/** GET /healthz: cheap liveness plus a one-query database check. */
export function healthRoutes(ping: () => Promise<void>): Route[] {
  return [
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
