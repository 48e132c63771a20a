import { EXEC_CHANNEL, LEAD_1, OUTSIDER } from '../helpers/config';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack';
import {
  checkboxValue,
  type ResponseUrlServer,
  selectValue,
  sendShortcut,
  sendSlashCommand,
  startResponseUrlServer,
  submitView,
  textValue,
} from '../helpers/slack-requests';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { createTestDb, emptyTables, type TestDb, waitForOutboxIdle } from '../helpers/test-db';

describe('/escalate and the escalate_message shortcut, end to end', () => {
  let db: TestDb;
  let slack: FakeSlack;
  let app: TestApp;
  let responses: ResponseUrlServer;

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
  beforeEach(async () => {
    await emptyTables(db.db);
    slack.reset();
    responses.reset();
  });
  // A notice still in flight would land in the next test's fake Slack.
  afterEach(() => waitForOutboxIdle(db.db));

  const form = (overrides: Record<string, string | null> = {}) => {
    const v = {
      customer_name: 'Grace Hopper',
      company: 'Navy <!here>',
      customer_phone: '+1 (202) 555-0147',
      customer_email: 'grace@example.com',
      customer_timezone: 'America/New_York',
      ticket_url: 'https://desk.example.com/tickets/42',
      subject: 'Outage lost a day of orders',
      support_tried: 'Restarted sync; credited one month',
      ...overrides,
    };
    return {
      ...Object.fromEntries(Object.entries(v).map(([k, val]) => [k, { value: textValue(val) }])),
      priority: { value: selectValue('high') },
      do_not_call: { value: checkboxValue([]) },
    };
  };

  it('refuses anyone who is not a support lead, saying who may', async () => {
    await sendSlashCommand(app.slackTarget, { command: '/escalate', text: 'x', userId: OUTSIDER, channelId: 'C1' });
    const [answer] = await responses.waitFor(1);
    expect(JSON.stringify(answer?.body)).toContain(`Only support leads can escalate`);
    expect(JSON.stringify(answer?.body)).toContain(`<@${LEAD_1}>`);
    expect(slack.callsTo('views.open')).toHaveLength(0);
  });

  it('opens the modal prefilled from the command text', async () => {
    await sendSlashCommand(app.slackTarget, {
      command: '/escalate',
      text: 'https://desk.example.com/tickets/7 Customer furious about refund',
      userId: LEAD_1,
      channelId: 'C1',
    });
    const [open] = await slack.waitFor('views.open', 1);
    const view = open?.args.view as {
      callback_id: string;
      blocks: { block_id?: string; element?: { initial_value?: string } }[];
    };
    expect(view.callback_id).toBe('escalate_modal');
    const byId = Object.fromEntries(view.blocks.map((b) => [b.block_id, b.element?.initial_value]));
    expect(byId.ticket_url).toBe('https://desk.example.com/tickets/7');
    expect(byId.subject).toBe('Customer furious about refund');
    for (const id of [
      'customer_name',
      'company',
      'customer_phone',
      'customer_email',
      'customer_timezone',
      'support_tried',
      'priority',
    ]) {
      expect(Object.keys(byId)).toContain(id);
    }
  });

  it('shows inline errors for every invalid field and writes nothing', async () => {
    const res = await submitView(app.slackTarget, {
      callbackId: 'escalate_modal',
      userId: LEAD_1,
      values: form({
        customer_name: null,
        customer_email: 'not-an-email',
        customer_phone: '12',
        customer_timezone: 'Mars/Base',
        ticket_url: 'ftp://x.example.com',
        subject: null,
      }),
    });
    const body = res.json() as { response_action: string; errors: Record<string, string> };
    expect(body.response_action).toBe('errors');
    expect(Object.keys(body.errors).sort()).toEqual(
      ['customer_email', 'customer_name', 'customer_phone', 'customer_timezone', 'subject', 'ticket_url'].sort(),
    );
    expect(await db.db.selectFrom('complaints').selectAll().execute()).toHaveLength(0);
  });

  it('stores a valid escalation, confirms to the lead and notifies executives without contact details', async () => {
    const res = await submitView(app.slackTarget, {
      callbackId: 'escalate_modal',
      userId: LEAD_1,
      privateMetadata: JSON.stringify({ channelId: 'C1' }),
      values: form(),
    });
    expect(res.status).toBe(200);
    const row = await db.db.selectFrom('complaints').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      source: 'slack',
      escalated_by: LEAD_1,
      customer_phone: '+12025550147',
      customer_email: 'grace@example.com',
      is_major: true,
      do_not_call: false,
    });
    const [confirm] = await slack.waitFor('chat.postEphemeral', 1);
    expect(confirm?.args).toMatchObject({ channel: 'C1', user: LEAD_1 });
    const [notice] = await slack.waitFor('chat.postMessage', 1);
    const json = JSON.stringify(notice?.args);
    expect(notice?.args.channel).toBe(EXEC_CHANNEL);
    expect(json).toContain('Outage lost a day of orders');
    expect(json).toContain('Navy &lt;!here&gt;');
    expect(json).not.toContain('555');
    expect(json).not.toContain('grace@example.com');
    const audit = await db.db.selectFrom('audit_log').selectAll().where('complaint_id', '=', row.id).execute();
    expect(audit).toEqual([expect.objectContaining({ actor: LEAD_1, action: 'complaint.received' })]);
  });

  it('refuses a modal submission from a non-lead', async () => {
    const res = await submitView(app.slackTarget, {
      callbackId: 'escalate_modal',
      userId: OUTSIDER,
      values: form({ ticket_url: 'https://d.example.com/9' }),
    });
    expect(res.json()).toMatchObject({ response_action: 'errors' });
    expect(await db.db.selectFrom('complaints').selectAll().execute()).toHaveLength(0);
  });

  it.each([
    ['not JSON', '{channelId:'],
    ['the wrong shape', JSON.stringify({ channelId: 7 })],
  ])('refuses a modal whose metadata is %s, in the modal, before writing anything', async (_name, metadata) => {
    const res = await submitView(app.slackTarget, {
      callbackId: 'escalate_modal',
      userId: LEAD_1,
      privateMetadata: metadata,
      values: form({ ticket_url: 'https://d.example.com/stale' }),
    });
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({
      response_action: 'errors',
      errors: { subject: expect.stringContaining('This form is out of date') },
    });
    expect(await db.db.selectFrom('complaints').selectAll().execute()).toHaveLength(0);
    expect(slack.callsTo('chat.postMessage')).toHaveLength(0);
  });

  it('stores a do-not-call escalation that is never offered for a call', async () => {
    const values = {
      ...form({ ticket_url: 'https://desk.example.com/tickets/99' }),
      do_not_call: { value: checkboxValue(['yes']) },
    };
    await submitView(app.slackTarget, { callbackId: 'escalate_modal', userId: LEAD_1, values });
    const row = await db.db
      .selectFrom('complaints')
      .selectAll()
      .where('external_id', '=', 'ticket:https://desk.example.com/tickets/99')
      .executeTakeFirstOrThrow();
    expect(row.do_not_call).toBe(true);
    const [notice] = await slack.waitFor('chat.postMessage', 1);
    expect(JSON.stringify(notice?.args)).not.toContain('claim_complaint');
  });

  it('opens the same modal from the message shortcut, prefilled with the permalink', async () => {
    await sendShortcut(app.slackTarget, {
      callbackId: 'escalate_message',
      userId: LEAD_1,
      channelId: 'CSUPPORT1',
      message: {
        ts: '1732350000.000200',
        text: 'Customer says the app deleted their invoices\nThey want a call',
        user: 'U9',
      },
    });
    const [open] = await slack.waitFor('views.open', 1);
    expect(slack.callsTo('chat.getPermalink')).toHaveLength(1);
    const view = open?.args.view as { blocks: { block_id?: string; element?: { initial_value?: string } }[] };
    const byId = Object.fromEntries(view.blocks.map((b) => [b.block_id, b.element?.initial_value]));
    expect(byId.ticket_url).toMatch(/^https:\/\/test\.slack\.com\/archives\/CSUPPORT1\/p/);
    expect(byId.subject).toBe('Customer says the app deleted their invoices');
  });

  it('refuses the shortcut to a non-lead', async () => {
    await sendShortcut(app.slackTarget, {
      callbackId: 'escalate_message',
      userId: OUTSIDER,
      channelId: 'CSUPPORT1',
      message: { ts: '1732350000.000300', text: 'hello', user: 'U9' },
    });
    const [answer] = await responses.waitFor(1);
    expect(JSON.stringify(answer?.body)).toContain('Only support leads');
    expect(slack.callsTo('views.open')).toHaveLength(0);
  });
});
