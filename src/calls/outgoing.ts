import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { ActionEvents } from '../actions/action.service';
import { type Complaint, VENDOR_SOURCES, type VendorSource } from '../complaints/complaint';
import { withoutContacts } from '../complaints/complaint.format';
import { findComplaintById } from '../complaints/complaint.repository';
import { toComplaint } from '../complaints/complaint.service';
import type { Config } from '../config';
import type { Database } from '../db/schema';
import { enqueueMessage } from '../outbox/outbox.repository';
import type { ProfileDirectory } from '../people/profiles';
import type {
  ActionChangedData,
  AdvocateRecordedData,
  EventComplaint,
  PickupEvent,
  PickupEventData,
  PickupEventType,
} from '../ports/events.port';
import type { HelpDeskClients } from '../ports/helpdesk.port';
import type { UserProfile } from '../ports/slack.port';
import { dateInZone } from '../shared/time';
import type { AttemptInput, Claim } from './call';
import { buildAttemptNote, buildClaimNote, buildPickNote, shareableLearning } from './writeback';

/**
 * What leaves Pickup besides Slack: internal notes on the original ticket for the help desks whose API client is
 * configured, and signed events for OUTCOME_WEBHOOK_URL. Each `record…` below queues them in the caller's
 * transaction, the one that makes the change they report, so each goes out exactly once by construction (the
 * outbox's dedupe keys make a re-run queue nothing new). Nothing is queued for a destination that is not set up.
 */
export interface Outgoing {
  /** The help desks with an API client: a note for any other source is not queued at all. */
  helpdesks: ReadonlySet<VendorSource>;
  /** True when OUTCOME_WEBHOOK_URL is set: events are queued only then. */
  webhook: boolean;
  /** The tags the note of a logged call adds to the ticket (WRITEBACK_TAG; none when it is set empty). */
  writebackTags: readonly string[];
  /** Executives' names and titles, for the note that says who will call. */
  profiles: ProfileDirectory;
}

/**
 * The Outgoing of a running Pickup, from its configuration and the help-desk clients it built. The configuration is
 * read at each use (getters), like every setting, so nothing here goes stale should these become settings too.
 */
export function createOutgoing(input: {
  config: Pick<Config, 'outcomeWebhook' | 'helpDesks'>;
  helpdesks: HelpDeskClients;
  profiles: ProfileDirectory;
}): Outgoing {
  const { config } = input;
  return {
    helpdesks: new Set(VENDOR_SOURCES.filter((source) => input.helpdesks[source] !== undefined)),
    get webhook() {
      return config.outcomeWebhook !== undefined;
    },
    get writebackTags() {
      return config.helpDesks.writebackTags;
    },
    profiles: input.profiles,
  };
}

type Trx = Transaction<Database>;

/** The help desk a complaint's notes go to, when it came from one whose client is configured. */
function noteDestination(outgoing: Outgoing, complaint: Complaint): VendorSource | undefined {
  const source = VENDOR_SOURCES.find((s) => s === complaint.source);
  return source && outgoing.helpdesks.has(source) ? source : undefined;
}

async function queueNote(
  trx: Trx,
  outgoing: Outgoing,
  key: string,
  complaint: Complaint,
  note: { text: string; tags: readonly string[] },
): Promise<void> {
  const source = noteDestination(outgoing, complaint);
  if (!source) return;
  await enqueueMessage(trx, key, { operation: 'helpdesk_note', source, ticketId: complaint.externalId, note });
}

/** An event's type and data, before it gets its id and time. */
type EventBody = { [T in PickupEventType]: { type: T; data: PickupEventData[T] } }[PickupEventType];

async function queueEvent(trx: Trx, outgoing: Outgoing, key: string, occurredAt: Date, body: EventBody) {
  if (!outgoing.webhook) return;
  // Chosen once, here, and stored with the message: every retry sends the same id, and two Pickups never share one.
  const event: PickupEvent = { id: `evt_${randomUUID()}`, occurredAt: occurredAt.toISOString(), ...body };
  await enqueueMessage(trx, key, { operation: 'webhook', event });
}

/** The complaint as events carry it: no customer name, phone or email, and redacted text. */
export function eventComplaint(complaint: Complaint): EventComplaint {
  const c = withoutContacts(complaint);
  return {
    id: c.id,
    source: c.source,
    externalId: c.externalId,
    url: c.url,
    subject: c.subject,
    priority: c.priority,
    company: c.customer.company,
    receivedAt: c.receivedAt.toISOString(),
  };
}

const knownContacts = (c: Complaint) => ({ phone: c.customer.phone, email: c.customer.email });

/** The draw picked `complaint` for `pick.date`: `complaint.picked`, and a note on its ticket. */
export async function recordPicked(
  trx: Trx,
  outgoing: Outgoing | undefined,
  input: {
    pick: { id: number; date: string; poolSize: number; suggestedExecutive: string | null };
    complaint: Complaint;
    /** TIMEZONE, in which the note tells a pick for today from one for another day. */
    timezone: string;
    now: Date;
  },
): Promise<void> {
  if (!outgoing) return;
  const { pick, complaint } = input;
  const today = dateInZone(input.now, input.timezone);
  await queueEvent(trx, outgoing, `pick:${pick.date}:event`, input.now, {
    type: 'complaint.picked',
    data: {
      complaint: eventComplaint(complaint),
      pick: { id: pick.id, date: pick.date, poolSize: pick.poolSize, suggestedExecutive: pick.suggestedExecutive },
    },
  });
  await queueNote(trx, outgoing, `pick:${pick.date}:note`, complaint, {
    text: buildPickNote({ date: pick.date, today: pick.date === today }),
    tags: [],
  });
}

