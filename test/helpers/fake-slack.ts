import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BOT_SCOPES } from '../../src/slack/scopes';
import { blockKitProblems, MESSAGE_MAX_BLOCKS, viewProblems } from './block-kit';

/**
 * A failure the fake answers with instead of success: HTTP 429 (with Retry-After), HTTP 500, `ok:false`, or a
 * connection reset (the socket is destroyed without an answer).
 */
export type FakeFailure = { status: 429; retryAfter: number } | { status: 500 } | { error: string } | { reset: true };

/** One Web API call the fake received, with its arguments decoded. */
export interface RecordedCall {
  method: string;
  /** Form values arrive as strings; `blocks`, `view`, `attachments`, `metadata` and `files` are parsed back from JSON. */
  args: Record<string, unknown>;
  /** The bearer token (or the `token` form field). */
  token?: string;
  /** Date.now() when the call arrived. */
  at: number;
  /** Set when the fake answered this call with an injected or validation failure. */
  failure?: FakeFailure;
}

/** Bytes posted to an upload URL handed out by `files.getUploadURLExternal`. */
export interface RecordedUpload {
  fileId: string;
  /** Filename from files.getUploadURLExternal (or the multipart part). */
  filename?: string;
  content: Buffer;
  at: number;
}

/** A fake Slack Web API served over real HTTP; hand `url` to WebClient as `slackApiUrl`. */
export interface FakeSlack {
  /** `http://127.0.0.1:PORT/api/`: the `slackApiUrl` (ends with `/`). */
  readonly url: string;
  /** `http://127.0.0.1:PORT`, without the `/api/` path. */
  readonly baseUrl: string;
  /** Every call in arrival order, failed ones included. */
  readonly calls: RecordedCall[];
  /** Every file body posted to an upload URL. */
  readonly uploads: RecordedUpload[];
  /** The calls to one method, in arrival order. */
  callsTo(method: string): RecordedCall[];
  /** Forgets calls, uploads and pending failures; keeps user groups, users, channels and scopes set up. */
  reset(): void;
  /** Answers the next `count` calls to `method` with `failure`; successive calls queue up behind each other. */
  failNext(method: string, count: number, failure: FakeFailure): void;
  /**
   * Sets the members `usergroups.users.list` returns for a group ID (S…); `usergroups.list` lists the group with
   * `info`'s name and handle (by default made from its ID).
   */
  setUserGroup(groupId: string, members: string[], info?: { name?: string; handle?: string }): void;
  /**
   * Overrides fields of the user `users.info` returns for an ID; `users.lookupByEmail` finds them by
   * `profile.email`.
   */
  setUser(userId: string, fields: Record<string, unknown>): void;
  /** Makes `apps.connections.open` answer with the URL `issue` returns (startFakeSocketMode sets it). */
  setSocketModeUrls(issue: () => string): void;
  /**
   * Sets up a channel as Slack would see it: `null` for one that does not exist, otherwise its flags. Channels never
   * set are public with the bot a member. conversations.info and posts then answer as Slack does (channel_not_found,
   * not_in_channel without chat:write.public, is_archived). Kept across reset().
   */
  setChannel(channelId: string, fields: FakeChannel | null): void;
  /** The bot token's scopes, sent as `x-oauth-scopes` on every answer (default: those manifest.json asks for). */
  setScopes(scopes: readonly string[]): void;
  /** Resolves with the calls to `method` once at least `count` were recorded; rejects listing what was called. */
  waitFor(method: string, count?: number, timeoutMs?: number): Promise<RecordedCall[]>;
  /** Stops the server and drops every open connection. */
  close(): Promise<void>;
}

/** A channel's flags in the fake; anything unset is as for a public channel the bot is in. */
export interface FakeChannel {
  is_private?: boolean;
  is_member?: boolean;
  is_archived?: boolean;
  name?: string;
}

/**
 * The bot scopes the real app asks for, so the fake's token has them unless a test says otherwise. Taken from
 * Pickup's scope table (test/slack/scopes.test.ts keeps it equal to manifest.json), not read from the manifest's
 * path, because the bench compiles this file into dist/ where that path does not exist.
 */
const MANIFEST_SCOPES: readonly string[] = BOT_SCOPES.map((s) => s.scope);

/** Fields WebClient JSON-encodes inside form bodies, decoded back so tests can inspect them as objects. */
const JSON_FIELDS = ['blocks', 'view', 'attachments', 'metadata', 'files'] as const;

