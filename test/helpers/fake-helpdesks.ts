import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { VendorSource } from '../../src/complaints/complaint';
import type {
  FreshdeskApiConfig,
  HelpScoutApiConfig,
  IntercomApiConfig,
  JiraApiConfig,
  ZendeskApiConfig,
} from '../../src/config';

/**
 * Fake help-desk REST APIs, one in-process HTTP server per vendor, answering in each vendor's documented shapes
 * (shared/reference/helpdesk-apis.md): they check the credentials, keep tickets with tags and a thread, record every
 * request, and fail on demand (401, 403, 404, 429 with the vendor's own retry header, 5xx, a dropped connection, or a
 * slow answer).
 */

/** Something a fake answers with instead of (or before) doing the work. */
export type FakeFailure =
  | { status: 400 | 401 | 403 | 404 | 422 | 500 | 502 | 503 }
  | { status: 429; retryAfterSeconds: number }
  | { delayMs: number }
  | { reset: true };

/** Which requests a queued failure applies to; unset fields match anything. */
export interface RequestMatch {
  method?: string;
  path?: string | RegExp;
}

/** One request the fake received. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** Parsed JSON, or the form fields, or undefined for an empty body. */
  body: unknown;
  at: number;
  failure?: FakeFailure;
}

/** One message of a fake ticket's thread, rendered in each vendor's shape when read. */
export interface FakeThreadEntry {
  author: 'customer' | 'agent';
  /** An internal note: never public. */
  private?: boolean;
  /** The body as HTML (plain text is fine too). */
  html: string;
  at: Date;
}

/** A ticket (issue, conversation) in a fake. The first thread entry is its opening message. */
export interface FakeTicket {
  tags: string[];
  thread: FakeThreadEntry[];
}

/** The credentials every fake accepts; fakeConfig hands them to a client. */
export const FAKE_CREDENTIALS = {
  zendesk: { email: 'agent@acme.test', apiToken: 'zd-api-token-123', oauthToken: 'zd-oauth-token-456' },
  freshdesk: { apiKey: 'fd-api-key-789' },
  jira: { email: 'bot@acme.test', apiToken: 'jira-api-token-012' },
  intercom: { accessToken: 'ic-access-token-345', adminId: '814860' },
  helpscout: { appId: 'hs-app-id-678', appSecret: 'hs-app-secret-901' },
} as const;

type ApiConfigs = {
  zendesk: ZendeskApiConfig;
  freshdesk: FreshdeskApiConfig;
  jira: JiraApiConfig;
  intercom: IntercomApiConfig;
  helpscout: HelpScoutApiConfig;
};

/** A fake vendor API served over real HTTP. */
export interface FakeHelpDesk<V extends VendorSource = VendorSource> {
  readonly vendor: V;
  /** `http://127.0.0.1:PORT`: the base URL a client is given. */
  readonly url: string;
  /** A client config pointing here with FAKE_CREDENTIALS (Zendesk: email and API token). */
  readonly config: ApiConfigs[V];
  /** Every request in arrival order, failed ones included. */
  readonly requests: RecordedRequest[];
  /** The requests with this method whose path matches. */
  requestsTo(method: string, path: string | RegExp): RecordedRequest[];
  /** Answers the next `count` matching requests with `failure` (queued failures apply in order). */
  failNext(failure: FakeFailure, count?: number, match?: RequestMatch): void;
  /** Creates or replaces a ticket. */
  setTicket(id: string, ticket: Partial<FakeTicket>): FakeTicket;
  /** A ticket as the fake holds it now (tags and thread, notes written included). */
  ticket(id: string): FakeTicket;
  /** Intercom: the tags created so far, by name. */
  readonly intercomTags: Map<string, string>;
  /** Help Scout: the lifetime (seconds) of tokens issued from now on. */
  setTokenLifetime(seconds: number): void;
  /** Help Scout: the tokens issued since the last reset, in order. */
  readonly tokens: readonly string[];
  /** Help Scout: makes every token issued so far invalid, as a revocation would. */
  revokeTokens(): void;
  /** Forgets requests and queued failures; keeps tickets. */
  reset(): void;
  close(): Promise<void>;
}

type Json = Record<string, unknown>;
/** What a route answers: a status, a JSON body (or none) and headers. */
type Answer = { status: number; body?: unknown; headers?: Record<string, string> };

