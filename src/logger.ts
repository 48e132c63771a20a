import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/** Keys that carry a customer's contact details or a secret, at any of the first few nesting levels. */
const SENSITIVE_KEYS = [
  'phone',
  'email',
  'customer_phone',
  'customer_email',
  'customerPhone',
  'customerEmail',
  'requester_phone',
  'requester_email',
  'token',
  'botToken',
  'appToken',
  'signingSecret',
  'signingSecrets',
  'ingestTokens',
  'vendorSecrets',
  'password',
  'secret',
  'authorization',
  'Authorization',
];

function redactPaths(): string[] {
  const paths: string[] = [];
  for (const key of SENSITIVE_KEYS) {
    paths.push(key, `*.${key}`, `*.*.${key}`, `*.*.*.${key}`);
  }
  paths.push('req.headers.authorization', 'req.headers["x-pickup-secret"]', 'headers["x-pickup-secret"]');
  return paths;
}

// Emails, also URL-encoded (`%40`). The local part is optional: "@domain" alone still names a small customer,
// and what remains after an earlier, partial mask (a "[redacted]@acme.example") must not keep it.
const EMAIL_IN_TEXT = /[A-Za-z0-9._%+-]*(?:@|%40)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
// International numbers (`+` or `%2B`, then 7 to 15 digits with separators), and anything in a tel: link.
// Bare digit runs are left alone: they are far more often timestamps and ids than phone numbers.
const PHONE_IN_TEXT = /(?:\+|%2B)\d(?:[ ().-]{0,2}\d){6,14}|tel:[^\s"|>\\]+/gi;

/**
 * Masks email addresses and phone numbers anywhere in a log line. Key-based redaction cannot reach text that
 * Bolt and the Web API log as one string (whole request and response bodies at debug level), or an error
 * message quoting a value, so every serialised line passes through here as well.
 */
export function scrubContactDetails(line: string): string {
  return line.replace(EMAIL_IN_TEXT, '[email]').replace(PHONE_IN_TEXT, '[phone]');
}

/**
 * Creates the root logger: JSON lines with contact details and secrets redacted.
 * `destination` exists so tests can capture every line a full cycle writes.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const sink = destination ?? pino.destination({ fd: 1, sync: true });
  return pino(
    {
      level,
      base: { service: 'pickup' },
      redact: { paths: redactPaths(), censor: '[redacted]' },
      serializers: { err: pino.stdSerializers.err },
    },
    { write: (line: string) => sink.write(scrubContactDetails(line)) },
  );
}
