import type { Kysely, Transaction } from 'kysely';
import { type ActionEvents, openAction } from '../actions/action.service';
import { recordAudit } from '../audit/audit.repository';
import type { Complaint } from '../complaints/complaint';
import { closeComplaint, findComplaintById, lockComplaint } from '../complaints/complaint.repository';
import { toComplaint } from '../complaints/complaint.service';
import type { ClaimRow, Database } from '../db/schema';
import { enqueueMessage } from '../outbox/outbox.repository';
import { buildPickPost } from '../picks/pick.blocks';
import { findPickByComplaintId } from '../picks/pick.repository';
import { pickPostKey } from '../picks/pick.service';
import type { HelpDeskClients } from '../ports/helpdesk.port';
import type { UserProfile } from '../ports/slack.port';
import { DomainError } from '../shared/errors';
import { mention } from '../shared/mrkdwn';
import { queueBrief } from './brief.service';
import { type AttemptInput, type Claim, OUTCOME_LABELS, RETRY_OUTCOMES } from './call';
import {
  closeClaim,
  findClaimById,
  findOpenClaim,
  insertAttempt,
  insertEvidence,
  insertOpenClaim,
  releaseOpenClaim,
} from './claim.repository';
import { queueAttemptNews, queueClaimNews } from './frontline.service';
import { type Outgoing, recordAttemptLogged, recordClaimed } from './outgoing';

type Trx = Transaction<Database>;
type Db = Kysely<Database> | Trx;

/** The DM that confirms a logged call and says what happens next. */
function attemptConfirmation(a: AttemptInput, claimOpen: boolean, followupDays: number): string {
  const confirmation = callConfirmation(a, claimOpen, followupDays);
  if (!a.action) return confirmation;
  return `${confirmation} What should change is now an action for ${mention(a.action.ownerId)}, who has it in a DM.`;
}

function callConfirmation(a: AttemptInput, claimOpen: boolean, followupDays: number): string {
  const label = OUTCOME_LABELS[a.outcome];
  if (a.outcome === 'reached') {
    return `Logged: ${label}. Thank you for making this call. In ${followupDays} days I'll ask whether they have shown signs of promoting us.`;
  }
  if (claimOpen) {
    return a.followUpDate
      ? `Logged: ${label}. The call stays yours; I'll remind you on ${a.followUpDate}.`
      : `Logged: ${label}. The call stays yours; try again when you can, or release it.`;
  }
  return `Logged: ${label}. This claim is now closed.`;
}

function toClaim(row: ClaimRow): Claim {
  return {
    id: row.id,
    complaintId: row.complaint_id,
    claimedBy: row.claimed_by,
    status: row.status,
    claimedAt: row.claimed_at,
  };
}

/**
 * Re-renders the channel post of the pick this complaint was drawn in, if it was one, with who holds it now.
 * Queued behind the original post, so it applies even if that post has not gone out yet.
 */
async function queuePickPostUpdate(trx: Trx, complaint: Complaint, claimedBy: string | null, key: string, now: Date) {
  const pick = await findPickByComplaintId(trx, complaint.id);
  if (!pick) return;
  const post = buildPickPost({
    date: pick.pick_date,
    poolSize: pick.pool_size,
    complaint,
    suggestedExecutive: pick.suggested_exec,
    claimedBy,
    now,
    draw:
      pick.seed_commitment && pick.seed_week
        ? { seedCommitment: pick.seed_commitment, seedWeek: pick.seed_week }
        : null,
  });
  await enqueueMessage(trx, key, { operation: 'update', target: pickPostKey(pick.pick_date), message: post });
}

/**
 * An executive takes a complaint. The first click wins (one conditional insert); everyone else learns who
 * holds it. The winner's brief (with contact details), the channel post update and the escalating lead's DM are
 * queued in the same transaction, and so are the help-desk note and webhook event (`outgoing`), the note naming
 * `claimer`, whose profile the caller looked up before the transaction (see describeClaimer). With `helpdesks`, the
 * brief waits for the ticket thread (see completeBrief).
 */