/** What a vendor's router can reach of the fake. */
interface FakeState {
  tickets: Map<string, FakeTicket>;
  intercomTags: Map<string, string>;
  /** Tokens still valid. */
  validTokens: Set<string>;
  /** Tokens issued since the last reset, in order. */
  issuedTokens: string[];
  tokenLifetime: number;
  issued: number;
}

type Router = (req: RecordedRequest, state: FakeState) => Answer;

const isRecord = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
/** A crude HTML to text, as a vendor's `plain_body`/`body_text` would give it. */
const plain = (html: string) =>
  html
    .replace(/<br\s*\/?>|<\/p>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .trim();
const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

/** The error body each vendor sends with a status, so clients read their real shapes. */
function errorBody(vendor: VendorSource, status: number): unknown {
  const messages: Record<number, string> = {
    400: 'Validation failed',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'Not Found',
    422: 'Unprocessable',
    429: 'Too Many Requests',
  };
  const message = messages[status] ?? 'Server error';
  switch (vendor) {
    case 'zendesk':
      return status === 404 ? { error: 'RecordNotFound', description: 'Not found' } : { error: message };
    case 'freshdesk':
      return { code: status === 401 ? 'invalid_credentials' : 'access_denied', message };
    case 'jira':
      return {
        errorMessages: [status === 404 ? 'Issue does not exist or you do not have permission to see it.' : message],
        errors: {},
      };
    case 'intercom':
      return {
        type: 'error.list',
        request_id: 'req-1',
        errors: [{ code: status === 404 ? 'not_found' : 'unauthorized', message }],
      };
    case 'helpscout':
      return { logref: message.toLowerCase().replace(/ /g, '_'), message };
  }
}

/** The 429 answer with the vendor's own way of saying when to come back. */
function rateLimited(vendor: VendorSource, retryAfterSeconds: number): Answer {
  const headers: Record<string, string> =
    vendor === 'intercom'
      ? { 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + retryAfterSeconds), 'x-ratelimit-remaining': '0' }
      : vendor === 'helpscout'
        ? { 'x-ratelimit-retry-after': String(retryAfterSeconds) }
        : { 'retry-after': String(retryAfterSeconds) };
  return { status: 429, headers, body: errorBody(vendor, 429) };
}

function notFound(vendor: VendorSource): Answer {
  return { status: 404, body: errorBody(vendor, 404) };
}

function ticketOr404(vendor: VendorSource, state: FakeState, id: string | undefined, then: (t: FakeTicket) => Answer) {
  const ticket = id === undefined ? undefined : state.tickets.get(decodeURIComponent(id));
  return ticket ? then(ticket) : notFound(vendor);
}

const ZENDESK_CUSTOMER_ID = 1001;
const ZENDESK_AGENT_ID = 2002;

const zendeskRouter: Router = (req, state) => {
  const update = /^\/api\/v2\/tickets\/([^/]+)\.json$/.exec(req.path);
  if (update && req.method === 'PUT') {
    return ticketOr404('zendesk', state, update[1], (t) => {
      const ticket = isRecord(req.body) && isRecord(req.body.ticket) ? req.body.ticket : {};
      const comment = isRecord(ticket.comment) ? ticket.comment : undefined;
      if (comment)
        t.thread.push({
          author: 'agent',
          private: comment.public === false,
          html: str(comment.body) ?? '',
          at: new Date(),
        });
      const added = Array.isArray(ticket.additional_tags) ? ticket.additional_tags.map(String) : [];
      t.tags = [...new Set([...t.tags, ...added])];
      return { status: 200, body: { ticket: { id: Number(update[1]), tags: t.tags } } };
    });
  }
  const comments = /^\/api\/v2\/tickets\/([^/]+)\/comments\.json$/.exec(req.path);
  if (comments && req.method === 'GET') {
    return ticketOr404('zendesk', state, comments[1], (t) => {
      const list = t.thread.map((e, i) => ({
        id: 9000 + i,
        type: 'Comment',
        author_id: e.author === 'customer' ? ZENDESK_CUSTOMER_ID : ZENDESK_AGENT_ID,
        body: plain(e.html),
        html_body: e.html,
        plain_body: plain(e.html),
        public: !e.private,
        created_at: e.at.toISOString(),
      }));
      if (req.query.sort_order === 'desc') list.reverse();
      const users = [
        { id: ZENDESK_CUSTOMER_ID, name: 'Customer', role: 'end-user' },
        { id: ZENDESK_AGENT_ID, name: 'Agent', role: 'agent' },
      ];
      return {
        status: 200,
        body: {
          comments: list,
          ...(req.query.include === 'users' ? { users } : {}),
          next_page: null,
          count: list.length,
        },
      };
    });
  }
  return notFound('zendesk');
};

