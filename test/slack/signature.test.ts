import { EXEC_1, TEST_SIGNING_SECRET } from '../helpers/config';
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
  /** The signing secret being rotated out: both it and TEST_SIGNING_SECRET are configured, as mid-rotation. */
  const OLD_SECRET = 'old-signing-secret-9876543210';

  beforeAll(async () => {
    db = await createTestDb();
    slack = await startFakeSlack();
    app = await startTestApp(db, slack, { env: { SLACK_SIGNING_SECRET: `${OLD_SECRET},${TEST_SIGNING_SECRET}` } });
    responses = await startResponseUrlServer();
    app.slackTarget.responseUrl = responses.url;
  });
  afterAll(async () => {
    await app.stop();
    await responses.close();
    await slack.close();
    await db.close();
  });

  // Every test that sends an accepted request waits for its answer, so none lands in the next test's recorder.
  beforeEach(() => responses.reset());

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
    const before = slack.calls.length;
    const res = await sendSlashCommand(app.slackTarget, help, overrides);
    expect(res.status).toBe(401);
    // A correctly signed request sent after it, answered on its own response_url: anything the refused request
    // had set off would have been handled by the time this answer arrives.
    const after = `${responses.url}-after`;
    expect((await sendSlashCommand({ ...app.slackTarget, responseUrl: after }, help)).status).toBe(200);
    const posts = await responses.waitFor(1);
    expect(posts.map((p) => p.path)).toEqual([new URL(after).pathname]);
    expect(slack.calls.length).toBe(before);
  });

  it('accepts requests signed with the old or the new signing secret while it is rotated, and refuses a third', async () => {
    for (const signingSecret of [OLD_SECRET, TEST_SIGNING_SECRET]) {
      responses.reset();
      const res = await sendSlashCommand({ ...app.slackTarget, signingSecret }, help);
      expect(res.status).toBe(200);
      await responses.waitFor(1);
    }
    responses.reset();
    const before = slack.calls.length;
    const third = await sendSlashCommand({ ...app.slackTarget, signingSecret: 'a-third-signing-secret-0123' }, help);
    expect(third.status).toBe(401);
    expect(JSON.parse(third.body)).toEqual({ error: 'invalid signature' });
    expect(slack.calls.length).toBe(before);
  });

  it("answers Slack's unsigned SSL check with 200 and nothing else", async () => {
    const res = await fetch(app.slackTarget.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'ssl_check=1&token=legacy',
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
  });

  it('answers the health check beside Slack', async () => {
    const res = await fetch(`${app.baseUrl}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', db: 'ok', slack: 'http' });
  });
});
