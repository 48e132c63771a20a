import type { Complaint } from '../../src/complaints/complaint';

/**
 * Customer text as hostile as real tickets get, for the builder tests: mrkdwn that would ping a channel, mention
 * someone or plant a link if a builder let it through, and contact details (the customer's and a second person's) in
 * the free text, where no structured field marks them. With the checks every builder's output must pass.
 */

/** Every mrkdwn trick customer text could play: special mentions, a user mention, a link, bare `&`, `<` and `>`. */
export const INJECTION = 'Hi <!channel> <!here> <!everyone> <@U0BOSS> <https://evil.example|click here> & 1 < 2 > 0';

/** How INJECTION reads once escaped: literally, in full. */
export const INJECTION_ESCAPED =
  'Hi &lt;!channel&gt; &lt;!here&gt; &lt;!everyone&gt; &lt;@U0BOSS&gt; &lt;https://evil.example|click here&gt; &amp; 1 &lt; 2 &gt; 0';

/** The customer's phone as stored, and the forms it takes in free text. */
export const PHONE = '+14155550142';
/** The customer's email as stored. */
export const EMAIL = 'jane.doe@acme.example';
/** Someone else's email, which only redaction (not the stored fields) can catch. */
export const OTHER_EMAIL = 'bob.smith@partner.example';

/** A subject, description and note that carry contact details where a person would write them. */
export const TEXT_WITH_CONTACTS = `Call me on +1 (415) 555-0142 or 415.555.0142, mail ${EMAIL}, cc ${OTHER_EMAIL}`;

/** Every form of the contact details above that must not reach a message for anyone but the claimer. */
const CONTACT_FORMS = [
  PHONE,
  '4155550142',
  '(415) 555-0142',
  '415.555.0142',
  '555-0142',
  EMAIL,
  'jane.doe%40',
  'acme.example',
  OTHER_EMAIL,
  'partner.example',
];

/** The contact-detail forms found anywhere in a builder's output (its JSON), compared case-insensitively. */
export function contactLeaks(output: unknown): string[] {
  const text = (typeof output === 'string' ? output : JSON.stringify(output)).toLowerCase();
  return CONTACT_FORMS.filter((form) => text.includes(form.toLowerCase()));
}

/**
 * Every string Slack reads as mrkdwn in a message or view: each `mrkdwn` text object, and a message's top-level
 * `text` (notifications render it as mrkdwn). plain_text is shown literally, so it needs no escaping.
 */
export function mrkdwnTexts(output: unknown): string[] {
  const found: string[] = [];
  const walk = (value: unknown): void => {
    if (typeof value !== 'object' || value === null) return;
    if ('type' in value && value.type === 'mrkdwn' && 'text' in value && typeof value.text === 'string') {
      found.push(value.text);
    }
    for (const child of Object.values(value)) walk(child);
  };
  walk(output);
  if (typeof output === 'object' && output !== null && 'text' in output && typeof output.text === 'string') {
    found.push(output.text);
  }
  return found;
}

/** Hostile text left as written: a ping, a mention, a link, or a bare `&`, `<` or `>` (INJECTION's, the company's). */
const UNESCAPED = /<!channel>|<!here>|<!everyone>|<@U0BOSS>|<https:\/\/evil\.example|& 1|< 2|> 0|& <Sons|<Sons>/;

/** The mrkdwn strings in which hostile text is left unescaped; empty when every one shows it literally. */
export function liveInjections(output: unknown): string[] {
  return mrkdwnTexts(output).filter((text) => UNESCAPED.test(text));
}

/** The time the builder tests render at. */
export const NOW = new Date('2026-11-30T15:00:00Z');

/**
 * A complaint whose every free-text field carries INJECTION and contact details, with contact details in the phone
 * and email fields too, as the brief (and only the brief) may show them.
 */
export function hostileComplaint(overrides: Partial<Complaint> = {}): Complaint {
  return {
    id: 7,
    source: 'zendesk',
    externalId: '42',
    subject: `${INJECTION} ${TEXT_WITH_CONTACTS}`,
    description: `${INJECTION}\n${TEXT_WITH_CONTACTS}`,
    supportTried: `${INJECTION}; ${TEXT_WITH_CONTACTS}`,
    priority: 'urgent',
    tags: [],
    isMajor: true,
    doNotCall: false,
    customer: {
      name: `Jane <!channel> Doe (${EMAIL})`,
      company: 'Acme & <Sons>',
      phone: PHONE,
      email: EMAIL,
      timezone: 'America/Los_Angeles',
    },
    url: 'https://desk.example/tickets/42?requester=jane.doe%40acme.example',
    escalatedBy: 'ULEAD0001',
    receivedAt: new Date('2026-11-29T12:00:00Z'),
    createdAt: new Date('2026-11-29T12:00:00Z'),
    closedAt: null,
    assignee: { name: null, email: null },
    ...overrides,
  };
}

/** A complaint at every length limit's far side: 10,000-character subject, description and notes. */
export function oversizedComplaint(): Complaint {
  const long = (unit: string) => unit.repeat(Math.ceil(10_000 / unit.length)).slice(0, 10_000);
  return hostileComplaint({
    subject: long('<&> subject '),
    description: long('<&> description\n'),
    supportTried: long('<&> tried '),
    customer: {
      name: long('N'),
      company: long('C&'),
      phone: PHONE,
      email: EMAIL,
      timezone: 'America/Los_Angeles',
    },
  });
}
