import { createLogger, scrubContactDetails } from '../../src/logger';

describe('log lines never carry contact details', () => {
  it('masks emails however they are written', () => {
    expect(scrubContactDetails('reply to Ada.Lovelace+vip@Engines.example now')).toBe('reply to [email] now');
    expect(scrubContactDetails('customer%5Bemail%5D=ada%40engines.example&x=1')).toBe(
      'customer%5Bemail%5D=[email]&x=1',
    );
    expect(scrubContactDetails('<mailto:ada@engines.example|ada@engines.example>')).toBe('<mailto:[email]|[email]>');
    // What an earlier, partial mask left behind still names the customer's company.
    expect(scrubContactDetails('mailto:[redacted]@apollo.example>')).toBe('mailto:[redacted][email]>');
  });

  it('masks international phone numbers and tel: links', () => {
    expect(scrubContactDetails('call +1 (415) 555-0100 today')).toBe('call [phone] today');
    expect(scrubContactDetails('"phone":"+442079460958"')).toBe('"phone":"[phone]"');
    expect(scrubContactDetails('phone=%2B14155550100&')).toBe('phone=[phone]&');
    expect(scrubContactDetails('<tel:4155550100|415 555 0100>')).toBe('<[phone]|415 555 0100>');
  });

  it('leaves timestamps, ids and offsets alone', () => {
    for (const text of [
      '{"level":30,"time":1795458622564,"pid":4242}',
      'ts 1732350000.000100 in C0123ABCD',
      'received 2026-11-23T10:00:00+01:00',
      'complaint 12345678 claimed by <@UEXEC0001>',
      'retry 3 of 10 after 429; pickup@0.1.0',
    ]) {
      expect(scrubContactDetails(text)).toBe(text);
    }
  });

  it('applies to every line the root logger writes: messages, error text, and keys pino redacts', () => {
    const lines: string[] = [];
    const logger = createLogger('debug', { write: (line: string) => lines.push(line) });
    const err = new Error('duplicate key value violates unique constraint: (customer_email)=(grace@navy.example)');
    logger.error({ err }, 'intake failed for grace@navy.example');
    logger.info({ customer: { phone: '+14155550100', name: 'Grace' } }, 'stored');
    expect(lines).toHaveLength(2);
    const all = lines.join('');
    expect(all).not.toMatch(/grace@|navy\.example|4155550100/);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({
      msg: 'intake failed for [email]',
      err: { message: expect.stringContaining('(customer_email)=([email])') },
    });
    expect(JSON.parse(lines[1] ?? '{}')).toMatchObject({ customer: { phone: '[redacted]', name: 'Grace' } });
  });
});
