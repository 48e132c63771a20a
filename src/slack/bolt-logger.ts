import { LogLevel, type Logger as SlackLogger } from '@slack/bolt';
import type { Logger } from '../logger';

/** Routes Bolt's and the Web API's logging through pino, so redaction applies to them too. */
export function toBoltLogger(logger: Logger): SlackLogger {
  let name = 'bolt';
  const fmt = (msg: unknown[]) => msg.map((m) => (typeof m === 'string' ? m : JSON.stringify(m))).join(' ');
  return {
    debug: (...msg) => logger.debug({ component: name }, fmt(msg)),
    info: (...msg) => logger.info({ component: name }, fmt(msg)),
    warn: (...msg) => logger.warn({ component: name }, fmt(msg)),
    error: (...msg) => logger.error({ component: name }, fmt(msg)),
    setLevel: () => {},
    getLevel: () => (logger.isLevelEnabled('debug') ? LogLevel.DEBUG : LogLevel.INFO),
    setName: (n) => {
      name = n;
    },
  };
}
