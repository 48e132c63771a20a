import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { App, type Logger, LogLevel } from '@slack/bolt';
import { type FakeSlack, startFakeSlack } from './fake-slack';
import * as slack from './slack-requests';
import {
  buttonClickPayload,
  checkboxValue,
  dateValue,
  eventEnvelope,
  messageShortcutPayload,
  type ResponseUrlServer,
  type SlackTarget,
  selectValue,
  signSlackRequest,
  startResponseUrlServer,
  textValue,
  viewSubmissionPayload,
} from './slack-requests';

const SECRET = 'test-signing-secret';

/** The worked example from Slack's "Verifying requests from Slack" page. */
const DOC_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const DOC_TIMESTAMP = 1531420618;
const DOC_BODY =
  'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar' +
  '&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com' +
  '%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
const DOC_SIGNATURE = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';

/** Signed independently of the helper: the algorithm is spelled out here, not reused. */
function expectedSignature(secret: string, ts: number, body: string): string {
  return `v0=${createHmac('sha256', Buffer.from(secret, 'utf8'))
    .update(Buffer.from(`v0:${ts}:${body}`, 'utf8'))
    .digest('hex')}`;
}

function asRecord(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error(`not an object: ${String(value)}`);
  return value as Record<string, unknown>;
}

describe('signSlackRequest', () => {
  it("reproduces Slack's documented example", () => {
    expect(signSlackRequest(DOC_BODY, DOC_SECRET, DOC_TIMESTAMP)).toEqual({
      'x-slack-signature': DOC_SIGNATURE,
      'x-slack-request-timestamp': String(DOC_TIMESTAMP),
    });
  });

  it('signs "v0:timestamp:body" with HMAC-SHA256 over the exact bytes, including non-ASCII', () => {
    const body = JSON.stringify({ text: 'Müller says <!channel> & café' });
    const headers = signSlackRequest(body, SECRET, 1_700_000_000);
    expect(headers['x-slack-signature']).toBe(expectedSignature(SECRET, 1_700_000_000, body));
    expect(headers['x-slack-signature']).not.toBe(expectedSignature(SECRET, 1_700_000_001, body));
  });

  it('defaults the timestamp to now, in seconds', () => {
    const before = Math.floor(Date.now() / 1000);
    const ts = Number(signSlackRequest('x', SECRET)['x-slack-request-timestamp']);
    expect(ts).toBeGreaterThanOrEqual(before);
    expect(ts).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
  });
});

describe('payload builders', () => {
  it('textValue, selectValue, dateValue and checkboxValue build the state shapes Slack sends', () => {
    expect(textValue('Ada')).toEqual({ type: 'plain_text_input', value: 'Ada' });
    expect(selectValue('reached')).toEqual({
      type: 'static_select',
      selected_option: { value: 'reached', text: { type: 'plain_text', text: 'reached' } },
    });
    expect(dateValue('2024-11-25')).toEqual({ type: 'datepicker', selected_date: '2024-11-25' });
    expect(checkboxValue(['a', 'b'])).toEqual({
      type: 'checkboxes',
      selected_options: [
        { value: 'a', text: { type: 'plain_text', text: 'a' } },
        { value: 'b', text: { type: 'plain_text', text: 'b' } },
      ],
    });
  });

  it('a button click carries the user, channel, message, container and action', () => {
    const payload = buttonClickPayload({
      actionId: 'claim_complaint',
      value: '42',
      userId: 'U1',
      channelId: 'C9',
      messageTs: '1732350000.000200',
    });
    expect(payload).toMatchObject({
      type: 'block_actions',
      user: { id: 'U1' },
      channel: { id: 'C9' },
      team: { id: 'T1' },
      api_app_id: 'A1',
      message: { ts: '1732350000.000200', blocks: [] },
      container: { type: 'message', message_ts: '1732350000.000200', channel_id: 'C9' },
      actions: [{ type: 'button', action_id: 'claim_complaint', value: '42', block_id: expect.any(String) }],
      trigger_id: expect.any(String),
      response_url: expect.any(String),
    });
  });

  it('a click in an ephemeral message has no message, as in Slack', () => {
    const payload = buttonClickPayload({ actionId: 'claim_complaint', value: '1', userId: 'U1', ephemeral: true });
    expect(payload.message).toBeUndefined();
    expect(payload.container).toMatchObject({ is_ephemeral: true });
  });

  it('trigger_ids are unique', () => {
    const ids = new Set(Array.from({ length: 50 }, () => slack.newTriggerId()));
    expect(ids.size).toBe(50);
  });

  it('a view submission carries exactly the given state values', () => {
    const values = { outcome: { outcome: selectValue('reached') }, notes: { notes: textValue(null) } };
    const payload = viewSubmissionPayload({
      callbackId: 'outcome_modal',
      userId: 'U1',
      values,
      privateMetadata: '{"id":7}',
    });
    expect(payload).toMatchObject({
      type: 'view_submission',
      user: { id: 'U1' },
      view: { callback_id: 'outcome_modal', private_metadata: '{"id":7}', type: 'modal' },
    });
    expect(asRecord(asRecord(payload.view).state).values).toEqual(values);
  });

  it('a message shortcut carries the message and channel', () => {
    const payload = messageShortcutPayload({
      callbackId: 'escalate_message',
      userId: 'U1',
      channelId: 'C5',
      message: { ts: '1.000001', text: 'customer is furious', user: 'U9' },
    });
    expect(payload).toMatchObject({
      type: 'message_action',
      callback_id: 'escalate_message',
      channel: { id: 'C5' },
      message_ts: '1.000001',
      message: { ts: '1.000001', text: 'customer is furious', user: 'U9' },
    });
  });

  it('an event is wrapped in an event_callback envelope', () => {
    const envelope = eventEnvelope({ type: 'app_home_opened', user: 'U1', tab: 'home' });
    expect(envelope).toMatchObject({
      type: 'event_callback',
      team_id: 'T1',
      api_app_id: 'A1',
      event: { type: 'app_home_opened', user: 'U1' },
      event_id: expect.stringMatching(/^Ev/),
      event_time: expect.any(Number),
    });
  });
});

