import { DEFAULT_ACTION_THEMES } from '../actions/action';
import { buildActionInputs } from '../actions/action.blocks';
import type { Complaint } from '../complaints/complaint';
import { customerLabel, sourceLink, withoutContacts } from '../complaints/complaint.format';
import type { Block, Modal } from '../ports/slack.port';
import { redactText } from '../privacy/redact';
import {
  actions,
  button,
  context,
  customerTextSection,
  divider,
  fallbackText,
  fields,
  header,
  inputBlock,
  LIMITS,
  option,
  plainText,
  section,
} from '../shared/blocks';
import { ActionIds, CallbackIds, OutcomeBlocks, ReleaseBlocks } from '../shared/ids';
import { escapeAndTruncate, escapeMrkdwn, oneLine } from '../shared/mrkdwn';
import { localTimeLabel } from '../shared/time';
import { buildHistoryBlocks, buildThreadBlocks } from './brief.blocks';
import {
  ASSESSMENT_LABELS,
  ASSESSMENTS,
  EVIDENCE_KINDS,
  EVIDENCE_LABELS,
  type EvidenceKind,
  OUTCOME_LABELS,
  OUTCOMES,
} from './call';
import type { CustomerHistory, TicketThread } from './history';
import { THANK_MESSAGE_MAX } from './outcome.form';

/** How to run the call; shown in every brief. */
export const CALL_ADVICE = [
  '*How to run the call*',
  '• *Listen first.* Let them tell the whole story before you say anything about fixes.',
  '• *Own it.* "We got this wrong" beats any explanation of why it happened.',
  "• *Don't spin.* No marketing, no blame on the team; promise only what you will personally follow up.",
  '• *Close the loop.* Say what happens next and when, then log the outcome here.',
].join('\n');

/** What the brief adds about the customer when it is known: their history with us, and the ticket's own thread. */
export interface BriefContext {
  history?: CustomerHistory | undefined;
  /** Absent when the complaint's help desk has no API client: the brief then says nothing about the thread. */
  thread?: TicketThread | undefined;
}

/**
 * The pre-call brief, sent only as a DM to the executive who claimed the complaint:
 * the one place the customer's phone and email appear, and their history with us.
 */
export function buildBrief(
  complaint: Complaint,
  claimId: number,
  now: Date,
  about: BriefContext = {},
): { text: string; blocks: Block[] } {
  const c = complaint.customer;
  const phone = c.phone ? `<tel:${c.phone.replace(/[^+\d]/g, '')}|${escapeMrkdwn(c.phone)}>` : '_not given_';
  const email = c.email ? `<mailto:${encodeURI(c.email)}|${escapeMrkdwn(c.email)}>` : '_not given_';
  let localTime = '_time zone unknown_';
  if (c.timezone) {
    try {
      localTime = `${localTimeLabel(now, c.timezone)} (${escapeMrkdwn(c.timezone)})`;
    } catch {
      // A zone this runtime does not know (Intl's RangeError): the brief says so, and that is all there is to report.
      localTime = `_unknown zone ${escapeMrkdwn(c.timezone)}_`;
    }
  }
  const blocks: Block[] = [
    header(`Your call: ${oneLine(c.company ?? c.name ?? 'a customer')}`),
    section(`Thank you for taking this one. *${escapeAndTruncate(oneLine(complaint.subject), 500)}*`),
    fields([
      ['Customer', customerLabel(complaint)],
      ['Their local time', localTime],
      ['Phone', phone],
      ['Email', email],
      ['Ticket', sourceLink(complaint)],
    ]),
  ];
  if (complaint.description) blocks.push(customerTextSection('What they told us', complaint.description));
  blocks.push(customerTextSection('What support already tried', complaint.supportTried ?? 'Nothing recorded.'));
  if (about.thread) blocks.push(...buildThreadBlocks(about.thread));
  if (about.history) blocks.push(divider, ...buildHistoryBlocks(about.history));
  blocks.push(divider, section(CALL_ADVICE));
  blocks.push(
    actions(
      `claim_${claimId}`,
      button('Log outcome', ActionIds.logOutcome, String(claimId), 'primary'),
      button('Release', ActionIds.releaseClaim, String(claimId)),
    ),
  );
  blocks.push(context('Contact details are for this call only. Please do not paste them into channels.'));
  return { text: `Your call: ${fallbackText(complaint.subject)}`, blocks };
}

/** What the outcome modal offers besides the call: the themes of "What should change?", and its default owner. */
export interface OutcomeModalOptions {
  /** ACTION_THEMES, or the defaults. */
  themes?: readonly string[];
  /** The executive logging the call: the action's owner unless they choose someone else. */
  executiveId?: string;
  /** False when SUPPORT_CHANNEL is unset: the thank-you checkbox then says that none can be posted. */
  supportChannel?: boolean;
}

/**
 * The outcome modal (contract block_ids: outcome, notes, follow_up_date, advocate; plus ok_to_quote; and, optional,
 * change, theme, action_owner, action_due, thank_support, thank_message). Like every builder but the brief, it shows
 * the subject without contact details.
 */
