import { createLogger } from '../../src/logger';
import { EXEC_1, EXEC_CHANNEL, TEST_INGEST_TOKEN } from '../helpers/config';
import { type FakeSlack, type RecordedCall, startFakeSlack } from '../helpers/fake-slack';
import {
  checkboxValue,
  clickButton,
  dateValue,
  type ResponseUrlServer,
  selectValue,
  sendSlashCommand,
  startResponseUrlServer,
  submitView,
  textValue,
} from '../helpers/slack-requests';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { createTestDb, type TestDb } from '../helpers/test-db';

/** As the help desk sends it; stored normalised. */
const PHONE_AS_SENT = '+1 (415) 555-0142';
const PHONE = '+14155550142';
const EMAIL = 'margaret.hamilton@apollo.example';

/** Every form in which the customer's phone or email could leak, compared case-insensitively. */
const SECRETS = [PHONE, PHONE_AS_SENT, EMAIL, EMAIL.replace('@', '%40'), '@apollo.example'];

const leaks = (text: string): string[] => SECRETS.filter((s) => text.toLowerCase().includes(s.toLowerCase()));

/**
 * The contract's privacy promise, checked over everything a whole cycle emits: every Web API call the bot makes,
 * every response_url answer and every log line at debug level. Phone and email may appear in exactly one place:
 * the brief DM to the executive who claimed the call.
 */
describe('privacy: where a customer’s phone and email go during a full cycle', () => {
  let db: TestDb;
  let slack: FakeSlack;
  let app: TestApp;
  let responses: ResponseUrlServer;
  const logLines: string[] = [];

  beforeAll(async () => {
    db = await createTestDb();
    slack = await startFakeSlack();
    const logger = createLogger('debug', { write: (line: string) => logLines.push(line) });
    app = await startTestApp(db, slack, { logger });
    responses = await startResponseUrlServer();
    app.slackTarget.responseUrl = responses.url;

    const intake = await fetch(`${app.baseUrl}/webhooks/complaints`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_INGEST_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        externalId: 'P-1',
        subject: 'Our launch data was lost',
        description: 'Nobody called back after three tickets.',
        priority: 'urgent',
        customer: {
          name: 'Margaret Hamilton',
          company: 'Apollo Guidance',
          phone: PHONE_AS_SENT,
          email: EMAIL,
          timezone: 'America/New_York',
        },
      }),
    });
    expect(intake.status).toBe(201);
    const complaintId = ((await intake.json()) as { id: number }).id;

    await sendSlashCommand(app.slackTarget, { command: '/pickup', text: 'pick', userId: EXEC_1, channelId: 'C1' });
    await slack.waitFor('chat.postMessage', 1);

    await clickButton(app.slackTarget, {
      actionId: 'claim_complaint',
      value: String(complaintId),
      userId: EXEC_1,
      channelId: EXEC_CHANNEL,
    });
    await slack.waitFor('chat.postMessage', 2);
    await slack.waitFor('chat.update', 1);
    const claim = await db.db.selectFrom('claims').select('id').executeTakeFirstOrThrow();

    await clickButton(app.slackTarget, {
      actionId: 'log_outcome',
      value: String(claim.id),
      userId: EXEC_1,
      channelId: `D${EXEC_1}`,
    });
    await slack.waitFor('views.open', 1);

    // Executives type what they like: here, the customer's email, which must stay out of logs and other calls.
    const submitted = await submitView(app.slackTarget, {
      callbackId: 'outcome_modal',
      userId: EXEC_1,
      privateMetadata: JSON.stringify({ claimId: claim.id }),
      values: {
        outcome: { value: selectValue('reached') },
        notes: { value: textValue(`Reached her; she wants the post-mortem sent to ${EMAIL}.`) },
        follow_up_date: { value: dateValue(null) },
        advocate: { value: selectValue('still_unhappy') },
        ok_to_quote: { value: checkboxValue(['yes']) },
      },
    });
    expect(submitted.status).toBe(200);
    await slack.waitFor('chat.postMessage', 3);

    const feedback = await fetch(`${app.baseUrl}/webhooks/feedback`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_INGEST_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ complaintId, score: 4, comment: 'Better, but still waiting for the report.' }),
    });
    expect(feedback.status).toBe(201);
    // The still-unhappy DM to the executive who called.
    await slack.waitFor('chat.postMessage', 4);
  });
  afterAll(async () => {
    await app?.stop();
    await responses?.close();
    await slack?.close();
    await db?.close();
  });

  it('ran the whole cycle: pick post, brief, post update, outcome modal, confirmation and survey DM', () => {
    const summary = slack.calls.filter((c) => !c.failure).map((c) => `${c.method} ${String(c.args.channel ?? '')}`);
    expect(summary).toEqual(
      expect.arrayContaining([
        `chat.postMessage ${EXEC_CHANNEL}`,
        `chat.postMessage ${EXEC_1}`,
        `chat.update ${EXEC_CHANNEL}`,
        'views.open ',
      ]),
    );
    expect(slack.callsTo('chat.postMessage').filter((c) => c.args.channel === EXEC_1)).toHaveLength(3);
  });

  it('sends phone and email in exactly one Slack call: the brief DM to the claimer', () => {
    const carrying = slack.calls.filter((c: RecordedCall) => leaks(JSON.stringify(c.args)).length > 0);
    expect(carrying.map((c) => ({ method: c.method, channel: c.args.channel }))).toEqual([
      { method: 'chat.postMessage', channel: EXEC_1 },
    ]);
    const brief = JSON.stringify(carrying[0]?.args);
    expect(brief).toContain(`tel:${PHONE}`);
    expect(brief).toContain(EMAIL);
    expect(brief).toContain('Listen first');
  });

  it('answers no response_url with them', async () => {
    expect(responses.posts.length).toBeGreaterThanOrEqual(2);
    for (const post of responses.posts) expect(leaks(JSON.stringify(post.body))).toEqual([]);
  });

  it('writes them to no log line, even at debug level where whole Slack bodies are logged', () => {
    expect(logLines.length).toBeGreaterThan(50);
    const leaking = logLines.filter((line) => leaks(line).length > 0);
    expect(leaking).toEqual([]);
    // The brief's whole body did reach the logger (so this test can fail), and left it masked.
    const briefBody = logLines.filter(
      (line) => line.includes('http request body') && line.includes(EXEC_1) && line.includes('Listen first'),
    );
    expect(briefBody).toHaveLength(1);
    expect(briefBody[0]).toMatch(/\*Phone\*.{0,8}<\[(phone|redacted)\]/);
  });
});
