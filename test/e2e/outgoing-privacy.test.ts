import { verifyPickupSignature } from '../../src/helpdesks/outgoing/outgoing-webhook';
import type { PickupEvent } from '../../src/ports/events.port';
import { EXEC_1, EXEC_2, TEST_INGEST_TOKEN } from '../helpers/config';
import { createFakeHelpDeskClient, type FakeHelpDeskClient } from '../helpers/fake-helpdesk-client';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack';
import { type FakeWebhookReceiver, startFakeWebhookReceiver } from '../helpers/fake-webhook-receiver';
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
  type ValueShape,
} from '../helpers/slack-requests';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { createTestDb, type TestDb } from '../helpers/test-db';

// What leaves Pickup for other systems, the outcome webhook's events and the notes written on the help-desk ticket,
// checked over a whole cycle driven through the real app (signed Slack requests, the fake Slack, a fake Zendesk
// client and a fake receiver): no customer phone or email, whether it came in the customer's fields or inside the
// free text of the ticket, the executive's notes or a survey comment.

const PHONE_AS_SENT = '+1 (415) 555-0142';
const EMAIL = 'margaret.hamilton@apollo.example';
const OTHER_EMAIL = 'jim.lovell@nasa.example';
const SECRET = 'outgoing-privacy-secret-0123';

/** Every form in which a phone or email could leak, compared case-insensitively. */
const SECRETS = [
  '+14155550142',
  PHONE_AS_SENT,
  '+1 415 555 0142',
  '415.555.0142',
  '4155550142',
  '555-0142',
  EMAIL,
  EMAIL.replace('@', '%40'),
  'apollo.example',
  OTHER_EMAIL,
  'nasa.example',
];
const leaks = (text: string): string[] => SECRETS.filter((s) => text.toLowerCase().includes(s.toLowerCase()));

