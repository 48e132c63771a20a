import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * A throw-away PostgreSQL cluster on its own port, in its own data directory under /tmp: the fault suite stops
 * and starts it at will while the machine's main cluster is never touched.
 */
export interface ThrowawayCluster {
  readonly port: number;
  readonly dataDir: string;
  /** `postgres://postgres@127.0.0.1:PORT/<database>`. */
  url(database?: string): string;
  /** `pg_ctl stop -m fast`: sessions are cut, the server is gone until start(). */
  stop(): Promise<void>;
  /** `pg_ctl start` on the same port and data directory. */
  start(): Promise<void>;
  /** Stops the server (immediately) and deletes the data directory. */
  destroy(): Promise<void>;
}

/** Where initdb and pg_ctl live: `pg_config --bindir`, else the newest /usr/lib/postgresql/N/bin. */
export function findPgBinDir(): string | undefined {
  const candidates: string[] = [];
  try {
    const versions = fs.readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => `/usr/lib/postgresql/${v}/bin`));
  } catch {
    // Not a Debian layout; the PATH may still have them.
  }
  for (const dir of process.env.PATH?.split(':') ?? []) candidates.push(dir);
  return candidates.find((dir) => fs.existsSync(path.join(dir, 'initdb')) && fs.existsSync(path.join(dir, 'pg_ctl')));
}

function run(file: string, args: string[], timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${file} ${args.join(' ')} failed: ${err.message}\n${stdout}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/** initdb refuses to run as root, so as root every server command runs as the postgres OS user. */
function asServerUser(bin: string, args: string[]): Promise<string> {
  if (process.getuid?.() === 0) return run('runuser', ['-u', 'postgres', '--', bin, ...args]);
  return run(bin, args);
}

/** A TCP port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Creates and starts a cluster (initdb with trust auth, fsync off: it lives for one test file). */
export async function startThrowawayCluster(): Promise<ThrowawayCluster> {
  const bin = findPgBinDir();
  if (!bin) throw new Error('PostgreSQL server binaries (initdb, pg_ctl) not found: install postgresql');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pickup-fault-pg-'));
  if (process.getuid?.() === 0) await run('chown', ['-R', 'postgres:postgres', dataDir]);
  const port = await freePort();
  const pgCtl = path.join(bin, 'pg_ctl');
  const logFile = path.join(dataDir, 'server.log');
  await asServerUser(path.join(bin, 'initdb'), [
    '-D',
    dataDir,
    '-U',
    'postgres',
    '--auth=trust',
    '--encoding=UTF8',
    '--no-sync',
  ]);
  // The socket goes into the data directory, so nothing is shared with the main cluster's /var/run/postgresql.
  const serverOptions = `-p ${port} -k ${dataDir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
  const start = () =>
    asServerUser(pgCtl, ['-D', dataDir, '-o', serverOptions, '-l', logFile, '-w', '-t', '30', 'start']);
  await start();
  let destroyed = false;
  return {
    port,
    dataDir,
    url: (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`,
    stop: async () => {
      await asServerUser(pgCtl, ['-D', dataDir, '-m', 'fast', '-w', '-t', '30', 'stop']);
    },
    start: async () => {
      await start();
    },
    destroy: async () => {
      if (destroyed) return;
      destroyed = true;
      try {
        await asServerUser(pgCtl, ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
      } catch {
        // Already stopped (or never came back): removing the directory is what matters.
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
