import type { Logger } from '../logger';
import type { Route } from './http';

/** Deliveries that failed for good, and the newest one's reason: what /healthz reports as `outbox`. */
export interface OutboxHealth {
  failed: number;
  lastError: string | null;
}

/** The Slack connection as /healthz reports it: its state, and false once it has been down past its grace. */
export interface SlackHealth {
  state(): string;
  healthy(): boolean;
}

/** What the health routes look at. */
export interface HealthDeps {
  /** Resolves when the database answers. */
  ping: () => Promise<void>;
  /** False once the database can never answer again in this process (DatabaseHandle.alive): /livez says so. */
  databaseAlive?: () => boolean;
  outbox?: () => Promise<OutboxHealth>;
  slack?: SlackHealth;
  /** Told why the database counted as unreachable, which the 503 itself does not say. */
  logger: Logger;
}

/**
 * GET /healthz is readiness: one `SELECT 1`, bounded at 2 s, so a load balancer stops sending traffic while the
 * database is away, and the Slack connection: 503 once Socket Mode has been disconnected for longer than a
 * reconnect takes (nothing from Slack reaches a bot in that state, though it looks alive). GET /livez is liveness:
 * it touches nothing, so an orchestrator never restarts a process that is merely waiting for its database, but it
 * is 503 once the database can never come back in this process (the embedded database's thread died): then only a
 * restart helps.
 * Failed deliveries show in the /healthz body but keep it 200: Slack refusing a channel is no reason to restart
 * Pickup, and a restart would not fix it.
 */
export function healthRoutes({ ping, databaseAlive, outbox, slack, logger }: HealthDeps): Route[] {
  return [
    {
      method: 'GET',
      path: '/livez',
      bodyLimit: 0,
      async handle() {
        if (databaseAlive && !databaseAlive()) return { status: 503, body: { status: 'dead', db: 'stopped' } };
        return { status: 200, body: { status: 'ok' } };
      },
    },
    {
      method: 'GET',
      path: '/healthz',
      bodyLimit: 0,
      async handle() {
        let db: 'ok' | 'unreachable' = 'ok';
        let failures = {};
        try {
          await withTimeout(ping(), 2_000);
          failures = outbox ? { outbox: await withTimeout(outbox(), 2_000) } : {};
        } catch (err) {
          // Warn, not error: an outage is the database's to fix, and the orchestrator is told by the 503.
          logger.warn({ err, route: '/healthz' }, 'health check: the database did not answer');
          db = 'unreachable';
        }
        const body = { db, ...failures, ...(slack ? { slack: slack.state() } : {}) };
        if (db === 'ok' && (slack?.healthy() ?? true)) return { status: 200, body: { status: 'ok', ...body } };
        return { status: 503, headers: { 'retry-after': '10' }, body: { status: 'unavailable', ...body } };
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
