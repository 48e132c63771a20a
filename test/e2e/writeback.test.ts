import { sql } from 'kysely';
import { listUndeliveredMessages } from '../../src/outbox/outbox.service';
import { EXEC_1, EXEC_2, TEST_INGEST_TOKEN } from '../helpers/config';
import { FAKE_CREDENTIALS, type FakeHelpDesk, startFakeHelpDesk } from '../helpers/fake-helpdesks';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack';
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
import { waitFor } from '../helpers/wait-for';

// Write-back as an operator sets it up: Zendesk credentials in the environment, Pickup building its own client, and
// the notes reaching a fake Zendesk API through the outbox, with the vendor's own failures on the way.

const TICKET = '8812';

describe('write-back to Zendesk through the outbox, end to end', () => {
  let db: TestDb;
  let slack: FakeSlack;
  let zendesk: FakeHelpDesk<'zendesk'>;
  let responses: ResponseUrlServer;
  let app: TestApp;

  /** The private comments Pickup wrote on the ticket. */
  const notes = () =>
    zendesk
      .ticket(TICKET)
      .thread.filter((t) => t.private)
      .map((t) => t.html);

  beforeAll(async () => {
    db = await createTestDb();
    slack = await startFakeSlack();
    zendesk = await startFakeHelpDesk('zendesk');
    responses = await startResponseUrlServer();
    slack.setUser(EXEC_1, { real_name: 'Grace Hopper', profile: { real_name: 'Grace Hopper', title: 'COO' } });
    app = await startTestApp(db, slack, {
      env: {
        ZENDESK_API_URL: zendesk.url,
        ZENDESK_EMAIL: FAKE_CREDENTIALS.zendesk.email,
        ZENDESK_API_TOKEN: FAKE_CREDENTIALS.zendesk.apiToken,
      },
    });
    app.slackTarget.responseUrl = responses.url;
  });
  afterAll(async () => {
    await app?.stop();
    await responses?.close();
    await zendesk?.close();
    await slack?.close();
    await db?.close();
  });

  it('writes the pick, the claim and the call on the ticket, once each, through a 429 and a 503', async () => {
    zendesk.setTicket(TICKET, {
      tags: ['billing'],
      thread: [{ author: 'customer', html: 'Refund never came.', at: new Date() }],
    });
    const intake = await fetch(`${app.baseUrl}/webhooks/complaints`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_INGEST_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        source: 'zendesk',
        externalId: TICKET,
        subject: 'Refund never came',
        priority: 'urgent',
        customer: { name: 'Ada', phone: '+1 415 555 0142', email: 'ada@analytical.example' },
      }),
    });
    const complaintId = ((await intake.json()) as { id: number }).id;

    zendesk.failNext({ status: 429, retryAfterSeconds: 1 }, 1, { method: 'PUT' });
    await sendSlashCommand(app.slackTarget, { command: '/pickup', text: 'pick', userId: EXEC_2, channelId: 'C1' });
    await waitFor(() => notes().length === 1, { timeoutMs: 10_000, seen: () => `notes: ${JSON.stringify(notes())}` });

    // Aimed at the note (a PUT): the claim also reads the ticket's thread for the brief, which must not take it.
    zendesk.failNext({ status: 503 }, 1, { method: 'PUT' });
    await clickButton(app.slackTarget, { actionId: 'claim_complaint', value: String(complaintId), userId: EXEC_1 });
    await waitFor(() => notes().length === 2, { timeoutMs: 10_000, seen: () => `notes: ${JSON.stringify(notes())}` });

    const claim = await db.db
      .selectFrom('claims')
      .select('id')
      .where('complaint_id', '=', complaintId)
      .executeTakeFirstOrThrow();
    await submitView(app.slackTarget, {
      callbackId: 'outcome_modal',
      userId: EXEC_1,
      privateMetadata: JSON.stringify({ claimId: claim.id }),
      values: {
        outcome: { value: selectValue('reached') },
        notes: { value: textValue('Refunds need a human owner.') },
        follow_up_date: { value: dateValue(null) },
        advocate: { value: selectValue('neutral') },
        ok_to_quote: { value: checkboxValue([]) },
      },
    });
    await waitFor(() => notes().length === 3, { timeoutMs: 10_000, seen: () => `notes: ${JSON.stringify(notes())}` });

    expect(notes()).toEqual([
      "Pickup picked this complaint for today's executive call.",
      'An executive will call: Grace Hopper, COO.',
      'An executive called this customer through Pickup.\nOutcome: Reached the customer\nAdvocacy: Neutral',
    ]);
    expect(zendesk.ticket(TICKET).tags).toEqual(['billing', 'exec-called']);
    // The worker marks a note sent just after Zendesk answers: wait for that, not only for the note to land.
    const noteRows = () =>
      db.db
        .selectFrom('outbox')
        .select(['dedupe_key', 'status', 'attempts'])
        .where('operation', '=', 'helpdesk_note')
        .where(sql<boolean>`payload->>'ticketId' = ${TICKET}`)
        .orderBy('id')
        .execute();
    const rows = await waitFor(
      async () => {
        const found = await noteRows();
        return found.every((r) => r.status !== 'pending') ? found : undefined;
      },
      { timeoutMs: 10_000, what: 'every note marked sent' },
    );
    expect(rows.map((r) => [r.status, r.attempts])).toEqual([
      ['sent', 2],
      ['sent', 2],
      ['sent', 1],
    ]);
  });

  it('fails a note Zendesk refuses for good (401), and says which settings to check', async () => {
    zendesk.failNext({ status: 401 }, 1, { method: 'PUT' });
    const intake = await fetch(`${app.baseUrl}/webhooks/complaints`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_INGEST_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        source: 'zendesk',
        externalId: '9001',
        subject: 'Locked out',
        priority: 'urgent',
        customer: { name: 'Bob' },
      }),
    });
    zendesk.setTicket('9001', { tags: [], thread: [] });
    const complaintId = ((await intake.json()) as { id: number }).id;
    await clickButton(app.slackTarget, { actionId: 'claim_complaint', value: String(complaintId), userId: EXEC_2 });
    const failed = await waitFor(
      async () => {
        const list = await listUndeliveredMessages(db.db, { failedOnly: true, limit: 10 });
        return list.items.length > 0 ? list.items : undefined;
      },
      { timeoutMs: 10_000, what: 'the note to fail' },
    );
    expect(failed).toEqual([
      expect.objectContaining({
        kind: 'note',
        target: 'zendesk ticket 9001',
        reason: expect.stringMatching(/^Zendesk .*\b401\b/),
        advice: expect.stringMatching(/^Zendesk refused Pickup's credentials \(HTTP 401\)\. Check .*ZENDESK_API_TOKEN/),
      }),
    ]);
  });
});
