import { createLogger } from '../src/logger';

describe('log lines never carry contact details', () => {
  const capture = () => {
    const lines: string[] = [];
    return { lines, logger: createLogger('debug', { write: (line: string) => lines.push(line) }) };
  };

  it('masks emails and phone numbers inside message text, and every line stays valid JSON', () => {
    const { lines, logger } = capture();
    logger.info('reply to Ada.Lovelace+vip@Engines.example or call +1 (415) 555-0100');
    logger.debug(`body ${JSON.stringify({ text: 'Regards\nada@engines.example\n+44 20 7946 0958' })}`);
    logger.debug('GET https://desk.example/users?email=ada%40engines.example&phone=%2B14155550100');
    logger.debug('<tel:4155550100|415 555 0100>');
    const parsed = lines.map((l) => JSON.parse(l) as { msg: string });
    expect(parsed.map((p) => p.msg)).toEqual([
      'reply to [email] or call [phone]',
      'body {"text":"Regards\\n[email]\\n[phone]"}',
      'GET https://desk.example/users?email=[email]&phone=[phone]',
      '<tel:[phone]|[phone]>',
    ]);
  });

  it('leaves timestamps, ids and offsets alone', () => {
    const { lines, logger } = capture();
    const texts = [
      'ts 1732350000.000100 in C0123ABCD',
      'received 2026-11-23T10:00:00+01:00',
      'complaint 12345678 claimed by <@UEXEC0001>',
      'retry 3 of 10 after 429; pickup@0.1.0',
    ];
    for (const text of texts) logger.info(text);
    expect(lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(texts);
    expect(lines[0]).toMatch(/"time":\d{13}/);
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
