import type { Kysely, Transaction } from 'kysely';
import { type Complaint, VENDOR_SOURCES } from '../complaints/complaint';
import { findComplaintById, lockComplaint } from '../complaints/complaint.repository';
import { toComplaint } from '../complaints/complaint.service';
import type { Database, Db } from '../db/schema';
import type { Logger } from '../logger';
import { completeHeldMessage, enqueueMessage } from '../outbox/outbox.repository';
import { HelpDeskApiError, type HelpDeskClient, type HelpDeskClients } from '../ports/helpdesk.port';
import { ASSESSMENTS, type Assessment, OUTCOMES, type Outcome } from './call';
import { buildBrief } from './claim.blocks';
import { findClaimById } from './claim.repository';
import { type CustomerHistory, HISTORY_LIMITS, type PastCall, type TicketThread } from './history';
import { findCustomerHistory, type HistoryCallRow, type HistoryRow } from './history.repository';

/**
 * The claimer's pre-call brief: the complaint, the customer's history with us and, from the help desk, the customer's
 * own words. The brief is queued in the claim's transaction, so a claim never commits without it; the ticket thread
 * is fetched after that transaction (a help desk's answer must hold neither the claim's row locks nor the button's
 * ack) and completes the queued brief. Until then the brief is held in the outbox; if the completion never comes
 * (the process died), it goes out after the hold, saying that the thread could not be loaded.
 */

/** How long the brief waits for the help desk's thread before it goes without it. */
export const THREAD_TIMEOUT_MS = 3_000;

/** How many of the thread's latest messages the brief quotes. */
export const THREAD_MESSAGES = 3;

/** How long a brief waiting for its thread is held: the fetch's time-out, plus room for the database. */
export const BRIEF_HOLD_SECONDS = 10;

/** What the held brief says about the thread until it is completed. */
const THREAD_NOT_LOADED: TicketThread = { status: 'failed', reason: 'the help desk did not answer in time' };

/** The outbox key of a claim's brief. */
export function briefKey(claimId: number): string {
  return `claim:${claimId}:brief`;
}

/** The API client to read this complaint's ticket thread with, when it came from a help desk that has one. */
export function threadClient(helpdesks: HelpDeskClients | undefined, source: string): HelpDeskClient | undefined {
  const vendor = VENDOR_SOURCES.find((s) => s === source);
  return vendor ? helpdesks?.[vendor] : undefined;
}

const isOutcome = (v: string): v is Outcome => (OUTCOMES as readonly string[]).includes(v);
const isAssessment = (v: string | null): v is Assessment =>
  v !== null && (ASSESSMENTS as readonly string[]).includes(v);

function toPastCalls(row: HistoryRow): PastCall[] {
  return row.calls
    .filter((c): c is HistoryCallRow & { outcome: Outcome } => isOutcome(c.outcome))
    .map((c) => ({
      complaintId: row.id,
      onThisComplaint: row.is_current,
      executive: c.executive,
      outcome: c.outcome,
      assessment: isAssessment(c.assessment) ? c.assessment : null,
      at: new Date(c.at),
    }));
}

/** The customer's history around a complaint: earlier complaints, executive calls and survey scores, each bounded. */
export async function loadCustomerHistory(db: Db, complaintId: number): Promise<CustomerHistory> {
  const rows = await findCustomerHistory(db, complaintId, HISTORY_LIMITS.complaints);
  const earlierRows = rows.filter((r) => !r.is_current);
  const newestFirst = <T extends { at: Date }>(items: T[]) => items.sort((a, b) => b.at.getTime() - a.at.getTime());
  return {
    earlier: earlierRows.map((r) => ({
      id: r.id,
      matchedBy: r.matched_by ?? 'company',
      receivedAt: r.received_at,
      subject: r.subject,
      source: r.source,
      externalId: r.external_id,
      url: r.ticket_url,
      closedAt: r.closed_at,
      lastCall: toPastCalls(r)[0],
    })),
    earlierTotal: Number(rows[0]?.earlier_total ?? 0),
    calls: newestFirst(rows.flatMap(toPastCalls)),
    surveys: newestFirst(
      rows.flatMap((r) => r.surveys.map((s) => ({ complaintId: r.id, score: s.score, at: new Date(s.at) }))),
    ),
  };
}

