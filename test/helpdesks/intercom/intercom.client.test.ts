import type { HelpDeskClientOptions } from '../../../src/helpdesks/client.helpers';
import { createIntercomClient, INTERCOM_API_VERSION } from '../../../src/helpdesks/intercom/intercom.client';
import { FAKE_CREDENTIALS, type FakeHelpDesk, startFakeHelpDesk } from '../../helpers/fake-helpdesks';
import { describeErrorClasses } from '../client-errors';

const CONVERSATION = '215469134';
const at = (minute: number) => new Date(Date.UTC(2026, 10, 23, 10, minute));

let fake: FakeHelpDesk<'intercom'>;
const client = (options?: HelpDeskClientOptions) => createIntercomClient(fake.config, options);

beforeAll(async () => {
  fake = await startFakeHelpDesk('intercom');
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.reset();
  fake.setTicket(CONVERSATION, {
    tags: ['vip'],
    thread: [
      { author: 'customer', html: '<p>My order arrived <b>broken</b> &amp; nobody replied.</p>', at: at(0) },
      { author: 'agent', html: '<p>So sorry, sending a new one.</p>', at: at(4) },
      { author: 'agent', private: true, html: '<p>Internal: VIP account</p>', at: at(5) },
      { author: 'customer', html: '<p>Thanks.</p>', at: at(9) },
    ],
  });
});

describe('Intercom addInternalNote', () => {
  it('sends the access token as a bearer and pins the Intercom-Version', async () => {
    await client().addInternalNote(CONVERSATION, { text: 'Called.', tags: [] });
    expect(fake.requests[0]?.headers.authorization).toBe(`Bearer ${FAKE_CREDENTIALS.intercom.accessToken}`);
    expect(fake.requests[0]?.headers['intercom-version']).toBe(INTERCOM_API_VERSION);
  });

  it('replies with a note (message_type "note") as the admin, the text escaped as HTML', async () => {
    await client().addInternalNote(CONVERSATION, { text: 'Called <Priya> & "sorted" it.', tags: [] });
    const [reply] = fake.requestsTo('POST', `/conversations/${CONVERSATION}/reply`);
    expect(reply?.body).toEqual({
      message_type: 'note',
      type: 'admin',
      admin_id: FAKE_CREDENTIALS.intercom.adminId,
      body: '<p>Called &lt;Priya&gt; &amp; &quot;sorted&quot; it.</p>',
    });
  });

  it('finds or creates the tag by name, tags the conversation with its id, then writes the note', async () => {
    await client().addInternalNote(CONVERSATION, { text: 'Called.', tags: ['exec-called'] });
    await client().addInternalNote(CONVERSATION, { text: 'Called again.', tags: ['exec-called'] });
    const tagId = fake.intercomTags.get('exec-called');
    expect(fake.intercomTags.size).toBe(1);
    expect(fake.requests.slice(0, 3).map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /tags',
      `POST /conversations/${CONVERSATION}/tags`,
      `POST /conversations/${CONVERSATION}/reply`,
    ]);
    expect(fake.requests[0]?.body).toEqual({ name: 'exec-called' });
    expect(fake.requests[1]?.body).toEqual({ id: tagId, admin_id: FAKE_CREDENTIALS.intercom.adminId });
    expect(fake.ticket(CONVERSATION).tags).toEqual(['vip', 'exec-called']);
  });
});

describe('Intercom fetchThread', () => {
  it('returns the opening message and the comment parts, oldest first, leaving out notes and bodiless events', async () => {
    const thread = await client().fetchThread(CONVERSATION, 10);
    expect(thread).toEqual([
      { author: 'customer', text: 'My order arrived broken & nobody replied.', at: at(0) },
      { author: 'agent', text: 'So sorry, sending a new one.', at: at(4) },
      { author: 'customer', text: 'Thanks.', at: at(9) },
    ]);
  });

  it('keeps the newest `limit`', async () => {
    const thread = await client().fetchThread(CONVERSATION, 2);
    expect(thread.map((m) => m.text)).toEqual(['So sorry, sending a new one.', 'Thanks.']);
  });
});

describeErrorClasses({
  fake: () => fake,
  client,
  ticketId: CONVERSATION,
  vendor: 'Intercom',
  credentials: /INTERCOM_ACCESS_TOKEN/,
});
