import { z } from 'zod';
import type { HelpScoutApiConfig } from '../../config';
import {
  HelpDeskApiError,
  type HelpDeskClient,
  type HelpDeskNote,
  type ThreadMessage,
} from '../../ports/helpdesk.port';
import { type ApiRequest, type ApiResponse, createVendorApi, retryAfterHeader, type VendorApi } from '../api.http';
import {
  addTagsBestEffort,
  type HelpDeskClientOptions,
  newestMessages,
  segment,
  threadMessage,
} from '../client.helpers';
import { htmlToText, textToHtml } from '../html';

const text = z.string().nullish();

const tokenSchema = z.looseObject({ access_token: z.string().min(1), expires_in: z.number().positive().nullish() });

const conversationSchema = z.looseObject({
  tags: z.array(z.union([z.string(), z.looseObject({ tag: z.string() })])).nullish(),
});

const threadsSchema = z.looseObject({
  _embedded: z
    .looseObject({
      threads: z.array(
        z.looseObject({
          type: text,
          state: text,
          body: text,
          createdAt: z.string(),
          createdBy: z.looseObject({ type: text }).nullish(),
        }),
      ),
    })
    .nullish(),
});

/** Refreshed this long before Help Scout says the token expires, so no call starts with a token about to lapse. */
export const HELPSCOUT_TOKEN_MARGIN_MS = 60_000;
// Help Scout documents two hours; used when an answer leaves `expires_in` out.
const DEFAULT_TOKEN_LIFETIME_S = 2 * 60 * 60;
// Thread types the customer never sees: internal notes, activity lines ("assigned to…"), forwarding records.
const PRIVATE_THREAD_TYPES = new Set(['note', 'lineitem', 'forwardparent', 'forwardchild']);

const TOKEN_PATH = '/v2/oauth2/token';
const TOKEN_CALL = `POST ${TOKEN_PATH}`;
const CREDENTIALS_FIX =
  "check HELPSCOUT_APP_ID and HELPSCOUT_APP_SECRET (Your Profile → My Apps); the app's user must be an active user of the account";

/** Asks Help Scout for a client-credentials token; unknown app credentials become the error that names them. */
async function requestToken(api: VendorApi, config: HelpScoutApiConfig): Promise<{ token: string; expiresAt: number }> {
  try {
    const { body } = await api.request(
      {
        method: 'POST',
        path: TOKEN_PATH,
        form: { grant_type: 'client_credentials', client_id: config.appId, client_secret: config.appSecret },
      },
      tokenSchema,
    );
    const lifetimeMs = (body.expires_in ?? DEFAULT_TOKEN_LIFETIME_S) * 1000;
    return { token: body.access_token, expiresAt: Date.now() + Math.max(0, lifetimeMs - HELPSCOUT_TOKEN_MARGIN_MS) };
  } catch (err) {
    // OAuth servers answer unknown client credentials with 400 (invalid_client) as often as with 401.
    if (err instanceof HelpDeskApiError && err.status === 400) {
      const message = `Help Scout refused the credentials (400 on ${TOKEN_CALL}): ${CREDENTIALS_FIX}`;
      throw new HelpDeskApiError(message, false, { status: 400, cause: err });
    }
    throw err;
  }
}

/**
 * Calls the Mailbox API with a bearer token: fetched on first use (concurrent callers share one request), kept until
 * HELPSCOUT_TOKEN_MARGIN_MS before it expires, and fetched again once when a call is refused with 401 (revoked
 * early). A second 401 is the answer.
 */
function createAuthorizedCaller(api: VendorApi, config: HelpScoutApiConfig) {
  let cached: { token: string; expiresAt: number } | undefined;
  let pending: Promise<string> | undefined;

  function accessToken(): Promise<string> {
    if (cached && Date.now() < cached.expiresAt) return Promise.resolve(cached.token);
    pending ??= requestToken(api, config)
      .then((fresh) => {
        cached = fresh;
        return fresh.token;
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  }

  return async function call<T>(req: ApiRequest, schema: z.ZodType<T>): Promise<ApiResponse<T>> {
    const token = await accessToken();
    try {
      return await api.request({ ...req, headers: { authorization: `Bearer ${token}` } }, schema);
    } catch (err) {
      if (!(err instanceof HelpDeskApiError) || err.status !== 401) throw err;
      // Forget it (unless another call already replaced it) and try once with a new one.
      if (cached?.token === token) cached = undefined;
      const fresh = await accessToken();
      return api.request({ ...req, headers: { authorization: `Bearer ${fresh}` } }, schema);
    }
  };
}

/**
 * Help Scout's Mailbox API 2.0, with an OAuth2 client-credentials token (see createAuthorizedCaller). A note is a
 * note thread (HTML text). Updating tags replaces them, so tags are added by reading the conversation and writing
 * the union.
 */
export function createHelpScoutClient(config: HelpScoutApiConfig, options: HelpDeskClientOptions = {}): HelpDeskClient {
  const api = createVendorApi({
    vendor: 'Help Scout',
    baseUrl: config.baseUrl,
    fixes: {
      credentials: CREDENTIALS_FIX,
      permissions: "the app's user must have access to this conversation's mailbox",
      baseUrl: 'HELPSCOUT_API_URL',
    },
    retryAfter: retryAfterHeader('x-ratelimit-retry-after'),
    timeoutMs: options.timeoutMs,
    logger: options.logger,
  });
  const call = createAuthorizedCaller(api, config);

  async function addTags(conversationId: string, tags: readonly string[], signal: AbortSignal | undefined) {
    const path = `/v2/conversations/${segment(conversationId)}`;
    const { body } = await call({ method: 'GET', path, signal }, conversationSchema);
    const current = (body.tags ?? []).map((t) => (typeof t === 'string' ? t : t.tag));
    const have = new Set(current.map((t) => t.toLowerCase()));
    const missing = tags.filter((t) => !have.has(t.toLowerCase()));
    if (missing.length === 0) return;
    await call({ method: 'PUT', path: `${path}/tags`, json: { tags: [...current, ...missing] }, signal }, z.unknown());
  }

  return {
    source: 'helpscout',

    async addInternalNote(conversationId: string, note: HelpDeskNote, signal?: AbortSignal): Promise<void> {
      if (note.tags.length > 0) {
        await addTagsBestEffort(api, conversationId, options.logger, () => addTags(conversationId, note.tags, signal));
      }
      await call(
        {
          method: 'POST',
          path: `/v2/conversations/${segment(conversationId)}/notes`,
          json: { text: textToHtml(note.text) },
          signal,
        },
        z.unknown(),
      );
    },

    async fetchThread(conversationId: string, limit: number, signal?: AbortSignal): Promise<ThreadMessage[]> {
      // Threads come newest first; the first page holds the newest ones, which are the ones wanted.
      const { body } = await call(
        { method: 'GET', path: `/v2/conversations/${segment(conversationId)}/threads`, signal },
        threadsSchema,
      );
      const threads = body._embedded?.threads ?? [];
      return newestMessages(
        threads
          .filter((t) => !PRIVATE_THREAD_TYPES.has(t.type ?? '') && (t.state ?? 'published') === 'published')
          .map((t) => {
            const fromCustomer = t.type === 'customer' || t.createdBy?.type === 'customer';
            return threadMessage(fromCustomer ? 'customer' : 'agent', htmlToText(t.body ?? ''), t.createdAt);
          }),
        limit,
      );
    },
  };
}