const freshdeskRouter: Router = (req, state) => {
  const ticketPath = /^\/api\/v2\/tickets\/([^/]+)$/.exec(req.path);
  if (ticketPath && req.method === 'GET') {
    return ticketOr404('freshdesk', state, ticketPath[1], (t) => {
      const opening = t.thread[0];
      return {
        status: 200,
        body: {
          id: Number(ticketPath[1]),
          tags: t.tags,
          description: opening?.html ?? '',
          description_text: opening ? plain(opening.html) : '',
          created_at: opening?.at.toISOString(),
        },
      };
    });
  }
  if (ticketPath && req.method === 'PUT') {
    return ticketOr404('freshdesk', state, ticketPath[1], (t) => {
      // Freshdesk replaces the whole list with what is sent.
      if (isRecord(req.body) && Array.isArray(req.body.tags)) t.tags = req.body.tags.map(String);
      return { status: 200, body: { id: Number(ticketPath[1]), tags: t.tags } };
    });
  }
  const notes = /^\/api\/v2\/tickets\/([^/]+)\/notes$/.exec(req.path);
  if (notes && req.method === 'POST') {
    return ticketOr404('freshdesk', state, notes[1], (t) => {
      const body = isRecord(req.body) ? req.body : {};
      t.thread.push({ author: 'agent', private: body.private !== false, html: str(body.body) ?? '', at: new Date() });
      return { status: 201, body: { id: 7001, body: body.body, private: body.private } };
    });
  }
  const conversations = /^\/api\/v2\/tickets\/([^/]+)\/conversations$/.exec(req.path);
  if (conversations && req.method === 'GET') {
    return ticketOr404('freshdesk', state, conversations[1], (t) => {
      const all = t.thread.slice(1).map((e, i) => ({
        id: 5000 + i,
        body: e.html,
        body_text: plain(e.html),
        incoming: e.author === 'customer',
        private: e.private === true,
        source: e.private ? 2 : 0,
        created_at: e.at.toISOString(),
      }));
      const perPage = Number(req.query.per_page ?? 30);
      const page = Number(req.query.page ?? 1);
      const slice = all.slice((page - 1) * perPage, page * perPage);
      const more = page * perPage < all.length;
      const next = `<${req.path}?page=${page + 1}&per_page=${perPage}>; rel="next"`;
      const headers: Record<string, string> = more ? { link: next } : {};
      return { status: 200, body: slice, headers };
    });
  }
  return notFound('freshdesk');
};

const JIRA_REPORTER = 'qm:customer-1';

function adf(text: string) {
  return { type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text }] }] };
}

/** The text of the ADF a client sent, for the thread (paragraphs joined by blank lines, hard breaks by newlines). */
function adfText(doc: unknown): string {
  if (!isRecord(doc) || !Array.isArray(doc.content)) return '';
  return doc.content
    .map((p: unknown) =>
      isRecord(p) && Array.isArray(p.content)
        ? p.content
            .map((n: unknown) => (isRecord(n) ? (n.type === 'hardBreak' ? '\n' : (str(n.text) ?? '')) : ''))
            .join('')
        : '',
    )
    .join('\n\n');
}

