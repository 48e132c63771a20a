import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Where signed Slack requests go: the app's Request URL and the signing secret it verifies with. */
export interface SlackTarget {
  /** e.g. `http://127.0.0.1:PORT/slack/events`. */
  url: string;
  signingSecret: string;
  /** Default `response_url` for commands, buttons and shortcuts (e.g. a startResponseUrlServer() url). */
  responseUrl?: string;
}

/** Ways to tamper with the signature, for tests of bad, stale, future-dated or missing signatures. */
export interface SigningOverrides {
  /** Unix seconds put in x-slack-request-timestamp and signed over; default now. */
  timestampSec?: number;
  /** Sent verbatim as x-slack-signature instead of the correct one. */
  signature?: string;
  /** Sends neither x-slack-signature nor x-slack-request-timestamp. */
  omitSignature?: boolean;
}

/** What the app answered. */
export interface SlackHttpResponse {
  status: number;
  body: string;
  headers: Record<string, string>;
  /** The body parsed as JSON; throws, quoting the body, when it is not JSON. */
  json(): unknown;
}

/** The team, app and bot identity the signed requests claim; they match the fake Slack's auth.test. */
export const TEST_TEAM = { id: 'T1', domain: 'test' } as const;
const TEAM_ID = TEST_TEAM.id;
/** The app ID every payload carries. */
export const TEST_APP_ID = 'A1';
/** Where response_url points when neither the call nor the target gives one: a closed port, so a stray respond() fails fast instead of reaching real Slack. */
export const UNROUTABLE_RESPONSE_URL = 'http://127.0.0.1:9/response-url-not-set';

// Slack still sends the deprecated verification token; Bolt ignores it when a signing secret is set.
const VERIFICATION_TOKEN = 'legacy-verification-token';

let sequence = 0;

function nowSec(): number {
  return Math.floor(Date.now() / 1000);
}

/** A Slack-style `trigger_id`, unique per call. */
export function newTriggerId(): string {
  sequence += 1;
  return `${Date.now()}.${sequence}.${randomBytes(8).toString('hex')}`;
}

/** A Slack-style `action_ts`/`ts` string for now ("1732350000.123456"). */
function tsNow(): string {
  sequence += 1;
  const ms = Date.now();
  // Milliseconds plus a sequence in the last three digits keeps two timestamps in the same millisecond distinct.
  const micros = (ms % 1000) * 1000 + (sequence % 1000);
  return `${Math.floor(ms / 1000)}.${String(micros).padStart(6, '0')}`;
}

/** The headers Slack signs a request with: `v0=` + hex HMAC-SHA256(secret, "v0:{timestamp}:{body}"). */
export function signSlackRequest(
  body: string,
  secret: string,
  timestampSec: number = nowSec(),
): Record<string, string> {
  const signature = createHmac('sha256', secret).update(`v0:${timestampSec}:${body}`).digest('hex');
  return { 'x-slack-signature': `v0=${signature}`, 'x-slack-request-timestamp': String(timestampSec) };
}

/** Posts `body` to the target signed like Slack (or tampered with as `opts` says). */
export async function postSigned(
  target: SlackTarget,
  body: string,
  contentType: 'application/x-www-form-urlencoded' | 'application/json',
  opts: SigningOverrides = {},
): Promise<SlackHttpResponse> {
  const timestampSec = opts.timestampSec ?? nowSec();
  const headers: Record<string, string> = { 'content-type': contentType };
  if (!opts.omitSignature) {
    Object.assign(headers, signSlackRequest(body, target.signingSecret, timestampSec));
    if (opts.signature !== undefined) headers['x-slack-signature'] = opts.signature;
  }
  const res = await fetch(target.url, { method: 'POST', headers, body });
  const text = await res.text();
  return {
    status: res.status,
    body: text,
    headers: Object.fromEntries(res.headers.entries()),
    json: () => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new Error(`expected a JSON answer but got HTTP ${res.status}: ${JSON.stringify(text.slice(0, 500))}`);
      }
    },
  };
}

/** Posts any interactive payload (`payload=<json>`, form-encoded) the way Slack delivers interactivity. */
export function sendInteraction(
  target: SlackTarget,
  payload: Record<string, unknown>,
  opts: SigningOverrides = {},
): Promise<SlackHttpResponse> {
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  return postSigned(target, body, 'application/x-www-form-urlencoded', opts);
}

