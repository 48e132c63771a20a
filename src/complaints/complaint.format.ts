import { redactText } from '../privacy/redact';
import { escapeMrkdwn, link, oneLine } from '../shared/mrkdwn';
import type { Complaint } from './complaint';

const SOURCE_LABELS: Record<string, string> = {
  zendesk: 'Zendesk',
  freshdesk: 'Freshdesk',
  jira: 'Jira',
  intercom: 'Intercom',
  helpscout: 'Help Scout',
  slack: 'Slack escalation',
  api: 'Webhook',
  csv: 'CSV import',
};

/** "Zendesk #123" linked to the ticket when there is a URL; safe mrkdwn. */
export function sourceLink(c: Pick<Complaint, 'source' | 'externalId' | 'url'>): string {
  // An escalation's id is derived from its ticket link, which the link itself already shows.
  const label =
    c.source === 'slack' ? 'Slack escalation' : `${SOURCE_LABELS[c.source] ?? c.source} #${oneLine(c.externalId)}`;
  return link(c.url, label);
}

/** Who the customer is, without contact details: "Ada Lovelace, Acme". Safe mrkdwn. */
export function customerLabel(c: Pick<Complaint, 'customer'>): string {
  const parts = [c.customer.name, c.customer.company].filter((p): p is string => Boolean(p)).map(oneLine);
  return parts.length ? escapeMrkdwn(parts.join(', ')) : '_name not given_';
}

/** The priority as people read it. */
export function priorityLabel(priority: Complaint['priority']): string {
  return { urgent: '🔴 Urgent', high: '🟠 High', normal: 'Normal', low: 'Low' }[priority];
}

/**
 * The complaint as anyone but the executive who claimed it may see it: no phone or email fields, and its free text
 * (subject, description, what support tried, name, company, ticket link) passed through the redaction policy with
 * the complaint's own contact details, and no assignee email either. Every builder of a message for a channel or
 * another person starts here.
 */
export function withoutContacts(c: Complaint): Complaint {
  const known = { phone: c.customer.phone, email: c.customer.email };
  const redact = (text: string | null) => (text === null ? null : redactText(text, known));
  return {
    ...c,
    subject: redactText(c.subject, known),
    description: redact(c.description),
    supportTried: redact(c.supportTried),
    url: redact(c.url),
    customer: {
      ...c.customer,
      name: redact(c.customer.name),
      company: redact(c.customer.company),
      phone: null,
      email: null,
    },
    // The agent's email is not the customer's, but it is an address all the same: channels get the name only.
    assignee: { ...c.assignee, email: null },
  };
}
