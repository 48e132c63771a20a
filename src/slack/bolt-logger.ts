import { LogLevel, type Logger as SlackLogger } from '@slack/bolt';
import type { Logger } from '../logger';

const EMAIL = /[^\s"'<>@:;,]+@[^\s"'<>@:;,]+\.[a-z]{2,}/gi;
const PHONE = /\+?\d[\d ().-]{6,}\d/g;

/**
 * Bolt and the Web API log free-form strings (at debug level, whole request payloads), which pino's key-based
 * redaction cannot see into; emails and phone-like numbers are masked here instead.
 */
export function scrubContactDetails(text: string): string {
  return text.replace(EMAIL, '[redacted]').replace(PHONE, (m) => (m.replace(/\D/g, '').length >= 7 ? '[redacted]' : m));
}

/** Routes Bolt's and the Web API's logging through pino, so redaction applies to them too. */
export function toBoltLogger(logger: Logger): SlackLogger {
  let name = 'bolt';
  const fmt = (msg: unknown[]) =>
    scrubContactDetails(
      msg
        .map((m) => (typeof m === 'string' ? m : m instanceof Error ? `${m.name}: ${m.message}` : JSON.stringify(m)))
        .join(' '),
    );
  return {
    debug: (...msg) => logger.debug({ source: name }, fmt(msg)),
    info: (...msg) => logger.info({ source: name }, fmt(msg)),
    warn: (...msg) => logger.warn({ source: name }, fmt(msg)),
    error: (...msg) => logger.error({ source: name }, fmt(msg)),
    setLevel: () => {},
    getLevel: () => (logger.isLevelEnabled('debug') ? LogLevel.DEBUG : LogLevel.INFO),
    setName: (n) => {
      name = n;
    },
  };
}
