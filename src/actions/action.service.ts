import type { Kysely, Transaction, Updateable } from 'kysely';
import { recordAudit } from '../audit/audit.repository';
import type { Complaint } from '../complaints/complaint';
import { withoutContacts } from '../complaints/complaint.format';
import { findComplaintById } from '../complaints/complaint.repository';
import { toComplaint } from '../complaints/complaint.service';
import type { ActionRow, ActionsTable, Database, Db } from '../db/schema';
import { enqueueMessage } from '../outbox/outbox.repository';
import type { Roles } from '../people/roles';
import type { ActionChangedData } from '../ports/events.port';
import { redactText } from '../privacy/redact';
import { DomainError } from '../shared/errors';
import { mention } from '../shared/mrkdwn';
import { DAY_MS } from '../shared/time';
import {
  type Action,
  type ActionCard,
  type ActionComplaint,
  type ActionInput,
  type ClosedStatus,
  FIX_CHECK_DAYS,
  type FixVerdict,
} from './action';
import {
  type ActionMessage,
  buildActionClosedNotice,
  buildActionMessage,
  buildActionReopenedNotice,
} from './action.blocks';
import { changeAction, findActionById, insertAction, lockAction, setOwnerMessageKey } from './action.repository';

type Trx = Transaction<Database>;

/** An action as the outgoing `action.changed` event carries it: no free text. */
export type ActionChangedSummary = ActionChangedData['action'];

/** One change of an action, to report; `changeKey` names it, so it is reported once however often it is retried. */
export interface ActionChange {
  changeKey: string;
  action: ActionChangedSummary;
  now: Date;
}

/**
 * Where action changes are reported besides Slack: the outgoing webhook's `action.changed` event. The listeners hand
 * it over from the outgoing-events module (calls/outgoing.ts, actionEventsOf), which queues the event in the same
 * transaction.
 */
export interface ActionEvents {
  changed(trx: Trx, change: ActionChange): Promise<void>;
}

/** What changing an action needs: who counts as an executive, and where changes are reported. */
export interface ActionDeps {
  roles: Pick<Roles, 'isExecutive'>;
  events?: ActionEvents | undefined;
}

/** Outbox keys of an action's messages. Each carries the revision of the change that queued it. */
export const actionKeys = {
  /** A DM the owner acts from (the first, the new owner's after a reassignment, the fix question). */
  ownerMessage: (actionId: number, revision: number) => `action:${actionId}:r${revision}:owner`,
  /** The edit of the owner's previous DM that a change makes. */
  ownerUpdate: (actionId: number, revision: number) => `action:${actionId}:r${revision}:owner-update`,
  /** The DM to the executive who asked. */
  asker: (actionId: number, revision: number) => `action:${actionId}:r${revision}:asker`,
  /** The change itself, for the outgoing event. */
  change: (actionId: number, revision: number) => `action:${actionId}:r${revision}`,
  /** A person's reminder of the day. */
  reminder: (userId: string, localDate: string) => `action-reminder:${userId}:${localDate}`,
};

