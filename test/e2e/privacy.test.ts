import { runDigest } from '../../src/digest/digest.service';
import { createLogger } from '../../src/logger';
import { dateInZone } from '../../src/shared/time';
import {
  EXEC_1,
  EXEC_2,
  EXEC_CHANNEL,
  LEAD_1,
  LEADERSHIP_CHANNEL,
  TEST_INGEST_TOKEN,
  testConfig,
} from '../helpers/config';
import { insertAction } from '../helpers/factories';
import { type FakeSlack, type RecordedCall, startFakeSlack } from '../helpers/fake-slack';
import {
  checkboxValue,
  clickButton,
  dateValue,
  type ResponseUrlServer,
  selectValue,
  sendEvent,
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
/** Someone else the ticket names: their address must not travel either. */
const OTHER_EMAIL = 'jim.lovell@nasa.example';

/** Every form in which the customer's phone or email could leak, compared case-insensitively. */
const SECRETS = [
  PHONE,
  PHONE_AS_SENT,
  '+1 415 555 0142',
  '415.555.0142',
  '4155550142',
  EMAIL,
  EMAIL.replace('@', '%40'),
  '@apollo.example',
  'apollo.example',
  OTHER_EMAIL,
  OTHER_EMAIL.replace('@', '%40'),
  'nasa.example',
];

/** The customer's signature, as real tickets carry it, in every free-text field. */
const SIGNED = {
  subject: `Launch data lost, call +1 415 555 0142 or ${EMAIL}`,
  description: [
    'Nobody called back after three tickets (order #123456, 2026-11-29, $1,250.00).',
    '--',
    'Margaret Hamilton',
    `Mobile: ${PHONE_AS_SENT}`,
    EMAIL,
    `https://desk.example/users?email=${EMAIL.replace('@', '%40')}`,
  ].join('\n'),
  supportTried: `Called 415.555.0142 at 10:30; escalated to ${OTHER_EMAIL} (https://crm.example/?u=${OTHER_EMAIL.replace('@', '%40')})`,
  notes: `Reached her on +1 415 555 0142; she wants the post-mortem sent to ${EMAIL}, cc ${OTHER_EMAIL}, https://x.example/?to=${EMAIL.replace('@', '%40')}.`,
};

/** The support team's channel, and the help-desk agent thanked there (their address is not the customer's). */
const SUPPORT_CHANNEL = 'CSUPPORT01';
const AGENT = { id: 'UAGENT001', name: 'Dana Scully', email: 'dana.scully@support.example' };
/** What an executive writes when thanking the agent: the customer's details, pasted in. */
const THANKS = `You saved us. She is at ${PHONE_AS_SENT} and ${EMAIL} if you need her.`;

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
  /** Bodies of the slash commands' HTTP answers (an ack may carry a message too). */
  const acks: string[] = [];
  const openHome = async (user: string, published: number) => {
    const res = await sendEvent(app.slackTarget, {
      type: 'app_home_opened',
      user,
      channel: 'D1',
      tab: 'home',
      event_ts: '1.1',
    });
    expect(res.status).toBe(200);
    await slack.waitFor('views.publish', published);
  };
  /**
   * Another executive claims the escalation and logs the call, thanking the team: the lead who escalated hears of
   * both, and the support channel of the call and the thanks.
   */
  const callEscalation = async () => {
    const escalation = await db.db
      .selectFrom('complaints')
      .select('id')
      .where('escalated_by', '=', LEAD_1)
      .executeTakeFirstOrThrow();
    await clickButton(app.slackTarget, {
      actionId: 'claim_complaint',
      value: String(escalation.id),
      userId: EXEC_2,
      channelId: EXEC_CHANNEL,
    });
    // The brief to the claimer and the DM to the lead.
    await slack.waitFor('chat.postMessage', 9);
    const claim = await db.db
      .selectFrom('claims')
      .select('id')
      .where('complaint_id', '=', escalation.id)
      .executeTakeFirstOrThrow();
    const logged = await submitView(app.slackTarget, {
      callbackId: 'outcome_modal',
      userId: EXEC_2,
      privateMetadata: JSON.stringify({ claimId: claim.id }),
      values: {
        outcome: { value: selectValue('reached') },
        notes: { value: textValue(SIGNED.notes) },
        follow_up_date: { value: dateValue(null) },
        advocate: { value: selectValue('neutral') },
        ok_to_quote: { value: checkboxValue(['yes']) },
        thank_support: { value: checkboxValue(['yes']) },
        thank_message: { value: textValue(THANKS) },
      },
    });
    expect(logged.status).toBe(200);
    // The confirmation, the lead's DM, the support channel's post and the thank-you.
    await slack.waitFor('chat.postMessage', 13);
  };
  const command = async (userId: string, text: string, count: number) => {
    const res = await sendSlashCommand(app.slackTarget, { command: '/pickup', text, userId, channelId: 'C1' });
    acks.push(res.body);
    await responses.waitFor(count);
  };

  beforeAll(async () => {
    db = await createTestDb();
    slack = await startFakeSlack();
    const logger = createLogger('debug', { write: (line: string) => logLines.push(line) });
    slack.setUser(AGENT.id, { profile: { email: AGENT.email } });
    app = await startTestApp(db, slack, { logger, env: { SUPPORT_CHANNEL } });
    responses = await startResponseUrlServer();
    app.slackTarget.responseUrl = responses.url;

    const intake = await fetch(`${app.baseUrl}/webhooks/complaints`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_INGEST_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        externalId: 'P-1',
        subject: SIGNED.subject,
        description: SIGNED.description,
        supportTried: SIGNED.supportTried,
        url: `https://desk.example/tickets/1?requester=${EMAIL.replace('@', '%40')}`,
        priority: 'urgent',
        customer: {
          name: 'Margaret Hamilton',
          company: 'Apollo Guidance',
          phone: PHONE_AS_SENT,
          email: EMAIL,
          timezone: 'America/New_York',
        },
        assignee: AGENT,
      }),
    });
    expect(intake.status).toBe(201);
    const complaintId = ((await intake.json()) as { id: number }).id;

    // Another executive looks at the queue, then the pick is drawn and the App Home shows it to them.
    await command(EXEC_2, 'queue', 1);
    await command(EXEC_1, 'pick', 2);
    await slack.waitFor('chat.postMessage', 1);
    await openHome(EXEC_2, 1);

    await clickButton(app.slackTarget, {
      actionId: 'claim_complaint',
      value: String(complaintId),
      userId: EXEC_1,
      channelId: EXEC_CHANNEL,
    });
    await slack.waitFor('chat.postMessage', 2);
    await slack.waitFor('chat.update', 1);
    const claim = await db.db.selectFrom('claims').select('id').executeTakeFirstOrThrow();
    // The claimer's own App Home may show the contact details; another executive's may not.
    await openHome(EXEC_1, 2);
    await openHome(EXEC_2, 3);

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
        notes: { value: textValue(SIGNED.notes) },
        follow_up_date: { value: dateValue(null) },
        advocate: { value: selectValue('still_unhappy') },
        ok_to_quote: { value: checkboxValue(['yes']) },
        thank_support: { value: checkboxValue(['yes']) },
        thank_message: { value: textValue(THANKS) },
      },
    });
    expect(submitted.status).toBe(200);
    // The confirmation to the executive; in the support channel, the call and the thank-you to the agent.
    await slack.waitFor('chat.postMessage', 5);

    const feedback = await fetch(`${app.baseUrl}/webhooks/feedback`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_INGEST_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ complaintId, score: 4, comment: 'Better, but still waiting for the report.' }),
    });
    expect(feedback.status).toBe(201);
    // The still-unhappy DM to the executive who called.
    await slack.waitFor('chat.postMessage', 6);

    // A support lead escalates the same customer by hand, with the signature pasted in: executives get a notice.
    const escalated = await submitView(app.slackTarget, {
      callbackId: 'escalate_modal',
      userId: LEAD_1,
      privateMetadata: JSON.stringify({ channelId: 'C1' }),
      values: {
        customer_name: { value: textValue('Margaret Hamilton') },
        company: { value: textValue('Apollo Guidance') },
        customer_phone: { value: textValue(PHONE_AS_SENT) },
        customer_email: { value: textValue(EMAIL) },
        customer_timezone: { value: textValue('America/New_York') },
        ticket_url: { value: textValue(`https://desk.example/tickets/2?u=${EMAIL.replace('@', '%40')}`) },
        subject: { value: textValue(`Still no call: ${PHONE_AS_SENT}, ${OTHER_EMAIL}`) },
        support_tried: { value: textValue(SIGNED.supportTried) },
        priority: { value: selectValue('urgent') },
        do_not_call: { value: checkboxValue([]) },
      },
    });
    expect(escalated.status).toBe(200);
    await slack.waitFor('chat.postMessage', 7);
    await callEscalation();
    await command(EXEC_2, 'queue', 3);
    await command(EXEC_2, 'stats 7d', 4);

    // What the call taught: an action whose description carries what the executive typed in the notes. Another
    // executive lists it and sees it on App Home; the digest counts it.
    const attempt = await db.db.selectFrom('call_attempts').select('id').executeTakeFirstOrThrow();
    await insertAction(db.db, {
      complaint_id: complaintId,
      attempt_id: attempt.id,
      description: `Send the post-mortem: ${SIGNED.notes}`,
      owner_id: EXEC_1,
      requested_by: EXEC_1,
    });
    await command(EXEC_2, 'actions', 5);
    await openHome(EXEC_2, 4);

    // This week's digest (partial) to leadership, quoting the notes marked OK to quote.
    const now = new Date();
    const digest = await runDigest(db.db, {
      weekStart: dateInZone(now, 'UTC'),
      now,
      config: testConfig(),
      executives: [EXEC_1, EXEC_2],
      dryRun: false,
      chart: false,
    });
    expect(digest.status).toBe('posted');
    await slack.waitFor('chat.postMessage', 14);
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

  /**
   * Calls addressed to a claimer: DMs to the first one, their own App Home, the outcome modals, and the brief of the
   * escalation to the executive who claimed that one.
   */
  const toClaimer = (c: RecordedCall) =>
    c.args.channel === EXEC_1 ||
    (c.args.channel === EXEC_2 && JSON.stringify(c.args).includes('Listen first')) ||
    c.args.user_id === EXEC_1 ||
    (c.method === 'views.open' && (c.args.view as { callback_id?: string }).callback_id === 'outcome_modal');

  it('reached every audience: the channel, leadership, another executive, the support lead', () => {
    const delivered = slack.calls.filter((c) => !c.failure);
    const to = (method: string, key: string, value: string) =>
      delivered.filter((c) => c.method === method && c.args[key] === value).length;
    // The pick and the escalation notice.
    expect(to('chat.postMessage', 'channel', EXEC_CHANNEL)).toBe(2);
    expect(to('chat.update', 'channel', EXEC_CHANNEL)).toBeGreaterThanOrEqual(1);
    expect(to('chat.postMessage', 'channel', LEADERSHIP_CHANNEL)).toBe(1);
    expect(to('views.publish', 'user_id', EXEC_2)).toBe(3);
    expect(to('views.publish', 'user_id', EXEC_1)).toBe(1);
    expect(to('chat.postEphemeral', 'user', LEAD_1)).toBe(1);
    // The front line: the lead's two DMs; in the support channel, two calls and two thank-yous.
    expect(to('chat.postMessage', 'channel', LEAD_1)).toBe(2);
    expect(to('chat.postMessage', 'channel', SUPPORT_CHANNEL)).toBe(4);
  });

  it('tells the front line what happened, with the executive’s words masked and the agent found by their own email', () => {
    const delivered = slack.calls.filter((c) => !c.failure && c.method === 'chat.postMessage');
    const json = (channel: string) =>
      delivered.filter((c) => c.args.channel === channel).map((c) => JSON.stringify(c.args));
    const [claimed, called] = json(LEAD_1);
    expect(claimed).toContain(`<@${EXEC_2}> claimed the complaint you escalated`);
    expect(called).toContain('Reached her on [phone]; she wants the post-mortem sent to [email]');
    const support = json(SUPPORT_CHANNEL);
    expect(support.filter((p) => p.includes('called the customer on this ticket'))).toHaveLength(2);
    expect(support.find((p) => p.includes(`Thank you, <@${AGENT.id}>!`))).toContain('She is at [phone] and [email]');
    expect(support.find((p) => p.includes('Thank you, support team!'))).toContain('She is at [phone] and [email]');
    expect(slack.callsTo('users.lookupByEmail').map((c) => c.args.email)).toEqual([AGENT.email]);
  });

  it('sends phone and email only to the claimer: the brief DM, their own App Home, their outcome modal', () => {
    const carrying = slack.calls.filter((c: RecordedCall) => leaks(JSON.stringify(c.args)).length > 0);
    const elsewhere = carrying
      .filter((c) => !toClaimer(c))
      .map((c) => ({ method: c.method, channel: c.args.channel, leaks: leaks(JSON.stringify(c.args)) }));
    expect(elsewhere).toEqual([]);
    // The brief, the one place meant for them, does carry them (so this test can fail).
    const brief = carrying.find(
      (c) => c.method === 'chat.postMessage' && JSON.stringify(c.args).includes('Listen first'),
    );
    expect(brief?.args.channel).toBe(EXEC_1);
    expect(JSON.stringify(brief?.args)).toContain(`tel:${PHONE}`);
    expect(JSON.stringify(brief?.args)).toContain(EMAIL);
  });

  it('keeps the redacted text readable where others see it', () => {
    const post = slack.calls.find((c) => c.method === 'chat.postMessage' && c.args.channel === EXEC_CHANNEL);
    const json = JSON.stringify(post?.args);
    expect(json).toContain('Launch data lost, call [phone] or [email]');
    expect(json).toContain('order #123456, 2026-11-29, $1,250.00');
    // The digest quotes the call notes (marked OK to quote), the details in them masked.
    const digest = slack.calls.find((c) => c.method === 'chat.postMessage' && c.args.channel === LEADERSHIP_CHANNEL);
    expect(JSON.stringify(digest?.args)).toContain('Reached her on [phone]; she wants the post-mortem sent to [email]');
    // Its new sections: what we learned, and the action the call opened, its description masked too.
    expect(JSON.stringify(digest?.args)).toContain('*What we learned*');
    expect(JSON.stringify(digest?.args)).toContain('*Actions*: 1 opened · 0 done · 0 overdue');
    expect(JSON.stringify(digest?.args)).toContain('Send the post-mortem: Reached her on [phone]');
    // Another executive's /pickup actions and App Home list the action, masked the same way.
    const listed = responses.posts.find((p) => JSON.stringify(p.body).includes('Everyone else’s open actions'));
    expect(JSON.stringify(listed?.body)).toContain('Send the post-mortem: Reached her on [phone]');
    const home = slack.calls.filter((c) => c.method === 'views.publish' && c.args.user_id === EXEC_2).at(-1);
    expect(JSON.stringify(home?.args)).toContain('Send the post-mortem: Reached her on [phone]');
  });

  it('answers no slash command or response_url with them', async () => {
    expect(responses.posts.length).toBeGreaterThanOrEqual(4);
    for (const post of responses.posts) expect(leaks(JSON.stringify(post.body))).toEqual([]);
    for (const body of acks) expect(leaks(body)).toEqual([]);
  });

  it('writes them to no log line, even at debug level where whole Slack bodies are logged', () => {
    expect(logLines.length).toBeGreaterThan(50);
    const leaking = logLines.filter((line) => leaks(line).length > 0);
    expect(leaking).toEqual([]);
    // Each brief's whole body did reach the logger (so this test can fail), and left it masked.
    const briefBodies = logLines.filter((line) => line.includes('http request body') && line.includes('Listen first'));
    expect(briefBodies).toHaveLength(2);
    for (const body of briefBodies) expect(body).toMatch(/\*Phone\*.{0,8}<tel:\[phone\]\|\[phone\]>/);
  });
});
