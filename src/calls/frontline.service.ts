import type { Transaction } from 'kysely';
import type { Complaint } from '../complaints/complaint';
import type { Database } from '../db/schema';
import { enqueueMessage } from '../outbox/outbox.repository';
import { type AttemptInput, type Claim, RETRY_OUTCOMES } from './call';
import { buildLeadAttemptDm, buildLeadClaimDm, buildSupportCallPost, buildThankYou } from './frontline.blocks';
import { shareableLearning } from './writeback';

type Trx = Transaction<Database>;

/**
 * The front line hears back. Each function queues its messages in the caller's transaction, the one that claims the
 * complaint or logs the call, so they go out exactly once, with that change and never without it. None waits on
 * Slack: a thank-you's agent is looked up by email when the outbox sends it.
 */

/** The support lead to tell about a complaint: who escalated it, unless they are the executive acting on it. */
function leadToTell(complaint: Complaint, executive: string): string | undefined {
  const lead = complaint.escalatedBy;
  return lead && lead !== executive ? lead : undefined;
}

/** When `claim` is taken: a DM to the support lead who escalated the complaint, saying who will call. */
export async function queueClaimNews(trx: Trx, input: { complaint: Complaint; claim: Claim }): Promise<void> {
  const lead = leadToTell(input.complaint, input.claim.claimedBy);
  if (!lead) return;
  await enqueueMessage(trx, `claim:${input.claim.id}:lead`, {
    operation: 'post',
    message: { channel: lead, ...buildLeadClaimDm(input.complaint, input.claim.claimedBy) },
  });
}

/** A logged call, and where the support team hears of it. */
export interface AttemptNews {
  complaint: Complaint;
  attemptId: number;
  executive: string;
  attempt: AttemptInput;
  claimOpen: boolean;
  /** SUPPORT_CHANNEL; without it the support team hears nothing (no post, no thank-you). */
  supportChannel: string | undefined;
}

/**
 * When a call is logged: the escalating lead's DM (outcome, advocacy, the shareable learning); in SUPPORT_CHANNEL, a
 * short post once the customer has actually been called (not for another try), and the executive's thank-you to
 * the agent when they ticked it.
 */
export async function queueAttemptNews(trx: Trx, news: AttemptNews): Promise<void> {
  const { complaint, attempt, executive } = news;
  const key = (what: string) => `attempt:${news.attemptId}:${what}`;
  const lead = leadToTell(complaint, executive);
  if (lead) {
    const dm = buildLeadAttemptDm(complaint, {
      executive,
      outcome: attempt.outcome,
      assessment: attempt.assessment,
      followUpDate: attempt.followUpDate,
      // The same rule as the help-desk note's: only notes the executive marked "OK to quote", redacted.
      learning:
        shareableLearning(attempt, { phone: complaint.customer.phone, email: complaint.customer.email }) ?? undefined,
      claimOpen: news.claimOpen,
    });
    await enqueueMessage(trx, key('lead'), { operation: 'post', message: { channel: lead, ...dm } });
  }
  const channel = news.supportChannel;
  if (!channel) return;
  if (!RETRY_OUTCOMES.includes(attempt.outcome)) {
    const post = buildSupportCallPost(complaint, executive, attempt.outcome);
    await enqueueMessage(trx, key('support'), { operation: 'post', message: { channel, ...post } });
  }
  if (attempt.thanks) {
    const thanks = buildThankYou(complaint, { executive, agent: complaint.assignee, message: attempt.thanks.message });
    await enqueueMessage(trx, key('thanks'), {
      operation: 'post',
      message: { channel, ...thanks.message },
      ...(thanks.mention ? { mention: thanks.mention } : {}),
    });
  }
}