/**
 * In the claim's transaction: queues the claimer's brief, with the customer's history. When the caller will fetch the
 * ticket thread afterwards (`helpdesks` has a client for the complaint's help desk), the brief is held for
 * completeBrief.
 */
export async function queueBrief(
  trx: Transaction<Database>,
  input: { complaint: Complaint; claimId: number; claimer: string; now: Date; helpdesks?: HelpDeskClients | undefined },
): Promise<void> {
  const { complaint, claimId } = input;
  const history = await loadCustomerHistory(trx, complaint.id);
  const awaitsThread = threadClient(input.helpdesks, complaint.source) !== undefined;
  const brief = buildBrief(complaint, claimId, input.now, {
    history,
    thread: awaitsThread ? THREAD_NOT_LOADED : undefined,
  });
  await enqueueMessage(
    trx,
    briefKey(claimId),
    { operation: 'post', message: { channel: input.claimer, ...brief } },
    awaitsThread ? { holdSeconds: BRIEF_HOLD_SECONDS } : {},
  );
}

/** Why the thread could not be loaded, in a few words the executive can read (the log has the details). */
export function threadFailureReason(err: unknown, timedOut: boolean): string {
  if (timedOut) return `the help desk took more than ${THREAD_TIMEOUT_MS / 1000} s to answer`;
  if (!(err instanceof HelpDeskApiError)) return 'something went wrong on our side (it is in the logs)';
  const { status } = err;
  if (status === undefined) return 'the help desk could not be reached';
  if (status === 401 || status === 403) return `the help desk refused Pickup's credentials (HTTP ${status})`;
  if (status === 404) return 'the help desk has no such ticket (HTTP 404)';
  if (status === 429) return 'the help desk is rate-limiting Pickup (HTTP 429)';
  return `the help desk answered HTTP ${status}`;
}

/** The ticket's latest public messages, or why there are none: never throws, never waits past THREAD_TIMEOUT_MS. */
export async function fetchTicketThread(
  client: HelpDeskClient,
  ticketId: string,
  logger: Logger,
): Promise<TicketThread> {
  const signal = AbortSignal.timeout(THREAD_TIMEOUT_MS);
  try {
    return { status: 'loaded', messages: await client.fetchThread(ticketId, THREAD_MESSAGES, signal) };
  } catch (err) {
    logger.warn(
      { err, source: client.source, ticketId },
      'could not load the ticket thread; the brief goes without it',
    );
    return { status: 'failed', reason: threadFailureReason(err, signal.aborted) };
  }
}

/**
 * After the claim's transaction: fetches the ticket's thread and completes the held brief with it (or with why it could
 * not be loaded), which then goes at once. Nothing to do when the complaint's help desk has no client: its brief was
 * not held. Like a job, it opens its own transaction, after the fetch: the complaint is read again and locked there,
 * so an erasure that ran meanwhile is respected. It never throws: should the completion fail, the held brief still
 * goes when its hold is over, and the error is logged.
 */
export async function completeBrief(
  db: Kysely<Database>,
  input: { claimId: number; helpdesks: HelpDeskClients; now: () => Date; logger: Logger },
): Promise<void> {
  try {
    const claim = await findClaimById(db, input.claimId);
    const row = claim && (await findComplaintById(db, claim.complaint_id));
    const client = row && threadClient(input.helpdesks, row.source);
    if (!claim || !row || !client) return;
    const thread = await fetchTicketThread(client, row.external_id, input.logger);
    await db.transaction().execute(async (trx) => {
      const locked = await lockComplaint(trx, claim.complaint_id);
      if (!locked) return;
      const complaint = toComplaint(locked);
      const history = await loadCustomerHistory(trx, complaint.id);
      const brief = buildBrief(complaint, claim.id, input.now(), { history, thread });
      const message = { channel: claim.claimed_by, ...brief };
      await completeHeldMessage(trx, briefKey(claim.id), { operation: 'post', message });
    });
  } catch (err) {
    input.logger.error(
      { err, claimId: input.claimId },
      `could not add the ticket thread to a brief; it goes without it within ${BRIEF_HOLD_SECONDS} s`,
    );
  }
}
