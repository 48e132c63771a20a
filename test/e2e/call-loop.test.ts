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
import { insertAttempt, insertClaim, insertComplaint } from '../helpers/factories';
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
import { createTestDb, emptyTables, type TestDb, waitForOutboxIdle } from '../helpers/test-db';

const PHONE = '+14155550123';
const EMAIL = 'ada@example.com';
/** The customer every complaint here belongs to, so each test can look for her contact details. */
const ADA = {
  name: 'Ada Lovelace',
  company: 'Analytical Engines',
  phone: PHONE,
  email: EMAIL,
  timezone: 'Europe/London',
};
const SUBJECT = 'Billed three times <!channel>';

const MODES: SlackMode[] = ['http', 'socket'];

/**
 * The whole loop through the public interface: complaint → pick → claim → DM → outcome → advocacy, once with
 * signed HTTP requests and once over Socket Mode (envelopes and acks on a WebSocket), the same spec for both.
 * Each step starts from an empty database and builds what it needs; the last test runs the loop from end to end.
 */
describe.each(MODES)('the call loop, end to end through Bolt and the fake Slack (%s mode)', (mode) => {
  let db: TestDb;
  let slack: FakeSlack;
  let app: DrivenTestApp;
  let responses: ResponseUrlServer;

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
  beforeEach(async () => {
    await emptyTables(db.db);
    slack.reset();
    responses.reset();
  });
  // A delivery still in flight would land in the next test's fake Slack.
  afterEach(() => waitForOutboxIdle(db.db));

  /** Sends one Slack request and resolves with the text of the response_url answer it causes. */
  async function answerText(send: () => Promise<unknown>): Promise<string> {
    const before = responses.posts.length;
    await send();
    const posts = await responses.waitFor(before + 1);
    const body = posts[before]?.body as { text?: string } | undefined;
    return String(body?.text);
  }

  const pick = (userId: string) =>
    answerText(() => app.driver.slashCommand({ command: '/pickup', text: 'pick', userId, channelId: 'C1' }));

  const claim = (complaintId: number, userId: string) =>
    answerText(() =>
      app.driver.clickButton({
        actionId: 'claim_complaint',
        value: String(complaintId),
        userId,
        channelId: EXEC_CHANNEL,
      }),
    );

  /** Ada's complaint, picked today by /pickup pick, with its channel post sent. */
  async function pickedComplaint(): Promise<number> {
    const id = await insertComplaint(db.db, { subject: SUBJECT, customer: ADA });
    expect(await pick(EXEC_1)).toMatch(/Picked complaint/);
    await slack.waitFor('chat.postMessage', 1);
    return id;
  }

  /** Ada's complaint, claimed by EXEC_IN_GROUP. */
  async function claimedComplaint(): Promise<{ complaintId: number; claimId: number }> {
    const complaintId = await insertComplaint(db.db, { subject: SUBJECT, customer: ADA });
    const { id } = await insertClaim(db.db, { complaint_id: complaintId, claimed_by: EXEC_IN_GROUP });
    return { complaintId, claimId: id };
  }

  const auditActions = async () =>
    (await db.db.selectFrom('audit_log').select('action').orderBy('id').execute()).map((r) => r.action);

  const outcomeValues = (outcome: string, followUp: string | null, advocate: string | null) => ({
    outcome: { value: selectValue(outcome) },
    notes: { value: textValue('They felt nobody listened. Fixed billing; refund sent.') },
    follow_up_date: { value: dateValue(followUp) },
    advocate: { value: selectValue(advocate) },
    ok_to_quote: { value: checkboxValue(['yes']) },
  });

  const submitOutcome = (claimId: number, userId: string, values: ReturnType<typeof outcomeValues>) =>
    app.driver.submitView({
      callbackId: 'outcome_modal',
      userId,
      privateMetadata: JSON.stringify({ claimId }),
      values,
    });

  const postFeedback = (body: unknown, token = TEST_INGEST_TOKEN) =>
    fetch(`${app.baseUrl}/webhooks/feedback`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  const postComplaint = () =>
    fetch(`${app.baseUrl}/webhooks/complaints`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_INGEST_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        externalId: 'T-1',
        subject: SUBJECT,
        priority: 'urgent',
        customer: ADA,
        url: 'https://support.example.com/T-1',
      }),
    });

  it('takes a major complaint through the webhook', async () => {
    const res = await postComplaint();
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: number };
    const row = await db.db.selectFrom('complaints').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ external_id: 'T-1', is_major: true });
    expect(await auditActions()).toEqual(['complaint.received']);
  });

  it('refuses /pickup pick to an outsider and writes nothing', async () => {
    await insertComplaint(db.db, { customer: ADA });
    expect(await pick(OUTSIDER)).toMatch(/Only executives/);
    expect(await db.db.selectFrom('picks').selectAll().execute()).toHaveLength(0);
  });

  it('picks it for an executive and posts it to the channel without contact details', async () => {
    await insertComplaint(db.db, { subject: SUBJECT, customer: ADA });
    expect(await pick(EXEC_1)).toMatch(/Picked complaint .* 1 of 1 eligible/);
    const [post] = await slack.waitFor('chat.postMessage', 1);
    expect(post?.args.channel).toBe(EXEC_CHANNEL);
    const json = JSON.stringify(post?.args);
    expect(json).toContain('1 of 1 eligible');
    expect(json).toContain('&lt;!channel&gt;');
    expect(json).not.toContain('<!channel>');
    expect(json).not.toContain(PHONE);
    expect(json).not.toContain(EMAIL);
    expect(json).toContain('claim_complaint');
    expect(await auditActions()).toContain('pick.drawn');
  });

  it('a second /pickup pick the same day posts nothing new', async () => {
    await pickedComplaint();
    expect(await pick(EXEC_2)).toMatch(/already picked/);
    // Anything the second pick had queued would be sent before the outbox runs dry.
    await waitForOutboxIdle(db.db);
    expect(slack.callsTo('chat.postMessage')).toHaveLength(1);
    expect(await db.db.selectFrom('outbox').selectAll().execute()).toHaveLength(1);
  });

  it('refuses a claim from an outsider', async () => {
    const complaintId = await pickedComplaint();
    expect(await claim(complaintId, OUTSIDER)).toMatch(/Only executives can claim/);
    expect(await db.db.selectFrom('claims').selectAll().execute()).toHaveLength(0);
  });

  it('gives the claim to the first executive, DMs the brief and updates the post', async () => {
    const complaintId = await pickedComplaint();
    expect(await claim(complaintId, EXEC_IN_GROUP)).toMatch(/It's yours/);
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
    const row = await db.db.selectFrom('claims').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ complaint_id: complaintId, claimed_by: EXEC_IN_GROUP, status: 'open' });
    expect(await auditActions()).toContain('claim.created');
  });

  it('tells a later clicker who holds it', async () => {
    const { complaintId } = await claimedComplaint();
    expect(await claim(complaintId, EXEC_1)).toContain(`Already claimed by <@${EXEC_IN_GROUP}>`);
  });

  it('opens the outcome modal for the claimer', async () => {
    const { claimId } = await claimedComplaint();
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

  it('shows inline errors for a follow-up date in the past', async () => {
    const { claimId } = await claimedComplaint();
    const res = await submitOutcome(claimId, EXEC_IN_GROUP, outcomeValues('voicemail', '2000-01-01', null));
    expect(res.payload).toMatchObject({
      response_action: 'errors',
      errors: { follow_up_date: expect.stringContaining('later date') },
    });
    expect(await db.db.selectFrom('call_attempts').selectAll().execute()).toHaveLength(0);
  });

  it('refuses an outcome from someone who does not hold the claim', async () => {
    const { claimId } = await claimedComplaint();
    const res = await submitOutcome(claimId, EXEC_1, outcomeValues('reached', null, 'advocate'));
    expect(res.payload).toMatchObject({
      response_action: 'errors',
      errors: { outcome: expect.stringContaining('belongs to') },
    });
    expect(await db.db.selectFrom('call_attempts').selectAll().execute()).toHaveLength(0);
  });

  it('logs a reached call, closes the loop and records the advocate', async () => {
    const { complaintId, claimId } = await claimedComplaint();
    const res = await submitOutcome(claimId, EXEC_IN_GROUP, outcomeValues('reached', null, 'advocate'));
    expect(res.payload).toBeUndefined();
    const attempt = await db.db.selectFrom('call_attempts').selectAll().executeTakeFirstOrThrow();
    expect(attempt).toMatchObject({
      outcome: 'reached',
      advocate_assessment: 'advocate',
      ok_to_quote: true,
      executive: EXEC_IN_GROUP,
    });
    const row = await db.db.selectFrom('claims').selectAll().where('id', '=', claimId).executeTakeFirstOrThrow();
    expect(row.status).toBe('closed');
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
    const [confirmation] = await slack.waitFor('chat.postMessage', 1);
    expect(confirmation?.args.channel).toBe(EXEC_IN_GROUP);
    expect(JSON.stringify(confirmation?.args)).toContain('Thank you for making this call');
    expect(await auditActions()).toEqual(expect.arrayContaining(['attempt.logged', 'advocacy.recorded']));
  });

  it('records a promoter survey after the call through the feedback webhook', async () => {
    const complaintId = await insertComplaint(db.db, { externalId: 'T-1', customer: ADA });
    await insertAttempt(db.db, { complaint_id: complaintId, executive: EXEC_IN_GROUP, outcome: 'reached' });
    expect((await postFeedback({ complaintId, score: 10 }, 'wrong-token-wrong-token')).status).toBe(401);
    expect((await postFeedback({ complaintId, score: 11 })).status).toBe(400);
    expect((await postFeedback({ complaintId: complaintId + 1_000_000, score: 9 })).status).toBe(404);
    const res = await postFeedback({ source: 'api', externalId: 'T-1', score: 10, comment: 'Great call' });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({
      status: 'recorded',
      complaintId,
      afterCall: true,
      promoter: true,
      stillUnhappy: false,
    });
    const res2 = await postFeedback({ complaintId, score: 3 });
    expect(await res2.json()).toMatchObject({ stillUnhappy: true, promoter: false });
    const [dm] = await slack.waitFor('chat.postMessage', 1);
    expect(dm?.args.channel).toBe(EXEC_IN_GROUP);
    expect(JSON.stringify(dm?.args)).toContain('Still unhappy');
  });

  it('runs the whole loop, writing an audit row for each step and no contact details', async () => {
    const received = await postComplaint();
    const { id: complaintId } = (await received.json()) as { id: number };
    expect(await pick(EXEC_1)).toMatch(/Picked complaint/);
    expect(await claim(complaintId, EXEC_IN_GROUP)).toMatch(/It's yours/);
    const { id: claimId } = await db.db.selectFrom('claims').select('id').executeTakeFirstOrThrow();
    const logged = await submitOutcome(claimId, EXEC_IN_GROUP, outcomeValues('reached', null, 'advocate'));
    expect(logged.payload).toBeUndefined();
    expect((await postFeedback({ complaintId, score: 10 })).status).toBe(201);
    expect(await auditActions()).toEqual(
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
