import { queueActionReminders } from '../../src/actions/action-reminder.service';
import { insertAction } from '../helpers/factories';
import { createTestDb, type TestDb } from '../helpers/test-db';

// The workspace runs on UTC; its owners live in Tokyo, Auckland and (Slack does not say) UTC.
const SETTINGS = { timezone: 'UTC' };
const TOKYO = 'UTOKYO001';
const AUCKLAND = 'UAUCKLAND';
const SOMEWHERE = 'UUNKNOWN1';
const ZONES: Record<string, string> = { [TOKYO]: 'Asia/Tokyo', [AUCKLAND]: 'Pacific/Auckland' };
const zoneOf = async (userId: string) => ZONES[userId];

/** Tuesday 8 December 2026, 11:00 UTC: 20:00 in Tokyo, Wednesday 00:00 in Auckland. */
const UTC_MORNING = new Date('2026-12-08T11:00:00Z');
/** Tuesday 22:00 UTC: Wednesday 07:00 in Tokyo, 11:00 in Auckland. */
const AUCKLAND_MORNING = new Date('2026-12-08T22:00:00Z');
/** Wednesday 01:00 UTC: 10:00 in Tokyo. */
const TOKYO_MORNING = new Date('2026-12-09T01:00:00Z');

let db: TestDb;

beforeAll(async () => {
  db = await createTestDb();
});
afterAll(() => db.close());
beforeEach(async () => {
  await db.db.deleteFrom('action_reminders').execute();
  await db.db.deleteFrom('outbox').execute();
  await db.db.deleteFrom('actions').execute();
});

const reminderKeys = async () =>
  (await db.db.selectFrom('outbox').select('dedupe_key').where('dedupe_key', 'like', 'action-reminder:%').execute())
    .map((r) => r.dedupe_key)
    .sort();

describe("action reminders in each owner's own time zone", () => {
  it('reminds each owner in their business hours only', async () => {
    for (const owner of [TOKYO, SOMEWHERE]) {
      await insertAction(db.db, { owner_id: owner, requested_by: owner, due_date: '2026-12-07' });
    }
    expect(await queueActionReminders(db.db, SETTINGS, UTC_MORNING, zoneOf)).toEqual({ reminders: 1, fixChecks: 0 });
    expect(await reminderKeys()).toEqual([`action-reminder:${SOMEWHERE}:2026-12-08`]);
    expect(await queueActionReminders(db.db, SETTINGS, TOKYO_MORNING, zoneOf)).toEqual({ reminders: 1, fixChecks: 0 });
    expect(await reminderKeys()).toEqual([
      `action-reminder:${TOKYO}:2026-12-09`,
      `action-reminder:${SOMEWHERE}:2026-12-08`,
    ]);
  });

  it("counts a due date and the once-a-day ledger in the owner's own calendar", async () => {
    await insertAction(db.db, { owner_id: AUCKLAND, requested_by: AUCKLAND, due_date: '2026-12-09' });
    // Without personal zones, 22:00 UTC is after hours and the 9th has not come.
    expect(await queueActionReminders(db.db, SETTINGS, AUCKLAND_MORNING)).toEqual({ reminders: 0, fixChecks: 0 });
    expect(await queueActionReminders(db.db, SETTINGS, AUCKLAND_MORNING, zoneOf)).toEqual({
      reminders: 1,
      fixChecks: 0,
    });
    const ledger = await db.db.selectFrom('action_reminders').selectAll().execute();
    expect(ledger).toEqual([expect.objectContaining({ user_id: AUCKLAND, local_date: '2026-12-09' })]);
    // An hour later is the same day in Auckland: nothing more.
    const later = new Date(AUCKLAND_MORNING.getTime() + 3_600_000);
    expect(await queueActionReminders(db.db, SETTINGS, later, zoneOf)).toEqual({ reminders: 0, fixChecks: 0 });
  });

  it('asks "did the fix hold?" in the owner’s business hours', async () => {
    const due = new Date('2026-12-01T00:00:00Z');
    await insertAction(db.db, {
      owner_id: TOKYO,
      requested_by: TOKYO,
      status: 'done',
      closed_at: due,
      fix_check_due_at: due,
    });
    expect(await queueActionReminders(db.db, SETTINGS, UTC_MORNING, zoneOf)).toEqual({ reminders: 0, fixChecks: 0 });
    expect(await queueActionReminders(db.db, SETTINGS, TOKYO_MORNING, zoneOf)).toEqual({ reminders: 0, fixChecks: 1 });
  });
});
