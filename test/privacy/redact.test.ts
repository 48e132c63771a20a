import { mayHoldContacts, redactText, toE164 } from '../../src/privacy/redact';

describe('redactText: the one redaction policy', () => {
  it.each<[string, string, string]>([
    // Phone numbers in the common national and international formats.
    ['international, spaced', 'Mobile: +1 415 555 0142', 'Mobile: [phone]'],
    ['US national with parentheses', 'call (415) 555-0142 after 5', 'call [phone] after 5'],
    ['US national with dots', 'or 415.555.0142.', 'or [phone].'],
    ['US national, bare digits', 'cell 4155550142', 'cell [phone]'],
    ['UK international', 'London office +44 20 7946 0958', 'London office [phone]'],
    ['UK national with the trunk 0', 'London office 020 7946 0958', 'London office [phone]'],
    ['German international', 'Berlin: +49 30 901820', 'Berlin: [phone]'],
    ['French national', 'portable 06 12 34 56 78', 'portable [phone]'],
    ['E.164 in JSON', '"phone":"+442079460958"', '"phone":"[phone]"'],
    ['percent-encoded +', 'https://x.example/?phone=%2B14155550142&y=1', 'https://x.example/?phone=[phone]&y=1'],
    ['a tel: link and its label', '<tel:4155550100|415 555 0100>', '<tel:[phone]|[phone]>'],
    ['after a JSON newline escape', 'sig\\n+1 415 555 0142\\nthanks', 'sig\\n[phone]\\nthanks'],
    ['two numbers', 'home 415-555-0142, work +44 20 7946 0958', 'home [phone], work [phone]'],
    // Emails, also inside URLs.
    ['an email', 'write to jane@acme.com today', 'write to [email] today'],
    ['capitals, plus and subdomains', 'Ada.Lovelace+vip@Mail.Engines.example', '[email]'],
    [
      'percent-encoded in a URL',
      'https://desk.example/users?q=jane%40acme.com&p=2',
      'https://desk.example/users?q=[email]&p=2',
    ],
    ['encoded plus in the local part', 'q=jane%2Bvip%40acme.com', 'q=[email]'],
    ['a mailto link', '<mailto:jane@acme.com|jane@acme.com>', '<mailto:[email]|[email]>'],
    ['a domain left by a partial mask', 'mailto:[redacted]@apollo.example>', 'mailto:[redacted][email]>'],
    ['after a JSON newline escape', '"Regards\\njane@acme.com"', '"Regards\\n[email]"'],
    ['a non-Latin address', 'écrire à josé@exemple.fr', 'écrire à [email]'],
    // What must NOT be touched.
    ['an order number', 'order #123456 shipped', 'order #123456 shipped'],
    ['a date', 'since 2026-11-29', 'since 2026-11-29'],
    ['an amount', 'refund $1,250.00 now', 'refund $1,250.00 now'],
    ['a time', 'at 10:30 sharp', 'at 10:30 sharp'],
    [
      'all of them',
      'Order #123456 on 2026-11-29 for $1,250.00 at 10:30',
      'Order #123456 on 2026-11-29 for $1,250.00 at 10:30',
    ],
    ['an 8-digit id', 'complaint 12345678 claimed by <@UEXEC0001>', 'complaint 12345678 claimed by <@UEXEC0001>'],
    ['a Slack ts', 'ts 1732350000.000100 in C0123ABCD', 'ts 1732350000.000100 in C0123ABCD'],
    [
      'epoch milliseconds',
      '{"level":30,"time":1795458622564,"pid":4242}',
      '{"level":30,"time":1795458622564,"pid":4242}',
    ],
    ['an ISO timestamp', 'received 2026-11-23T10:00:00+01:00', 'received 2026-11-23T10:00:00+01:00'],
    [
      'a version and a user mention',
      'retry 3 of 10 after 429; pickup@0.1.0 <@U1>',
      'retry 3 of 10 after 429; pickup@0.1.0 <@U1>',
    ],
    ['a European date and times', 'between 10:30 and 12:45 on 29.11.2026', 'between 10:30 and 12:45 on 29.11.2026'],
    ['an IP address', 'from 192.168.0.1', 'from 192.168.0.1'],
    ['a ticket reference with a 0', 'ref 01234567, invoice 99887766', 'ref 01234567, invoice 99887766'],
    ['a handle', 'ping @here or @acme', 'ping @here or @acme'],
  ])('%s', (_name, text, expected) => {
    expect(redactText(text)).toBe(expected);
  });

  describe("the complaint's own phone and email", () => {
    const known = { phone: '+14155550142', email: 'Jane.Doe@acme.com' };

    it.each<[string, string, string]>([
      ['the stored phone verbatim', 'call +14155550142', 'call [phone]'],
      ['its local part alone', 'her desk is 555-0142', 'her desk is [phone]'],
      ['with a country code but no plus', 'dial 1 415 555 0142', 'dial [phone]'],
      ['the stored email in another case', 'JANE.DOE@ACME.COM wrote', '[email] wrote'],
      ['the stored email percent-encoded', 'u=Jane.Doe%40acme.com', 'u=[email]'],
      ['an order number stays', 'order 5550143', 'order 5550143'],
    ])('%s', (_name, text, expected) => {
      expect(redactText(text, known)).toBe(expected);
    });

    it("finds a foreign customer's number in their own national format", () => {
      // 030 is Berlin's area code; German numbers are not among the national formats read for anyone.
      expect(redactText('Büro 030 901820', {})).toBe('Büro 030 901820');
      expect(redactText('Büro 030 901820', { phone: '+49 30 901820' })).toBe('Büro [phone]');
    });

    it('finds a stored phone that no library would call a phone number', () => {
      expect(redactText('ext 99-1234-5678 please', { phone: '99 1234 5678' })).toBe('ext [phone] please');
    });
  });

  it('leaves text with nothing that looks like a contact detail exactly as it was', () => {
    const text = 'Nobody called back after three tickets (#4521, #4522).\nRefund of €40 pending.';
    expect(redactText(text)).toBe(text);
    expect(mayHoldContacts(text)).toBe(false);
  });

  it('pre-checks cheaply: only text with an "@" or a long enough digit run goes to the phone library', () => {
    expect(mayHoldContacts('{"level":30,"time":1795458622564,"service":"pickup","msg":"outbox: 3 sent"}')).toBe(false);
    // Dates and Slack timestamps are everywhere in logs, and never phone numbers: no library call for them.
    expect(mayHoldContacts('"pick 2026-11-23 posted","ts":"1732350000.000100","week":"29.11.2026"')).toBe(false);
    expect(mayHoldContacts('a@b.example')).toBe(true);
    expect(mayHoldContacts('q=a%40b.example')).toBe(true);
    expect(mayHoldContacts('call 415 555 0142')).toBe(true);
    expect(mayHoldContacts('id 4155550142')).toBe(true);
  });

  it('is idempotent: redacted text has nothing left to redact', () => {
    const once = redactText('Mobile: +1 415 555 0142, jane@acme.com, https://x.example/?e=jane%40acme.com');
    expect(once).toBe('Mobile: [phone], [email], https://x.example/?e=[email]');
    expect(redactText(once)).toBe(once);
  });
});

describe('toE164', () => {
  it.each<[string, string | null]>([
    ['202-555-0177', '+12025550177'],
    ['+1 (202) 555-0177', '+12025550177'],
    ['(202) 555 0177', '+12025550177'],
    ['+12025550177', '+12025550177'],
    ['+44 20 7946 0958', '+442079460958'],
    ['+49 30 901820', '+4930901820'],
    // National numbers of other countries need their "+": the default country is the United States.
    ['020 7946 0958', null],
    ['12-34', null],
    ['not a phone', null],
  ])('%s → %s', (given, expected) => {
    expect(toE164(given)).toBe(expected);
  });

  it('reads national numbers in the country it is given', () => {
    expect(toE164('020 7946 0958', 'GB')).toBe('+442079460958');
  });
});
