import type { IncomingHttpHeaders } from 'node:http';
import type { ComplaintInput, VendorSource } from '../complaints/complaint';
import type { AdapterOptions } from './adapter.helpers';

export { type AdapterOptions, DEFAULT_ADAPTER_OPTIONS } from './adapter.helpers';

/** What an adapter sees of a webhook request: the headers and the exact bytes received. */
export interface WebhookRequest {
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
}

/** The outcome of mapping one vendor payload: a complaint, a deliberate skip, or the reasons it is malformed. */
export type AdapterResult =
  | { kind: 'complaint'; complaint: ComplaintInput }
  | { kind: 'ignored'; reason: string }
  | { kind: 'invalid'; issues: { path: string; message: string }[] };

/** One help desk's webhook: how to authenticate it and how to read it. */
export interface HelpDeskAdapter {
  source: VendorSource;
  /** True when the request carries this vendor's valid signature for `secret`. Constant-time compare. Verify over the RAW body. */
  verifySignature(req: WebhookRequest, secret: string, nowMs: number): boolean;
  /**
   * Maps an already JSON-parsed body (and headers) to the complaint model, with the operator's `options`
   * (default: none). Never throws on bad input: returns 'invalid' with issues naming each field path
   * (e.g. "detail.subject").
   */
  parse(body: unknown, headers: WebhookRequest['headers'], options?: AdapterOptions): AdapterResult;
}