const jiraRouter: Router = (req, state) => {
  const issue = /^\/rest\/api\/3\/issue\/([^/]+)$/.exec(req.path);
  if (issue && req.method === 'GET') {
    return ticketOr404('jira', state, issue[1], (t) => ({
      status: 200,
      body: {
        key: decodeURIComponent(issue[1] ?? ''),
        fields: {
          description: t.thread[0] ? adf(plain(t.thread[0].html)) : null,
          created: t.thread[0]?.at.toISOString().replace('Z', '+0000'),
          reporter: { accountId: JIRA_REPORTER, accountType: 'customer', displayName: 'Dana' },
          labels: t.tags,
        },
      },
    }));
  }
  if (issue && req.method === 'PUT') {
    return ticketOr404('jira', state, issue[1], (t) => {
      const update = isRecord(req.body) && isRecord(req.body.update) ? req.body.update : {};
      const ops = Array.isArray(update.labels) ? update.labels : [];
      for (const op of ops)
        if (isRecord(op) && typeof op.add === 'string' && !t.tags.includes(op.add)) t.tags.push(op.add);
      return { status: 204 };
    });
  }
  const comment = /^\/rest\/api\/3\/issue\/([^/]+)\/comment$/.exec(req.path);
  if (comment && req.method === 'POST') {
    return ticketOr404('jira', state, comment[1], (t) => {
      const body = isRecord(req.body) ? req.body : {};
      const props = Array.isArray(body.properties) ? body.properties : [];
      const internal = props.some(
        (p: unknown) => isRecord(p) && p.key === 'sd.public.comment' && isRecord(p.value) && p.value.internal === true,
      );
      t.thread.push({ author: 'agent', private: internal, html: adfText(body.body), at: new Date() });
      return { status: 201, body: { id: '10100', jsdPublic: !internal } };
    });
  }
  if (comment && req.method === 'GET') {
    return ticketOr404('jira', state, comment[1], (t) => {
      const list = t.thread.slice(1).map((e, i) => ({
        id: String(10000 + i),
        author:
          e.author === 'customer'
            ? { accountId: JIRA_REPORTER, accountType: 'customer' }
            : { accountId: `agent-${i}`, accountType: 'atlassian' },
        body: adf(plain(e.html)),
        created: e.at.toISOString().replace('Z', '+0000'),
        jsdPublic: !e.private,
      }));
      if (req.query.orderBy === '-created') list.reverse();
      const max = Number(req.query.maxResults ?? 5000);
      return { status: 200, body: { startAt: 0, maxResults: max, total: list.length, comments: list.slice(0, max) } };
    });
  }
  return notFound('jira');
};

const intercomRouter: Router = (req, state) => {
  if (req.path === '/tags' && req.method === 'POST') {
    const name = isRecord(req.body) ? str(req.body.name) : undefined;
    if (!name)
      return {
        status: 400,
        body: { type: 'error.list', errors: [{ code: 'parameter_not_found', message: 'Name is required' }] },
      };
    const key = name.toLowerCase();
    if (!state.intercomTags.has(key)) state.intercomTags.set(key, String(17500 + state.intercomTags.size));
    return { status: 200, body: { type: 'tag', id: state.intercomTags.get(key), name } };
  }
  const tags = /^\/conversations\/([^/]+)\/tags$/.exec(req.path);
  if (tags && req.method === 'POST') {
    return ticketOr404('intercom', state, tags[1], (t) => {
      const id = isRecord(req.body) ? str(req.body.id) : undefined;
      const name = [...state.intercomTags].find(([, tagId]) => tagId === id)?.[0];
      if (!name)
        return {
          status: 404,
          body: { type: 'error.list', errors: [{ code: 'tag_not_found', message: 'Tag not found' }] },
        };
      if (!t.tags.includes(name)) t.tags.push(name);
      return { status: 200, body: { type: 'tag', id, name } };
    });
  }
  const reply = /^\/conversations\/([^/]+)\/reply$/.exec(req.path);
  if (reply && req.method === 'POST') {
    return ticketOr404('intercom', state, reply[1], (t) => {
      const body = isRecord(req.body) ? req.body : {};
      t.thread.push({
        author: 'agent',
        private: body.message_type === 'note',
        html: str(body.body) ?? '',
        at: new Date(),
      });
      return { status: 200, body: { type: 'conversation', id: reply[1] } };
    });
  }
  const conversation = /^\/conversations\/([^/]+)$/.exec(req.path);
  if (conversation && req.method === 'GET') {
    return ticketOr404('intercom', state, conversation[1], (t) => {
      const [opening, ...rest] = t.thread;
      const parts: {
        type: string;
        id: string;
        part_type: string;
        body: string | null;
        created_at: number;
        author: Json;
      }[] = rest.map((e, i) => ({
        type: 'conversation_part',
        id: String(300 + i),
        part_type: e.private ? 'note' : 'comment',
        body: e.html,
        created_at: seconds(e.at),
        author: { type: e.author === 'customer' ? 'user' : 'admin', id: e.author === 'customer' ? 'c1' : '814860' },
      }));
      // Intercom lists events (assignments, state changes) as parts with no body.
      parts.push({
        type: 'conversation_part',
        id: '399',
        part_type: 'assignment',
        body: null,
        created_at: seconds(new Date()),
        author: { type: 'bot', id: 'b1' },
      });
      return {
        status: 200,
        body: {
          type: 'conversation',
          id: conversation[1],
          created_at: opening ? seconds(opening.at) : 0,
          source: opening ? { type: 'conversation', body: opening.html, author: { type: 'user', id: 'c1' } } : null,
          conversation_parts: { type: 'conversation_part.list', conversation_parts: parts, total_count: parts.length },
          tags: { type: 'tag.list', tags: t.tags.map((name) => ({ type: 'tag', name })) },
        },
      };
    });
  }
  return notFound('intercom');
};

