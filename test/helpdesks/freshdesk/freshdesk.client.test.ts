import type { HelpDeskClientOptions } from '../../../src/helpdesks/client.helpers';
import { createFreshdeskClient } from '../../../src/helpdesks/freshdesk/freshdesk.client';
import { createLogger } from '../../../src/logger';
import { FAKE_CREDENTIALS, type FakeHelpDesk, startFakeHelpDesk } from '../../helpers/fake-helpdesks';
import { apiError, describeErrorClasses } from '../client-errors';

const TICKET = '8812';
const at = (minute: number) => new Date(Date.UTC(2026, 10, 23, 10, minute));

let fake: FakeHelpDesk<'freshdesk'>;
const client = (options?: HelpDeskClientOptions) => createFreshdeskClient(fake.config, options);

beforeAll(async () => {
  fake = await startFakeHelpDesk('freshdesk');
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.reset();
  fake.setTicket(TICKET, {
    tags: ['Billing', 'vip'],
    thread: [
      { author: 'customer', html: '<div>Our invoice shows the <b>wrong</b> VAT number.</div>', at: at(0) },
      { author: 'agent', html: '<p>We are on it.</p>', at: at(3) },
      { author: 'agent', private: true, html: '<p>Internal: finance ticket FIN-22</p>', at: at(4) },
      { author: 'customer', html: '<p>Any news?</p>', at: at(8) },
    ],
  });
});

describe('Freshdesk addInternalNote', () => {
  it('authenticates with the API key as the basic-auth user and X as the password', async () => {
    await client().addInternalNote(TICKET, { text: 'Called.', tags: [] });
    const expected = `Basic ${Buffer.from(`${FAKE_CREDENTIALS.freshdesk.apiKey}:X`).toString('base64')}`;
    expect(fake.requests[0]?.headers.authorization).toBe(expected);
  });

  it('posts a private note (private: true) with the text escaped as HTML', async () => {
    await client().addInternalNote(TICKET, { text: 'Exec called <Jane> & "fixed" it.\nNext: refund.', tags: [] });
    const [post] = fake.requestsTo('POST', `/api/v2/tickets/${TICKET}/notes`);
    expect(post?.body).toEqual({
      body: '<p>Exec called &lt;Jane&gt; &amp; &quot;fixed&quot; it.<br>Next: refund.</p>',
      private: true,
    });
  });

  it('adds a tag by writing back the ticket’s tags with it, since Freshdesk replaces the list', async () => {
    await client().addInternalNote(TICKET, { text: 'Called.', tags: ['exec-called'] });
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET /api/v2/tickets/${TICKET}`,
      `PUT /api/v2/tickets/${TICKET}`,
      `POST /api/v2/tickets/${TICKET}/notes`,
    ]);
    expect(fake.requestsTo('PUT', `/api/v2/tickets/${TICKET}`)[0]?.body).toEqual({
      tags: ['Billing', 'vip', 'exec-called'],
    });
    expect(fake.ticket(TICKET).tags).toEqual(['Billing', 'vip', 'exec-called']);
  });

  it('does not write the tags when the ticket already has them (any case)', async () => {
    fake.setTicket(TICKET, { tags: ['EXEC-CALLED'], thread: [] });
    await client().addInternalNote(TICKET, { text: 'Called.', tags: ['exec-called'] });
    expect(fake.requestsTo('PUT', `/api/v2/tickets/${TICKET}`)).toEqual([]);
    expect(fake.ticket(TICKET).tags).toEqual(['EXEC-CALLED']);
  });

  it('still writes the note when Freshdesk refuses the tags for good, and logs why', async () => {
    const lines: string[] = [];
    const logger = createLogger('warn', { write: (line: string) => lines.push(line) });
    fake.failNext({ status: 400 }, 1, { method: 'PUT' });
    await client({ logger }).addInternalNote(TICKET, { text: 'Called.', tags: ['exec-called'] });
    expect(fake.requestsTo('POST', `/api/v2/tickets/${TICKET}/notes`)).toHaveLength(1);
    expect(fake.ticket(TICKET).tags).toEqual(['Billing', 'vip']);
    expect(lines.join('')).toMatch(/refused the tags; writing the note without them/);
  });

  it('writes no note when tagging fails in a way worth retrying, so the retry writes it once', async () => {
    fake.failNext({ status: 503 }, 1, { method: 'PUT' });
    const err = await apiError(() => client().addInternalNote(TICKET, { text: 'Called.', tags: ['exec-called'] }));
    expect(err).toMatchObject({ retryable: true, status: 503 });
    expect(fake.requestsTo('POST', `/api/v2/tickets/${TICKET}/notes`)).toEqual([]);
  });
});

describe('Freshdesk fetchThread', () => {
  it('returns the description and the public conversations, oldest first, with authors from `incoming`', async () => {
    const thread = await client().fetchThread(TICKET, 10);
    expect(thread).toEqual([
      { author: 'customer', text: 'Our invoice shows the wrong VAT number.', at: at(0) },
      { author: 'agent', text: 'We are on it.', at: at(3) },
      { author: 'customer', text: 'Any news?', at: at(8) },
    ]);
  });

  it('follows the pages of a long ticket and keeps the newest `limit`', async () => {
    const thread = Array.from({ length: 150 }, (_, i) => ({
      author: 'customer' as const,
      html: `message ${i}`,
      at: new Date(Date.UTC(2026, 10, 1) + i * 60_000),
    }));
    fake.setTicket(TICKET, { thread });
    const newest = await client().fetchThread(TICKET, 3);
    expect(newest.map((m) => m.text)).toEqual(['message 147', 'message 148', 'message 149']);
    expect(fake.requestsTo('GET', `/api/v2/tickets/${TICKET}/conversations`).map((r) => r.query.page)).toEqual([
      '1',
      '2',
    ]);
  });
});

describeErrorClasses({
  fake: () => fake,
  client,
  ticketId: TICKET,
  vendor: 'Freshdesk',
  credentials: /FRESHDESK_API_KEY/,
});