export async function claimComplaint(
  trx: Trx,
  input: {
    complaintId: number;
    userId: string;
    now: Date;
    outgoing?: Outgoing | undefined;
    claimer?: UserProfile | undefined;
    helpdesks?: HelpDeskClients | undefined;
  },
): Promise<{ claim: Claim; complaint: Complaint }> {
  // Locked so an erasure running at the same moment cannot commit between this read and the queued brief.
  const row = await lockComplaint(trx, input.complaintId);
  if (!row) throw new DomainError('not_found', 'That complaint no longer exists.');
  const complaint = toComplaint(row);
  if (complaint.closedAt) throw new DomainError('not_claimable', 'That customer has already been called back.');
  if (complaint.doNotCall) throw new DomainError('not_claimable', 'That customer asked not to be called.');
  const claimRow = await insertOpenClaim(trx, complaint.id, input.userId);
  if (!claimRow) {
    const holder = await findOpenClaim(trx, complaint.id);
    if (holder?.claimed_by === input.userId) {
      throw new DomainError('already_claimed', 'You already claimed this one. Your brief is in your DMs with Pickup.');
    }
    throw new DomainError('already_claimed', `Already claimed by ${mention(holder?.claimed_by ?? 'someone')}.`);
  }
  const claim = toClaim(claimRow);
  const brief = { complaint, claimId: claim.id, claimer: input.userId, now: input.now, helpdesks: input.helpdesks };
  await queueBrief(trx, brief);
  await queuePickPostUpdate(trx, complaint, input.userId, `claim:${claim.id}:post`, input.now);
  await recordClaimed(trx, input.outgoing, { claim, complaint, claimer: input.claimer });
  await queueClaimNews(trx, { complaint, claim });
  await recordAudit(trx, {
    actor: input.userId,
    action: 'claim.created',
    complaintId: complaint.id,
    details: { claimId: claim.id },
  });
  return { claim, complaint };
}

/**
 * The claim `claimId` if `userId` holds it: the one "is this your call" rule. Otherwise a DomainError, whose
 * message for someone else's claim `notYours` words (it is given the holder).
 */
async function heldClaim(
  db: Db,
  claimId: number,
  userId: string,
  notYours: (holder: string) => string,
): Promise<ClaimRow> {
  const claim = await findClaimById(db, claimId);
  if (!claim) throw new DomainError('not_found', 'That call no longer exists.');
  if (claim.claimed_by !== userId) throw new DomainError('not_your_claim', notYours(claim.claimed_by));
  return claim;
}

/** The forms a claim holder opens from their brief, and how each refuses anyone else at the click. */
const CLAIM_FORM_REFUSALS = {
  release: 'Only the executive who claimed this call can release it.',
  outcome: 'Only the executive who claimed this call can log it.',
} as const;

/** A form about a claim: release it, or log a call. */
export type ClaimForm = keyof typeof CLAIM_FORM_REFUSALS;

/**
 * What the release or outcome modal needs, for the holder of claim `claimId` only: nobody is shown a form for
 * someone else's call. Whether the claim is still open is checked when the form is submitted.
 */
export async function openClaimForm(
  db: Db,
  input: { claimId: number; userId: string; form: ClaimForm },
): Promise<{ claimId: number; subject: string }> {
  const claim = await heldClaim(db, input.claimId, input.userId, () => CLAIM_FORM_REFUSALS[input.form]);
  const complaint = await findComplaintById(db, claim.complaint_id);
  if (!complaint) throw new DomainError('not_found', 'That call no longer exists.');
  return { claimId: claim.id, subject: complaint.subject };
}

/** The open claim `claimId`, held by `userId`, with its complaint locked; or a DomainError saying why not. */
async function ownOpenClaim(
  trx: Trx,
  claimId: number,
  userId: string,
): Promise<{ claim: ClaimRow; complaint: Complaint }> {
  const claim = await heldClaim(trx, claimId, userId, (holder) => `This call belongs to ${mention(holder)}.`);
  if (claim.status !== 'open') {
    throw new DomainError(
      'not_claimable',
      claim.status === 'released' ? 'You already released this call.' : 'This call is already closed.',
    );
  }
  const row = await lockComplaint(trx, claim.complaint_id);
  if (!row) throw new DomainError('not_found', 'That complaint no longer exists.');
  return { claim, complaint: toComplaint(row) };
}

