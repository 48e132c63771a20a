import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '../../src/logger';
import { startPickup } from '../../src/main';
import { postWebhook } from '../faults/support/http-client';
import { testEnv } from '../helpers/config';
import { describeOnPostgres } from '../helpers/env';
import { startFakeSlack } from '../helpers/fake-slack';
import { createEmptyPostgresDb, createTestDb, type TestDb } from '../helpers/test-db';

// The README's "Backup and restore" commands, run as written: back up, lose what came after, restore, start.

const ROOT = path.resolve(__dirname, '../..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

/** The embedded database: with the bot stopped, its data directory is the whole database. */
const PGLITE_BACKUP = 'tar -C ./data -czf pickup-data.tar.gz .';
const PGLITE_RESTORE = 'rm -rf ./data && mkdir ./data && tar -C ./data -xzf pickup-data.tar.gz';
/** PostgreSQL: a consistent dump of a running database, restored into an empty one. */
const PG_BACKUP = 'pg_dump --format=custom --file=pickup.dump "$DATABASE_URL"';
const PG_RESTORE = 'pg_restore --no-owner --exit-on-error --dbname="$DATABASE_URL" pickup.dump';

function shell(command: string, cwd: string, env: Record<string, string> = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('sh', ['-c', command], { cwd, env: { PATH: process.env.PATH, ...env } }, (err, _out, stderr) =>
      err ? reject(new Error(`${command}: ${stderr || err.message}`)) : resolve(),
    );
  });
}

function complaint(externalId: string) {
  return { externalId, subject: `Backup check ${externalId}`, priority: 'urgent', customer: { name: 'Grace' } };
}

/**
 * Starts Pickup as `npm start` would on these settings: it opens (and migrates) the database itself. Each start
 * gets its own fake Slack: a connection kept alive from an earlier start could be closed by the server just as
 * Bolt's start-up auth.test reuses it.
 */
async function start(env: Record<string, string>): Promise<{ url: string; stop(): Promise<void> }> {
  const fake = await startFakeSlack();
  const pickup = await startPickup(testEnv({ SLACK_API_URL: fake.url, ...env }), createLogger('silent'), {
    botUserId: 'UBOT',
    cronJobs: false,
  }).catch(async (err: unknown) => {
    await fake.close();
    throw err;
  });
  return {
    url: `http://127.0.0.1:${pickup.port}`,
    async stop() {
      await pickup.stop();
      await fake.close();
    },
  };
}

/** Delivers a complaint and returns its status and id. */
async function deliver(url: string, externalId: string): Promise<{ status: number; id: number }> {
  const res = await postWebhook(url, '/webhooks/complaints', complaint(externalId));
  return { status: res.status, id: (res.json as { id: number }).id };
}

describe('backup and restore of the embedded database', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pickup-backup-'));
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('copies the stopped data directory, and Pickup starts on the restored copy with what it held', async () => {
    expect(README).toContain(PGLITE_BACKUP);
    expect(README).toContain(PGLITE_RESTORE);
    const env = { DATA_DIR: path.join(dir, 'data') };

    const first = await start(env);
    const kept = await deliver(first.url, 'kept');
    expect(kept.status).toBe(201);
    await first.stop();
    await shell(PGLITE_BACKUP, dir);

    // Work after the backup is what a restore gives up.
    const second = await start(env);
    expect((await deliver(second.url, 'after-the-backup')).status).toBe(201);
    await second.stop();

    await shell(PGLITE_RESTORE, dir);
    const restored = await start(env);
    try {
      const health = await fetch(`${restored.url}/healthz`);
      expect(health.status).toBe(200);
      expect(await deliver(restored.url, 'kept')).toEqual({ status: 200, id: kept.id });
      expect((await deliver(restored.url, 'after-the-backup')).status).toBe(201);
    } finally {
      await restored.stop();
    }
  }, 120_000);
});

describeOnPostgres('backup and restore on PostgreSQL (pg_dump and pg_restore)', () => {
  let source: TestDb;
  let dir: string;
  beforeAll(async () => {
    source = await createTestDb();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pickup-pgdump-'));
  });
  afterAll(async () => {
    await source.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('dumps the running database and Pickup starts on the restored one with what it held', async () => {
    expect(README).toContain(PG_BACKUP);
    expect(README).toContain(PG_RESTORE);
    const running = await start({ DATABASE_URL: source.url ?? '' });
    const target = await createEmptyPostgresDb();
    try {
      const kept = await deliver(running.url, 'kept');
      await shell(PG_BACKUP, dir, { DATABASE_URL: source.url ?? '' });
      await shell(PG_RESTORE, dir, { DATABASE_URL: target.url });

      const restored = await start({ DATABASE_URL: target.url });
      try {
        expect((await fetch(`${restored.url}/healthz`)).status).toBe(200);
        expect(await deliver(restored.url, 'kept')).toEqual({ status: 200, id: kept.id });
        expect((await deliver(restored.url, 'new')).status).toBe(201);
      } finally {
        await restored.stop();
      }
    } finally {
      await running.stop();
      await target.drop();
    }
  }, 120_000);
});