/** The domain view of an `actions` row. */
export function toAction(row: ActionRow): Action {
  return {
    id: row.id,
    complaintId: row.complaint_id,
    attemptId: row.attempt_id,
    description: row.description,
    theme: row.theme,
    ownerId: row.owner_id,
    requestedBy: row.requested_by,
    dueDate: row.due_date,
    status: row.status,
    closeReason: row.close_reason,
    closedBy: row.closed_by,
    closedAt: row.closed_at,
    fixCheckDueAt: row.fix_check_due_at,
    fixVerdict: row.fix_verdict,
    fixCheckedAt: row.fix_checked_at,
    reopenedCount: row.reopened_count,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * The action with its complaint, as messages to people other than the claimer show it: the complaint without
 * contact details, and the executive's free text passed through the redaction policy with the customer's contacts.
 */
export function toActionCard(action: Action, complaint: Complaint): ActionCard {
  const known = { phone: complaint.customer.phone, email: complaint.customer.email };
  const redact = (text: string | null) => (text === null ? null : redactText(text, known));
  const shown = withoutContacts(complaint);
  const summary: ActionComplaint = {
    id: shown.id,
    subject: shown.subject,
    source: shown.source,
    externalId: shown.externalId,
    url: shown.url,
  };
  return {
    action: { ...action, description: redactText(action.description, known), closeReason: redact(action.closeReason) },
    complaint: summary,
  };
}

/** The card of an action, its complaint read from the database. */
export async function loadActionCard(db: Db, action: Action): Promise<ActionCard> {
  const row = await findComplaintById(db, action.complaintId);
  if (!row) throw new Error(`complaint ${action.complaintId} of action ${action.id} not found`);
  return toActionCard(action, toComplaint(row));
}

function changeOf(row: ActionRow, now: Date): ActionChange {
  return {
    changeKey: actionKeys.change(row.id, row.revision),
    action: {
      id: row.id,
      complaintId: row.complaint_id,
      status: row.status,
      theme: row.theme,
      owner: row.owner_id,
      dueDate: row.due_date,
    },
    now,
  };
}

async function postDm(trx: Trx, key: string, userId: string, message: ActionMessage): Promise<void> {
  await enqueueMessage(trx, key, { operation: 'post', message: { channel: userId, ...message } });
}

/**
 * Opens the action a logged call asked for, in the call's transaction, and queues the owner's DM (the executive's
 * own, too: it is their to-do). Returns undefined when this attempt already has its action.
 */
export async function openAction(
  trx: Trx,
  input: { complaint: Complaint; attemptId: number; requestedBy: string; action: ActionInput; now: Date },
  events?: ActionEvents,
): Promise<Action | undefined> {
  const inserted = await insertAction(trx, {
    complaint_id: input.complaint.id,
    attempt_id: input.attemptId,
    description: input.action.description,
    theme: input.action.theme,
    owner_id: input.action.ownerId,
    requested_by: input.requestedBy,
    due_date: input.action.dueDate ?? null,
    created_at: input.now,
    updated_at: input.now,
  });
  if (!inserted) return undefined;
  const key = actionKeys.ownerMessage(inserted.id, inserted.revision);
  await setOwnerMessageKey(trx, inserted.id, key);
  const row = { ...inserted, owner_message_key: key };
  const action = toAction(row);
  await postDm(trx, key, action.ownerId, buildActionMessage(toActionCard(action, input.complaint), action.ownerId));
  await recordAudit(trx, {
    actor: input.requestedBy,
    action: 'action.opened',
    complaintId: action.complaintId,
    details: { actionId: action.id, attemptId: input.attemptId, theme: action.theme, ownerId: action.ownerId },
  });
  await events?.changed(trx, changeOf(row, input.now));
  return action;
}

/** Only the owner, the executive who asked, or another executive may close or reassign an action. */
export async function mayChangeAction(
  roles: Pick<Roles, 'isExecutive'>,
  action: Pick<Action, 'ownerId' | 'requestedBy'>,
  userId: string,
): Promise<boolean> {
  return userId === action.ownerId || userId === action.requestedBy || roles.isExecutive(userId);
}

async function assertMayChange(roles: Pick<Roles, 'isExecutive'>, row: ActionRow, userId: string): Promise<void> {
  if (await mayChangeAction(roles, toAction(row), userId)) return;
  throw new DomainError(
    'not_authorized',
    `Only ${mention(row.owner_id)} (the owner), ${mention(row.requested_by)} (who asked) or an executive can change this action.`,
  );
}

/** Why a closed action cannot be changed again: who closed it, and how. */
function alreadyClosed(row: ActionRow): DomainError {
  const by = row.closed_by ? ` by ${mention(row.closed_by)}` : '';
  const how = row.status === 'done' ? 'marked done' : "closed as won't do";
  return new DomainError('action_closed', `This action was already ${how}${by}.`);
}

/** The action, locked, if `userId` may change it and it is still open; otherwise a DomainError saying why not. */
async function lockOpenAction(trx: Trx, roles: ActionDeps['roles'], actionId: number, userId: string) {
  const row = await lockAction(trx, actionId);
  if (!row) throw new DomainError('not_found', 'That action no longer exists.');
  await assertMayChange(roles, row, userId);
  if (row.status !== 'open') throw alreadyClosed(row);
  return row;
}

/**
 * The open action a won't-do or reassign form is about, checked before the form opens: nobody fills in a form
 * they may not submit.
 */
export async function openActionForm(
  db: Kysely<Database>,
  roles: ActionDeps['roles'],
  input: { actionId: number; userId: string },
): Promise<ActionCard> {
  const row = await findActionById(db, input.actionId);
  if (!row) throw new DomainError('not_found', 'That action no longer exists.');
  await assertMayChange(roles, row, input.userId);
  if (row.status !== 'open') throw alreadyClosed(row);
  return loadActionCard(db, toAction(row));
}

/** Re-renders the DM the owner acted from (`before`'s) to show the action as `after` is. */
async function updateOwnerMessage(trx: Trx, before: ActionRow, after: ActionRow, card: ActionCard): Promise<void> {
  if (!before.owner_message_key) return;
  await enqueueMessage(trx, actionKeys.ownerUpdate(after.id, after.revision), {
    operation: 'update',
    target: before.owner_message_key,
    message: buildActionMessage(card, before.owner_id),
  });
}

/** A change that lost a race with another one (the row lock makes this rare; the conditional update makes it safe). */
const changedMeanwhile = () =>
  new DomainError('action_closed', 'This action changed while you were looking at it. Please look again.');

/**
 * Closes an open action as done (the fix is then checked after FIX_CHECK_DAYS) or won't do (a reason is required).
 * Two clicks close it once. The owner's DM loses its buttons; the executive who asked is told, unless they closed it.
 */
export async function closeAction(
  trx: Trx,
  deps: ActionDeps,
  input: { actionId: number; userId: string; status: ClosedStatus; reason?: string | undefined; now: Date },
): Promise<Action> {
  const reason = input.reason?.trim() || null;
  if (input.status === 'wont_do' && !reason) throw new DomainError('invalid_input', "Say why it won't be done.");
  const before = await lockOpenAction(trx, deps.roles, input.actionId, input.userId);
  const after = await changeAction(
    trx,
    before.id,
    { status: 'open', revision: before.revision },
    {
      status: input.status,
      close_reason: reason,
      closed_by: input.userId,
      closed_at: input.now,
      fix_check_due_at: input.status === 'done' ? new Date(input.now.getTime() + FIX_CHECK_DAYS * DAY_MS) : null,
    },
    input.now,
  );
  if (!after) throw changedMeanwhile();
  const action = toAction(after);
  const card = await loadActionCard(trx, action);
  await updateOwnerMessage(trx, before, after, card);
  if (input.userId !== action.requestedBy) {
    await postDm(trx, actionKeys.asker(action.id, after.revision), action.requestedBy, buildActionClosedNotice(card));
  }
  await recordAudit(trx, {
    actor: input.userId,
    action: 'action.closed',
    complaintId: action.complaintId,
    details: { actionId: action.id, status: action.status },
  });
  await deps.events?.changed(trx, changeOf(after, input.now));
  return action;
}

/** Gives an open action to someone else: they get the DM with its buttons, and the old owner's DM says so. */
export async function reassignAction(
  trx: Trx,
  deps: ActionDeps,
  input: { actionId: number; userId: string; newOwnerId: string; now: Date },
): Promise<Action> {
  const before = await lockOpenAction(trx, deps.roles, input.actionId, input.userId);
  if (before.owner_id === input.newOwnerId) {
    throw new DomainError('invalid_input', `It is already ${mention(before.owner_id)}'s. Choose someone else.`);
  }
  const key = actionKeys.ownerMessage(before.id, before.revision + 1);
  const after = await changeAction(
    trx,
    before.id,
    { status: 'open', revision: before.revision },
    { owner_id: input.newOwnerId, owner_message_key: key },
    input.now,
  );
  if (!after) throw changedMeanwhile();
  const action = toAction(after);
  const card = await loadActionCard(trx, action);
  await updateOwnerMessage(trx, before, after, card);
  await postDm(trx, key, action.ownerId, buildActionMessage(card, action.ownerId));
  await recordAudit(trx, {
    actor: input.userId,
    action: 'action.reassigned',
    complaintId: action.complaintId,
    details: { actionId: action.id, from: before.owner_id, to: action.ownerId },
  });
  await deps.events?.changed(trx, changeOf(after, input.now));
  return action;
}

/**
 * The owner's answer to "did the fix hold?". Held records it; came back reopens the action (its closing and fix
 * fields cleared, reopened_count + 1) and tells the executive who asked. Answered once.
 */
export async function recordFixVerdict(
  trx: Trx,
  deps: ActionDeps,
  input: { actionId: number; userId: string; verdict: FixVerdict; now: Date },
): Promise<Action> {
  const before = await lockAction(trx, input.actionId);
  if (!before) throw new DomainError('not_found', 'That action no longer exists.');
  await assertMayChange(deps.roles, before, input.userId);
  if (before.status !== 'done' || before.fix_checked_at === null || before.fix_verdict !== null) {
    throw new DomainError('action_closed', 'Whether this fix held was already answered.');
  }
  const after = await changeAction(
    trx,
    before.id,
    { status: 'done', revision: before.revision },
    input.verdict === 'held' ? { fix_verdict: 'held' } : reopened(before),
    input.now,
  );
  if (!after) throw changedMeanwhile();
  const action = toAction(after);
  const card = await loadActionCard(trx, action);
  await updateOwnerMessage(trx, before, after, card);
  if (input.verdict === 'came_back') {
    if (input.userId !== action.requestedBy) {
      const notice = buildActionReopenedNotice(card, input.userId);
      await postDm(trx, actionKeys.asker(action.id, after.revision), action.requestedBy, notice);
    }
    await deps.events?.changed(trx, changeOf(after, input.now));
  }
  await recordAudit(trx, {
    actor: input.userId,
    action: input.verdict === 'held' ? 'action.fix_held' : 'action.reopened',
    complaintId: action.complaintId,
    details: { actionId: action.id },
  });
  return action;
}

/** The changes that reopen a done action whose fix came back. */
function reopened(row: ActionRow): Updateable<ActionsTable> {
  return {
    status: 'open',
    reopened_count: row.reopened_count + 1,
    close_reason: null,
    closed_by: null,
    closed_at: null,
    fix_check_due_at: null,
    fix_checked_at: null,
    fix_verdict: null,
  };
}
