import { EXEC_1 } from '../helpers/config';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack';
import { type ResponseUrlServer, sendSlashCommand, startResponseUrlServer } from '../helpers/slack-requests';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { createTestDb, type TestDb } from '../helpers/test-db';

describe('Slack request signatures on POST /slack/events', () => {
  let db: TestDb;
  let slack: FakeSlack;
  let app: TestApp;
  let responses: ResponseUrlServer;
  const help = { command: '/pickup', text: 'help', userId: EXEC_1, channelId: 'C1' };
  const now = () => Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    db = await createTestDb();
    slack = await startFakeSlack();
    app = await startTestApp(db, slack);
    responses = await startResponseUrlServer();
    app.slackTarget.responseUrl = responses.url;
  });
  afterAll(async () => {
    await app.stop();
    await responses.close();
    await slack.close();
    await db.close();
  });

  it('answers a correctly signed slash command', async () => {
    const res = await sendSlashCommand(app.slackTarget, help);
    expect(res.status).toBe(200);
    const [answer] = await responses.waitFor(1);
    expect(answer?.body).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('/pickup queue') });
  });

  it.each([
    ['a bad signature', { signature: 'v0=deadbeef' }],
    ['a missing signature', { omitSignature: true }],
    ['a stale timestamp (6 minutes old)', { timestampSec: now() - 6 * 60 }],
    ['a future timestamp (6 minutes ahead)', { timestampSec: now() + 6 * 60 }],
  ])('refuses %s with 401 and runs no listener', async (_label, overrides) => {
    responses.reset();
    const before = slack.calls.length;
    const res = await sendSlashCommand(app.slackTarget, help, overrides);
    expect(res.status).toBe(401);
    await new Promise((r) => setTimeout(r, 100));
    expect(responses.posts).toHaveLength(0);
    expect(slack.calls.length).toBe(before);
  });

  it('answers the health check beside Slack', async () => {
    const res = await fetch(`${app.baseUrl}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: 'ok',
      db: 'ok',
      outbox: { failed: 0, lastError: null },
      slack: 'http',
    });
  });
});
