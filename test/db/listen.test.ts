import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import {
  type DatabaseHandle,
  DataDirLockedError,
  openDatabase,
  openViaRunningBot,
  PostgresNotifications,
} from '../../src/db/connection';
import { createLogger } from '../../src/logger';
import { describeOnPostgres, ON_POSTGRES } from '../helpers/env';
import { createTestDb, type TestDb } from '../helpers/test-db';
import { waitFor } from '../helpers/wait-for';

// DatabaseHandle.listen: what the live settings hear a change by. On PostgreSQL a dedicated connection that
// reconnects; on PGlite the embedded session's own LISTEN, plus what the socket server relays from CLI commands.

const logger = createLogger('silent');

/** A logger that keeps every line, to count reconnect attempts and see what was said. */
function capturingLogger() {
  const lines: { level: number; msg: string; attempt?: number }[] = [];
  return { lines, logger: createLogger('debug', { write: (line: string) => lines.push(JSON.parse(line)) }) };
}

/** Listens on `channel` and collects the payloads. */
async function collect(handle: Pick<DatabaseHandle, 'listen'>, channel: string) {
  const payloads: string[] = [];
  if (!handle.listen) throw new Error('this handle cannot listen');
  const stop = await handle.listen(channel, (p) => payloads.push(p));
  return { payloads, stop };
}

const notify = (handle: DatabaseHandle, channel: string, payload: string) =>
  sql`SELECT pg_notify(${channel}, ${payload})`.execute(handle.db);

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe(`DatabaseHandle.listen on the test database (${ON_POSTGRES ? 'PostgreSQL' : 'PGlite'})`, () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await createTestDb({ poolSize: 2 });
  });
  afterAll(async () => {
    await db.close();
  });

  it('delivers each NOTIFY on the channel, and none after the listener stopped', async () => {
    const a = await collect(db, 'pickup_test_a');
    const other = await collect(db, 'pickup_test_other');
    await notify(db, 'pickup_test_a', 'T1');
    await notify(db, 'pickup_test_a', 'T2');
    await waitFor(() => a.payloads.length === 2, { what: 'two notifications' });
    expect(a.payloads).toEqual(['T1', 'T2']);
    expect(other.payloads).toEqual([]);

    await a.stop();
    await notify(db, 'pickup_test_a', 'T3');
    await notify(db, 'pickup_test_other', 'O1');
    await waitFor(() => other.payloads.length === 1, { what: 'the other channel' });
    expect(a.payloads).toEqual(['T1', 'T2']);
    await other.stop();
  });

  it('gives every listener of a channel the notification, and keeps the channel while one remains', async () => {
    const first = await collect(db, 'pickup_test_b');
    const second = await collect(db, 'pickup_test_b');
    await notify(db, 'pickup_test_b', 'both');
    await waitFor(() => first.payloads.length === 1 && second.payloads.length === 1, { what: 'both listeners' });
    await first.stop();
    await notify(db, 'pickup_test_b', 'second only');
    await waitFor(() => second.payloads.length === 2, { what: 'the listener left' });
    expect(first.payloads).toEqual(['both']);
    await second.stop();
  });

  it('delivers a NOTIFY made in a transaction at its commit, and nothing for one rolled back', async () => {
    const c = await collect(db, 'pickup_test_c');
    await db.db
      .transaction()
      .execute(async (trx) => {
        await sql`SELECT pg_notify('pickup_test_c', 'undone')`.execute(trx);
        throw new Error('roll back');
      })
      .catch(() => undefined);
    await db.db.transaction().execute(async (trx) => {
      await sql`SELECT pg_notify('pickup_test_c', 'kept')`.execute(trx);
    });
    await waitFor(() => c.payloads.length > 0, { what: 'the committed notification' });
    await pause(100);
    expect(c.payloads).toEqual(['kept']);
    await c.stop();
  });

  it('stays LISTENing when a listener is added while a transaction of the pool is open', async () => {
    // On PGlite the LISTEN waits for the session: run inside the transaction, the rollback would undo it.
    let added: Promise<{ payloads: string[]; stop: () => Promise<void> }> | undefined;
    await db.db
      .transaction()
      .execute(async (trx) => {
        await sql`SELECT 1`.execute(trx);
        added = collect(db, 'pickup_test_d');
        await pause(50);
        throw new Error('roll back');
      })
      .catch(() => undefined);
    const d = await (added as NonNullable<typeof added>);
    await notify(db, 'pickup_test_d', 'still heard');
    await waitFor(() => d.payloads.length === 1, { what: 'the notification after the rollback' });
    await d.stop();
  });
});

