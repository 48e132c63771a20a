import { LogLevel, type Logger as SlackLogger } from '@slack/bolt';
import type { Logger } from '../logger';

/**
 * Routes Bolt's and the Web API's logging through pino. Their messages are free-form strings (at debug level,
 * whole payloads); the root logger masks contact details in every line it writes, these included.
 */
export function toBoltLogger(logger: Logger): SlackLogger {
  let name = 'bolt';
  const fmt = (msg: unknown[]) =>
    msg
      .map((m) => (typeof m === 'string' ? m : m instanceof Error ? `${m.name}: ${m.message}` : JSON.stringify(m)))
      .join(' ');
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