export function buildOutcomeModal(claimId: number, subject: string, options: OutcomeModalOptions = {}): Modal {
  return {
    type: 'modal',
    callback_id: CallbackIds.outcomeModal,
    private_metadata: JSON.stringify({ claimId }),
    title: plainText('Log the call'),
    submit: plainText('Save'),
    close: plainText('Cancel'),
    blocks: [
      section(`*${escapeAndTruncate(redactText(oneLine(subject)), 500)}*`),
      inputBlock(OutcomeBlocks.outcome, 'How did it go?', {
        type: 'static_select',
        options: OUTCOMES.map((o) => option(o, OUTCOME_LABELS[o])),
      }),
      inputBlock(
        OutcomeBlocks.notes,
        'What did you learn?',
        { type: 'plain_text_input', multiline: true, max_length: 3000 },
        true,
        'Shared with leadership only if you tick the box below, and never with names.',
      ),
      inputBlock(
        OutcomeBlocks.followUpDate,
        'Follow up on',
        { type: 'datepicker' },
        true,
        'For voicemail, no answer or rescheduled: we remind you that day.',
      ),
      inputBlock(
        OutcomeBlocks.advocate,
        'Will they speak up for us?',
        { type: 'static_select', options: ASSESSMENTS.map((a) => option(a, ASSESSMENT_LABELS[a])) },
        true,
      ),
      inputBlock(
        OutcomeBlocks.okToQuote,
        'Digest',
        {
          type: 'checkboxes',
          options: [option('yes', 'OK to quote my notes in the leadership digest, without names')],
        },
        true,
      ),
      divider,
      ...buildActionInputs(options.themes ?? DEFAULT_ACTION_THEMES, options.executiveId),
      divider,
      ...thanksInputs(options.supportChannel ?? true),
    ],
  };
}

/**
 * "Thank the support team", with an optional message (THANK_MESSAGE_MAX characters). Without a support channel the
 * checkbox stays (the form is the same everywhere) but its description says that no thank-you can be posted.
 */
function thanksInputs(supportChannel: boolean): Block[] {
  const thank = {
    ...option('yes', 'Thank the support team'),
    description: plainText(
      supportChannel
        ? 'Posted in the support channel, naming the agent on the ticket'
        : 'No support channel is set up (SUPPORT_CHANNEL), so nothing is posted',
      LIMITS.optionText,
    ),
  };
  return [
    inputBlock(
      OutcomeBlocks.thankSupport,
      'Praise',
      { type: 'checkboxes', options: [thank] },
      true,
      'Thanks the agent who handled the ticket (or the team) in the support channel.',
    ),
    inputBlock(
      OutcomeBlocks.thankMessage,
      'Your thank-you',
      { type: 'plain_text_input', multiline: true, max_length: THANK_MESSAGE_MAX },
      true,
    ),
  ];
}

/** The release modal: asks why, so the next executive knows. */
export function buildReleaseModal(claimId: number): Modal {
  return {
    type: 'modal',
    callback_id: CallbackIds.releaseModal,
    private_metadata: JSON.stringify({ claimId }),
    title: plainText('Release this call'),
    submit: plainText('Release'),
    close: plainText('Keep it'),
    blocks: [
      section('The complaint goes back to the channel so another executive can take it.'),
      inputBlock(ReleaseBlocks.reason, 'Why are you releasing it?', {
        type: 'plain_text_input',
        multiline: true,
        max_length: 500,
      }),
    ],
  };
}

/** The DM asking, some days after a reached call, whether the customer has shown they promote us. No contact details. */
export function buildEvidenceRequest(called: Complaint, days: number): { text: string; blocks: Block[] } {
  const complaint = withoutContacts(called);
  return {
    text: `Follow-up: has ${fallbackText(complaint.customer.company ?? complaint.customer.name ?? 'the customer')} shown they'd recommend us?`,
    blocks: [
      section(
        `:seedling: ${days} days ago you called ${customerLabel(complaint)} about *${escapeAndTruncate(oneLine(complaint.subject), 300)}*.\nHave they shown any sign of promoting us since?`,
      ),
      actions(
        `evidence_${complaint.id}`,
        ...EVIDENCE_KINDS.map((k) => button(EVIDENCE_LABELS[k], evidenceActionId(k), `${complaint.id}:${k}`)),
      ),
    ],
  };
}

/** A DM nudging an executive who claimed but has not logged a call. The subject shows without contact details. */
export function buildNoAttemptReminder(subject: string, claimId: number): { text: string; blocks: Block[] } {
  const text = `Reminder: you claimed "${fallbackText(redactText(subject))}" a day ago and no call is logged yet.`;
  return {
    text,
    blocks: [
      section(`:telephone_receiver: ${text} If you can't make it, release it so someone else can.`),
      actions(
        `remind_${claimId}`,
        button('Log outcome', ActionIds.logOutcome, String(claimId), 'primary'),
        button('Release', ActionIds.releaseClaim, String(claimId)),
      ),
    ],
  };
}

/** A DM on the follow-up date an executive set. The subject shows without contact details. */
export function buildFollowUpReminder(
  subject: string,
  claimId: number,
  date: string,
): { text: string; blocks: Block[] } {
  const text = `Today (${date}) is the follow-up you planned for "${fallbackText(redactText(subject))}".`;
  return {
    text,
    blocks: [
      section(`:alarm_clock: ${text}`),
      actions(`followup_${claimId}`, button('Log outcome', ActionIds.logOutcome, String(claimId), 'primary')),
    ],
  };
}

/**
 * One action_id per evidence button: Slack requires action_ids to be unique within their block. The listener
 * matches `record_evidence` with or without the suffix, so buttons in DMs sent before this change still work.
 */
export function evidenceActionId(kind: EvidenceKind): string {
  return `${ActionIds.recordEvidence}:${kind}`;
}
