import type { HelpDeskClientOptions } from '../../../src/helpdesks/client.helpers';
import { createHelpScoutClient, HELPSCOUT_TOKEN_MARGIN_MS } from '../../../src/helpdesks/helpscout/helpscout.client';
import { FAKE_CREDENTIALS, type FakeHelpDesk, startFakeHelpDesk } from '../../helpers/fake-helpdesks';
import { apiError, describeErrorClasses } from '../client-errors';

const CONVERSATION = '2391938111';
const TOKEN_PATH = '/v2/oauth2/token';
const at = (minute: number) => new Date(Date.UTC(2026, 10, 23, 9, minute));

let fake: FakeHelpDesk<'helpscout'>;
const client = (options?: HelpDeskClientOptions) => createHelpScoutClient(fake.config, options);
const tokenRequests = () => fake.requestsTo('POST', TOKEN_PATH);

beforeAll(async () => {
  fake = await startFakeHelpDesk('helpscout');
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.reset();
  fake.setTokenLifetime(7200);
  fake.setTicket(CONVERSATION, {
    tags: ['vip'],
    thread: [
      { author: 'customer', html: '<div>I was promised a refund on <b>3 Nov</b>.<br>Still nothing.</div>', at: at(57) },
      { author: 'agent', private: true, html: '<p>Internal: refund approved by finance</p>', at: at(58) },
      { author: 'agent', html: '<p>It is on its way.</p>', at: at(59) },
    ],
  });
});

describe('Help Scout token (client credentials)', () => {
  it('asks for a token with grant_type client_credentials and the app id and secret, then uses it as a bearer', async () => {
    await client().addInternalNote(CONVERSATION, { text: 'Called.', tags: [] });
    expect(tokenRequests()[0]?.body).toEqual({
      grant_type: 'client_credentials',
      client_id: FAKE_CREDENTIALS.helpscout.appId,
      client_secret: FAKE_CREDENTIALS.helpscout.appSecret,
    });
    expect(fake.tokens).toHaveLength(1);
    expect(fake.requestsTo('POST', `/v2/conversations/${CONVERSATION}/notes`)[0]?.headers.authorization).toBe(
      `Bearer ${fake.tokens[0]}`,
    );
  });

  it('keeps the token for later calls while it is valid', async () => {
    const hs = client();
    await hs.addInternalNote(CONVERSATION, { text: 'Called.', tags: [] });
    await hs.fetchThread(CONVERSATION, 5);
    await hs.fetchThread(CONVERSATION, 5);
    expect(tokenRequests()).toHaveLength(1);
  });

  it('shares one token request between concurrent calls', async () => {
    const hs = client();
    await Promise.all([hs.fetchThread(CONVERSATION, 5), hs.fetchThread(CONVERSATION, 5)]);
    expect(tokenRequests()).toHaveLength(1);
  });

  it('asks for a new token once the current one is within the safety margin of its expiry', async () => {
    // A token that lives no longer than the margin is already due for renewal when it arrives.
    fake.setTokenLifetime(HELPSCOUT_TOKEN_MARGIN_MS / 1000);
    const hs = client();
    await hs.fetchThread(CONVERSATION, 5);
    await hs.fetchThread(CONVERSATION, 5);
    expect(tokenRequests()).toHaveLength(2);
  });

  it('gets a new token once when a call is refused with 401 (revoked), and the call then succeeds', async () => {
    const hs = client();
    await hs.fetchThread(CONVERSATION, 5);
    fake.revokeTokens();
    const thread = await hs.fetchThread(CONVERSATION, 5);
    expect(thread).toHaveLength(2);
    expect(tokenRequests()).toHaveLength(2);
    const threadCalls = fake.requestsTo('GET', `/v2/conversations/${CONVERSATION}/threads`);
    const [first, second] = fake.tokens;
    expect(threadCalls.map((r) => r.headers.authorization)).toEqual([
      `Bearer ${first}`,
      `Bearer ${first}`,
      `Bearer ${second}`,
    ]);
  });

  it('gives up after that one refresh when the API keeps answering 401: permanent', async () => {
    const hs = client();
    await hs.fetchThread(CONVERSATION, 5);
    fake.failNext({ status: 401 }, 2, { path: `/v2/conversations/${CONVERSATION}/threads` });
    const err = await apiError(() => hs.fetchThread(CONVERSATION, 5));
    expect(err).toMatchObject({ retryable: false, status: 401 });
    expect(tokenRequests()).toHaveLength(2);
  });

  it('names the app settings when Help Scout refuses the app credentials', async () => {
    const wrong = createHelpScoutClient({ ...fake.config, appSecret: 'not-the-secret' });
    const err = await apiError(() => wrong.fetchThread(CONVERSATION, 5));
    expect(err).toMatchObject({ retryable: false, status: 401 });
    expect(err.message).toMatch(/HELPSCOUT_APP_ID and HELPSCOUT_APP_SECRET/);
  });
});

describe('Help Scout addInternalNote', () => {
  it('posts a note thread with the text escaped as HTML', async () => {
    await client().addInternalNote(CONVERSATION, { text: 'Called <Marcus> & "fixed" it.\n\nDone.', tags: [] });
    const [post] = fake.requestsTo('POST', `/v2/conversations/${CONVERSATION}/notes`);
    expect(post?.body).toEqual({ text: '<p>Called &lt;Marcus&gt; &amp; &quot;fixed&quot; it.</p><p>Done.</p>' });
  });

  it('adds a tag by writing back the conversation’s tags with it, since Help Scout replaces the list', async () => {
    await client().addInternalNote(CONVERSATION, { text: 'Called.', tags: ['exec-called'] });
    const [put] = fake.requestsTo('PUT', `/v2/conversations/${CONVERSATION}/tags`);
    expect(put?.body).toEqual({ tags: ['vip', 'exec-called'] });
    expect(fake.ticket(CONVERSATION).tags).toEqual(['vip', 'exec-called']);
    const order = fake.requests.filter((r) => r.path !== TOKEN_PATH).map((r) => r.method);
    expect(order).toEqual(['GET', 'PUT', 'POST']);
  });
});

describe('Help Scout fetchThread', () => {
  it('returns customer and reply threads oldest first, HTML stripped, notes left out', async () => {
    const thread = await client().fetchThread(CONVERSATION, 10);
    expect(thread).toEqual([
      { author: 'customer', text: 'I was promised a refund on 3 Nov.\nStill nothing.', at: at(57) },
      { author: 'agent', text: 'It is on its way.', at: at(59) },
    ]);
  });
});

describeErrorClasses({
  fake: () => fake,
  client,
  ticketId: CONVERSATION,
  vendor: 'Help Scout',
  credentials: /HELPSCOUT_APP_ID and HELPSCOUT_APP_SECRET/,
});
