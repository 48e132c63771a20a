import type { AddressInfo } from 'node:net';
import { createHttpServer } from '../../src/http/server';
import { createLogger } from '../../src/logger';
import { TEST_SIGNING_SECRET } from '../helpers/config';
import { sendSlashCommand } from '../helpers/slack-requests';

describe('the Slack endpoint while Bolt is starting', () => {
  it('answers 503 with Retry-After until Bolt is ready, then takes the same signed request', async () => {
    let ready = false;
    const server = createHttpServer({
      routes: [],
      slack: {
        path: '/slack/events',
        bodyLimit: 1024,
        signingSecrets: [TEST_SIGNING_SECRET],
        ready: () => ready,
        listener: (_req, res) => {
          res.writeHead(200);
          res.end();
        },
      },
      logger: createLogger('silent'),
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const target = {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`,
      signingSecret: TEST_SIGNING_SECRET,
    };
    try {
      const cmd = { command: '/pickup', text: 'help', userId: 'U1', channelId: 'C1', triggerId: 't1' };
      const timestampSec = Math.floor(Date.now() / 1000);
      const early = await sendSlashCommand(target, cmd, { timestampSec });
      expect(early.status).toBe(503);
      expect(early.headers['retry-after']).toBe('5');
      ready = true;
      // Byte for byte the same request: the 503 did not record its signature as seen, so it is no replay.
      expect((await sendSlashCommand(target, cmd, { timestampSec })).status).toBe(200);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
