import type { ActionInput } from '../../src/actions/action';
import {
  type ActionChange,
  type ActionDeps,
  closeAction,
  openAction,
  reassignAction,
  recordFixVerdict,
  toAction,
} from '../../src/actions/action.service';
import { queueActionReminders } from '../../src/actions/action-reminder.service';
import { claimComplaint, logAttempt } from '../../src/calls/claim.service';
import { toComplaint } from '../../src/complaints/complaint.service';
import type { OutboxRow } from '../../src/db/schema';
import type { OutboxMessage } from '../../src/outbox/outbox';
import { DAY_MS } from '../../src/shared/time';
import { EXEC_1, EXEC_2, OUTSIDER } from '../helpers/config';
import { insertComplaint } from '../helpers/factories';
import { createTestDb, type TestDb } from '../helpers/test-db';

// Tuesday 2026-12-08, 11:00 UTC: business hours in the settings' zone.
const T0 = new Date('2026-12-08T11:00:00Z');
const TODAY = '2026-12-08';
const SETTINGS = { timezone: 'UTC' };
const PHONE = '+14155550199';
const EMAIL = 'grace@example.com';

const roles: ActionDeps['roles'] = { isExecutive: async (u) => u === EXEC_1 || u === EXEC_2 };

let db: TestDb;
let owners = 0;

beforeAll(async () => {
  db = await createTestDb();
});
afterAll(() => db.close());

/** A user ID nobody else in this file uses, so reminder counts are per test. */
function newOwner(): string {
  owners += 1;
  return `UOWNER${String(owners).padStart(4, '0')}`;
}

/** Logs a reached call by `requestedBy` that asks for an action; returns the action as stored. */
async function openTestAction(input: Partial<ActionInput> & { requestedBy?: string } = {}) {
  const { requestedBy = EXEC_1, ...overrides } = input;
  const complaintId = await insertComplaint(db.db, { customer: { phone: PHONE, email: EMAIL } });
  const action: ActionInput = {
    description: `Refund double charges within a day; tell ${EMAIL} when done`,
    theme: 'billing',
    ownerId: newOwner(),
    dueDate: '2026-12-20',
    ...overrides,
  };
  await db.db.transaction().execute(async (trx) => {
    const { claim } = await claimComplaint(trx, { complaintId, userId: requestedBy, now: T0 });
    const attempt = { outcome: 'reached' as const, notes: undefined, followUpDate: undefined, assessment: undefined };
    await logAttempt(trx, {
      claimId: claim.id,
      userId: requestedBy,
      attempt: { ...attempt, okToQuote: false, action },
      now: T0,
      followupDays: 14,
    });
  });
  const row = await db.db
    .selectFrom('actions')
    .selectAll()
    .where('complaint_id', '=', complaintId)
    .executeTakeFirstOrThrow();
  return toAction(row);
}

/** The outbox rows whose key starts with `prefix`, oldest first. */
async function queued(prefix: string): Promise<(OutboxRow & { message: OutboxMessage })[]> {
  const rows = await db.db
    .selectFrom('outbox')
    .selectAll()
    .where('dedupe_key', 'like', `${prefix}%`)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ ...r, message: r.payload as OutboxMessage }));
}

/** Every button in a message, as `action_id=value`. */
function buttonsIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(buttonsIn);
  if (typeof value !== 'object' || value === null) return [];
  const found = Object.values(value).flatMap(buttonsIn);
  const { type, action_id, value: v } = value as { type?: unknown; action_id?: unknown; value?: unknown };
  return type === 'button' ? [`${String(action_id)}=${String(v)}`, ...found] : found;
}

const close = (input: Parameters<typeof closeAction>[2], deps: ActionDeps = { roles }) =>
  db.db.transaction().execute((trx) => closeAction(trx, deps, input));