/** Gives a claimed complaint back; its channel post shows it unclaimed again. */
export async function releaseClaim(
  trx: Trx,
  input: { claimId: number; userId: string; reason: string; now: Date },
): Promise<Complaint> {
  const { complaint } = await ownOpenClaim(trx, input.claimId, input.userId);
  const released = await releaseOpenClaim(trx, input.claimId, input.userId, input.reason, input.now);
  if (!released) throw new DomainError('not_claimable', 'This call was already released or closed.');
  await queuePickPostUpdate(trx, complaint, null, `claim:${input.claimId}:released`, input.now);
  // The reason is the executive's words, not the customer's, but it may name the customer: keep it out of the audit.
  await recordAudit(trx, {
    actor: input.userId,
    action: 'claim.released',
    complaintId: complaint.id,
    details: { claimId: input.claimId },
  });
  return complaint;
}

/** One call to log, by the executive holding the claim. */
export interface LogAttemptInput {
  claimId: number;
  userId: string;
  attempt: AttemptInput;
  now: Date;
  followupDays: number;
  /** Where the action this call opens is reported besides Slack (the outgoing webhook). */
  actionEvents?: ActionEvents | undefined;
  /** The call's help-desk note and webhook events, where set up; none when absent. */
  outgoing?: Outgoing | undefined;
  /** SUPPORT_CHANNEL: where the support team hears of the call and is thanked; unset, nothing is posted there. */
  supportChannel?: string | undefined;
}

/**
 * Records one call. Reached closes the claim and the complaint; voicemail, no answer and rescheduled keep it
 * open; wrong number and declined close the claim without a reached call. An "advocate" assessment is evidence,
 * and "what should change" opens an action. The help-desk note and webhook events (`outgoing`) are queued in the
 * same transaction.
 */
export async function logAttempt(
  trx: Trx,
  input: LogAttemptInput,
): Promise<{ attemptId: number; complaint: Complaint; claimOpen: boolean }> {
  const { claim, complaint } = await ownOpenClaim(trx, input.claimId, input.userId);
  const a = input.attempt;
  const attemptId = await insertAttempt(trx, {
    claim_id: claim.id,
    complaint_id: complaint.id,
    executive: input.userId,
    outcome: a.outcome,
    notes: a.notes ?? null,
    follow_up_date: a.followUpDate ?? null,
    advocate_assessment: a.assessment ?? null,
    ok_to_quote: a.okToQuote,
  });
  if (a.action) {
    const opening = { complaint, attemptId, requestedBy: input.userId, action: a.action, now: input.now };
    await openAction(trx, opening, input.actionEvents);
  }
  const claimOpen = RETRY_OUTCOMES.includes(a.outcome);
  if (!claimOpen) await closeClaim(trx, claim.id, input.now);
  if (a.outcome === 'reached') {
    await closeComplaint(trx, complaint.id, input.now);
  }
  if (a.assessment === 'advocate') {
    await insertEvidence(trx, {
      complaint_id: complaint.id,
      kind: 'executive_assessment',
      is_advocacy: true,
      source: 'executive',
      recorded_by: input.userId,
    });
    await recordAudit(trx, {
      actor: input.userId,
      action: 'advocacy.recorded',
      complaintId: complaint.id,
      details: { kind: 'executive_assessment' },
    });
  }
  await enqueueMessage(trx, `attempt:${attemptId}:logged`, {
    operation: 'post',
    message: { channel: input.userId, text: attemptConfirmation(a, claimOpen, input.followupDays) },
  });
  await recordAttemptLogged(trx, input.outgoing, {
    attemptId,
    claimId: claim.id,
    executive: input.userId,
    attempt: a,
    claimOpen,
    complaint,
    now: input.now,
  });
  const news = { complaint, attemptId, executive: input.userId, attempt: a, claimOpen };
  await queueAttemptNews(trx, { ...news, supportChannel: input.supportChannel });
  await recordAudit(trx, {
    actor: input.userId,
    action: 'attempt.logged',
    complaintId: complaint.id,
    details: { claimId: claim.id, attemptId, outcome: a.outcome },
  });
  return { attemptId, complaint, claimOpen };
}
