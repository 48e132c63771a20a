import { createLogger } from '../../src/logger';
import { EXEC_1, EXEC_CHANNEL } from '../helpers/config';
import { insertComplaint } from '../helpers/factories';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack';
import { type ResponseUrlServer, sendEvent, sendSlashCommand, startResponseUrlServer } from '../helpers/slack-requests';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { createTestDb, type TestDb } from '../helpers/test-db';
import { waitFor } from '../helpers/wait-for';

const NOW = new Date('2026-11-24T15:00:00Z');
const TODAY = '2026-11-24';

/**
 * A pick whose post Slack refuses stays visible and is delivered once the channel is fixed, through the public
 * interface only: start-up logs, signed /pickup commands, /healthz, and a signed app_home_opened.
 */
describe('a pick post Slack refuses, end to end', () => {
  let db: TestDb;
  let slack: FakeSlack;
  let app: TestApp;
  let responses: ResponseUrlServer;
  const logLines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    db = await createTestDb();
    slack = await startFakeSlack();
    slack.setChannel(EXEC_CHANNEL, null);
    app = await startTestApp(db, slack, {
      now: () => NOW,
      logger: createLogger('info', { write: (line: string) => logLines.push(JSON.parse(line)) }),
    });
    responses = await startResponseUrlServer();
    app.slackTarget.responseUrl = responses.url;
  });
  afterAll(async () => {
    await app.stop();
    await responses.close();
    await slack.close();
    await db.close();
  });

  async function pickup(text: string): Promise<string> {
    responses.reset();
    const res = await sendSlashCommand(app.slackTarget, { command: '/pickup', text, userId: EXEC_1, channelId: 'C1' });
    expect(res.status).toBe(200);
    const [post] = await responses.waitFor(1);
    return String((post?.body as { text?: string } | undefined)?.text);
  }

  async function homeOf(user: string): Promise<string> {
    slack.reset();
    const res = await sendEvent(app.slackTarget, {
      type: 'app_home_opened',
      user,
      channel: 'D1',
      tab: 'home',
      event_ts: `${Date.now() / 1000}`,
    });
    expect(res.status).toBe(200);
    const [call] = await slack.waitFor('views.publish', 1);
    expect(call?.failure).toBeUndefined();
    return JSON.stringify(call?.args.view);
  }

  async function health(): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(`${app.baseUrl}/healthz`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  const pickPostStatus = async () =>
    (
      await db.db
        .selectFrom('outbox')
        .select('status')
        .where('dedupe_key', '=', `pick:${TODAY}:post`)
        .executeTakeFirst()
    )?.status;

  it('warns at start-up, shows the failure on /healthz and App Home, and delivers the same pick once after the fix', async () => {
    const warning = logLines.find((l) => l.level === 40 && l.job === 'preflight');
    expect(warning).toMatchObject({ setting: 'EXEC_CHANNEL', channel: EXEC_CHANNEL, code: 'channel_not_found' });
    expect(String(warning?.msg)).toContain('invite @Pickup');

    const complaintId = await insertComplaint(db.db, { subject: 'Refund never arrived' });
    expect(await pickup('pick')).toContain(`Picked complaint ${complaintId} for ${TODAY}`);
    await waitFor(async () => (await pickPostStatus()) === 'failed', {
      timeoutMs: 10_000,
      what: 'the pick post to fail',
      intervalMs: 20,
    });
    const [refused] = slack.callsTo('chat.postMessage');
    expect(refused?.failure).toEqual({ error: 'channel_not_found' });

    const sick = await health();
    expect(sick.status).toBe(200);
    expect(sick.body).toMatchObject({
      status: 'ok',
      db: 'ok',
      outbox: { failed: 1, lastError: 'Slack refused the call: channel_not_found' },
    });

    const home = await homeOf(EXEC_1);
    expect(home).toContain(`Today's pick could not be posted in <#${EXEC_CHANNEL}>`);
    expect(home).toContain('Slack said: `Slack refused the call: channel_not_found`');
    expect(home).toContain(`*To fix:* <#${EXEC_CHANNEL}> does not exist, or it is private and @Pickup is not in it.`);
    expect(home).toContain(`"action_id":"claim_complaint","value":"${complaintId}"`);

    slack.setChannel(EXEC_CHANNEL, {});
    slack.reset();
    const again = await pickup('pick');
    expect(again).toContain(`${TODAY} was already picked (complaint ${complaintId}`);
    expect(again).toContain('so the same post is queued again');
    const [posted] = await slack.waitFor('chat.postMessage', 1);
    expect(posted?.failure).toBeUndefined();
    expect(posted?.args.channel).toBe(EXEC_CHANNEL);
    expect(posted?.args.text).toBe(refused?.args.text);
    await waitFor(async () => (await pickPostStatus()) === 'sent', {
      timeoutMs: 10_000,
      what: 'the pick post to be marked sent',
      intervalMs: 20,
    });
    expect((await health()).body.outbox).toEqual({ failed: 0, lastError: null });
    expect(await homeOf(EXEC_1)).not.toContain('could not be posted');

    const third = await pickup('pick');
    expect(third).toContain('already picked');
    expect(third).not.toContain('queued again');
    expect(slack.callsTo('chat.postMessage')).toHaveLength(0);
    expect(await db.db.selectFrom('picks').selectAll().execute()).toHaveLength(1);
  });
});