const findRow = (id: number) => db.db.selectFrom('actions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

describe('opening an action from a logged call', () => {
  it('stores it and DMs the owner its buttons, without the customer’s contact details', async () => {
    const action = await openTestAction({ description: 'Fix the <!channel> export', dueDate: '2026-12-20' });
    expect(action).toMatchObject({ status: 'open', theme: 'billing', requestedBy: EXEC_1, dueDate: '2026-12-20' });
    const [dm] = await queued(`action:${action.id}:`);
    expect(dm?.message.operation).toBe('post');
    const json = JSON.stringify(dm?.message);
    expect(json).toContain(`"channel":"${action.ownerId}"`);
    expect(buttonsIn(dm?.message)).toEqual(
      ['action_done', 'action_wont_do', 'action_reassign'].map((id) => `${id}=${action.id}`),
    );
    expect(json).toContain('&lt;!channel&gt;');
    expect(json).not.toContain(PHONE);
    expect(json).not.toContain(EMAIL);
    expect((await findRow(action.id)).owner_message_key).toBe(dm?.dedupe_key);
  });

  it('DMs the executive when they own it themselves: it is their to-do', async () => {
    const action = await openTestAction({ ownerId: EXEC_2, requestedBy: EXEC_2 });
    const [dm] = await queued(`action:${action.id}:`);
    expect(dm?.message).toMatchObject({ operation: 'post', message: { channel: EXEC_2 } });
    expect(JSON.stringify(dm?.message)).toContain('You noted this after your call');
  });

  it('opens one action per attempt: a second open for the same attempt does nothing', async () => {
    const action = await openTestAction();
    const row = await db.db
      .selectFrom('complaints')
      .selectAll()
      .where('id', '=', action.complaintId)
      .executeTakeFirstOrThrow();
    const again = await db.db.transaction().execute((trx) =>
      openAction(trx, {
        complaint: toComplaint(row),
        attemptId: action.attemptId ?? 0,
        requestedBy: EXEC_1,
        action: { description: 'again', theme: 'other', ownerId: EXEC_1 },
        now: T0,
      }),
    );
    expect(again).toBeUndefined();
    expect(await queued(`action:${action.id}:`)).toHaveLength(1);
  });

  it('reports the change to the outgoing events in the same transaction', async () => {
    const changes: ActionChange[] = [];
    const events = { changed: async (_trx: unknown, change: ActionChange) => void changes.push(change) };
    const action = await openTestAction();
    await close({ actionId: action.id, userId: action.ownerId, status: 'done', now: T0 }, { roles, events });
    expect(changes).toEqual([
      {
        changeKey: `action:${action.id}:r1`,
        action: {
          id: action.id,
          complaintId: action.complaintId,
          status: 'done',
          theme: 'billing',
          owner: action.ownerId,
          dueDate: '2026-12-20',
        },
        now: T0,
      },
    ]);
  });
});

describe('closing an action', () => {
  it('done: closes it, schedules the fix check in 30 days, edits the owner’s DM and tells the asker', async () => {
    const action = await openTestAction();
    const closed = await close({ actionId: action.id, userId: action.ownerId, status: 'done', now: T0 });
    expect(closed).toMatchObject({ status: 'done', closedBy: action.ownerId, closedAt: T0 });
    expect(closed.fixCheckDueAt).toEqual(new Date(T0.getTime() + 30 * DAY_MS));
    const [, update, asker] = await queued(`action:${action.id}:`);
    expect(update?.message).toMatchObject({ operation: 'update', target: `action:${action.id}:r0:owner` });
    expect(buttonsIn(update?.message)).toEqual([]);
    expect(asker?.message).toMatchObject({ operation: 'post', message: { channel: EXEC_1 } });
    expect(JSON.stringify(asker?.message)).toContain('is done');
    expect(JSON.stringify(asker?.message)).not.toContain(EMAIL);
  });

  it('does not tell the asker about a close they made themselves', async () => {
    const action = await openTestAction();
    await close({ actionId: action.id, userId: EXEC_1, status: 'done', now: T0 });
    const keys = (await queued(`action:${action.id}:`)).map((r) => r.dedupe_key);
    expect(keys).toEqual([`action:${action.id}:r0:owner`, `action:${action.id}:r1:owner-update`]);
  });

  it("won't do: needs a reason, and the asker reads it", async () => {
    const action = await openTestAction();
    await expect(
      close({ actionId: action.id, userId: action.ownerId, status: 'wont_do', reason: '  ', now: T0 }),
    ).rejects.toMatchObject({ code: 'invalid_input' });
    const closed = await close({
      actionId: action.id,
      userId: action.ownerId,
      status: 'wont_do',
      reason: 'The <billing> vendor cannot',
      now: T0,
    });
    expect(closed).toMatchObject({
      status: 'wont_do',
      closeReason: 'The <billing> vendor cannot',
      fixCheckDueAt: null,
    });
    const asker = (await queued(`action:${action.id}:r1:asker`))[0];
    expect(JSON.stringify(asker?.message)).toContain('The &lt;billing&gt; vendor cannot');
  });

  it('closes once when two people click at the same moment', async () => {
    const action = await openTestAction();
    const results = await Promise.allSettled([
      close({ actionId: action.id, userId: action.ownerId, status: 'done', now: T0 }),
      close({ actionId: action.id, userId: EXEC_2, status: 'done', now: T0 }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(rejected?.reason).toMatchObject({ code: 'action_closed' });
    expect((await findRow(action.id)).revision).toBe(1);
    expect(await queued(`action:${action.id}:r1:owner-update`)).toHaveLength(1);
    expect(await queued(`action:${action.id}:r2`)).toHaveLength(0);
  });

  it('refuses a second close, saying who closed it', async () => {
    const action = await openTestAction();
    await close({ actionId: action.id, userId: action.ownerId, status: 'done', now: T0 });
    await expect(close({ actionId: action.id, userId: EXEC_1, status: 'done', now: T0 })).rejects.toMatchObject({
      code: 'action_closed',
      userMessage: `This action was already marked done by <@${action.ownerId}>.`,
    });
  });
});

describe('who may change an action', () => {
  it.each([
    ['the owner', (a: { ownerId: string }) => a.ownerId],
    ['the executive who asked', () => EXEC_1],
    ['another executive', () => EXEC_2],
  ])('%s may close it', async (_who, userOf) => {
    const action = await openTestAction();
    const closed = await close({ actionId: action.id, userId: userOf(action), status: 'done', now: T0 });
    expect(closed.status).toBe('done');
  });

  it('refuses anyone else, and nothing changes', async () => {
    const action = await openTestAction();
    await expect(close({ actionId: action.id, userId: OUTSIDER, status: 'done', now: T0 })).rejects.toMatchObject({
      code: 'not_authorized',
    });
    const reassign = db.db
      .transaction()
      .execute((trx) =>
        reassignAction(trx, { roles }, { actionId: action.id, userId: OUTSIDER, newOwnerId: OUTSIDER, now: T0 }),
      );
    await expect(reassign).rejects.toMatchObject({ code: 'not_authorized' });
    expect(await findRow(action.id)).toMatchObject({ status: 'open', owner_id: action.ownerId, revision: 0 });
    expect(await queued(`action:${action.id}:`)).toHaveLength(1);
  });
});

describe('reassigning an action', () => {
  const reassign = (input: Parameters<typeof reassignAction>[2]) =>
    db.db.transaction().execute((trx) => reassignAction(trx, { roles }, input));

  it('gives it to the new owner by DM and edits the old owner’s DM', async () => {
    const action = await openTestAction();
    const newOwnerId = newOwner();
    const moved = await reassign({ actionId: action.id, userId: action.ownerId, newOwnerId, now: T0 });
    expect(moved).toMatchObject({ ownerId: newOwnerId, status: 'open' });
    const [, update, dm] = await queued(`action:${action.id}:`);
    expect(update?.message).toMatchObject({ operation: 'update', target: `action:${action.id}:r0:owner` });
    expect(JSON.stringify(update?.message)).toContain(`Reassigned to <@${newOwnerId}>`);
    expect(buttonsIn(update?.message)).toEqual([]);
    expect(dm).toMatchObject({ dedupe_key: `action:${action.id}:r1:owner` });
    expect(dm?.message).toMatchObject({ operation: 'post', message: { channel: newOwnerId } });
    expect(buttonsIn(dm?.message)).toContain(`action_done=${action.id}`);
  });

  it('a later close edits the new owner’s DM', async () => {
    const action = await openTestAction();
    const newOwnerId = newOwner();
    await reassign({ actionId: action.id, userId: EXEC_1, newOwnerId, now: T0 });
    await close({ actionId: action.id, userId: newOwnerId, status: 'done', now: T0 });
    const [update] = await queued(`action:${action.id}:r2:owner-update`);
    expect(update?.message).toMatchObject({ target: `action:${action.id}:r1:owner` });
  });

  it('refuses to reassign to the current owner', async () => {
    const action = await openTestAction();
    await expect(
      reassign({ actionId: action.id, userId: EXEC_1, newOwnerId: action.ownerId, now: T0 }),
    ).rejects.toMatchObject({ code: 'invalid_input' });
  });
});

describe('action reminders', () => {
  const run = (now: Date) => queueActionReminders(db.db, SETTINGS, now);
  const remindersTo = async (owner: string) => queued(`action-reminder:${owner}:`);

  it('DMs each owner once a day, listing all their due actions, whatever the number of concurrent runs', async () => {
    const owner = newOwner();
    const due = await openTestAction({ ownerId: owner, dueDate: TODAY, description: 'Due today' });
    const overdue = await openTestAction({ ownerId: owner, dueDate: '2026-12-01', description: 'Overdue' });
    await openTestAction({ ownerId: owner, dueDate: '2026-12-09', description: 'Due tomorrow' });
    await Promise.all([run(T0), run(T0)]);
    const reminders = await remindersTo(owner);
    expect(reminders).toHaveLength(1);
    const json = JSON.stringify(reminders[0]?.message);
    expect(json).toContain('Due today');
    expect(json).toContain('overdue since 2026-12-01');
    expect(json).not.toContain('Due tomorrow');
    expect(json).not.toContain(EMAIL);
    const ledger = await db.db.selectFrom('action_reminders').selectAll().where('user_id', '=', owner).execute();
    expect(ledger).toEqual([expect.objectContaining({ local_date: TODAY })]);
    expect([...(ledger[0]?.action_ids ?? [])].sort()).toEqual([due.id, overdue.id].sort());
  });

  it('reminds again a week later while the action is overdue, and not in between', async () => {
    const owner = newOwner();
    await openTestAction({ ownerId: owner, dueDate: TODAY });
    await run(T0);
    await run(new Date(T0.getTime() + 3 * DAY_MS));
    expect(await remindersTo(owner)).toHaveLength(1);
    await run(new Date(T0.getTime() + 7 * DAY_MS));
    expect((await remindersTo(owner)).map((r) => r.dedupe_key)).toEqual([
      `action-reminder:${owner}:${TODAY}`,
      `action-reminder:${owner}:2026-12-15`,
    ]);
  });

  it('sends nothing outside business hours, for closed actions, or to someone away', async () => {
    const owner = newOwner();
    const action = await openTestAction({ ownerId: owner, dueDate: TODAY });
    await run(new Date('2026-12-08T20:00:00Z'));
    expect(await remindersTo(owner)).toHaveLength(0);
    await db.db.insertInto('executive_away').values({ user_id: owner, start_date: TODAY, end_date: TODAY }).execute();
    await run(T0);
    expect(await remindersTo(owner)).toHaveLength(0);
    await close({ actionId: action.id, userId: owner, status: 'done', now: T0 });
    await run(new Date(T0.getTime() + DAY_MS));
    expect(await remindersTo(owner)).toHaveLength(0);
  });
});

describe('did the fix hold?', () => {
  const CHECK_DAY = new Date(T0.getTime() + 31 * DAY_MS);

  /** An action marked done at T0 whose fix question has been asked. */
  async function askedAction() {
    const action = await openTestAction();
    await close({ actionId: action.id, userId: action.ownerId, status: 'done', now: T0 });
    await queueActionReminders(db.db, SETTINGS, CHECK_DAY);
    return action;
  }

  const answer = (input: Parameters<typeof recordFixVerdict>[2]) =>
    db.db.transaction().execute((trx) => recordFixVerdict(trx, { roles }, input));

  it('asks the owner once, 30 days after done, whatever the number of concurrent runs', async () => {
    const action = await openTestAction();
    await close({ actionId: action.id, userId: action.ownerId, status: 'done', now: T0 });
    await queueActionReminders(db.db, SETTINGS, new Date(T0.getTime() + 29 * DAY_MS));
    expect(await queued(`action:${action.id}:r2`)).toHaveLength(0);
    await Promise.all([
      queueActionReminders(db.db, SETTINGS, CHECK_DAY),
      queueActionReminders(db.db, SETTINGS, CHECK_DAY),
    ]);
    const questions = await queued(`action:${action.id}:r2`);
    expect(questions.map((q) => q.dedupe_key)).toEqual([`action:${action.id}:r2:owner`]);
    expect(buttonsIn(questions[0]?.message)).toEqual([
      `action_fix_held=${action.id}`,
      `action_fix_came_back=${action.id}`,
    ]);
    expect(await findRow(action.id)).toMatchObject({
      fix_checked_at: CHECK_DAY,
      owner_message_key: questions[0]?.dedupe_key,
    });
  });

  it('held: records the verdict once and edits the question', async () => {
    const action = await askedAction();
    const held = await answer({ actionId: action.id, userId: action.ownerId, verdict: 'held', now: CHECK_DAY });
    expect(held).toMatchObject({ status: 'done', fixVerdict: 'held' });
    const [update] = await queued(`action:${action.id}:r3:owner-update`);
    expect(update?.message).toMatchObject({ target: `action:${action.id}:r2:owner` });
    expect(JSON.stringify(update?.message)).toContain('The fix held');
    await expect(
      answer({ actionId: action.id, userId: action.ownerId, verdict: 'came_back', now: CHECK_DAY }),
    ).rejects.toMatchObject({ code: 'action_closed' });
  });

  it('came back: reopens it with its closing and fix fields cleared, and tells the asker', async () => {
    const action = await askedAction();
    const reopened = await answer({
      actionId: action.id,
      userId: action.ownerId,
      verdict: 'came_back',
      now: CHECK_DAY,
    });
    expect(reopened).toMatchObject({
      status: 'open',
      reopenedCount: 1,
      closedAt: null,
      closedBy: null,
      closeReason: null,
      fixCheckDueAt: null,
      fixCheckedAt: null,
      fixVerdict: null,
    });
    const [update] = await queued(`action:${action.id}:r3:owner-update`);
    expect(buttonsIn(update?.message)).toContain(`action_done=${action.id}`);
    const [asker] = await queued(`action:${action.id}:r3:asker`);
    expect(asker?.message).toMatchObject({ message: { channel: EXEC_1 } });
    expect(JSON.stringify(asker?.message)).toContain('The fix did not hold');
    // Reopened, it can be closed again, and its fix is checked again.
    await close({ actionId: action.id, userId: action.ownerId, status: 'done', now: CHECK_DAY });
    expect((await findRow(action.id)).status).toBe('done');
  });
});