function userOf(userId: string): Record<string, unknown> {
  return { id: userId, username: userId.toLowerCase(), name: userId.toLowerCase(), team_id: TEAM_ID };
}

/** A slash command invocation as a user types it. */
export interface SlashCommand {
  command: string;
  text: string;
  userId: string;
  channelId: string;
  triggerId?: string;
  responseUrl?: string;
  channelName?: string;
  userName?: string;
}

/** The fields Slack sends for a slash command (form-encoded over HTTP, a JSON object over Socket Mode). */
export function slashCommandPayload(cmd: SlashCommand, defaultResponseUrl?: string): Record<string, string> {
  return {
    token: VERIFICATION_TOKEN,
    team_id: TEAM_ID,
    team_domain: TEST_TEAM.domain,
    channel_id: cmd.channelId,
    channel_name: cmd.channelName ?? cmd.channelId.toLowerCase(),
    user_id: cmd.userId,
    user_name: cmd.userName ?? cmd.userId.toLowerCase(),
    command: cmd.command,
    text: cmd.text,
    api_app_id: TEST_APP_ID,
    is_enterprise_install: 'false',
    response_url: cmd.responseUrl ?? defaultResponseUrl ?? UNROUTABLE_RESPONSE_URL,
    trigger_id: cmd.triggerId ?? newTriggerId(),
  };
}

/** Sends a slash command, form-encoded with the fields Slack sends. */
export function sendSlashCommand(
  target: SlackTarget,
  cmd: SlashCommand,
  opts: SigningOverrides = {},
): Promise<SlackHttpResponse> {
  const body = new URLSearchParams(slashCommandPayload(cmd, target.responseUrl)).toString();
  return postSigned(target, body, 'application/x-www-form-urlencoded', opts);
}

/** A click on a button in a message (or, with `ephemeral`, in an ephemeral message). */
export interface ButtonClick {
  actionId: string;
  value: string;
  userId: string;
  channelId?: string;
  messageTs?: string;
  triggerId?: string;
  responseUrl?: string;
  blockId?: string;
  /** Text and blocks of the message the button sits in; default empty. */
  messageText?: string;
  messageBlocks?: unknown[];
  /** The button sits in an ephemeral message: Slack then sends no `message`. */
  ephemeral?: boolean;
}

/** Builds the `block_actions` payload for a button click. */
export function buttonClickPayload(click: ButtonClick, defaultResponseUrl?: string): Record<string, unknown> {
  const channelId = click.channelId ?? 'C1';
  const messageTs = click.messageTs ?? '1732350000.000100';
  const payload: Record<string, unknown> = {
    type: 'block_actions',
    user: userOf(click.userId),
    api_app_id: TEST_APP_ID,
    token: VERIFICATION_TOKEN,
    container: { type: 'message', message_ts: messageTs, channel_id: channelId, is_ephemeral: !!click.ephemeral },
    trigger_id: click.triggerId ?? newTriggerId(),
    team: { ...TEST_TEAM },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: channelId, name: channelId.toLowerCase() },
    state: { values: {} },
    response_url: click.responseUrl ?? defaultResponseUrl ?? UNROUTABLE_RESPONSE_URL,
    actions: [
      {
        type: 'button',
        action_id: click.actionId,
        block_id: click.blockId ?? `block_${click.actionId}`,
        text: { type: 'plain_text', text: click.actionId, emoji: true },
        value: click.value,
        action_ts: tsNow(),
      },
    ],
  };
  if (!click.ephemeral) {
    payload.message = {
      type: 'message',
      user: 'UBOT',
      bot_id: 'BBOT',
      ts: messageTs,
      text: click.messageText ?? '',
      blocks: click.messageBlocks ?? [],
    };
  }
  return payload;
}

/** Sends a `block_actions` button click. */
export function clickButton(
  target: SlackTarget,
  click: ButtonClick,
  opts: SigningOverrides = {},
): Promise<SlackHttpResponse> {
  return sendInteraction(target, buttonClickPayload(click, target.responseUrl), opts);
}

/** A plain_text_input's state value. */
export interface TextValue {
  type: 'plain_text_input';
  value: string | null;
}
/** A static_select's state value. */
export interface SelectValue {
  type: 'static_select';
  selected_option: { value: string; text: { type: 'plain_text'; text: string } } | null;
}
/** A datepicker's state value. */
export interface DateValue {
  type: 'datepicker';
  selected_date: string | null;
}
/** A checkboxes element's state value. */
export interface CheckboxValue {
  type: 'checkboxes';
  selected_options: { value: string; text: { type: 'plain_text'; text: string } }[];
}
/** Any input's state value, as `view.state.values[blockId][actionId]`. */
export type ValueShape = TextValue | SelectValue | DateValue | CheckboxValue | { type: string; [key: string]: unknown };

