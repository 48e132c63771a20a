/** Codes for every failure a user can be told about. */
export type DomainErrorCode =
  | 'not_authorized'
  | 'not_found'
  | 'already_claimed'
  | 'not_claimable'
  | 'not_your_claim'
  | 'action_closed'
  | 'invalid_input'
  | 'database_unavailable';

/** A failure with a message fit to show the person who caused it. */
export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    readonly userMessage: string,
  ) {
    super(userMessage);
    this.name = 'DomainError';
  }
}

// Connection failures, server shutdown (57P01, 57P03) and statement_timeout (57014): all mean "try again later".
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EPIPE',
  '57P01',
  '57P03',
  '57014',
]);

/**
 * True when an error means the database cannot be reached (as opposed to a bug or a constraint):
 * the caller answers "try again" (HTTP 503) instead of failing loudly. The check is structural, not
 * `instanceof`, because errors from Node's own sockets can come from another realm (Jest's sandbox, for one).
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  const seen = new Set<unknown>();
  for (
    let e: unknown = err;
    typeof e === 'object' && e !== null && !seen.has(e);
    e = (e as { cause?: unknown }).cause
  ) {
    seen.add(e);
    const { code, message, errors } = e as { code?: unknown; message?: unknown; errors?: unknown };
    if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true;
    if (Array.isArray(errors) && errors.some(isDatabaseUnavailable)) return true;
    if (
      typeof message === 'string' &&
      /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
        message,
      )
    ) {
      return true;
    }
  }
  return false;
}