const TEAM_ID = 'T1';
const BOT_USER_ID = 'UBOT';
const BOT_ID = 'BBOT';
const APP_ID = 'A1';

type Json = Record<string, unknown>;
type Answer = { status: number; body: Json; headers?: Record<string, string> };

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks);
}

/** Parses a Web API request body the way Slack does: form-encoded, JSON, or multipart. */
async function parseArgs(raw: Buffer, contentType: string): Promise<Json> {
  const args: Json = {};
  if (contentType.includes('application/json')) {
    const parsed: unknown = raw.length > 0 ? JSON.parse(raw.toString('utf8')) : {};
    if (isRecord(parsed)) Object.assign(args, parsed);
  } else if (contentType.includes('multipart/form-data')) {
    const form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
    for (const [key, value] of form) {
      args[key] =
        typeof value === 'string' ? value : { filename: value.name, size: value.size, contentType: value.type };
    }
  } else {
    for (const [key, value] of new URLSearchParams(raw.toString('utf8'))) args[key] = value;
  }
  for (const field of JSON_FIELDS) {
    const value = args[field];
    if (typeof value !== 'string') continue;
    try {
      args[field] = JSON.parse(value);
    } catch {
      // Not JSON: keep the raw string so a test can see exactly what was sent.
    }
  }
  return args;
}

/** Validation that real Slack applies to message methods; `undefined` when the call is acceptable. */
function messageProblem(args: Json): Answer | undefined {
  if (!str(args.channel)) return platformError('channel_not_found');
  if (args.text === undefined && args.blocks === undefined && args.attachments === undefined) {
    return platformError('no_text');
  }
  if (args.blocks !== undefined) return invalidBlocks(blockKitProblems(args.blocks, MESSAGE_MAX_BLOCKS));
  return undefined;
}

function viewProblem(args: Json): Answer | undefined {
  if (!isRecord(args.view)) return platformError('invalid_arguments');
  return invalidBlocks(viewProblems(args.view));
}

function invalidBlocks(problems: string[]): Answer | undefined {
  if (problems.length === 0) return undefined;
  return {
    status: 200,
    body: {
      ok: false,
      error: 'invalid_blocks',
      errors: problems,
      response_metadata: { messages: problems.map((p) => `[ERROR] ${p}`) },
    },
  };
}

function platformError(error: string): Answer {
  return { status: 200, body: { ok: false, error } };
}

function failureAnswer(failure: Exclude<FakeFailure, { reset: true }>): Answer {
  if ('error' in failure) return platformError(failure.error);
  if (failure.status === 429) {
    return {
      status: 429,
      body: { ok: false, error: 'ratelimited' },
      headers: { 'Retry-After': String(failure.retryAfter) },
    };
  }
  return { status: 500, body: { ok: false, error: 'internal_error' } };
}

function describeCalls(calls: RecordedCall[]): string {
  if (calls.length === 0) return 'nothing';
  const counts = new Map<string, number>();
  for (const call of calls) counts.set(call.method, (counts.get(call.method) ?? 0) + 1);
  return [...counts].map(([method, n]) => `${method} ×${n}`).join(', ');
}