describe('LISTEN on the embedded database beside a CLI command (PGlite in DATA_DIR)', () => {
  let dir: string;
  let bot: DatabaseHandle;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pickup-listen-'));
    bot = await openDatabase({ dataDir: path.join(dir, 'data'), logger, serveLocalClients: true });
  }, 60_000);
  afterAll(async () => {
    await bot?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("hears a NOTIFY that a CLI command commits through the bot's socket, at once", async () => {
    const heard = await collect(bot, 'pickup_settings');
    const cli = await openViaRunningBot(new DataDirLockedError(path.join(dir, 'data'), process.pid), logger);
    try {
      // The CLI's handle shares the bot's session and cannot LISTEN itself.
      expect(cli.listen).toBeUndefined();
      await cli.db.transaction().execute(async (trx) => {
        await sql`SELECT pg_notify('pickup_settings', 'T0CLI')`.execute(trx);
      });
      await waitFor(() => heard.payloads.length === 1, { timeoutMs: 1_000, what: 'the relayed notification' });
      expect(heard.payloads).toEqual(['T0CLI']);
      // The bot's own NOTIFYs still arrive through PGlite, once each.
      await notify(bot, 'pickup_settings', 'T0BOT');
      await waitFor(() => heard.payloads.length === 2, { what: "the bot's own notification" });
      await pause(100);
      expect(heard.payloads).toEqual(['T0CLI', 'T0BOT']);
    } finally {
      await cli.close();
      await heard.stop();
    }
  });

  it('may stop listening after the database closed (shutdown order)', async () => {
    const other = await openDatabase({ dataDir: path.join(dir, 'other'), logger });
    const heard = await collect(other, 'pickup_settings');
    await other.close();
    await expect(heard.stop()).resolves.toBeUndefined();
  }, 60_000);
});

describeOnPostgres('LISTEN on PostgreSQL: its own connection, reconnected when it drops', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await createTestDb({ poolSize: 2 });
  });
  afterAll(async () => {
    await db.close();
  });

  /** Cuts the LISTEN connections of this database, as a server restart or a failover would. */
  async function cutListenConnections(): Promise<number> {
    const { rows } = await sql<{ cut: boolean }>`
      SELECT pg_terminate_backend(pid) AS cut FROM pg_stat_activity
      WHERE application_name = 'pickup-listen' AND datname = current_database()`.execute(db.db);
    return rows.length;
  }

  it('listens on a connection of its own, outside the pool', async () => {
    const heard = await collect(db, 'pickup_test_own');
    const { rows } = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE application_name = 'pickup-listen' AND datname = current_database()`.execute(db.db);
    expect(rows[0]?.n).toBe(1);
    await heard.stop();
  });

  it('reconnects and LISTENs again on every channel after its connection is cut, and never crashes', async () => {
    const { lines, logger: seen } = capturingLogger();
    const notifications = new PostgresNotifications(db.url as string, seen, { firstMs: 20, maxMs: 200 });
    const payloads: string[] = [];
    try {
      await notifications.listen('pickup_test_x', (p) => payloads.push(`x:${p}`));
      await notifications.listen('pickup_test_y', (p) => payloads.push(`y:${p}`));
      // This one's, and the test database's own when an earlier test listened there.
      expect(await cutListenConnections()).toBeGreaterThanOrEqual(1);
      await waitFor(() => lines.some((l) => /listening for database notifications again/.test(l.msg)), {
        what: 'the reconnect',
        seen: () => JSON.stringify(lines),
      });
      expect(lines.find((l) => /lost the connection/.test(l.msg))?.level).toBe(40);

      await notify(db, 'pickup_test_x', 'after');
      await notify(db, 'pickup_test_y', 'after');
      await waitFor(() => payloads.length === 2, { what: 'notifications after the reconnect' });
      expect(payloads.sort()).toEqual(['x:after', 'y:after']);
    } finally {
      await notifications.close();
    }
  });

  it('keeps trying while the server is unreachable, with backoff, and stops on close', async () => {
    const { lines, logger: seen } = capturingLogger();
    // Nothing listens on port 1: every attempt is refused at once.
    const notifications = new PostgresNotifications('postgres://postgres@127.0.0.1:1/none', seen, {
      firstMs: 10,
      maxMs: 40,
    });
    await expect(notifications.listen('pickup_test_z', () => undefined)).resolves.toBeInstanceOf(Function);
    const attempts = () => lines.filter((l) => /cannot listen for database notifications/.test(l.msg)).length;
    await waitFor(() => attempts() >= 4, { what: 'several attempts' });
    // The first failure is a warning; the retries that follow are debug lines, not a wall of warnings.
    expect(lines.filter((l) => l.level === 40)).toHaveLength(1);
    await notifications.close();
    const after = attempts();
    await pause(200);
    expect(attempts()).toBe(after);
  });

  it('ends its connection on close, and refuses to listen after', async () => {
    // The LISTEN connections of this database: the test database's own may be there too (an earlier test listened
    // through it, and it stays until the database closes), so only the one this listener opened is followed.
    const listening = async () => {
      const { rows } = await sql<{ pid: number }>`
        SELECT pid FROM pg_stat_activity
        WHERE application_name = 'pickup-listen' AND datname = current_database()`.execute(db.db);
      return rows.map((r) => r.pid);
    };
    const before = await listening();
    const notifications = new PostgresNotifications(db.url as string, logger);
    await notifications.listen('pickup_test_w', () => undefined);
    const own = (await listening()).filter((pid) => !before.includes(pid));
    expect(own).toHaveLength(1);
    await notifications.close();
    expect(await listening()).not.toContain(own[0]);
    await expect(notifications.listen('pickup_test_w', () => undefined)).rejects.toThrow(/closed/);
  });

  it('hears a NOTIFY sent by another client of the server', async () => {
    const heard = await collect(db, 'pickup_test_remote');
    const other = new pg.Client({ connectionString: db.url });
    await other.connect();
    try {
      await other.query(`SELECT pg_notify('pickup_test_remote', 'from afar')`);
      await waitFor(() => heard.payloads.length === 1, { what: 'the remote notification' });
      expect(heard.payloads).toEqual(['from afar']);
    } finally {
      await other.end();
      await heard.stop();
    }
  });
});
