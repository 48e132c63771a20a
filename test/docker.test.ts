import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config';
import { chartFontFiles } from '../src/digest/digest.chart';

// Docker cannot run on the CI machine, so these tests read the Dockerfile as the engine would and check what the
// README promises of the image: the font is inside, the embedded database is writable and kept, and the
// healthcheck does not restart a bot that is only waiting for its database. CI also validates docker-compose.yml.

const ROOT = path.resolve(__dirname, '..');

interface Instruction {
  op: string;
  args: string;
}

/** The instructions of the Dockerfile's last stage (the image that runs), continuation lines joined. */
function runtimeStage(): Instruction[] {
  const text = fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  const all = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const [op = '', ...rest] = l.split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(' ') };
    });
  const lastFrom = all.map((i) => i.op).lastIndexOf('FROM');
  return all.slice(lastFrom);
}

const stage = runtimeStage();
const args = (op: string) => stage.filter((i) => i.op === op).map((i) => i.args);
const indexOf = (op: string, match: RegExp) => stage.findIndex((i) => i.op === op && match.test(i.args));
const WORKDIR = args('WORKDIR').at(-1) ?? '/';

/** Copies what the stage's COPY instructions take from the build context into `into` (standing for WORKDIR). */
function copyFromContext(into: string): void {
  const ignored = fs
    .readFileSync(path.join(ROOT, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  for (const copy of args('COPY').filter((a) => !a.startsWith('--from'))) {
    const [source = '', target = ''] = copy.split(/\s+/);
    expect(ignored).not.toContain(source);
    fs.cpSync(path.join(ROOT, source), path.resolve(into, target), { recursive: true });
  }
}

describe('the Docker image', () => {
  it('holds the chart font where the built code looks for it', () => {
    const app = fs.mkdtempSync(path.join(os.tmpdir(), 'pickup-image-'));
    try {
      expect(args('COPY')).toContain('--from=build /app/dist ./dist');
      copyFromContext(app);
      // The built chart module runs from WORKDIR/dist/src/digest.
      const fonts = chartFontFiles(path.join(app, 'dist/src/digest'));
      expect(fonts.every((f) => f.startsWith(`${app}${path.sep}assets${path.sep}fonts`))).toBe(true);
    } finally {
      fs.rmSync(app, { recursive: true, force: true });
    }
  });

  it('gives the embedded database a directory that the node user owns, in a volume', () => {
    const dataDir = path.posix.resolve(WORKDIR, loadConfig({}, 'database').dataDir);
    expect(dataDir).toBe('/app/data');
    const made = indexOf('RUN', new RegExp(`mkdir (-p )?${dataDir} && chown node:node ${dataDir}$`));
    const user = indexOf('USER', /^node$/);
    expect(made).toBeGreaterThan(-1);
    // Made by root before the switch to `node`, and declared a volume after it exists.
    expect(user).toBeGreaterThan(made);
    expect(indexOf('VOLUME', new RegExp(`^${dataDir}$`))).toBeGreaterThan(made);
    expect(args('USER').at(-1)).toBe('node');
  });

  describe('healthcheck', () => {
    const healthcheck = args('HEALTHCHECK')[0] ?? '';
    const command = healthcheck.slice(healthcheck.indexOf('CMD ') + 4);

    /** Runs the healthcheck's command against a server answering /livez and /healthz with the given statuses. */
    async function probe(statuses: { livez: number; healthz: number }): Promise<{ code: number | null; path: string }> {
      const seen: string[] = [];
      const server = http.createServer((req, res) => {
        seen.push(req.url ?? '');
        res.writeHead(req.url === '/livez' ? statuses.livez : statuses.healthz).end();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      try {
        const child = spawn('sh', ['-c', command], { env: { PATH: process.env.PATH, PORT: String(port) } });
        const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
        return { code, path: seen.join(',') };
      } finally {
        server.close();
      }
    }

    it('probes liveness, so a database outage (503 on /healthz) does not get the bot restarted', async () => {
      expect(healthcheck).toMatch(/^--interval=\S+ --timeout=\S+ --start-period=\S+ CMD /);
      expect(await probe({ livez: 200, healthz: 503 })).toEqual({ code: 0, path: '/livez' });
    });

    it('fails when the process no longer serves', async () => {
      expect(await probe({ livez: 500, healthz: 200 })).toEqual({ code: 1, path: '/livez' });
    });
  });

  it('is started as the README says, with `docker compose` (v2), not the retired `docker-compose`', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain('docker compose up -d');
    expect(readme).not.toMatch(/docker-compose (up|down|pull|exec|logs|run)/);
  });
});