/** Starts a fake Slack Web API on 127.0.0.1 with an ephemeral port. */
export async function startFakeSlack(): Promise<FakeSlack> {
  const calls: RecordedCall[] = [];
  const uploads: RecordedUpload[] = [];
  const failures = new Map<string, { failure: FakeFailure; remaining: number }[]>();
  const userGroups = new Map<string, string[]>();
  const groupInfo = new Map<string, { name?: string; handle?: string }>();
  const users = new Map<string, Record<string, unknown>>();
  const channels = new Map<string, FakeChannel | null>();
  let scopes: readonly string[] = MANIFEST_SCOPES;
  const pendingUploads = new Map<string, { filename?: string }>();
  const waiters = new Set<() => void>();
  // Message timestamps stay unique for the fake's whole life (reset() keeps counting) so stored ts never collide.
  let tsMicros = 1_732_350_000_000_100;
  let idCounter = 0;
  let baseUrl = '';

  const nextTs = (): string => {
    const micros = tsMicros;
    tsMicros += 100;
    return `${Math.floor(micros / 1_000_000)}.${String(micros % 1_000_000).padStart(6, '0')}`;
  };
  const nextId = (prefix: string): string => `${prefix}${String(++idCounter).padStart(8, '0')}`;
  // Posting to a user ID opens (or reuses) the DM, and Slack answers with the DM's channel ID.
  const resolveChannel = (channel: string): string => (/^[UW]/.test(channel) ? `D${channel}` : channel);

  // What Slack answers a bot about a channel: hidden when missing or private without it, else its flags.
  const channelFacts = (id: string): Json | undefined => {
    const set = channels.get(id);
    if (set === null) return undefined;
    const facts = { is_private: false, is_member: true, is_archived: false, ...set };
    if (facts.is_private && !facts.is_member) return undefined;
    return { id, name: facts.name ?? id.toLowerCase(), is_channel: !facts.is_private, is_group: false, ...facts };
  };
  // The error a post to a channel gets, as Slack decides it; DMs (user IDs) always land.
  const postRefusal = (channel: string): string | undefined => {
    if (/^[UWD]/.test(channel)) return undefined;
    const facts = channelFacts(channel);
    if (!facts) return 'channel_not_found';
    if (facts.is_archived) return 'is_archived';
    if (!facts.is_member && !scopes.includes('chat:write.public')) return 'not_in_channel';
    return undefined;
  };

  const takeFailure = (method: string): FakeFailure | undefined => {
    const queue = failures.get(method);
    const head = queue?.[0];
    if (!queue || !head) return undefined;
    head.remaining -= 1;
    if (head.remaining <= 0) queue.shift();
    return head.failure;
  };

  const userFor = (id: string): Json => ({
    id,
    team_id: TEAM_ID,
    name: id.toLowerCase(),
    real_name: `User ${id}`,
    tz: 'America/New_York',
    tz_label: 'Eastern Standard Time',
    tz_offset: -18000,
    is_bot: false,
    deleted: false,
    profile: { real_name: `User ${id}`, display_name: `user-${id.toLowerCase()}` },
    ...users.get(id),
  });

  const fullView = (view: Json, id: string, extra: Json = {}): Json => ({
    id,
    team_id: TEAM_ID,
    type: 'modal',
    blocks: [],
    private_metadata: '',
    callback_id: '',
    external_id: '',
    state: { values: {} },
    hash: `${Date.now()}.${randomBytes(4).toString('hex')}`,
    clear_on_close: false,
    notify_on_close: false,
    close: null,
    submit: null,
    previous_view_id: null,
    root_view_id: id,
    app_id: APP_ID,
    app_installed_team_id: TEAM_ID,
    bot_id: BOT_ID,
    ...view,
    ...extra,
  });

  let issueSocketUrl: (() => string) | undefined;
  const views = new Map<string, string>(); // external_id → view id, so views.update by external_id finds its view

  const answer = (method: string, args: Json): Answer => {
    const ok = (body: Json): Answer => ({ status: 200, body: { ok: true, ...body } });
    switch (method) {
      case 'apps.connections.open':
        // Without a fake Socket Mode server there is nowhere to connect; say so instead of handing out a dead URL.
        return issueSocketUrl ? ok({ url: issueSocketUrl() }) : platformError('fake_socket_mode_not_started');
      case 'auth.test':
        return ok({
          url: 'https://test.slack.com/',
          team: 'Test',
          user: 'pickup',
          team_id: TEAM_ID,
          user_id: BOT_USER_ID,
          bot_id: BOT_ID,
          is_enterprise_install: false,
        });
      case 'chat.postMessage': {
        const problem = messageProblem(args);
        if (problem) return problem;
        const refusal = postRefusal(String(args.channel));
        if (refusal) return platformError(refusal);
        const channel = resolveChannel(String(args.channel));
        const ts = nextTs();
        const message: Json = { type: 'message', user: BOT_USER_ID, bot_id: BOT_ID, app_id: APP_ID, team: TEAM_ID, ts };
        for (const key of ['text', 'blocks', 'attachments', 'thread_ts', 'metadata']) {
          if (args[key] !== undefined) message[key] = args[key];
        }
        return ok({ channel, ts, message });
      }
      case 'chat.update': {
        const problem = messageProblem(args);
        if (problem) return problem;
        if (!str(args.ts)) return platformError('message_not_found');
        const message: Json = { type: 'message', user: BOT_USER_ID, bot_id: BOT_ID, text: args.text ?? '' };
        if (args.blocks !== undefined) message.blocks = args.blocks;
        return ok({ channel: args.channel, ts: args.ts, text: args.text ?? '', message });
      }
      case 'chat.postEphemeral': {
        const problem = messageProblem(args);
        if (problem) return problem;
        if (!str(args.user)) return platformError('user_not_in_channel');
        return ok({ message_ts: nextTs() });
      }
      case 'chat.delete':
        return ok({ channel: args.channel, ts: args.ts });
      case 'chat.getPermalink': {
        const channel = str(args.channel);
        const ts = str(args.message_ts);
        if (!channel || !ts) return platformError('message_not_found');
        return ok({ channel, permalink: `https://test.slack.com/archives/${channel}/p${ts.replace('.', '')}` });
      }
      case 'views.open':
      case 'views.push': {
        const problem = viewProblem(args);
        if (problem || !isRecord(args.view)) return problem ?? platformError('invalid_arguments');
        const id = nextId('V');
        const externalId = str(args.view.external_id);
        if (externalId) views.set(externalId, id);
        return ok({ view: fullView(args.view, id) });
      }
      case 'views.update': {
        const problem = viewProblem(args);
        if (problem || !isRecord(args.view)) return problem ?? platformError('invalid_arguments');
        const externalId = str(args.external_id);
        const id = str(args.view_id) ?? (externalId ? views.get(externalId) : undefined);
        if (!id) return platformError('not_found');
        return ok({ view: fullView(args.view, id) });
      }
      case 'views.publish': {
        const problem = viewProblem(args);
        if (problem || !isRecord(args.view)) return problem ?? platformError('invalid_arguments');
        if (!str(args.user_id)) return platformError('invalid_arguments');
        return ok({ view: fullView(args.view, nextId('V'), { type: 'home' }) });
      }
      case 'conversations.open': {
        const first = str(args.users)?.split(',')[0]?.trim();
        const channel = str(args.channel) ?? (first ? `D${first}` : undefined);
        if (!channel) return platformError('users_list_not_supplied');
        return ok({ channel: { id: channel } });
      }
      case 'conversations.info': {
        const id = str(args.channel);
        const channel = id ? channelFacts(id) : undefined;
        return channel ? ok({ channel }) : platformError('channel_not_found');
      }
      case 'usergroups.users.list': {
        const members = userGroups.get(str(args.usergroup) ?? '');
        return members ? ok({ users: [...members] }) : platformError('no_such_subteam');
      }
      case 'usergroups.list':
        return ok({
          usergroups: [...userGroups.keys()].map((id) => ({
            id,
            team_id: TEAM_ID,
            is_usergroup: true,
            name: groupInfo.get(id)?.name ?? `Group ${id}`,
            handle: groupInfo.get(id)?.handle ?? id.toLowerCase(),
            date_delete: 0,
          })),
        });
      case 'users.info': {
        const id = str(args.user);
        return id ? ok({ user: userFor(id) }) : platformError('user_not_found');
      }
      case 'users.lookupByEmail': {
        // Users are found by the profile email a test gave them with setUser (Slack compares without case).
        const email = str(args.email)?.toLowerCase();
        const id = [...users].find(([, fields]) => {
          const profile = fields.profile;
          return email !== undefined && isRecord(profile) && str(profile.email)?.toLowerCase() === email;
        })?.[0];
        return id ? ok({ user: userFor(id) }) : platformError('users_not_found');
      }
      case 'files.getUploadURLExternal': {
        const fileId = nextId('F');
        pendingUploads.set(fileId, { filename: str(args.filename) });
        return ok({ upload_url: `${baseUrl}/upload/${fileId}`, file_id: fileId });
      }
      case 'files.completeUploadExternal': {
        if (!Array.isArray(args.files)) return platformError('invalid_arguments');
        const files = args.files.filter(isRecord).map((f) => ({
          id: f.id,
          title: f.title ?? pendingUploads.get(String(f.id))?.filename ?? '',
          name: pendingUploads.get(String(f.id))?.filename ?? '',
        }));
        return ok({ files });
      }
      default:
        return ok({});
    }
  };

  const send = (res: ServerResponse, { status, body, headers }: Answer): void => {
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(body));
  };

  const handleUpload = async (req: IncomingMessage, res: ServerResponse, fileId: string): Promise<void> => {
    const raw = await readBody(req);
    const contentType = req.headers['content-type'] ?? '';
    let content = raw;
    let filename = pendingUploads.get(fileId)?.filename;
    // WebClient posts the bytes as a multipart part; keep just the file so tests can compare contents.
    if (contentType.includes('multipart/form-data')) {
      const form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
      for (const [, value] of form) {
        if (typeof value === 'string') continue;
        content = Buffer.from(await value.arrayBuffer());
        filename ??= value.name;
        break;
      }
    }
    uploads.push({ fileId, filename, content, at: Date.now() });
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end('OK');
  };

  const handleApi = async (req: IncomingMessage, res: ServerResponse, method: string): Promise<void> => {
    const raw = await readBody(req);
    let args: Json;
    let unparseable = false;
    try {
      args = await parseArgs(raw, req.headers['content-type'] ?? '');
    } catch {
      // Recorded with its raw body and refused the way Slack refuses malformed requests.
      args = { raw: raw.toString('utf8') };
      unparseable = true;
    }
    const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const call: RecordedCall = { method, args, at: Date.now() };
    const token = bearer ?? str(args.token);
    if (token !== undefined) call.token = token;
    const failure = takeFailure(method);
    if (failure && 'reset' in failure) {
      calls.push({ ...call, failure });
      for (const wake of [...waiters]) wake();
      req.socket.destroy();
      return;
    }
    let reply: Answer;
    if (failure) reply = failureAnswer(failure);
    else if (unparseable) reply = platformError('invalid_form_data');
    else reply = answer(method, args);
    if (!failure && reply.body.ok === false) call.failure = { error: String(reply.body.error) };
    if (failure) call.failure = failure;
    calls.push(call);
    for (const wake of [...waiters]) wake();
    send(res, { ...reply, headers: { 'x-oauth-scopes': scopes.join(','), ...reply.headers } });
  };

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const upload = /^\/upload\/([^/]+)$/.exec(path);
    const api = /^\/api\/([\w.]+)$/.exec(path);
    let work: Promise<void>;
    if (req.method === 'POST' && upload?.[1]) work = handleUpload(req, res, upload[1]);
    else if (req.method === 'POST' && api?.[1]) work = handleApi(req, res, api[1]);
    else {
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ ok: false, error: 'unknown_method' }));
      return;
    }
    work.catch((err: unknown) => {
      console.error('fake-slack: request failed', err);
      if (!res.headersSent) res.writeHead(500);
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
  baseUrl = `http://127.0.0.1:${port}`;

  return {
    url: `${baseUrl}/api/`,
    baseUrl,
    calls,
    uploads,
    callsTo: (method) => calls.filter((c) => c.method === method),
    reset: () => {
      calls.length = 0;
      uploads.length = 0;
      failures.clear();
    },
    failNext: (method, count, failure) => {
      if (!Number.isInteger(count) || count < 1)
        throw new Error(`failNext: count must be a positive integer, got ${count}`);
      const queue = failures.get(method) ?? [];
      queue.push({ failure, remaining: count });
      failures.set(method, queue);
    },
    setUserGroup: (groupId, members, info) => {
      userGroups.set(groupId, [...members]);
      if (info) groupInfo.set(groupId, { ...info });
    },
    setUser: (userId, fields) => {
      users.set(userId, { ...users.get(userId), ...fields });
    },
    setSocketModeUrls: (issue) => {
      issueSocketUrl = issue;
    },
    setChannel: (channelId, fields) => {
      channels.set(channelId, fields === null ? null : { ...fields });
    },
    setScopes: (list) => {
      scopes = [...list];
    },
    waitFor: (method, count = 1, timeoutMs = 5000) =>
      new Promise<RecordedCall[]>((resolve, reject) => {
        const check = (): boolean => {
          const matching = calls.filter((c) => c.method === method);
          if (matching.length < count) return false;
          waiters.delete(wake);
          clearTimeout(timer);
          resolve(matching);
          return true;
        };
        const wake = (): void => {
          check();
        };
        const timer = setTimeout(() => {
          waiters.delete(wake);
          const got = calls.filter((c) => c.method === method).length;
          reject(
            new Error(
              `fake Slack: expected ${count} call(s) to ${method} within ${timeoutMs}ms but got ${got}; ` +
                `calls recorded: ${describeCalls(calls)}`,
            ),
          );
        }, timeoutMs);
        waiters.add(wake);
        check();
      }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Keep-alive sockets from fetch would otherwise hold close() open until they time out.
        server.closeAllConnections();
      }),
  };
}
