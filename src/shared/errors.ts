/** Codes for every failure a user can be told about; each has its HTTP status in `src/http/http.ts`. */
export type DomainErrorCode =
  | 'not_authorized'
  | 'not_found'
  | 'already_claimed'
  | 'not_claimable'
  | 'not_your_claim'
  | 'action_closed'
  | 'invalid_input'
  /** The essential settings are not all set yet (first run): Pickup posts nothing and takes no claims. */
  | 'not_set_up';

/** Codes for failures the operator (or Pickup itself) must deal with, each thrown by one error class. */
export type SystemErrorCode =
  | 'config_invalid'
  | 'cli_usage'
  | 'csv_header_invalid'
  /** A CSV file's rows are refused (invalid, without --skip-invalid): the import's transaction is rolled back. */
  | 'csv_rows_invalid'
  | 'slack_auth_refused'
  | 'slack_delivery_failed'
  | 'helpdesk_api_failed'
  | 'data_dir_locked'
  | 'embedded_server_unreachable'
  /** The embedded database's worker thread died: nothing answers until Pickup restarts. */
  | 'embedded_database_failed'
  | 'body_too_large'
  | 'shutdown_requested';

/** Every code a {@link PickupError} carries: what code branches on, instead of class names or message text. */
export type ErrorCode = DomainErrorCode | SystemErrorCode;

/**
 * The base of every error class Pickup defines, like bolt-js's CodedError: a stable `code`, and the failure it
 * stands for kept as the standard `cause`, so the log shows the whole chain (pino's serializer appends each cause's
 * message and stack) and nothing is lost by translating an error into one the caller understands.
 */
export class PickupError<C extends ErrorCode = ErrorCode> extends Error {
  constructor(
    readonly code: C,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A failure with a message fit to show the person who caused it. */
export class DomainError extends PickupError<DomainErrorCode> {
  constructor(
    code: DomainErrorCode,
    readonly userMessage: string,
    options: { cause?: unknown } = {},
  ) {
    super(code, userMessage, options);
  }
}

// Connection failures, server shutdown (57P01, 57P03), statement_timeout (57014) and the embedded database's dead
// thread: all mean "try again later" (the orchestrator sees /healthz answer 503).
const UNAVAILABLE_CODES = new Set([
  'embedded_database_failed',
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
