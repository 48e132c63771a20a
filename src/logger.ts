import pino, { type Logger } from 'pino';
import { redactText } from './privacy/redact';

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
  // Help-desk API credentials (Config.helpDesks and the clients' options).
  'apiToken',
  'apiKey',
  'oauthToken',
  'accessToken',
  'appSecret',
  'password',
  'secret',
  'secrets',
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
    // Key-based redaction cannot reach text that Bolt and the Web API log as one string (whole request and response
    // bodies at debug level) or an error message quoting a value, so every serialised line passes the policy too.
    // Its pre-check returns most lines untouched without calling the phone library.
    { write: (line: string) => sink.write(redactText(line)) },
  );
}