/**
 * The claimer's name and title for the claim's note, looked up BEFORE the claim's transaction opens (it may wait on
 * Slack, and a transaction must not). Undefined when no help desk takes notes, or when Slack does not say.
 */
export async function describeClaimer(
  outgoing: Outgoing | undefined,
  userId: string,
): Promise<UserProfile | undefined> {
  if (!outgoing || outgoing.helpdesks.size === 0) return undefined;
  return outgoing.profiles.describe(userId);
}

/** An executive claimed `complaint`: `complaint.claimed`, and a note saying who will call. */
export async function recordClaimed(
  trx: Trx,
  outgoing: Outgoing | undefined,
  input: { claim: Claim; complaint: Complaint; claimer: UserProfile | undefined },
): Promise<void> {
  if (!outgoing) return;
  const { claim, complaint } = input;
  await queueEvent(trx, outgoing, `claim:${claim.id}:event`, claim.claimedAt, {
    type: 'complaint.claimed',
    data: {
      complaint: eventComplaint(complaint),
      claim: { id: claim.id, executive: claim.claimedBy, claimedAt: claim.claimedAt.toISOString() },
    },
  });
  await queueNote(trx, outgoing, `claim:${claim.id}:note`, complaint, {
    text: buildClaimNote(input.claimer, knownContacts(complaint)),
    tags: [],
  });
}

/**
 * An executive logged a call: `attempt.logged` (and `advocate.recorded` when they judged the customer an advocate),
 * and a note with the outcome, tagged WRITEBACK_TAG.
 */
export async function recordAttemptLogged(
  trx: Trx,
  outgoing: Outgoing | undefined,
  input: {
    attemptId: number;
    claimId: number;
    executive: string;
    attempt: AttemptInput;
    claimOpen: boolean;
    complaint: Complaint;
    now: Date;
  },
): Promise<void> {
  if (!outgoing) return;
  const { attempt, complaint } = input;
  const known = knownContacts(complaint);
  const key = `attempt:${input.attemptId}`;
  await queueEvent(trx, outgoing, `${key}:event`, input.now, {
    type: 'attempt.logged',
    data: {
      complaint: eventComplaint(complaint),
      attempt: {
        id: input.attemptId,
        claimId: input.claimId,
        executive: input.executive,
        outcome: attempt.outcome,
        followUpDate: attempt.followUpDate ?? null,
        assessment: attempt.assessment ?? null,
        learning: shareableLearning(attempt, known),
        claimOpen: input.claimOpen,
      },
    },
  });
  if (attempt.assessment === 'advocate') {
    await queueEvent(trx, outgoing, `${key}:advocate-event`, input.now, {
      type: 'advocate.recorded',
      data: {
        complaint: eventComplaint(complaint),
        evidence: { kind: 'executive_assessment', source: 'executive', score: null, recordedBy: input.executive },
      },
    });
  }
  await queueNote(trx, outgoing, `${key}:note`, complaint, {
    text: buildAttemptNote(attempt, known),
    tags: outgoing.writebackTags,
  });
}

/**
 * Advocacy evidence was recorded (a follow-up answer, a survey score): `advocate.recorded` when it counts as
 * advocacy (`isAdvocacy`: a positive follow-up answer, or a promoter score after a call), nothing otherwise.
 */
export async function recordEvidence(
  trx: Trx,
  outgoing: Outgoing | undefined,
  input: {
    evidenceId: number;
    complaintId: number;
    isAdvocacy: boolean;
    evidence: AdvocateRecordedData['evidence'];
    now: Date;
  },
): Promise<void> {
  if (!outgoing?.webhook || !input.isAdvocacy) return;
  const row = await findComplaintById(trx, input.complaintId);
  if (!row) throw new Error(`complaint ${input.complaintId} of evidence ${input.evidenceId} not found`);
  await queueEvent(trx, outgoing, `evidence:${input.evidenceId}:event`, input.now, {
    type: 'advocate.recorded',
    data: {
      complaint: eventComplaint(toComplaint(row)),
      evidence: input.evidence,
    },
  });
}

/**
 * An action was opened, reassigned, closed or reopened: `action.changed`. `changeKey` names this one change
 * (e.g. `action:12:done`), so a change is sent once however often its transaction is retried.
 */
export async function recordActionChanged(
  trx: Trx,
  outgoing: Outgoing | undefined,
  input: { changeKey: string; action: ActionChangedData['action']; now: Date },
): Promise<void> {
  if (!outgoing) return;
  await queueEvent(trx, outgoing, `${input.changeKey}:event`, input.now, {
    type: 'action.changed',
    data: { action: input.action },
  });
}

/** The actions domain's ActionEvents port over these outgoing events: each action change queues `action.changed`. */
export function actionEventsOf(outgoing: Outgoing | undefined): ActionEvents | undefined {
  return outgoing && { changed: (trx, change) => recordActionChanged(trx, outgoing, change) };
}