/** The state of a plain_text_input (`null` when left empty, as Slack sends it). */
export function textValue(s: string | null): TextValue {
  return { type: 'plain_text_input', value: s };
}
/** The state of a static_select with `v` chosen (`null` for nothing chosen). */
export function selectValue(v: string | null): SelectValue {
  return {
    type: 'static_select',
    selected_option: v === null ? null : { value: v, text: { type: 'plain_text', text: v } },
  };
}
/** The state of a datepicker (YYYY-MM-DD, or `null` for no date). */
export function dateValue(d: string | null): DateValue {
  return { type: 'datepicker', selected_date: d };
}
/** The state of a checkboxes element with these values ticked. */
export function checkboxValue(values: string[]): CheckboxValue {
  return {
    type: 'checkboxes',
    selected_options: values.map((v) => ({ value: v, text: { type: 'plain_text', text: v } })),
  };
}

/** A modal submission. */
export interface ViewSubmission {
  callbackId: string;
  userId: string;
  values: Record<string, Record<string, ValueShape>>;
  privateMetadata?: string;
  viewId?: string;
  /** The modal's blocks; default empty (Bolt and listeners read `state.values`). */
  blocks?: unknown[];
}

/** Builds the `view_submission` payload; `view.state.values` is exactly `values`. */
export function viewSubmissionPayload(submission: ViewSubmission): Record<string, unknown> {
  const viewId = submission.viewId ?? `V${randomBytes(5).toString('hex').toUpperCase()}`;
  return {
    type: 'view_submission',
    team: { ...TEST_TEAM },
    user: userOf(submission.userId),
    api_app_id: TEST_APP_ID,
    token: VERIFICATION_TOKEN,
    trigger_id: newTriggerId(),
    view: {
      id: viewId,
      team_id: TEAM_ID,
      type: 'modal',
      blocks: submission.blocks ?? [],
      private_metadata: submission.privateMetadata ?? '',
      callback_id: submission.callbackId,
      state: { values: submission.values },
      hash: `${nowSec()}.${randomBytes(4).toString('hex')}`,
      title: { type: 'plain_text', text: 'Pickup', emoji: true },
      clear_on_close: false,
      notify_on_close: false,
      close: null,
      submit: { type: 'plain_text', text: 'Submit', emoji: true },
      previous_view_id: null,
      root_view_id: viewId,
      app_id: TEST_APP_ID,
      external_id: '',
      app_installed_team_id: TEAM_ID,
      bot_id: 'BBOT',
    },
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  };
}

/** Sends a `view_submission`. */
export function submitView(
  target: SlackTarget,
  submission: ViewSubmission,
  opts: SigningOverrides = {},
): Promise<SlackHttpResponse> {
  return sendInteraction(target, viewSubmissionPayload(submission), opts);
}

/** A message shortcut used on a message. */
export interface MessageShortcut {
  callbackId: string;
  userId: string;
  channelId: string;
  message: { ts: string; text: string; user: string };
  triggerId?: string;
  responseUrl?: string;
}

/** Builds the `message_action` payload for a message shortcut. */
export function messageShortcutPayload(
  shortcut: MessageShortcut,
  defaultResponseUrl?: string,
): Record<string, unknown> {
  return {
    type: 'message_action',
    token: VERIFICATION_TOKEN,
    action_ts: tsNow(),
    team: { ...TEST_TEAM },
    user: userOf(shortcut.userId),
    channel: { id: shortcut.channelId, name: shortcut.channelId.toLowerCase() },
    is_enterprise_install: false,
    enterprise: null,
    callback_id: shortcut.callbackId,
    trigger_id: shortcut.triggerId ?? newTriggerId(),
    response_url: shortcut.responseUrl ?? defaultResponseUrl ?? UNROUTABLE_RESPONSE_URL,
    message_ts: shortcut.message.ts,
    message: {
      type: 'message',
      user: shortcut.message.user,
      ts: shortcut.message.ts,
      text: shortcut.message.text,
      team: TEAM_ID,
    },
  };
}

/** Sends a `message_action` (message shortcut). */
export function sendShortcut(
  target: SlackTarget,
  shortcut: MessageShortcut,
  opts: SigningOverrides = {},
): Promise<SlackHttpResponse> {
  return sendInteraction(target, messageShortcutPayload(shortcut, target.responseUrl), opts);
}