describe('the wire format, as received by a plain server', () => {
  let recorder: ResponseUrlServer;
  let target: SlackTarget;
  beforeAll(async () => {
    recorder = await startResponseUrlServer();
  });
  afterAll(async () => {
    await recorder.close();
  });
  beforeEach(() => {
    recorder.reset();
    target = { url: `${recorder.url}/events`, signingSecret: SECRET };
  });

  // The recorder keeps raw text for non-JSON bodies, so it shows exactly the bytes that were signed.
  it('a slash command is form-encoded with the fields Slack sends, and signed over those bytes', async () => {
    await slack.sendSlashCommand(
      target,
      { command: '/pickup', text: 'stats 7d', userId: 'U1', channelId: 'C1', responseUrl: 'http://x/r' },
      { timestampSec: 1_700_000_000 },
    );
    const [post] = await recorder.waitFor(1);
    const form = new URLSearchParams(String(post?.body));
    expect(Object.fromEntries(form)).toMatchObject({
      team_id: 'T1',
      team_domain: 'test',
      channel_id: 'C1',
      channel_name: expect.any(String),
      user_id: 'U1',
      user_name: expect.any(String),
      command: '/pickup',
      text: 'stats 7d',
      api_app_id: 'A1',
      response_url: 'http://x/r',
      trigger_id: expect.any(String),
    });
  });

  it('an interactive payload travels as the form field "payload"', async () => {
    await slack.clickButton(target, { actionId: 'release_claim', value: '9', userId: 'U2', blockId: 'claim_9' });
    const [post] = await recorder.waitFor(1);
    const payload: unknown = JSON.parse(new URLSearchParams(String(post?.body)).get('payload') ?? 'null');
    expect(payload).toMatchObject({ actions: [{ action_id: 'release_claim', value: '9', block_id: 'claim_9' }] });
  });

  it('waitFor rejects with what did arrive', async () => {
    await expect(recorder.waitFor(1, 30)).rejects.toThrow(/expected 1 post\(s\) within 30ms but got 0/);
  });
});

/** Bolt's logger, silenced: the signature tests make it log expected warnings. */
const silent: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  setLevel: () => {},
  getLevel: () => LogLevel.ERROR,
  setName: () => {},
};

