import { sourceLink } from '../complaints/complaint.format';
import type { Block } from '../ports/slack.port';
import { context, section } from '../shared/blocks';
import { escapeAndTruncate, mention, oneLine } from '../shared/mrkdwn';
import { ASSESSMENT_LABELS, OUTCOME_LABELS } from './call';
import {
  type CustomerHistory,
  type EarlierComplaint,
  HISTORY_LIMITS,
  type PastCall,
  type SurveyScore,
  type TicketThread,
} from './history';

/**
 * The parts of the pre-call brief about the customer's past: their history with us and, from the ticket, their own
 * words. They go in the claimer's DM only (buildBrief), the one message where the customer is shown in full; the
 * customer's text is escaped and cut, never redacted, because the executive is about to call them.
 */

/** The longest message quoted from the ticket thread. */
export const THREAD_MESSAGE_MAX = 600;

/** A date Slack renders in the reader's own time zone, with the UTC date as the fallback text. */
export function slackDate(at: Date): string {
  return `<!date^${Math.floor(at.getTime() / 1000)}^{date_short}|${at.toISOString().slice(0, 10)}>`;
}

const MATCHED_BY = { email: 'same email', phone: 'same phone', company: 'same company' } as const;

/** "and 3 more" after a list cut to `shown` of `total`; empty when nothing was cut. */
function andMore(shown: number, total: number): string {
  return total > shown ? `\n_…and ${total - shown} more_` : '';
}

function earlierComplaintLine(c: EarlierComplaint): string {
  const subject = escapeAndTruncate(oneLine(c.subject), 150);
  const outcome = c.lastCall ? OUTCOME_LABELS[c.lastCall.outcome] : 'no executive call';
  return `• ${slackDate(c.receivedAt)} · ${sourceLink(c)} · ${subject} — ${outcome} _(${MATCHED_BY[c.matchedBy]})_`;
}

function callLine(call: PastCall): string {
  const how = [OUTCOME_LABELS[call.outcome], call.assessment ? ASSESSMENT_LABELS[call.assessment] : undefined];
  const where = call.onThisComplaint ? ' · this complaint' : '';
  return `• ${slackDate(call.at)} · ${mention(call.executive)}${where} · ${how.filter(Boolean).join(' · ')}`;
}

function surveyLine(survey: SurveyScore): string {
  return `• *${survey.score}/10* on ${slackDate(survey.at)}`;
}

/** A titled list, cut to `max` items with a count of the rest; undefined when empty. */
function listSection<T>(title: string, items: readonly T[], total: number, max: number, line: (item: T) => string) {
  if (items.length === 0) return undefined;
  const shown = items.slice(0, max);
  return section(`*${title}*\n${shown.map(line).join('\n')}${andMore(shown.length, Math.max(total, items.length))}`);
}

/**
 * "Their history with us": earlier complaints with dates and outcomes, earlier executive calls (who called, how it
 * went) and survey scores; "First complaint from this customer" when there is none before this one.
 */
export function buildHistoryBlocks(history: CustomerHistory): Block[] {
  const first = history.earlierTotal === 0 ? ' First complaint from this customer.' : '';
  const blocks: (Block | undefined)[] = [
    section(`:card_index_dividers: *Their history with us*${first}`),
    listSection(
      `Earlier complaints (${history.earlierTotal})`,
      history.earlier,
      history.earlierTotal,
      HISTORY_LIMITS.complaints,
      earlierComplaintLine,
    ),
    listSection('Executive calls', history.calls, history.calls.length, HISTORY_LIMITS.calls, callLine),
    listSection('Survey scores', history.surveys, history.surveys.length, HISTORY_LIMITS.surveys, surveyLine),
  ];
  return blocks.filter((b): b is Block => b !== undefined);
}

/**
 * "In their words": the last messages of the ticket's public thread, the customer's as they wrote them. When the
 * thread could not be fetched, one line says so and why, so the executive knows it is missing rather than empty.
 */
export function buildThreadBlocks(thread: TicketThread): Block[] {
  if (thread.status === 'failed') {
    return [context(`:warning: Couldn't load the ticket thread: ${escapeAndTruncate(oneLine(thread.reason), 300)}.`)];
  }
  if (thread.messages.length === 0) return [section('*In their words*\n_The ticket has no public messages yet._')];
  return [
    section('*In their words* _(the latest messages on the ticket)_'),
    ...thread.messages.map((m) => {
      const who = m.author === 'customer' ? ':speech_balloon: *Customer*' : ':headphones: *Support*';
      const quoted = escapeAndTruncate(m.text.trim(), THREAD_MESSAGE_MAX).replace(/\n/g, '\n>');
      return section(`${who} · ${slackDate(m.at)}\n>${quoted}`);
    }),
  ];
}
