import type { VendorSource } from '../../src/complaints/complaint';
import { EXEC_1, TEST_INGEST_TOKEN } from '../helpers/config';
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

// The other four help desks, set up as an operator would (their credentials and an API base URL in the
// environment): a claim and a logged call reach each vendor's fake API as internal notes, tagged, with no contact
// details, and the brief quotes the ticket's thread. Zendesk, with its failures, is in writeback.test.ts.

const CUSTOMER = { name: 'Ada Lovelace', phone: '+1 415 555 0142', email: 'ada@analytical.example' };

const VENDORS: { vendor: Exclude<VendorSource, 'zendesk'>; ticket: string; env: (url: string) => NodeJS.ProcessEnv }[] =
  [
    {
      vendor: 'freshdesk',
      ticket: '4412',
      env: (url) => ({ FRESHDESK_API_URL: url, FRESHDESK_API_KEY: FAKE_CREDENTIALS.freshdesk.apiKey }),
    },
    {
      vendor: 'jira',
      ticket: 'SUP-118',
      env: (url) => ({
        JIRA_BASE_URL: url,
        JIRA_EMAIL: FAKE_CREDENTIALS.jira.email,
        JIRA_API_TOKEN: FAKE_CREDENTIALS.jira.apiToken,
      }),
    },
    {
      vendor: 'intercom',
      ticket: '215469437',
      env: (url) => ({
        INTERCOM_API_URL: url,
        INTERCOM_ACCESS_TOKEN: FAKE_CREDENTIALS.intercom.accessToken,
        INTERCOM_ADMIN_ID: FAKE_CREDENTIALS.intercom.adminId,
      }),
    },
    {
      vendor: 'helpscout',
      ticket: '2391938111',
      env: (url) => ({
        HELPSCOUT_API_URL: url,
        HELPSCOUT_APP_ID: FAKE_CREDENTIALS.helpscout.appId,
        HELPSCOUT_APP_SECRET: FAKE_CREDENTIALS.helpscout.appSecret,
      }),
    },
  ];

/** A note's text as the support team reads it: markup and entities of the vendor's format taken out. */
function readable(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'");
}

describe.each(VENDORS)('write-back to $vendor, end to end', ({ vendor, ticket, env }) => {
  let db: TestDb;
  let slack: FakeSlack;
  let helpdesk: FakeHelpDesk;
  let responses: ResponseUrlServer;
  let app: TestApp;

  const notes = () =>
    helpdesk
      .ticket(ticket)
      .thread.filter((t) => t.private)
      .map((t) => readable(t.html));

  beforeAll(async () => {
    db = await createTestDb();
    slack = await startFakeSlack();
    helpdesk = await startFakeHelpDesk(vendor);
    responses = await startResponseUrlServer();
    slack.setUser(EXEC_1, { real_name: 'Grace Hopper', profile: { real_name: 'Grace Hopper', title: 'COO' } });
    app = await startTestApp(db, slack, { env: env(helpdesk.url) });
    app.slackTarget.responseUrl = responses.url;
  });
  afterAll(async () => {
    await app?.stop();
    await responses?.close();
    await helpdesk?.close();
    await slack?.close();
    await db?.close();
  });

  it('notes the claim and the call on the ticket as internal notes, tagged, without contact details', async () => {
    helpdesk.setTicket(ticket, {
      tags: ['billing'],
      thread: [{ author: 'customer', html: '<p>The refund never came &amp; nobody answers.</p>', at: new Date() }],
    });
    const intake = await fetch(`${app.baseUrl}/webhooks/complaints`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_INGEST_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        source: vendor,
        externalId: ticket,
        subject: 'Refund never came',
        priority: 'urgent',
        customer: CUSTOMER,
      }),
    });
    expect(intake.status).toBe(201);
    const complaintId = ((await intake.json()) as { id: number }).id;

    await clickButton(app.slackTarget, { actionId: 'claim_complaint', value: String(complaintId), userId: EXEC_1 });
    await waitFor(() => notes().length === 1, { timeoutMs: 15_000, seen: () => `notes: ${JSON.stringify(notes())}` });
    const brief = await waitFor(
      () =>
        slack
          .callsTo('chat.postMessage')
          .find((c) => c.args.channel === EXEC_1 && /In their words/.test(JSON.stringify(c.args))),
      { timeoutMs: 15_000, what: "the brief with the customer's words" },
    );
    expect(JSON.stringify(brief.args)).toContain('The refund never came');

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
        notes: { value: textValue(`She asked us to write to ${CUSTOMER.email}.`) },
        follow_up_date: { value: dateValue(null) },
        advocate: { value: selectValue('neutral') },
        ok_to_quote: { value: checkboxValue(['yes']) },
      },
    });
    await waitFor(() => notes().length === 2, { timeoutMs: 15_000, seen: () => `notes: ${JSON.stringify(notes())}` });

    expect(notes()[0]).toBe('An executive will call: Grace Hopper, COO.');
    expect(notes()[1]).toContain('Outcome: Reached the customer');
    for (const note of notes()) {
      expect(note).not.toContain(CUSTOMER.email);
      expect(note.replace(/\D/g, '')).not.toContain('4155550142');
    }
    expect(helpdesk.ticket(ticket).tags).toEqual(['billing', 'exec-called']);
  }, 60_000);
});
