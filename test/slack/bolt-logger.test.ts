import { Writable } from 'node:stream';
import { createLogger } from '../../src/logger';
import { scrubContactDetails, toBoltLogger } from '../../src/slack/bolt-logger';

describe('the Bolt logger adapter', () => {
  it('masks emails and phone numbers inside free-form messages', () => {
    expect(
      scrubContactDetails('payload {"email":"ada@example.com","phone":"+1 (415) 555-0100"} ts 1732350000.000100'),
    ).toBe('payload {"email":"[redacted]","phone":"[redacted]"} ts [redacted]');
    expect(scrubContactDetails('retry 3 of 10 after 429')).toBe('retry 3 of 10 after 429');
  });

  it('writes through pino at the matching level, scrubbed', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const bolt = toBoltLogger(createLogger('debug', sink));
    bolt.setName('bolt-app');
    bolt.debug('body', { user: { email: 'grace@example.com' } });
    bolt.error(new Error('boom'));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('"level":20');
    expect(lines[0]).toContain('"source":"bolt-app"');
    expect(lines[0]).not.toContain('grace@example.com');
    expect(lines[1]).toContain('Error: boom');
  });
});
