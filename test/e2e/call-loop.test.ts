import { sql } from 'kysely';
import {
  EXEC_1,
  EXEC_2,
  EXEC_CHANNEL,
  EXEC_GROUP,
  EXEC_IN_GROUP,
  OUTSIDER,
  TEST_INGEST_TOKEN,
} from '../helpers/config';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack';
import type { SlackMode } from '../helpers/slack-driver';
import {
  checkboxValue,
  dateValue,
  type ResponseUrlServer,
  selectValue,
  startResponseUrlServer,
  textValue,
} from '../helpers/slack-requests';
import { type DrivenTestApp, startDrivenTestApp } from '../helpers/test-app';
import { createTestDb, type TestDb } from '../helpers/test-db';

const PHONE = '+14155550123';
const EMAIL = 'ada@example.com';

const MODES: SlackMode[] = ['http', 'socket'];

/**
 * The whole loop through the public interface: complaint → pick → claim → DM → outcome → advocacy, once with
 * signed HTTP requests and once over Socket Mode (envelopes and acks on a WebSocket), the same spec for both.
 */
describe.each(MODES)('the call loop, end to end through Bolt and the fake Slack (%s mode)', (mode) => {
  let db: TestDb;
  let slack: FakeSlack;
  let app: DrivenTestApp;
  let responses: ResponseUrlServer;
  let complaintId: number;
  let claimId: number;

  beforeAll(async () => {
    db = await createTestDb();
    slack = await startFakeSlack();
    slack.setUserGroup(EXEC_GROUP, [EXEC_IN_GROUP]);
    app = await startDrivenTestApp(mode, db, slack);
    responses = await startResponseUrlServer();
    app.driver.responseUrl = responses.url;
  });
  afterAll(async () => {
    await app.stop();
    await responses.close();
    await slack.close();
    await db.close();
  });

  const lastResponseText = async (count: number) => {
    const posts = await responses.waitFor(count);
    const body = posts[count - 1]?.body as { text?: string } | undefined;
    return String(body?.text);
  };

  it('takes a major complaint through the webhook', async () => {
    const res = await fetch(`${app.baseUrl}/webhooks/complaints`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_INGEST_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        externalId: 'T-1',
        subject: 'Billed three times <!channel>',
        priority: 'urgent',
        customer: {
          name: 'Ada Lovelace',
          company: 'Analytical Engines',
          phone: PHONE,
          email: EMAIL,
          timezone: 'Europe/London',
        },
        url: 'https://support.example.com/T-1',
      }),
    });
    expect(res.status).toBe(201);
    complaintId = ((await res.json()) as { id: number }).id;
  });

  it('refuses /pickup pick to an outsider and writes nothing', async () => {
    await app.driver.slashCommand({ command: '/pickup', text: 'pick', userId: OUTSIDER, channelId: 'C1' });
    expect(await lastResponseText(1)).toMatch(/Only executives/);
    const picks = await db.db.selectFrom('picks').selectAll().execute();
    expect(picks).toHaveLength(0);
  });

  it('picks it for an executive and posts it to the channel without contact details', async () => {
    await app.driver.slashCommand({ command: '/pickup', text: 'pick', userId: EXEC_1, channelId: 'C1' });
    expect(await lastResponseText(2)).toMatch(/Picked complaint .* 1 of 1 eligible/);
    const [post] = await slack.waitFor('chat.postMessage', 1);
    expect(post?.args.channel).toBe(EXEC_CHANNEL);
    const json = JSON.stringify(post?.args);
    expect(json).toContain('1 of 1 eligible');
    expect(json).toContain('&lt;!channel&gt;');
    expect(json).not.toContain('<!channel>');
    expect(json).not.toContain(PHONE);
    expect(json).not.toContain(EMAIL);
    expect(json).toContain('claim_complaint');
  });

  it('a second /pickup pick the same day posts nothing new', async () => {
    await app.driver.slashCommand({ command: '/pickup', text: 'pick', userId: EXEC_2, channelId: 'C1' });
    expect(await lastResponseText(3)).toMatch(/already picked/);
    await new Promise((r) => setTimeout(r, 200));
    expect(slack.callsTo('chat.postMessage')).toHaveLength(1);
  });

  it('refuses a claim from an outsider', async () => {
    await app.driver.clickButton({
      actionId: 'claim_complaint',
      value: String(complaintId),
      userId: OUTSIDER,
      channelId: EXEC_CHANNEL,
    });
    expect(await lastResponseText(4)).toMatch(/Only executives can claim/);
    expect(await db.db.selectFrom('claims').selectAll().execute()).toHaveLength(0);
  });

  it('gives the claim to the first executive, DMs the brief and updates the post', async () => {
    await app.driver.clickButton({
      actionId: 'claim_complaint',
      value: String(complaintId),
      userId: EXEC_IN_GROUP,
      channelId: EXEC_CHANNEL,
    });
    expect(await lastResponseText(5)).toMatch(/It's yours/);
    const posts = await slack.waitFor('chat.postMessage', 2);
    const brief = posts.find((c) => c.args.channel === EXEC_IN_GROUP);
    const briefJson = JSON.stringify(brief?.args);
    expect(briefJson).toContain(`tel:${PHONE}`);
    expect(briefJson).toContain(EMAIL);
    expect(briefJson).toContain('Listen first');
    expect(briefJson).toContain('log_outcome');
    expect(briefJson).toContain('release_claim');
    const [update] = await slack.waitFor('chat.update', 1);
    const updateJson = JSON.stringify(update?.args);
    expect(updateJson).toContain(`Claimed by <@${EXEC_IN_GROUP}>`);
    expect(updateJson).not.toContain(PHONE);
    expect(updateJson).not.toContain(EMAIL);
    const claim = await db.db.selectFrom('claims').selectAll().executeTakeFirstOrThrow();
    expect(claim.claimed_by).toBe(EXEC_IN_GROUP);
    claimId = claim.id;
  });

  it('tells a later clicker who holds it', async () => {
    await app.driver.clickButton({
      actionId: 'claim_complaint',
      value: String(complaintId),
      userId: EXEC_1,
      channelId: EXEC_CHANNEL,
    });
    expect(await lastResponseText(6)).toContain(`Already claimed by <@${EXEC_IN_GROUP}>`);
  });

  it('opens the outcome modal for the claimer', async () => {
    await app.driver.clickButton({
      actionId: 'log_outcome',
      value: String(claimId),
      userId: EXEC_IN_GROUP,
      channelId: `D${EXEC_IN_GROUP}`,
    });
    const [open] = await slack.waitFor('views.open', 1);
    const view = open?.args.view as { callback_id: string; blocks: { block_id?: string }[] };
    expect(view.callback_id).toBe('outcome_modal');
    expect(view.blocks.map((b) => b.block_id)).toEqual(
      expect.arrayContaining(['outcome', 'notes', 'follow_up_date', 'advocate', 'ok_to_quote']),
    );
  });

  const outcomeValues = (outcome: string, followUp: string | null, advocate: string | null) => ({
    outcome: { value: selectValue(outcome) },
    notes: { value: textValue('They felt nobody listened. Fixed billing; refund sent.') },
    follow_up_date: { value: dateValue(followUp) },
    advocate: { value: selectValue(advocate) },
    ok_to_quote: { value: checkboxValue(['yes']) },
  });

  it('shows inline errors for a follow-up date in the past', async () => {
    const res = await app.driver.submitView({
      callbackId: 'outcome_modal',
      userId: EXEC_IN_GROUP,
      privateMetadata: JSON.stringify({ claimId }),
      values: outcomeValues('voicemail', '2000-01-01', null),
    });
    expect(res.payload).toMatchObject({
      response_action: 'errors',
      errors: { follow_up_date: expect.stringContaining('later date') },
    });
    expect(await db.db.selectFrom('call_attempts').selectAll().execute()).toHaveLength(0);
  });

  it('refuses an outcome from someone who does not hold the claim', async () => {
    const res = await app.driver.submitView({
      callbackId: 'outcome_modal',
      userId: EXEC_1,
      privateMetadata: JSON.stringify({ claimId }),
      values: outcomeValues('reached', null, 'advocate'),
    });
    expect(res.payload).toMatchObject({
      response_action: 'errors',
      errors: { outcome: expect.stringContaining('belongs to') },
    });
  });

  it('logs a reached call, closes the loop and records the advocate', async () => {
    const res = await app.driver.submitView({
      callbackId: 'outcome_modal',
      userId: EXEC_IN_GROUP,
      privateMetadata: JSON.stringify({ claimId }),
      values: outcomeValues('reached', null, 'advocate'),
    });
    expect(res.payload).toBeUndefined();
    const attempt = await db.db.selectFrom('call_attempts').selectAll().executeTakeFirstOrThrow();
    expect(attempt).toMatchObject({
      outcome: 'reached',
      advocate_assessment: 'advocate',
      ok_to_quote: true,
      executive: EXEC_IN_GROUP,
    });
    const claim = await db.db.selectFrom('claims').selectAll().where('id', '=', claimId).executeTakeFirstOrThrow();
    expect(claim.status).toBe('closed');
    const complaint = await db.db
      .selectFrom('complaints')
      .selectAll()
      .where('id', '=', complaintId)
      .executeTakeFirstOrThrow();
    expect(complaint.closed_at).not.toBeNull();
    const evidence = await db.db.selectFrom('advocacy_evidence').selectAll().execute();
    expect(evidence).toEqual([
      expect.objectContaining({ kind: 'executive_assessment', is_advocacy: true, source: 'executive' }),
    ]);
    const confirmations = await slack.waitFor('chat.postMessage', 3);
    expect(JSON.stringify(confirmations.at(-1)?.args)).toContain('Thank you for making this call');
  });

  it('records a promoter survey after the call through the feedback webhook', async () => {
    const post = (body: unknown, token = TEST_INGEST_TOKEN) =>
      fetch(`${app.baseUrl}/webhooks/feedback`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await post({ complaintId, score: 10 }, 'wrong-token-wrong-token')).status).toBe(401);
    expect((await post({ complaintId, score: 11 })).status).toBe(400);
    expect((await post({ complaintId: 999999, score: 9 })).status).toBe(404);
    const res = await post({ source: 'api', externalId: 'T-1', score: 10, comment: 'Great call' });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({
      status: 'recorded',
      complaintId,
      afterCall: true,
      promoter: true,
      stillUnhappy: false,
    });
    const res2 = await post({ complaintId, score: 3 });
    expect(await res2.json()).toMatchObject({ stillUnhappy: true, promoter: false });
    const dm = await slack.waitFor('chat.postMessage', 4);
    expect(JSON.stringify(dm.at(-1)?.args)).toContain('Still unhappy');
  });

  it('wrote an audit row for each step', async () => {
    const rows = await db.db.selectFrom('audit_log').select('action').orderBy('id').execute();
    expect(rows.map((r) => r.action)).toEqual(
      expect.arrayContaining([
        'complaint.received',
        'pick.drawn',
        'claim.created',
        'attempt.logged',
        'advocacy.recorded',
      ]),
    );
    const { rows: leaked } = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM audit_log WHERE details::text LIKE ${`%${PHONE}%`} OR details::text LIKE ${`%${EMAIL}%`}`.execute(
      db.db,
    );
    expect(leaked[0]?.n).toBe(0);
  });
});
