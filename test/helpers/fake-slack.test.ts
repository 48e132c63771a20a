import {
  ErrorCode,
  type Logger,
  LogLevel,
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebClient,
} from '@slack/web-api';
import { type FakeSlack, startFakeSlack } from './fake-slack';

/** Keeps the expected failures below from printing WebClient's error logs. */
const silent: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  setLevel: () => {},
  getLevel: () => LogLevel.ERROR,
  setName: () => {},
};

/** Resolves with what `promise` rejected with, failing the test if it resolved. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

describe('fake Slack Web API', () => {
  let fake: FakeSlack;
  let client: WebClient;

  beforeAll(async () => {
    fake = await startFakeSlack();
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => {
    fake.reset();
    client = new WebClient('xoxb-test', {
      slackApiUrl: fake.url,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      logger: silent,
    });
  });

  it('serves on 127.0.0.1 with a slackApiUrl that ends in /api/', () => {
    expect(fake.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
  });

  it('answers auth.test with the bot identity and records the bearer token', async () => {
    const res = await client.auth.test();
    expect(res).toMatchObject({
      ok: true,
      user_id: 'UBOT',
      bot_id: 'BBOT',
      team_id: 'T1',
      url: 'https://test.slack.com/',
    });
    expect(fake.callsTo('auth.test')).toEqual([expect.objectContaining({ method: 'auth.test', token: 'xoxb-test' })]);
  });

  it('records chat.postMessage with blocks parsed back into objects, and hands out increasing ts', async () => {
    const blocks = [{ type: 'section', block_id: 'b1', text: { type: 'mrkdwn', text: 'Call *Ada*' } }];
    const first = await client.chat.postMessage({ channel: 'C1', text: 'fallback', blocks });
    const second = await client.chat.postMessage({ channel: 'C1', text: 'again' });

    expect(first).toMatchObject({ ok: true, channel: 'C1', message: { text: 'fallback', blocks } });
    expect(first.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(Number(second.ts)).toBeGreaterThan(Number(first.ts));
    const [call] = fake.callsTo('chat.postMessage');
    expect(call?.args).toMatchObject({ channel: 'C1', text: 'fallback', blocks });
    expect(call?.token).toBe('xoxb-test');
    expect(typeof call?.at).toBe('number');
  });

  it('answers a post to a user ID with the DM channel, like Slack', async () => {
    const res = await client.chat.postMessage({ channel: 'U42', text: 'brief' });
    expect(res.channel).toBe('DU42');
  });

  it('answers the other message and view methods with realistic shapes', async () => {
    const posted = await client.chat.postMessage({ channel: 'C9', text: 'x' });
    const ts = posted.ts ?? '';
    await expect(client.chat.update({ channel: 'C9', ts, text: 'y' })).resolves.toMatchObject({
      channel: 'C9',
      ts,
      text: 'y',
    });
    await expect(client.chat.postEphemeral({ channel: 'C9', user: 'U1', text: 'only you' })).resolves.toMatchObject({
      message_ts: expect.stringMatching(/^\d+\.\d{6}$/),
    });
    await expect(client.chat.getPermalink({ channel: 'C9', message_ts: '1732350000.000100' })).resolves.toMatchObject({
      permalink: 'https://test.slack.com/archives/C9/p1732350000000100',
    });
    await expect(client.conversations.open({ users: 'U7' })).resolves.toMatchObject({ channel: { id: 'DU7' } });
    await expect(client.users.info({ user: 'U7' })).resolves.toMatchObject({
      user: { id: 'U7', tz: 'America/New_York', real_name: expect.any(String) },
    });

    const view = {
      type: 'modal' as const,
      callback_id: 'outcome_modal',
      title: { type: 'plain_text' as const, text: 'Log outcome' },
      blocks: [],
    };
    const opened = await client.views.open({ trigger_id: 't1', view });
    expect(opened.view).toMatchObject({ id: expect.stringMatching(/^V/), callback_id: 'outcome_modal' });
    const viewId = opened.view?.id ?? 'missing';
    const updated = await client.views.update({ view_id: viewId, view });
    expect(updated.view?.id).toBe(viewId);
    const byExternalId = await client.views.open({ trigger_id: 't3', view: { ...view, external_id: 'outcome-7' } });
    const updatedByExternalId = await client.views.update({ external_id: 'outcome-7', view });
    expect(updatedByExternalId.view?.id).toBe(byExternalId.view?.id);
    await expect(client.views.push({ trigger_id: 't2', view })).resolves.toMatchObject({ ok: true });
    await expect(client.views.publish({ user_id: 'U1', view: { type: 'home', blocks: [] } })).resolves.toMatchObject({
      view: { type: 'home' },
    });
    expect(fake.callsTo('views.open')[0]?.args.view).toMatchObject({ callback_id: 'outcome_modal' });
  });

  it('answers unknown methods with ok and still records them', async () => {
    await expect(
      client.apiCall('reactions.add', { channel: 'C1', name: 'eyes', timestamp: '1.2' }),
    ).resolves.toMatchObject({
      ok: true,
    });
    expect(fake.callsTo('reactions.add')[0]?.args).toMatchObject({ name: 'eyes' });
  });

  it('rejects what Slack rejects: missing text and over-limit blocks', async () => {
    const noText = await rejectionOf(client.chat.postMessage({ channel: 'C1' } as never));
    expect(noText).toBeInstanceOf(WebAPIPlatformError);
    expect((noText as WebAPIPlatformError).data.error).toBe('no_text');

    const tooMany = Array.from({ length: 51 }, () => ({ type: 'divider' as const }));
    const err = await rejectionOf(client.chat.postMessage({ channel: 'C1', text: 't', blocks: tooMany }));
    expect((err as WebAPIPlatformError).data.error).toBe('invalid_blocks');
    const longSection = [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text: 'x'.repeat(3001) } }];
    const err2 = await rejectionOf(client.chat.postMessage({ channel: 'C1', text: 't', blocks: longSection }));
    expect((err2 as WebAPIPlatformError).data.error).toBe('invalid_blocks');
    expect(fake.callsTo('chat.postMessage').map((c) => c.failure)).toEqual([
      { error: 'no_text' },
      { error: 'invalid_blocks' },
      { error: 'invalid_blocks' },
    ]);
  });

  it('fails with 429 and Retry-After, surfacing as a rate-limit error', async () => {
    fake.failNext('chat.postMessage', 1, { status: 429, retryAfter: 7 });
    const err = await rejectionOf(client.chat.postMessage({ channel: 'C1', text: 'x' }));
    expect(err).toBeInstanceOf(WebAPIRateLimitedError);
    expect((err as WebAPIRateLimitedError).code).toBe(ErrorCode.RateLimitedError);
    expect((err as WebAPIRateLimitedError).retryAfter).toBe(7);
    await expect(client.chat.postMessage({ channel: 'C1', text: 'x' })).resolves.toMatchObject({ ok: true });
  });

  it('fails with HTTP 500 as an HTTP error', async () => {
    fake.failNext('chat.update', 1, { status: 500 });
    const err = await rejectionOf(client.chat.update({ channel: 'C1', ts: '1.000001', text: 'x' }));
    expect(err).toBeInstanceOf(WebAPIHTTPError);
    expect((err as WebAPIHTTPError).statusCode).toBe(500);
  });

  it('fails with a platform error (HTTP 200, ok:false)', async () => {
    fake.failNext('chat.postMessage', 1, { error: 'channel_not_found' });
    const err = await rejectionOf(client.chat.postMessage({ channel: 'CGONE', text: 'x' }));
    expect(err).toBeInstanceOf(WebAPIPlatformError);
    expect((err as WebAPIPlatformError).data.error).toBe('channel_not_found');
  });

  it('queues failures per method in order, then succeeds', async () => {
    fake.failNext('chat.postMessage', 3, { status: 500 });
    fake.failNext('chat.postMessage', 1, { status: 429, retryAfter: 1 });
    const outcomes: string[] = [];
    for (let i = 0; i < 5; i++) {
      try {
        await client.chat.postMessage({ channel: 'C1', text: `try ${i}` });
        outcomes.push('ok');
      } catch (err) {
        outcomes.push(err instanceof WebAPIRateLimitedError ? '429' : err instanceof WebAPIHTTPError ? '500' : 'other');
      }
    }
    expect(outcomes).toEqual(['500', '500', '500', '429', 'ok']);
    // Failures on one method never leak into another.
    await expect(client.auth.test()).resolves.toMatchObject({ ok: true });
    expect(fake.callsTo('chat.postMessage')).toHaveLength(5);
  });

  it('reset() forgets calls and pending failures', async () => {
    await client.auth.test();
    fake.failNext('auth.test', 1, { status: 500 });
    fake.reset();
    expect(fake.calls).toHaveLength(0);
    await expect(client.auth.test()).resolves.toMatchObject({ ok: true });
  });

  it('completes files.uploadV2 of a Buffer and keeps the uploaded bytes', async () => {
    const csv = Buffer.from('id,subject\n1,Refund never arrived\n');
    const res = await client.files.uploadV2({
      channel_id: 'C1',
      file: csv,
      filename: 'export.csv',
      title: 'Export',
      initial_comment: 'here it is',
    });
    expect(res.ok).toBe(true);

    const [getUrl] = fake.callsTo('files.getUploadURLExternal');
    expect(getUrl?.args).toMatchObject({ filename: 'export.csv', length: String(csv.length) });
    const [complete] = fake.callsTo('files.completeUploadExternal');
    const fileId = fake.uploads[0]?.fileId;
    expect(fileId).toMatch(/^F/);
    expect(complete?.args).toMatchObject({ channel_id: 'C1', files: [{ id: fileId, title: 'Export' }] });
    expect(fake.uploads).toHaveLength(1);
    expect(fake.uploads[0]?.content.equals(csv)).toBe(true);
    expect(JSON.stringify(res)).toContain(fileId ?? 'missing');
  });

  it('lists configured user group members and refuses unknown groups', async () => {
    fake.setUserGroup('S123', ['U1', 'U2']);
    await expect(client.usergroups.users.list({ usergroup: 'S123' })).resolves.toMatchObject({ users: ['U1', 'U2'] });
    const err = await rejectionOf(client.usergroups.users.list({ usergroup: 'SNOPE' }));
    expect((err as WebAPIPlatformError).data.error).toBe('no_such_subteam');
  });

  it('lists the user groups set up, with their names and handles', async () => {
    fake.setUserGroup('SNAMED', ['U1'], { name: 'Executives', handle: 'execs' });
    fake.setUserGroup('SPLAIN', []);
    const { usergroups } = await client.usergroups.list({});
    expect(usergroups).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: 'SNAMED', name: 'Executives', handle: 'execs' }),
        expect.objectContaining({ id: 'SPLAIN', name: 'Group SPLAIN', handle: 'splain' }),
      ]),
    );
  });

  it('models channels as Slack sees them: missing, private without the bot, archived, public without the bot', async () => {
    const codeOf = async (p: Promise<unknown>) => ((await rejectionOf(p)) as WebAPIPlatformError).data.error;
    fake.setChannel('CGONE', null);
    fake.setChannel('CPRIV', { is_private: true, is_member: false });
    fake.setChannel('COLD', { is_archived: true });
    fake.setChannel('CPUB', { is_member: false });
    const info = await client.conversations.info({ channel: 'CANY' });
    expect(info.channel).toMatchObject({ id: 'CANY', is_private: false, is_member: true, is_archived: false });
    expect(info.response_metadata?.scopes).toContain('chat:write.public');
    for (const channel of ['CGONE', 'CPRIV']) {
      expect(await codeOf(client.conversations.info({ channel }))).toBe('channel_not_found');
      expect(await codeOf(client.chat.postMessage({ channel, text: 'x' }))).toBe('channel_not_found');
    }
    expect(await codeOf(client.chat.postMessage({ channel: 'COLD', text: 'x' }))).toBe('is_archived');
    // A public channel takes posts from outside with chat:write.public, and refuses them without it.
    await expect(client.chat.postMessage({ channel: 'CPUB', text: 'x' })).resolves.toMatchObject({ ok: true });
    fake.setScopes(['chat:write', 'channels:read']);
    expect(await codeOf(client.chat.postMessage({ channel: 'CPUB', text: 'x' }))).toBe('not_in_channel');
    expect((await client.conversations.info({ channel: 'CPUB' })).response_metadata?.scopes).toEqual([
      'chat:write',
      'channels:read',
    ]);
    await expect(client.chat.postMessage({ channel: 'UEXEC', text: 'a DM' })).resolves.toMatchObject({ ok: true });
    fake.setChannel('CGONE', {});
    await expect(client.chat.postMessage({ channel: 'CGONE', text: 'x' })).resolves.toMatchObject({ ok: true });
    // Channels and scopes outlive reset(); put the scopes back so no other test depends on running before this one.
    fake.setScopes(info.response_metadata?.scopes ?? []);
  });

  it('waitFor resolves once enough calls arrive', async () => {
    const waiting = fake.waitFor('chat.postMessage', 2, 2000);
    await client.chat.postMessage({ channel: 'C1', text: 'a' });
    await client.chat.postMessage({ channel: 'C1', text: 'b' });
    const calls = await waiting;
    expect(calls.map((c) => c.args.text)).toEqual(['a', 'b']);
  });

  it('waitFor rejects with what was called instead', async () => {
    await client.auth.test();
    await client.chat.update({ channel: 'C1', ts: '1.000001', text: 'x' });
    await expect(fake.waitFor('chat.postMessage', 1, 50)).rejects.toThrow(
      /chat\.postMessage within 50ms but got 0; calls recorded: auth\.test ×1, chat\.update ×1/,
    );
  });

  it('parses JSON request bodies too', async () => {
    const res = await fetch(`${fake.url}chat.postMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', authorization: 'Bearer xoxb-json' },
      body: JSON.stringify({ channel: 'C1', text: 'json', blocks: [{ type: 'divider' }] }),
    });
    expect(await res.json()).toMatchObject({ ok: true, channel: 'C1' });
    expect(fake.callsTo('chat.postMessage')[0]).toMatchObject({
      token: 'xoxb-json',
      args: { text: 'json', blocks: [{ type: 'divider' }] },
    });
  });
});