/** Wraps an event in the Events API `event_callback` envelope. */
export function eventEnvelope(event: Record<string, unknown>): Record<string, unknown> {
  return {
    token: VERIFICATION_TOKEN,
    team_id: TEAM_ID,
    api_app_id: TEST_APP_ID,
    event,
    type: 'event_callback',
    event_id: `Ev${randomBytes(6).toString('hex').toUpperCase()}`,
    event_time: nowSec(),
    authorizations: [
      { enterprise_id: null, team_id: TEAM_ID, user_id: 'UBOT', is_bot: true, is_enterprise_install: false },
    ],
    is_ext_shared_channel: false,
  };
}

/** Sends an Events API event (e.g. `{ type: 'app_home_opened', user: 'U1', tab: 'home' }`) as JSON. */
export function sendEvent(
  target: SlackTarget,
  event: Record<string, unknown>,
  opts: SigningOverrides = {},
): Promise<SlackHttpResponse> {
  return postSigned(target, JSON.stringify(eventEnvelope(event)), 'application/json', opts);
}

/** Sends the `url_verification` handshake Slack makes when the Request URL is saved. */
export function sendUrlVerification(
  target: SlackTarget,
  challenge: string,
  opts: SigningOverrides = {},
): Promise<SlackHttpResponse> {
  const body = JSON.stringify({ token: VERIFICATION_TOKEN, challenge, type: 'url_verification' });
  return postSigned(target, body, 'application/json', opts);
}

/** One POST the app made to a response_url. */
export interface ResponseUrlPost {
  /** The request path, so several response URLs on one server can be told apart. */
  path: string;
  /** The JSON body (the raw string when it was not JSON). */
  body: unknown;
  at: number;
}

/** A server standing in for Slack's response_url endpoint (hooks.slack.com). */
export interface ResponseUrlServer {
  /** A response_url to put in payloads. */
  readonly url: string;
  /** Every POST in arrival order. */
  readonly posts: ResponseUrlPost[];
  /** Resolves with the posts once at least `count` arrived; rejects with what did arrive on timeout. */
  waitFor(count?: number, timeoutMs?: number): Promise<ResponseUrlPost[]>;
  /** Answers the next `count` posts with `status` (e.g. 404, as Slack does for an expired response_url). */
  failNext(count: number, status?: number): void;
  /** Forgets posts and pending failures. */
  reset(): void;
  /** Stops the server and drops open connections. */
  close(): Promise<void>;
}

async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

/** Starts a response_url recorder on 127.0.0.1 with an ephemeral port. */
export async function startResponseUrlServer(): Promise<ResponseUrlServer> {
  const posts: ResponseUrlPost[] = [];
  const waiters = new Set<() => void>();
  let failures: number[] = [];

  const server = createServer((req, res) => {
    readText(req)
      .then((text) => {
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // Kept raw: a non-JSON body is itself what the test should see.
        }
        posts.push({ path: req.url ?? '/', body, at: Date.now() });
        for (const wake of [...waiters]) wake();
        const status = failures.shift() ?? 200;
        res.writeHead(status, { 'Content-Type': 'text/plain' });
        res.end(status === 200 ? 'ok' : 'expired_url');
      })
      .catch((err: unknown) => {
        console.error('response-url server: request failed', err);
        res.writeHead(500);
        res.end();
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/response`,
    posts,
    waitFor: (count = 1, timeoutMs = 5000) =>
      new Promise<ResponseUrlPost[]>((resolve, reject) => {
        const wake = (): void => {
          if (posts.length < count) return;
          waiters.delete(wake);
          clearTimeout(timer);
          resolve([...posts]);
        };
        const timer = setTimeout(() => {
          waiters.delete(wake);
          reject(
            new Error(
              `response_url: expected ${count} post(s) within ${timeoutMs}ms but got ${posts.length}: ` +
                JSON.stringify(posts.map((p) => p.body)).slice(0, 1000),
            ),
          );
        }, timeoutMs);
        waiters.add(wake);
        wake();
      }),
    failNext: (count, status = 404) => {
      failures = [...failures, ...Array.from({ length: count }, () => status)];
    },
    reset: () => {
      posts.length = 0;
      failures = [];
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Keep-alive sockets from fetch would otherwise hold close() open until they time out.
        server.closeAllConnections();
      }),
  };
}
