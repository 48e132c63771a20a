import type { HelpDeskClientOptions } from '../../../src/helpdesks/client.helpers';
import { textToAdf } from '../../../src/helpdesks/jira/adf';
import { createJiraClient } from '../../../src/helpdesks/jira/jira.client';
import { createLogger } from '../../../src/logger';
import { FAKE_CREDENTIALS, type FakeHelpDesk, startFakeHelpDesk } from '../../helpers/fake-helpdesks';
import { describeErrorClasses } from '../client-errors';

const ISSUE = 'SUP-12';
const at = (minute: number) => new Date(Date.UTC(2026, 10, 23, 10, minute));

let fake: FakeHelpDesk<'jira'>;
const client = (options?: HelpDeskClientOptions) => createJiraClient(fake.config, options);

beforeAll(async () => {
  fake = await startFakeHelpDesk('jira');
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.reset();
  fake.setTicket(ISSUE, {
    tags: ['VIP', 'exports'],
    thread: [
      { author: 'customer', html: 'Every nightly export fails with E502.', at: at(0) },
      { author: 'agent', html: 'Looking into it.', at: at(2) },
      { author: 'agent', private: true, html: 'Internal: linked to INC-7', at: at(3) },
      { author: 'customer', html: 'Finance is blocked.', at: at(7) },
    ],
  });
});

describe('textToAdf', () => {
  it('makes a paragraph per block and a hard break per line, with the text in text nodes as it is', () => {
    expect(textToAdf('Line <b>one</b>\nline two\n\n*not bold*')).toEqual({
      type: 'doc',
      version: 1,
      content: [
        {
          type: 'paragraph',
          content: [
            { type: 'text', text: 'Line <b>one</b>' },
            { type: 'hardBreak' },
            { type: 'text', text: 'line two' },
          ],
        },
        { type: 'paragraph', content: [{ type: 'text', text: '*not bold*' }] },
      ],
    });
  });

  it('never makes an empty text node', () => {
    expect(JSON.stringify(textToAdf('a\n\n\n\nb\n'))).not.toMatch(/"text":""/);
  });
});

describe('Jira addInternalNote', () => {
  it('authenticates with basic auth, email and API token', async () => {
    await client().addInternalNote(ISSUE, { text: 'Called.', tags: [] });
    const { email, apiToken } = FAKE_CREDENTIALS.jira;
    expect(fake.requests[0]?.headers.authorization).toBe(
      `Basic ${Buffer.from(`${email}:${apiToken}`).toString('base64')}`,
    );
  });

  it('posts an ADF comment that JSM keeps internal (sd.public.comment internal: true)', async () => {
    await client().addInternalNote(ISSUE, { text: 'Exec called.\nAll good.', tags: [] });
    const [post] = fake.requestsTo('POST', `/rest/api/3/issue/${ISSUE}/comment`);
    expect(post?.body).toEqual({
      body: textToAdf('Exec called.\nAll good.'),
      properties: [{ key: 'sd.public.comment', value: { internal: true } }],
    });
    expect(fake.ticket(ISSUE).thread.at(-1)).toMatchObject({ private: true, html: 'Exec called.\nAll good.' });
  });

  it('adds labels with the update verb, before the comment, keeping the issue’s own', async () => {
    await client().addInternalNote(ISSUE, { text: 'Called.', tags: ['exec-called'] });
    expect(fake.requests.map((r) => r.method)).toEqual(['PUT', 'POST']);
    expect(fake.requests[0]?.body).toEqual({ update: { labels: [{ add: 'exec-called' }] } });
    expect(fake.ticket(ISSUE).tags).toEqual(['VIP', 'exports', 'exec-called']);
  });

  it('still comments when the labels field cannot be set (not on the edit screen), and logs why', async () => {
    const lines: string[] = [];
    const logger = createLogger('warn', { write: (line: string) => lines.push(line) });
    fake.failNext({ status: 400 }, 1, { method: 'PUT' });
    await client({ logger }).addInternalNote(ISSUE, { text: 'Called.', tags: ['exec-called'] });
    expect(fake.requestsTo('POST', `/rest/api/3/issue/${ISSUE}/comment`)).toHaveLength(1);
    expect(lines.join('')).toMatch(/"vendor":"Jira".*refused the tags/);
  });
});

describe('Jira fetchThread', () => {
  it('returns the description and the public comments, oldest first; the reporter is the customer', async () => {
    const thread = await client().fetchThread(ISSUE, 10);
    expect(fake.requestsTo('GET', `/rest/api/3/issue/${ISSUE}/comment`)[0]?.query).toEqual({
      orderBy: '-created',
      maxResults: '100',
    });
    expect(thread).toEqual([
      { author: 'customer', text: 'Every nightly export fails with E502.', at: at(0) },
      { author: 'agent', text: 'Looking into it.', at: at(2) },
      { author: 'customer', text: 'Finance is blocked.', at: at(7) },
    ]);
  });

  it('keeps the newest `limit`', async () => {
    const thread = await client().fetchThread(ISSUE, 1);
    expect(thread.map((m) => m.text)).toEqual(['Finance is blocked.']);
  });
});

describeErrorClasses({
  fake: () => fake,
  client,
  ticketId: ISSUE,
  vendor: 'Jira',
  credentials: /JIRA_EMAIL and JIRA_API_TOKEN/,
});