describe('privacy: webhook events and help-desk notes over a whole cycle', () => {
  let db: TestDb;
  let slack: FakeSlack;
  let receiver: FakeWebhookReceiver;
  let zendesk: FakeHelpDeskClient;
  let responses: ResponseUrlServer;
  let app: TestApp;
  let complaintId: number;

  beforeAll(async () => {
    db = await createTestDb();
    slack = await startFakeSlack();
    receiver = await startFakeWebhookReceiver();
    responses = await startResponseUrlServer();
    zendesk = createFakeHelpDeskClient('zendesk');
    slack.setUser(EXEC_1, { real_name: 'Grace Hopper', profile: { real_name: 'Grace Hopper', title: 'COO' } });
    app = await startTestApp(db, slack, {
      env: { OUTCOME_WEBHOOK_URL: receiver.url, OUTCOME_WEBHOOK_SECRET: SECRET, WRITEBACK_TAG: 'exec-called' },
      helpdesks: { zendesk },
    });
    app.slackTarget.responseUrl = responses.url;

    const intake = await fetch(`${app.baseUrl}/webhooks/complaints`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_INGEST_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        source: 'zendesk',
        externalId: '8812',
        subject: `Launch data lost, call ${PHONE_AS_SENT} or ${EMAIL}`,
        description: `Signed: Margaret, Mobile: ${PHONE_AS_SENT}, ${EMAIL}`,
        supportTried: `Called 415.555.0142; escalated to ${OTHER_EMAIL}`,
        url: `https://acme.zendesk.example/agent/tickets/8812?requester=${EMAIL.replace('@', '%40')}`,
        priority: 'urgent',
        customer: {
          name: 'Margaret Hamilton',
          company: `Apollo Guidance (${OTHER_EMAIL})`,
          phone: PHONE_AS_SENT,
          email: EMAIL,
        },
      }),
    });
    expect(intake.status).toBe(201);
    complaintId = ((await intake.json()) as { id: number }).id;

    await sendSlashCommand(app.slackTarget, { command: '/pickup', text: 'pick', userId: EXEC_2, channelId: 'C1' });
    await receiver.waitFor(1);
    await clickButton(app.slackTarget, {
      actionId: 'claim_complaint',
      value: String(complaintId),
      userId: EXEC_1,
      channelId: 'C1',
    });
    await receiver.waitFor(2);
    const claim = await db.db.selectFrom('claims').select('id').executeTakeFirstOrThrow();
    const submitted = await submitView(app.slackTarget, {
      callbackId: 'outcome_modal',
      userId: EXEC_1,
      privateMetadata: JSON.stringify({ claimId: claim.id }),
      values: {
        outcome: { value: selectValue('reached') },
        notes: { value: textValue(`She wants the post-mortem at ${EMAIL}; call back on ${PHONE_AS_SENT}.`) },
        follow_up_date: { value: dateValue(null) },
        advocate: { value: selectValue('advocate') },
        ok_to_quote: { value: checkboxValue(['yes']) },
        change: { value: textValue(`Refunds need an owner; ask ${EMAIL} or ${PHONE_AS_SENT}`) },
        theme: { value: selectValue('billing') },
        action_owner: { value: { type: 'users_select', selected_user: EXEC_2 } satisfies ValueShape },
        action_due: { value: { type: 'datepicker', selected_date: '2099-01-15' } satisfies ValueShape },
      },
    });
    expect(submitted.status).toBe(200);
    await receiver.waitFor(5);
    const action = await db.db.selectFrom('actions').select('id').executeTakeFirstOrThrow();
    await clickButton(app.slackTarget, {
      actionId: 'action_done',
      value: String(action.id),
      userId: EXEC_2,
      channelId: `D${EXEC_2}`,
    });
    await receiver.waitFor(6);
    await clickButton(app.slackTarget, {
      actionId: 'record_evidence',
      value: `${complaintId}:referral`,
      userId: EXEC_1,
      channelId: `D${EXEC_1}`,
    });
    await receiver.waitFor(7);
    const feedback = await fetch(`${app.baseUrl}/webhooks/feedback`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_INGEST_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ complaintId, score: 10, comment: `Wonderful. Write to ${EMAIL} or ${PHONE_AS_SENT}.` }),
    });
    expect(feedback.status).toBe(201);
    await receiver.waitFor(8);
  }, 60_000);

  afterAll(async () => {
    await app?.stop();
    await responses?.close();
    await receiver?.close();
    await slack?.close();
    await db?.close();
  });

  it('sent each event once, signed, in the order things happened', () => {
    const events: PickupEvent[] = receiver.delivered();
    expect(events.map((e) => e.type)).toEqual([
      'complaint.picked',
      'complaint.claimed',
      'action.changed',
      'attempt.logged',
      'advocate.recorded',
      'action.changed',
      'advocate.recorded',
      'advocate.recorded',
    ]);
    expect(new Set(events.map((e) => e.id)).size).toBe(8);
    const actions = events.flatMap((e) => (e.type === 'action.changed' ? [e.data.action] : []));
    expect(actions.map((a) => [a.status, a.theme, a.owner, a.dueDate])).toEqual([
      ['open', 'billing', EXEC_2, '2099-01-15'],
      ['done', 'billing', EXEC_2, '2099-01-15'],
    ]);
    for (const r of receiver.received) {
      expect(r.headers['pickup-event-id']).toBe(r.event.id);
      expect(verifyPickupSignature(SECRET, String(r.headers['pickup-signature']), r.rawBody, Date.now(), 300_000)).toBe(
        true,
      );
    }
  });

  it('wrote the pick, the claim (who will call, from Slack) and the call on the Zendesk ticket', () => {
    expect(zendesk.notes().map((n) => [n.ticketId, n.note.text.split('\n')[0], n.note.tags])).toEqual([
      ['8812', "Pickup picked this complaint for today's executive call.", []],
      ['8812', 'An executive will call: Grace Hopper, COO.', []],
      ['8812', 'An executive called this customer through Pickup.', ['exec-called']],
    ]);
    expect(zendesk.notes()[2]?.note.text).toContain(
      'Learning: She wants the post-mortem at [email]; call back on [phone].',
    );
  });

  it('never carries the customer’s phone or email: not in the fields, not inside free text', () => {
    const everything = [
      ...receiver.received.map((r) => ({ where: `event ${r.event.type}`, text: r.rawBody })),
      ...zendesk.calls.map((c) => ({ where: 'note', text: JSON.stringify(c.note) })),
    ];
    expect(everything.filter((e) => leaks(e.text).length > 0).map((e) => ({ ...e, leaks: leaks(e.text) }))).toEqual([]);
    const claimed = receiver.received.find((r) => r.event.type === 'complaint.claimed');
    expect(claimed?.rawBody).not.toContain('Margaret Hamilton');
    expect(claimed?.rawBody).toContain('Launch data lost, call [phone] or [email]');
  });
});
