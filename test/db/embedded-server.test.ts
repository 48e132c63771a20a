import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'kysely';
import pg from 'pg';
import { type DatabaseHandle, openPglite } from '../../src/db/connection';
import { type EmbeddedServer, embeddedSocket, SessionLock, startEmbeddedServer } from '../../src/db/embedded-server';
import { createLogger } from '../../src/logger';
import { waitFor } from '../helpers/wait-for';

// The embedded database is one PostgreSQL session shared by the bot's pool and the CLI's socket connections.
// These tests run the bot's side (openPglite with the lock) and real pg clients on the socket against one PGlite.

const logger = createLogger('silent');

describe('the embedded database served on a Unix socket', () => {
  let dataDir: string;
  let pglite: PGlite;
  let lock: SessionLock;
  let bot: DatabaseHandle;
  let server: EmbeddedServer;
  const clients: pg.Client[] = [];

  async function connect(): Promise<pg.Client> {
    const socket = embeddedSocket(dataDir);
    const client = new pg.Client({ host: socket.dir, port: socket.port, user: 'postgres', database: 'postgres' });
    // A client the server disconnects reports it here; the tests look at what the server did instead.
    client.on('error', () => {});
    clients.push(client);
    await client.connect();
    return client;
  }

  const rows = async () =>
    (await sql<{ who: string }>`SELECT who FROM t ORDER BY id`.execute(bot.db)).rows.map((r) => r.who);

  beforeAll(async () => {
    pglite = await PGlite.create();
    lock = new SessionLock();
    bot = openPglite(pglite, async () => {}, lock);
    await sql`CREATE TABLE t (id serial PRIMARY KEY, who text NOT NULL)`.execute(bot.db);
  });
  afterAll(async () => {
    await bot.close();
    await pglite.close();
  });
  beforeEach(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pickup-sock-'));
    await sql`TRUNCATE t`.execute(bot.db);
    server = await startEmbeddedServer({ pglite, lock, dataDir, logger });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.end().catch(() => undefined)));
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('listens in DATA_DIR/socket for its own user alone (dir 0700, socket 0600), and removes the socket on stop', async () => {
    const socket = embeddedSocket(dataDir);
    expect(server.path).toBe(path.join(dataDir, 'socket', '.s.PGSQL.5432'));
    expect(fs.statSync(socket.dir).mode & 0o777).toBe(0o700);
    const stat = fs.statSync(socket.path);
    expect(stat.isSocket()).toBe(true);
    expect(stat.mode & 0o777).toBe(0o600);
    const client = await connect();
    expect((await client.query('SELECT 1 + 1 AS two')).rows).toEqual([{ two: 2 }]);

    await server.stop();
    expect(fs.existsSync(socket.path)).toBe(false);

    // A dead bot's leftovers: a looser directory and a socket file nobody listens on.
    fs.chmodSync(socket.dir, 0o755);
    fs.writeFileSync(socket.path, '');
    server = await startEmbeddedServer({ pglite, lock, dataDir, logger });
    expect(fs.statSync(socket.dir).mode & 0o777).toBe(0o700);
    expect(fs.statSync(socket.path).isSocket()).toBe(true);
    expect((await (await connect()).query('SELECT 2 AS n')).rows).toEqual([{ n: 2 }]);
  });

  it('refuses a socket directory that is a symlink, and a socket path too long for Unix', async () => {
    await server.stop();
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'pickup-elsewhere-'));
    fs.rmSync(path.join(dataDir, 'socket'), { recursive: true });
    fs.symlinkSync(elsewhere, path.join(dataDir, 'socket'));
    await expect(startEmbeddedServer({ pglite, lock, dataDir, logger })).rejects.toThrow(/socket is not a directory/);
    fs.rmSync(elsewhere, { recursive: true, force: true });
    fs.rmSync(path.join(dataDir, 'socket'));

    const deep = path.join(dataDir, 'x'.repeat(100));
    await expect(startEmbeddedServer({ pglite, lock, dataDir: deep, logger })).rejects.toThrow(
      /bytes, over the 10\d a Unix socket allows: use a shorter DATA_DIR/,
    );
    server = await startEmbeddedServer({ pglite, lock, dataDir, logger });
  });

  it("holds the session through a client's transaction: the bot's insert waits, and survives the client's rollback", async () => {
    const cli = await connect();
    await cli.query('BEGIN');
    await cli.query(`INSERT INTO t (who) VALUES ('cli')`);
    const botInsert = sql`INSERT INTO t (who) VALUES ('bot')`.execute(bot.db);
    await waitFor(() => lock.waiting === 1, { intervalMs: 5, what: "the bot's insert to wait for the session" });
    await cli.query('ROLLBACK');
    await botInsert;
    expect(await rows()).toEqual(['bot']);
  });

  it("holds the session through the bot's transaction: a client's insert waits, and survives the bot's rollback", async () => {
    const cli = await connect();
    let cliInsert: Promise<unknown> | undefined;
    await expect(
      bot.db.transaction().execute(async (trx) => {
        await sql`INSERT INTO t (who) VALUES ('bot')`.execute(trx);
        cliInsert = cli.query(`INSERT INTO t (who) VALUES ('cli')`);
        await waitFor(() => lock.waiting === 1, { intervalMs: 5, what: "the client's insert to wait for the session" });
        throw new Error('the bot changes its mind');
      }),
    ).rejects.toThrow('the bot changes its mind');
    await cliInsert;
    expect(await rows()).toEqual(['cli']);
  });

  it('rolls back what a client left open when it disconnects, and the bot carries on', async () => {
    const cli = await connect();
    await cli.query('BEGIN');
    await cli.query(`INSERT INTO t (who) VALUES ('cli')`);
    const botInsert = sql`INSERT INTO t (who) VALUES ('bot')`.execute(bot.db);
    await waitFor(() => lock.waiting === 1, { intervalMs: 5, what: "the bot's insert to wait for the session" });
    (cli as unknown as { connection: { stream: net.Socket } }).connection.stream.destroy();
    await botInsert;
    expect(await rows()).toEqual(['bot']);
  });

  it('leaves the session usable when a client vanishes between an error and its Sync', async () => {
    // A raw client: Parse, Bind and Execute of a failing statement, then gone before the Sync that would end it.
    // PostgreSQL skips everything up to the next Sync after such an error, the bot's statements included.
    const raw = net.createConnection(embeddedSocket(dataDir).path);
    const received: Buffer[] = [];
    raw.on('data', (d) => received.push(d));
    raw.on('error', () => {});
    const msg = (type: string, body: Buffer) => {
      const header = Buffer.alloc(5);
      header.write(type, 0);
      header.writeInt32BE(4 + body.length, 1);
      return Buffer.concat([header, body]);
    };
    const startup = Buffer.from('\0\0\0\0\0\x03\0\0user\0postgres\0database\0postgres\0\0', 'latin1');
    startup.writeInt32BE(startup.length, 0);
    raw.write(startup);
    await waitFor(() => Buffer.concat(received).includes(Buffer.from('Z\0\0\0\x05I')), {
      intervalMs: 5,
      what: 'the start-up to finish',
    });
    received.length = 0;
    raw.write(
      Buffer.concat([
        msg('P', Buffer.from('\0SELECT 1/0\0\0\0', 'latin1')),
        msg('B', Buffer.from('\0\0\0\0\0\0\0\0', 'latin1')),
        msg('E', Buffer.from('\0\0\0\0\0', 'latin1')),
      ]),
    );
    await waitFor(() => Buffer.concat(received).includes(Buffer.from('division by zero')), {
      intervalMs: 5,
      what: 'the error',
    });
    raw.destroy();

    await sql`INSERT INTO t (who) VALUES (${'bot'})`.execute(bot.db);
    expect(await rows()).toEqual(['bot']);
  });

  it('gives two clients and the bot whole transactions in turn when all three write at once', async () => {
    const [a, b] = await Promise.all([connect(), connect()]);
    const viaClient = (client: pg.Client, who: string) => async () => {
      await client.query('BEGIN');
      await client.query('INSERT INTO t (who) VALUES ($1)', [who]);
      await client.query('INSERT INTO t (who) VALUES ($1)', [who]);
      await client.query('COMMIT');
    };
    const viaBot = async () => {
      await bot.db.transaction().execute(async (trx) => {
        await sql`INSERT INTO t (who) VALUES (${'bot'})`.execute(trx);
        // As a service that awaits other I/O mid-transaction does: the socket clients get a turn of the event loop.
        await new Promise((resolve) => setImmediate(resolve));
        await sql`INSERT INTO t (who) VALUES (${'bot'})`.execute(trx);
      });
    };
    const loop = async (fn: () => Promise<void>) => {
      for (let i = 0; i < 15; i++) await fn();
    };
    await Promise.all([loop(viaClient(a, 'a')), loop(viaClient(b, 'b')), loop(viaBot)]);

    const all = await rows();
    expect(all).toHaveLength(90);
    // Each transaction's two rows are neighbours: no one's statement ran inside another's transaction.
    for (let i = 0; i < all.length; i += 2) expect(all[i + 1]).toBe(all[i]);
    expect(all.filter((w) => w === 'a')).toHaveLength(30);
  });

  it("lets a client's transaction in flight finish when it stops, and cuts off one idling past the grace", async () => {
    const finishing = await connect();
    await finishing.query('BEGIN');
    await finishing.query(`INSERT INTO t (who) VALUES ('finishing')`);
    const stopping = server.stop(10_000);
    await waitFor(() => lock.waiting === 1, { intervalMs: 5, what: 'stop to wait for the session' });
    await finishing.query('COMMIT');
    await stopping;
    expect(await rows()).toEqual(['finishing']);

    server = await startEmbeddedServer({ pglite, lock, dataDir, logger });
    const idle = await connect();
    await idle.query('BEGIN');
    await idle.query(`INSERT INTO t (who) VALUES ('idle')`);
    await server.stop(50);
    expect(await rows()).toEqual(['finishing']);
    await expect(idle.query('SELECT 1')).rejects.toThrow();
  });
});