const helpScoutRouter: Router = (req, state) => {
  if (req.path === '/v2/oauth2/token' && req.method === 'POST') {
    const form = isRecord(req.body) ? req.body : {};
    const valid =
      form.grant_type === 'client_credentials' &&
      form.client_id === FAKE_CREDENTIALS.helpscout.appId &&
      form.client_secret === FAKE_CREDENTIALS.helpscout.appSecret;
    if (!valid) return { status: 401, body: { error: 'invalid_client', error_description: 'Bad client credentials' } };
    state.issued += 1;
    const token = `hs-token-${state.issued}`;
    state.validTokens.add(token);
    state.issuedTokens.push(token);
    return { status: 200, body: { token_type: 'bearer', access_token: token, expires_in: state.tokenLifetime } };
  }
  const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  if (!token || !state.validTokens.has(token)) return { status: 401, body: errorBody('helpscout', 401) };
  const convo = /^\/v2\/conversations\/([^/]+)(\/tags|\/notes|\/threads)?$/.exec(req.path);
  if (!convo) return notFound('helpscout');
  return ticketOr404('helpscout', state, convo[1], (t) => {
    const sub = convo[2];
    if (!sub && req.method === 'GET') {
      return {
        status: 200,
        body: {
          id: Number(convo[1]),
          number: 349,
          tags: t.tags.map((tag, i) => ({ id: 9150 + i, color: '#929499', tag })),
        },
      };
    }
    if (sub === '/tags' && req.method === 'PUT') {
      // Help Scout replaces the whole list with what is sent.
      if (isRecord(req.body) && Array.isArray(req.body.tags)) t.tags = req.body.tags.map(String);
      return { status: 204 };
    }
    if (sub === '/notes' && req.method === 'POST') {
      const text = isRecord(req.body) ? str(req.body.text) : undefined;
      t.thread.push({ author: 'agent', private: true, html: text ?? '', at: new Date() });
      return { status: 201, headers: { 'resource-id': '9100' } };
    }
    if (sub === '/threads' && req.method === 'GET') {
      const threads = t.thread
        .map((e, i) => ({
          id: 9000 + i,
          type: e.private ? 'note' : e.author === 'customer' ? 'customer' : 'message',
          status: 'active',
          state: 'published',
          body: e.html,
          createdBy: { id: i, type: e.author === 'customer' ? 'customer' : 'user' },
          createdAt: e.at.toISOString(),
        }))
        .reverse();
      return {
        status: 200,
        body: { _embedded: { threads }, page: { size: 25, totalElements: threads.length, totalPages: 1, number: 1 } },
      };
    }
    return notFound('helpscout');
  });
};

/** True when the request carries the credentials this vendor's fake accepts (Help Scout checks its tokens itself). */
function authorized(vendor: VendorSource, headers: IncomingHttpHeaders): boolean {
  const auth = headers.authorization;
  const c = FAKE_CREDENTIALS;
  switch (vendor) {
    case 'zendesk':
      return (
        auth === basic(`${c.zendesk.email}/token`, c.zendesk.apiToken) || auth === `Bearer ${c.zendesk.oauthToken}`
      );
    case 'freshdesk':
      return auth === basic(c.freshdesk.apiKey, 'X');
    case 'jira':
      return auth === basic(c.jira.email, c.jira.apiToken);
    case 'intercom':
      return auth === `Bearer ${c.intercom.accessToken}`;
    case 'helpscout':
      return true;
  }
}

const ROUTERS: Record<VendorSource, Router> = {
  zendesk: zendeskRouter,
  freshdesk: freshdeskRouter,
  jira: jiraRouter,
  intercom: intercomRouter,
  helpscout: helpScoutRouter,
};

function configFor<V extends VendorSource>(vendor: V, url: string): ApiConfigs[V] {
  const c = FAKE_CREDENTIALS;
  const configs: ApiConfigs = {
    zendesk: { baseUrl: url, email: c.zendesk.email, apiToken: c.zendesk.apiToken },
    freshdesk: { baseUrl: url, apiKey: c.freshdesk.apiKey },
    jira: { baseUrl: url, email: c.jira.email, apiToken: c.jira.apiToken },
    intercom: { baseUrl: url, accessToken: c.intercom.accessToken, adminId: c.intercom.adminId },
    helpscout: { baseUrl: url, appId: c.helpscout.appId, appSecret: c.helpscout.appSecret },
  };
  return configs[vendor];
}

