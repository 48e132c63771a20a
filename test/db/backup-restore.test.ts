import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '../../src/logger';
import { type RunningPickup, startPickup } from '../../src/main';
import { postWebhook } from '../faults/support/http-client';
import { testConfig } from '../helpers/config';
import { describeOnPostgres } from '../helpers/env';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack';
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

/** Starts Pickup as `npm start` would on these settings: it opens (and migrates) the database itself. */
async function start(fake: FakeSlack, env: Record<string, string>): Promise<{ pickup: RunningPickup; url: string }> {
  const config = testConfig({ SLACK_API_URL: fake.url, ...env });
  const pickup = await startPickup(config, createLogger('silent'), { botUserId: 'UBOT', cronJobs: false });
  return { pickup, url: `http://127.0.0.1:${pickup.port}` };
}

/** Delivers a complaint and returns its status and id. */
async function deliver(url: string, externalId: string): Promise<{ status: number; id: number }> {
  const res = await postWebhook(url, '/webhooks/complaints', complaint(externalId));
  return { status: res.status, id: (res.json as { id: number }).id };
}

describe('backup and restore of the embedded database', () => {
  let fake: FakeSlack;
  let dir: string;
  beforeAll(async () => {
    fake = await startFakeSlack();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pickup-backup-'));
  });
  afterAll(async () => {
    await fake.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('copies the stopped data directory, and Pickup starts on the restored copy with what it held', async () => {
    expect(README).toContain(PGLITE_BACKUP);
    expect(README).toContain(PGLITE_RESTORE);
    const env = { DATA_DIR: path.join(dir, 'data') };

    const first = await start(fake, env);
    const kept = await deliver(first.url, 'kept');
    expect(kept.status).toBe(201);
    await first.pickup.stop();
    await shell(PGLITE_BACKUP, dir);

    // Work after the backup is what a restore gives up.
    const second = await start(fake, env);
    expect((await deliver(second.url, 'after-the-backup')).status).toBe(201);
    await second.pickup.stop();

    await shell(PGLITE_RESTORE, dir);
    const restored = await start(fake, env);
    try {
      const health = await fetch(`${restored.url}/healthz`);
      expect(health.status).toBe(200);
      expect(await deliver(restored.url, 'kept')).toEqual({ status: 200, id: kept.id });
      expect((await deliver(restored.url, 'after-the-backup')).status).toBe(201);
    } finally {
      await restored.pickup.stop();
    }
  }, 120_000);
});

describeOnPostgres('backup and restore on PostgreSQL (pg_dump and pg_restore)', () => {
  let fake: FakeSlack;
  let source: TestDb;
  let dir: string;
  beforeAll(async () => {
    fake = await startFakeSlack();
    source = await createTestDb();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pickup-pgdump-'));
  });
  afterAll(async () => {
    await fake.close();
    await source.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('dumps the running database and Pickup starts on the restored one with what it held', async () => {
    expect(README).toContain(PG_BACKUP);
    expect(README).toContain(PG_RESTORE);
    const running = await start(fake, { DATABASE_URL: source.url ?? '' });
    const target = await createEmptyPostgresDb();
    try {
      const kept = await deliver(running.url, 'kept');
      await shell(PG_BACKUP, dir, { DATABASE_URL: source.url ?? '' });
      await shell(PG_RESTORE, dir, { DATABASE_URL: target.url });

      const restored = await start(fake, { DATABASE_URL: target.url });
      try {
        expect((await fetch(`${restored.url}/healthz`)).status).toBe(200);
        expect(await deliver(restored.url, 'kept')).toEqual({ status: 200, id: kept.id });
        expect((await deliver(restored.url, 'new')).status).toBe(201);
      } finally {
        await restored.pickup.stop();
      }
    } finally {
      await running.pickup.stop();
      await target.drop();
    }
  }, 120_000);
});
