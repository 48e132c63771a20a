import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { onEarlyStop } from './cleanup';

/** Where the out-of-process fake Slack listens. */
export interface SlackStub {
  /** SLACK_API_URL for Pickup. */
  apiUrl: string;
  /** A response_url that answers 200. */
  responseUrl: string;
  close(): Promise<void>;
}

/** Spawns bench/slack-server.js and waits for its URLs. */
export async function startSlackStub(): Promise<SlackStub> {
  const child = spawn(process.execPath, [path.join(__dirname, 'slack-server.js')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const forget = onEarlyStop(async () => {
    child.kill('SIGKILL');
  });
  const stdout = child.stdout;
  if (!stdout) throw new Error('no stdout pipe from the fake Slack process');
  const first = await new Promise<string>((resolve, reject) => {
    const lines = readline.createInterface({ input: stdout });
    lines.once('line', resolve);
    void exited.then(() => reject(new Error('the fake Slack process exited before it was ready')));
  });
  const urls = JSON.parse(first) as { apiUrl?: unknown; responseUrl?: unknown };
  if (typeof urls.apiUrl !== 'string' || typeof urls.responseUrl !== 'string') {
    throw new Error(`unexpected first line from the fake Slack process: ${first}`);
  }
  return {
    apiUrl: urls.apiUrl,
    responseUrl: urls.responseUrl,
    async close() {
      child.kill('SIGTERM');
      await exited;
      forget();
    },
  };
}
