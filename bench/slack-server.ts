import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startFakeSlack } from '../test/helpers/fake-slack';

/**
 * The fake Slack Web API and a response_url sink, run as their own process by the bench: in production Slack is
 * remote, so its side of each call must not take event-loop time from the Pickup being measured. Prints one JSON
 * line with the URLs, then serves until SIGTERM.
 */
async function main(): Promise<void> {
  const fake = await startFakeSlack();
  const sink = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'));
  });
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  const sinkPort = (sink.address() as AddressInfo).port;
  // The fake records every call; the bench never reads them, so they are dropped to keep memory flat.
  const forget = setInterval(() => fake.reset(), 5_000);
  process.stdout.write(
    `${JSON.stringify({ apiUrl: fake.url, responseUrl: `http://127.0.0.1:${sinkPort}/response` })}\n`,
  );
  process.once('SIGTERM', () => {
    clearInterval(forget);
    sink.closeAllConnections();
    sink.close();
    void fake.close().then(() => process.exit(0));
  });
}

void main();
