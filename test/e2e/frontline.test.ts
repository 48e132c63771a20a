import { EXEC_1, EXEC_2, LEAD_1, TEST_INGEST_TOKEN } from '../helpers/config';
import { FAKE_CREDENTIALS, type FakeHelpDesk, startFakeHelpDesk } from '../helpers/fake-helpdesks';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack';
import {
  checkboxValue,
  clickButton,
  dateValue,
  type ResponseUrlServer,
  selectValue,
  startResponseUrlServer,
  submitView,
  textValue,
} from '../helpers/slack-requests';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { createTestDb, type TestDb } from '../helpers/test-db';
import { waitFor } from '../helpers/wait-for';

const SUPPORT_CHANNEL = 'CSUPPORT01';
const AGENT = { id: 'UAGENT001', name: 'Dana Scully', email: 'dana.scully@support.example' };
const PHONE = '+14155550188';
const EMAIL = 'grace.hopper@navy.example';

/**
 * The front line hears back, end to end: signed Slack requests to a running Pickup, the fake Slack Web API, and a
 * fake Zendesk API for the ticket thread. The lead who escalated gets DMs, SUPPORT_CHANNEL gets the post and the
 * thank-you (its agent found with users.lookupByEmail), and the claimer's brief carries the customer's history and
 * their own words, or says why not.
 */