describe('against a real Bolt app (HTTP receiver)', () => {
  let fake: FakeSlack;
  let responses: ResponseUrlServer;
  let app: App;
  let target: SlackTarget;
  const seen: { kind: string; body: unknown }[] = [];

  beforeAll(async () => {
    fake = await startFakeSlack();
    responses = await startResponseUrlServer();
    app = new App({
      token: 'xoxb-test',
      signingSecret: SECRET,
      clientOptions: { slackApiUrl: fake.url },
      logger: silent,
    });
    app.command('/pickup', async ({ command, ack, respond }) => {
      seen.push({ kind: 'command', body: command });
      await ack({ response_type: 'ephemeral', text: `you said ${command.text}` });
      await respond({ response_type: 'ephemeral', text: 'later answer' });
    });
    app.action('claim_complaint', async ({ body, ack }) => {
      seen.push({ kind: 'action', body });
      await ack();
    });
    app.view('outcome_modal', async ({ view, ack }) => {
      seen.push({ kind: 'view', body: view });
      await ack({ response_action: 'errors', errors: { notes: 'Add a note' } });
    });
    app.shortcut('escalate_message', async ({ shortcut, ack }) => {
      seen.push({ kind: 'shortcut', body: shortcut });
      await ack();
    });
    app.event('app_home_opened', async ({ event }) => {
      seen.push({ kind: 'event', body: event });
    });
    const server = await app.start(0);
    const { port } = server.address() as AddressInfo;
    target = { url: `http://127.0.0.1:${port}/slack/events`, signingSecret: SECRET, responseUrl: responses.url };
  });
  afterAll(async () => {
    await app.stop();
    await responses.close();
    await fake.close();
  });
  beforeEach(() => {
    seen.length = 0;
    responses.reset();
  });

  it('routes a slash command, answers through the ack, and respond() reaches the response_url server', async () => {
    const res = await slack.sendSlashCommand(target, {
      command: '/pickup',
      text: 'help',
      userId: 'U1',
      channelId: 'C1',
    });
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ response_type: 'ephemeral', text: 'you said help' });
    const [post] = await responses.waitFor(1);
    expect(post?.body).toEqual({ response_type: 'ephemeral', text: 'later answer' });
    expect(seen[0]?.body).toMatchObject({ user_id: 'U1', channel_id: 'C1', command: '/pickup' });
    // Bolt authorizes with auth.test against the fake.
    expect(fake.callsTo('auth.test').length).toBeGreaterThan(0);
  });

  it('routes a button click by action_id', async () => {
    const res = await slack.clickButton(target, {
      actionId: 'claim_complaint',
      value: '42',
      userId: 'U7',
      channelId: 'C3',
    });
    expect(res.status).toBe(200);
    expect(seen).toEqual([
      {
        kind: 'action',
        body: expect.objectContaining({
          user: expect.objectContaining({ id: 'U7' }),
          channel: expect.objectContaining({ id: 'C3' }),
        }),
      },
    ]);
  });

  it('routes a view submission by callback_id and returns the ack body', async () => {
    const values = { outcome: { outcome: selectValue('voicemail') }, follow_up_date: { d: dateValue('2024-12-01') } };
    const res = await slack.submitView(target, {
      callbackId: 'outcome_modal',
      userId: 'U1',
      values,
      privateMetadata: '7',
    });
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ response_action: 'errors', errors: { notes: 'Add a note' } });
    expect(seen[0]?.body).toMatchObject({ private_metadata: '7', state: { values } });
  });

  it('routes a message shortcut by callback_id', async () => {
    const message = { ts: '1732350000.000300', text: 'the customer called again', user: 'U9' };
    const res = await slack.sendShortcut(target, {
      callbackId: 'escalate_message',
      userId: 'U1',
      channelId: 'C1',
      message,
    });
    expect(res.status).toBe(200);
    expect(seen[0]?.body).toMatchObject({ message });
  });

  it('delivers an event', async () => {
    const res = await slack.sendEvent(target, { type: 'app_home_opened', user: 'U1', channel: 'DU1', tab: 'home' });
    expect(res.status).toBe(200);
    expect(seen[0]?.body).toMatchObject({ type: 'app_home_opened', user: 'U1' });
  });

  it('answers the url_verification challenge', async () => {
    const res = await slack.sendUrlVerification(target, 'abc123');
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ challenge: 'abc123' });
  });

  it.each([
    ['a wrong signature', { signature: 'v0=deadbeef' }],
    ['a stale timestamp', { timestampSec: Math.floor(Date.now() / 1000) - 6 * 60 }],
    ['no signature at all', { omitSignature: true }],
  ])('refuses %s with 401 and runs no listener', async (_label, opts) => {
    const res = await slack.sendSlashCommand(
      target,
      { command: '/pickup', text: 'pick', userId: 'U1', channelId: 'C1' },
      opts,
    );
    expect(res.status).toBe(401);
    expect(seen).toEqual([]);
  });

  it('signs with the wrong secret only when asked to', async () => {
    const wrong = { ...target, signingSecret: 'not-the-secret' };
    const res = await slack.clickButton(wrong, { actionId: 'claim_complaint', value: '1', userId: 'U1' });
    expect(res.status).toBe(401);
    expect(seen).toEqual([]);
  });
});
