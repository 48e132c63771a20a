import type { Complaint } from '../complaints/complaint';
import { customerLabel, sourceLink, withoutContacts } from '../complaints/complaint.format';
import { MENTION_SLOT, type MentionByEmail } from '../outbox/outbox';
import type { Block, OutgoingMessage } from '../ports/slack.port';
import { type KnownContacts, redactText } from '../privacy/redact';
import { context, fallbackText, fields, section } from '../shared/blocks';
import { escapeAndTruncate, mention, oneLine } from '../shared/mrkdwn';
import { ASSESSMENT_LABELS, type Assessment, OUTCOME_LABELS, type Outcome } from './call';

/**
 * What the front line hears back: the support lead who escalated a complaint, and the support team in
 * SUPPORT_CHANNEL. None of these messages is for the executive who called, so none carries the customer's phone or
 * email: each starts from withoutContacts, and the executive's own words go through the redaction policy too.
 */

/** A message before it is addressed: the service adds the channel (the lead's DM, SUPPORT_CHANNEL). */
export type Unaddressed = Omit<OutgoingMessage, 'channel'>;

/** The longest learning or thank-you message quoted, so each fits one Slack section with its label. */
export const QUOTE_MAX = 1_500;

/** The ticket as the front line knows it: its link, and its subject with contact details masked. */
function ticketLine(complaint: Complaint): string {
  return `${sourceLink(complaint)} · *${escapeAndTruncate(oneLine(complaint.subject), 300)}*`;
}

/** The executive's own words, redacted with the complaint's contact details, escaped, cut and quoted. */
function quote(text: string, known: KnownContacts): string {
  return `>${escapeAndTruncate(redactText(text.trim(), known), QUOTE_MAX).replace(/\n/g, '\n>')}`;
}

const knownContacts = (c: Complaint): KnownContacts => ({ phone: c.customer.phone, email: c.customer.email });

/** The DM to the support lead who escalated `called`: `executive` has claimed it and will call. */
export function buildLeadClaimDm(called: Complaint, executive: string): Unaddressed {
  const complaint = withoutContacts(called);
  return {
    text: `${mention(executive)} will call the customer you escalated: ${fallbackText(complaint.subject)}`,
    blocks: [
      section(
        `:telephone_receiver: ${mention(executive)} claimed the complaint you escalated and will call ${customerLabel(complaint)}.\n${ticketLine(complaint)}`,
      ),
      context("I'll tell you here how the call goes."),
    ],
  };
}

/** One logged call, as the support lead hears of it. `learning` is the notes only when marked shareable. */
export interface LeadAttemptNews {
  executive: string;
  outcome: Outcome;
  assessment: Assessment | undefined;
  followUpDate: string | undefined;
  /** The executive's notes when they ticked "OK to quote" (see shareableLearning); undefined otherwise. */
  learning: string | undefined;
  /** True when the claim stays open for another try (voicemail, no answer, rescheduled). */
  claimOpen: boolean;
}

/**
 * The DM to the support lead who escalated `called`, after each logged call: the outcome, the executive's read of the
 * customer, and what they learned where they marked it shareable (redacted).
 */
export function buildLeadAttemptDm(called: Complaint, news: LeadAttemptNews): Unaddressed {
  const complaint = withoutContacts(called);
  const outcome = OUTCOME_LABELS[news.outcome];
  const facts: [string, string][] = [
    ['Outcome', outcome],
    ['Will they speak up for us?', news.assessment ? ASSESSMENT_LABELS[news.assessment] : '_not assessed_'],
  ];
  if (news.followUpDate) facts.push(['Follow-up', news.followUpDate]);
  const blocks: Block[] = [
    section(
      `:memo: ${mention(news.executive)} logged a call about the complaint you escalated.\n${ticketLine(complaint)}`,
    ),
    fields(facts),
  ];
  if (news.learning) {
    blocks.push(section(`*What they learned*\n${quote(news.learning, knownContacts(called))}`));
  }
  blocks.push(
    context(
      news.claimOpen
        ? "They'll try again; I'll tell you how the next call goes."
        : 'This call is closed. Thank you for escalating it.',
    ),
  );
  return {
    text: `${mention(news.executive)} logged a call about ${fallbackText(complaint.subject)}: ${outcome}`,
    blocks,
  };
}

/** The short post in SUPPORT_CHANNEL after an executive called a customer: who, how it went, which ticket. */
export function buildSupportCallPost(called: Complaint, executive: string, outcome: Outcome): Unaddressed {
  const complaint = withoutContacts(called);
  const label = OUTCOME_LABELS[outcome];
  return {
    text: `${mention(executive)} called the customer on ${fallbackText(complaint.subject)}: ${label}`,
    blocks: [
      section(`:telephone_receiver: ${mention(executive)} called the customer on this ticket: *${label}*.`),
      section(ticketLine(complaint)),
    ],
  };
}

/** What a thank-you needs: who says it, to which agent (as the help desk named them), and their optional words. */
export interface ThankYou {
  executive: string;
  /** The ticket's assignee, as the latest help-desk delivery named them. */
  agent: { name: string | null; email: string | null };
  message: string | undefined;
}

/**
 * The public thank-you in SUPPORT_CHANNEL to the agent who handled the ticket. With the agent's email, the post
 * @-mentions them once Slack says who has it (`mention`, looked up when it is sent), or names them when Slack knows
 * nobody by it; with a name only, it names them; with neither, it thanks the support team.
 */
export function buildThankYou(called: Complaint, thanks: ThankYou): { message: Unaddressed; mention?: MentionByEmail } {
  const complaint = withoutContacts(called);
  const name = thanks.agent.name ? oneLine(thanks.agent.name) : '';
  const byName = name ? `*${escapeAndTruncate(name, 100)}*` : 'support team';
  const who = thanks.agent.email ? MENTION_SLOT : byName;
  const blocks: Block[] = [
    section(
      `:raised_hands: Thank you, ${who}! ${mention(thanks.executive)} called the customer on a ticket you handled and wants you to know your work counted.`,
    ),
    section(ticketLine(complaint)),
  ];
  if (thanks.message?.trim()) {
    blocks.push(section(`${mention(thanks.executive)} says:\n${quote(thanks.message, knownContacts(called))}`));
  }
  const message = { text: `Thank you, ${who}, from ${mention(thanks.executive)}`, blocks };
  return thanks.agent.email ? { message, mention: { email: thanks.agent.email, fallback: byName } } : { message };
}
