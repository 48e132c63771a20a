import http, { type IncomingHttpHeaders } from 'node:http';
import { TEST_INGEST_TOKEN } from '../../helpers/config';

/** What a server answered. `error` is set when the connection failed after (or instead of) the answer. */
export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text: string;
  /** The body as JSON, or undefined when it is not JSON. */
  json: unknown;
}

/** One request, byte for byte: what fetch cannot send (invalid UTF-8, a lying content-length, a source address). */
export interface RawRequest {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** Send the body with `transfer-encoding: chunked` (no content-length), in chunks of this many bytes. */
  chunkSize?: number;
  /** A loopback source address (127.0.0.2 …): webhooks rate-limit per source, and property tests send many. */
  localAddress?: string;
  timeoutMs?: number;
}

/**
 * Sends a request with node:http and resolves with the answer as soon as it is complete, even if the server
 * answered early and then closed while the body was still being written (a 413, say): that write error is the
 * server dealing with the connection, not a failed request.
 */
export function rawRequest(request: RawRequest): Promise<RawResponse> {
  const url = new URL(request.url);
  const body = typeof request.body === 'string' ? Buffer.from(request.body, 'utf8') : request.body;
  const headers: Record<string, string> = { ...request.headers };
  if (body && request.chunkSize === undefined && headers['content-length'] === undefined) {
    headers['content-length'] = String(body.length);
  }
  return new Promise<RawResponse>((resolve, reject) => {
    let answered = false;
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method: request.method ?? 'POST',
        headers,
        agent: false,
        ...(request.localAddress ? { localAddress: request.localAddress } : {}),
      },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const bytes = Buffer.concat(chunks);
          const text = bytes.toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: bytes, text, json });
        });
      },
    );
    req.setTimeout(request.timeoutMs ?? 20_000, () => req.destroy(new Error(`no answer from ${request.url}`)));
    req.on('error', (err) => {
      if (!answered) reject(err);
    });
    if (!body) {
      req.end();
      return;
    }
    if (request.chunkSize === undefined) {
      req.end(body);
      return;
    }
    const size = request.chunkSize;
    let offset = 0;
    const writeMore = () => {
      while (offset < body.length && !req.destroyed) {
        const chunk = body.subarray(offset, offset + size);
        offset += size;
        if (!req.write(chunk)) {
          req.once('drain', writeMore);
          return;
        }
      }
      if (!req.destroyed) req.end();
    };
    writeMore();
  });
}

/** Posts JSON (or any bytes) to a webhook with the ingest token. */
export function postWebhook(
  baseUrl: string,
  path: string,
  body: unknown,
  options: Omit<RawRequest, 'url' | 'body'> & { raw?: Buffer | string; token?: string | null } = {},
): Promise<RawResponse> {
  const { raw, token, headers, ...rest } = options;
  const auth: Record<string, string> = token === null ? {} : { authorization: `Bearer ${token ?? TEST_INGEST_TOKEN}` };
  return rawRequest({
    url: `${baseUrl}${path}`,
    headers: { 'content-type': 'application/json', ...auth, ...headers },
    body: raw ?? JSON.stringify(body),
    ...rest,
  });
}

let nextAddress = 0;
/** A different loopback source address on each call (127.0.0.2 … 127.0.0.250), so no one source hits the rate limit. */
export function nextLoopbackAddress(): string {
  nextAddress = (nextAddress % 249) + 1;
  return `127.0.0.${nextAddress + 1}`;
}
