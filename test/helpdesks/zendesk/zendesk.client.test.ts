import type { HelpDeskClientOptions } from '../../../src/helpdesks/client.helpers';
import { createZendeskClient } from '../../../src/helpdesks/zendesk/zendesk.client';
import { FAKE_CREDENTIALS, type FakeHelpDesk, startFakeHelpDesk } from '../../helpers/fake-helpdesks';
import { describeErrorClasses } from '../client-errors';

const TICKET = '5158';
const at = (minute: number) => new Date(Date.UTC(2026, 10, 23, 10, minute));

let fake: FakeHelpDesk<'zendesk'>;
const client = (options?: HelpDeskClientOptions) => createZendeskClient(fake.config, options);

beforeAll(async () => {
  fake = await startFakeHelpDesk('zendesk');
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.reset();
  fake.setTicket(TICKET, {
    tags: ['billing', 'vip'],
    thread: [
      { author: 'customer', html: '<p>I was charged <b>twice</b> &amp; want a call.</p>', at: at(0) },
      { author: 'agent', html: '<p>Sorry! Refund is on its way.</p>', at: at(5) },
      { author: 'agent', private: true, html: 'Internal: customer is an exec contact', at: at(6) },
      { author: 'customer', html: '<p>Still nothing.</p>', at: at(9) },
    ],
  });
});

describe('Zendesk addInternalNote', () => {
  it('authenticates as {email}/token with the API token', async () => {
    await client().addInternalNote(TICKET, { text: 'Called.', tags: [] });
    const { email, apiToken } = FAKE_CREDENTIALS.zendesk;
    const expected = `Basic ${Buffer.from(`${email}/token:${apiToken}`).toString('base64')}`;
    expect(fake.requests[0]?.headers.authorization).toBe(expected);
  });

  it('authenticates with an OAuth token as a bearer when ZENDESK_OAUTH_TOKEN is the credential', async () => {
    const oauth = createZendeskClient({ baseUrl: fake.url, oauthToken: FAKE_CREDENTIALS.zendesk.oauthToken });
    await oauth.addInternalNote(TICKET, { text: 'Called.', tags: [] });
    expect(fake.requests[0]?.headers.authorization).toBe(`Bearer ${FAKE_CREDENTIALS.zendesk.oauthToken}`);
  });

  it('updates the ticket with a private comment (public: false) holding the text as it is', async () => {
    const text = 'Exec called <Jane> & left a voicemail.\nFollow-up on Monday.';
    await client().addInternalNote(TICKET, { text, tags: [] });
    const [put] = fake.requestsTo('PUT', `/api/v2/tickets/${TICKET}.json`);
    expect(put?.body).toEqual({ ticket: { comment: { body: text, public: false } } });
    expect(fake.ticket(TICKET).thread.at(-1)).toMatchObject({ private: true, html: text });
  });

  it('adds the tags with additional_tags in the same call, keeping the ticket’s own', async () => {
    await client().addInternalNote(TICKET, { text: 'Called.', tags: ['exec-called'] });
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]?.body).toEqual({
      ticket: { comment: { body: 'Called.', public: false }, additional_tags: ['exec-called'] },
    });
    expect(fake.ticket(TICKET).tags).toEqual(['billing', 'vip', 'exec-called']);
  });
});

describe('Zendesk fetchThread', () => {
  it('reads the comments newest first with their authors, and returns the public ones oldest first', async () => {
    const thread = await client().fetchThread(TICKET, 10);
    expect(fake.requests[0]?.query).toEqual({ sort_order: 'desc', include: 'users' });
    expect(thread).toEqual([
      { author: 'customer', text: 'I was charged twice & want a call.', at: at(0) },
      { author: 'agent', text: 'Sorry! Refund is on its way.', at: at(5) },
      { author: 'customer', text: 'Still nothing.', at: at(9) },
    ]);
  });

  it('keeps the newest `limit` messages', async () => {
    const thread = await client().fetchThread(TICKET, 2);
    expect(thread.map((m) => m.text)).toEqual(['Sorry! Refund is on its way.', 'Still nothing.']);
  });

  it('leaves out the note it just wrote', async () => {
    await client().addInternalNote(TICKET, { text: 'Exec called.', tags: [] });
    const thread = await client().fetchThread(TICKET, 10);
    expect(thread.map((m) => m.text)).not.toContain('Exec called.');
  });
});

describeErrorClasses({
  fake: () => fake,
  client,
  ticketId: TICKET,
  vendor: 'Zendesk',
  credentials: /ZENDESK_EMAIL and ZENDESK_API_TOKEN/,
});