describe('the front line hears back, end to end', () => {
  let db: TestDb;
  let slack: FakeSlack;
  let zendesk: FakeHelpDesk<'zendesk'>;
  let app: TestApp;
  let responses: ResponseUrlServer;

  beforeAll(async () => {
    db = await createTestDb();
    slack = await startFakeSlack();
    slack.setUser(AGENT.id, { profile: { email: AGENT.email } });
    zendesk = await startFakeHelpDesk('zendesk');
    app = await startTestApp(db, slack, {
      env: {
        SUPPORT_CHANNEL,
        ZENDESK_SUBDOMAIN: 'acme',
        ZENDESK_EMAIL: FAKE_CREDENTIALS.zendesk.email,
        ZENDESK_API_TOKEN: FAKE_CREDENTIALS.zendesk.apiToken,
        ZENDESK_API_URL: zendesk.url,
      },
    });
    responses = await startResponseUrlServer();
    app.slackTarget.responseUrl = responses.url;
  });
  afterAll(async () => {
    await app?.stop();
    await responses?.close();
    await zendesk?.close();
    await slack?.close();
    await db?.close();
  });

  /** A complaint through the generic webhook, as a help desk relaying its tickets would send it. */
  const intake = async (body: Record<string, unknown>): Promise<number> => {
    const res = await fetch(`${app.baseUrl}/webhooks/complaints`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_INGEST_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ priority: 'urgent', subject: 'Charged twice', ...body }),
    });
    if (res.status !== 201) throw new Error(`intake answered ${res.status}: ${await res.text()}`);
    return ((await res.json()) as { id: number }).id;
  };

  /** The posts to `channel` so far, as JSON. */
  const postsTo = (channel: string) =>
    slack
      .callsTo('chat.postMessage')
      .filter((c) => c.args.channel === channel && !c.failure)
      .map((c) => JSON.stringify(c.args));

  /** Waits for a post to `channel` containing every one of `texts`, and returns it (as JSON). */
  const postTo = (channel: string, ...texts: string[]) =>
    waitFor(() => postsTo(channel).find((p) => texts.every((t) => p.includes(t))), {
      timeoutMs: 8_000,
      what: `a post to ${channel} with ${texts.map((t) => `"${t}"`).join(' and ')}`,
      seen: () => postsTo(channel).join('\n'),
    });

  /** Claims as `userId` and returns the claim's id and how long the click took to be acknowledged. */
  const claimAs = async (userId: string, complaintId: number) => {
    const started = Date.now();
    const res = await clickButton(app.slackTarget, {
      actionId: 'claim_complaint',
      value: String(complaintId),
      userId,
      channelId: 'CEXECS001',
    });
    const ackMs = Date.now() - started;
    expect(res.status).toBe(200);
    const claim = await waitFor(
      () =>
        db.db
          .selectFrom('claims')
          .select('id')
          .where('complaint_id', '=', complaintId)
          .where('claimed_by', '=', userId)
          .executeTakeFirst(),
      { what: `the claim on ${complaintId}` },
    );
    return { claimId: claim.id, ackMs };
  };

  const logCall = async (
    userId: string,
    claimId: number,
    call: { outcome: string; notes?: string; thanks?: string | null; followUp?: string },
  ) => {
    const res = await submitView(app.slackTarget, {
      callbackId: 'outcome_modal',
      userId,
      privateMetadata: JSON.stringify({ claimId }),
      values: {
        outcome: { value: selectValue(call.outcome) },
        notes: { value: textValue(call.notes ?? null) },
        follow_up_date: { value: dateValue(call.followUp ?? null) },
        advocate: { value: selectValue(call.outcome === 'reached' ? 'advocate' : null) },
        ok_to_quote: { value: checkboxValue(call.notes ? ['yes'] : []) },
        thank_support: { value: checkboxValue(call.thanks === undefined ? [] : ['yes']) },
        thank_message: { value: textValue(call.thanks ?? null) },
      },
    });
    expect(res.status).toBe(200);
    expect(res.body).toBe('');
  };

  const leaks = (json: string) =>
    [PHONE, '4155550188', EMAIL, 'navy.example', AGENT.email].filter((s) => json.includes(s));

  it('a help-desk ticket: the brief quotes its thread; the call is posted and the agent thanked by mention', async () => {
    zendesk.setTicket('100', {
      thread: [
        {
          author: 'customer',
          html: '<p>I was charged <b>twice</b> &amp; nobody calls back.</p>',
          at: new Date('2026-11-28T09:00:00Z'),
        },
        {
          author: 'agent',
          private: true,
          html: 'Internal: refund approved by finance',
          at: new Date('2026-11-28T10:00:00Z'),
        },
        { author: 'agent', html: 'We are on it, sorry.', at: new Date('2026-11-28T11:00:00Z') },
      ],
    });
    const id = await intake({
      source: 'zendesk',
      externalId: '100',
      url: 'https://acme.zendesk.com/agent/tickets/100',
      customer: { name: 'Grace Hopper', company: 'Navy Labs', phone: PHONE, email: EMAIL },
      assignee: { name: AGENT.name, email: AGENT.email },
    });
    const { claimId, ackMs } = await claimAs(EXEC_1, id);
    expect(ackMs).toBeLessThan(1_500);

    const brief = await postTo(EXEC_1, 'In their words');
    expect(brief).toContain('I was charged twice &amp; nobody calls back.');
    expect(brief).toContain('We are on it, sorry.');
    expect(brief).not.toContain('refund approved');
    expect(brief).toContain('First complaint from this customer.');
    expect(brief).toContain(`tel:${PHONE}`);
    expect(zendesk.requestsTo('GET', '/api/v2/tickets/100/comments.json')).toHaveLength(1);

    await clickButton(app.slackTarget, {
      actionId: 'log_outcome',
      value: String(claimId),
      userId: EXEC_1,
      channelId: `D${EXEC_1}`,
    });
    const [open] = await slack.waitFor('views.open', 1);
    expect(JSON.stringify(open?.args.view)).toContain('Posted in the support channel');

    await logCall(EXEC_1, claimId, {
      outcome: 'reached',
      notes: 'She wants it in writing.',
      thanks: 'Your notes made the call easy.',
    });
    const post = await postTo(SUPPORT_CHANNEL, 'called the customer on this ticket', 'Zendesk #100');
    expect(post).toContain('*Reached the customer*');
    expect(post).toContain('<https://acme.zendesk.com/agent/tickets/100|Zendesk #100>');
    const thanks = await postTo(SUPPORT_CHANNEL, 'Thank you, ', 'Zendesk #100');
    expect(thanks).toContain(`Thank you, <@${AGENT.id}>!`);
    expect(thanks).toContain('Your notes made the call easy.');
    // Other tests of this file thank other agents on the same fake Slack: look for this agent, and for no customer.
    const lookedUp = slack.callsTo('users.lookupByEmail').map((c) => String(c.args.email));
    expect(lookedUp).toContain(AGENT.email);
    expect(lookedUp.filter((email) => !email.endsWith('@support.example'))).toEqual([]);
    for (const message of postsTo(SUPPORT_CHANNEL)) expect(leaks(message)).toEqual([]);
  });

  it('an escalation: the lead hears of the claim and of each call; the team is thanked when no agent is known', async () => {
    const escalated = await submitView(app.slackTarget, {
      callbackId: 'escalate_modal',
      userId: LEAD_1,
      privateMetadata: JSON.stringify({ channelId: 'C1' }),
      values: {
        customer_name: { value: textValue('Ada Byron') },
        company: { value: textValue('Engines Ltd') },
        customer_phone: { value: textValue('+442079460001') },
        customer_email: { value: textValue('ada@engines.example') },
        customer_timezone: { value: textValue('Europe/London') },
        ticket_url: { value: textValue('https://desk.example/tickets/7') },
        subject: { value: textValue('Export lost a week of data') },
        support_tried: { value: textValue('Restored from backup') },
        priority: { value: selectValue('urgent') },
        do_not_call: { value: checkboxValue([]) },
      },
    });
    expect(escalated.status).toBe(200);
    const complaint = await waitFor(
      () => db.db.selectFrom('complaints').select('id').where('escalated_by', '=', LEAD_1).executeTakeFirst(),
      { what: 'the escalation to be stored' },
    );
    const { claimId } = await claimAs(EXEC_2, complaint.id);
    await postTo(LEAD_1, `<@${EXEC_2}> claimed the complaint you escalated`);
    const brief = await postTo(EXEC_2, 'Your call', 'Export lost a week of data');
    expect(brief).not.toContain('ticket thread');

    await logCall(EXEC_2, claimId, { outcome: 'voicemail', followUp: '2099-01-01' });
    await postTo(LEAD_1, 'Left a voicemail');
    await logCall(EXEC_2, claimId, { outcome: 'reached', notes: 'Call +44 20 7946 0001 on Fridays.', thanks: null });
    const dm = await postTo(LEAD_1, 'Reached the customer');
    expect(dm).toContain('Call [phone] on Fridays.');
    await postTo(SUPPORT_CHANNEL, 'Thank you, support team!', 'desk.example/tickets/7');
    await postTo(SUPPORT_CHANNEL, '*Reached the customer*', 'desk.example/tickets/7');
    // One post for the reached call (queued after the voicemail's DMs, so any post for the voicemail would be here).
    const called = postsTo(SUPPORT_CHANNEL).filter((p) => p.includes('desk.example/tickets/7'));
    expect(called.filter((p) => p.includes('called the customer on this ticket'))).toHaveLength(1);
    for (const message of [...postsTo(LEAD_1), ...postsTo(SUPPORT_CHANNEL)]) {
      expect(message).not.toContain('ada@engines.example');
      expect(message).not.toContain('7946');
    }
  });

  it('the same customer again: the brief lists the earlier complaint, its call and who made it', async () => {
    const customer = { name: 'Alan Turing', company: 'Bletchley Works' };
    const earlier = await intake({ externalId: 'earlier-1', customer: { ...customer, phone: '+14155550199' } });
    const first = await claimAs(EXEC_1, earlier);
    await logCall(EXEC_1, first.claimId, { outcome: 'reached' });

    zendesk.setTicket('101', { thread: [] });
    const id = await intake({
      source: 'zendesk',
      externalId: '101',
      customer: { name: customer.name, phone: '415-555-0199' },
      assignee: { name: 'Bob Agent', email: 'bob@support.example' },
    });
    const { claimId } = await claimAs(EXEC_2, id);
    const brief = await postTo(EXEC_2, 'Earlier complaints (1)');
    expect(brief).toContain('Webhook #earlier-1');
    expect(brief).toContain('(same phone)');
    expect(brief).toContain(`<@${EXEC_1}> · Reached the customer · Advocate`);
    expect(brief).toContain('The ticket has no public messages yet.');

    // An agent Slack does not know by email is thanked by name.
    await logCall(EXEC_2, claimId, { outcome: 'declined', thanks: '' });
    await postTo(SUPPORT_CHANNEL, 'Thank you, *Bob Agent*!');
  });

  it.each([
    ['slow', { delayMs: 6_000 }, 'the help desk took more than 3 s to answer'],
    ['failing', { status: 500 as const }, 'the help desk answered HTTP 500'],
  ])(
    'a %s help desk: the claim is acknowledged at once and the brief goes without the thread, saying so',
    async (_scenario, failure, reason) => {
      const ticket = String(200 + Math.floor(Math.random() * 1_000));
      zendesk.setTicket(ticket, { thread: [{ author: 'customer', html: 'hello', at: new Date() }] });
      zendesk.failNext(failure, 1, { method: 'GET', path: `/api/v2/tickets/${ticket}/comments.json` });
      const id = await intake({ source: 'zendesk', externalId: ticket, customer: { name: `Someone ${ticket}` } });
      const { ackMs } = await claimAs(EXEC_1, id);
      expect(ackMs).toBeLessThan(1_500);
      const brief = await postTo(EXEC_1, `Couldn't load the ticket thread: ${reason}`);
      expect(brief).not.toContain('In their words');
      expect(brief).toContain('Listen first');
    },
  );
});