async function readRequest(req: IncomingMessage): Promise<RecordedRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  const raw = Buffer.concat(chunks).toString('utf8');
  const url = new URL(req.url ?? '/', 'http://fake');
  const type = req.headers['content-type'] ?? '';
  const body = !raw
    ? undefined
    : type.includes('application/json')
      ? JSON.parse(raw)
      : type.includes('x-www-form-urlencoded')
        ? Object.fromEntries(new URLSearchParams(raw))
        : raw;
  return {
    method: req.method ?? 'GET',
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: req.headers,
    body,
    at: Date.now(),
  };
}

function matches(match: RequestMatch | undefined, req: RecordedRequest): boolean {
  if (!match) return true;
  if (match.method && match.method !== req.method) return false;
  if (match.path === undefined) return true;
  return typeof match.path === 'string' ? match.path === req.path : match.path.test(req.path);
}

function send(res: ServerResponse, answer: Answer): void {
  const headers = { ...answer.headers, ...(answer.body !== undefined ? { 'content-type': 'application/json' } : {}) };
  res.writeHead(answer.status, headers);
  res.end(answer.body !== undefined ? JSON.stringify(answer.body) : undefined);
}

/** Waits `ms`, or less when the client hangs up first (its timeout), so no timer outlives the test. */
function answerLater(res: ServerResponse, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    res.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Starts a fake of one vendor's API on a free port. */
export async function startFakeHelpDesk<V extends VendorSource>(vendor: V): Promise<FakeHelpDesk<V>> {
  const requests: RecordedRequest[] = [];
  const failures: { failure: FakeFailure; remaining: number; match?: RequestMatch }[] = [];
  const state: FakeState = {
    tickets: new Map(),
    intercomTags: new Map(),
    validTokens: new Set(),
    issuedTokens: [],
    tokenLifetime: 7200,
    issued: 0,
  };

  const server = createServer((req, res) => {
    void (async () => {
      const recorded = await readRequest(req);
      requests.push(recorded);
      const queued = failures.find((f) => f.remaining > 0 && matches(f.match, recorded));
      if (queued) {
        queued.remaining -= 1;
        recorded.failure = queued.failure;
        const failure = queued.failure;
        if ('reset' in failure) {
          req.socket.destroy();
          return;
        }
        if ('delayMs' in failure) await answerLater(res, failure.delayMs);
        else if (failure.status === 429) return send(res, rateLimited(vendor, failure.retryAfterSeconds));
        else return send(res, { status: failure.status, body: errorBody(vendor, failure.status) });
      }
      // The client gave up waiting: there is no one left to answer, and nothing must change.
      if (req.socket.destroyed) return;
      if (!authorized(vendor, recorded.headers)) return send(res, { status: 401, body: errorBody(vendor, 401) });
      send(res, ROUTERS[vendor](recorded, state));
    })().catch((err: unknown) => {
      if (!res.headersSent) send(res, { status: 500, body: { error: String(err) } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    vendor,
    url,
    config: configFor(vendor, url),
    requests,
    requestsTo: (method, path) => requests.filter((r) => matches({ method, path }, r)),
    failNext: (failure, count = 1, match) => {
      failures.push({ failure, remaining: count, match });
    },
    setTicket: (id, ticket) => {
      const stored: FakeTicket = { tags: [...(ticket.tags ?? [])], thread: [...(ticket.thread ?? [])] };
      state.tickets.set(id, stored);
      return stored;
    },
    ticket: (id) => {
      const ticket = state.tickets.get(id);
      if (!ticket) throw new Error(`the fake ${vendor} has no ticket ${id}`);
      return ticket;
    },
    intercomTags: state.intercomTags,
    setTokenLifetime: (lifetime) => {
      state.tokenLifetime = lifetime;
    },
    tokens: state.issuedTokens,
    revokeTokens: () => state.validTokens.clear(),
    reset: () => {
      requests.length = 0;
      failures.length = 0;
      state.issuedTokens.length = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Keep-alive sockets from fetch would otherwise hold close() open until they time out.
        server.closeAllConnections();
      }),
  };
}
