import { Writable } from 'node:stream';
import { createLogger } from '../../src/logger';
import { toBoltLogger } from '../../src/slack/bolt-logger';

describe('the Bolt logger adapter', () => {
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
    bolt.debug('body', { user: { email: 'grace@example.com', phone: '+1 415 555 0100' } });
    bolt.error(new Error('boom'));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('"level":20');
    expect(lines[0]).toContain('"source":"bolt-app"');
    expect(lines[0]).not.toContain('grace@example.com');
    expect(lines[0]).not.toContain('555 0100');
    expect(lines[1]).toContain('Error: boom');
  });
});
