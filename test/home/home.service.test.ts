import { buildHomeModel } from '../../src/home/home.service';
import { seedAttempt, seedClaim, seedComplaint, seedEvidence, seedPick } from '../digest/seed';
import { insertAction } from '../helpers/factories';
import { createTestDb, type TestDb } from '../helpers/test-db';

const TZ = 'America/New_York';
const NOW = new Date('2026-11-24T15:00:00Z');
const TODAY = '2026-11-24';
const EXEC_A = 'UHOMEA001';
const EXEC_B = 'UHOMEB001';
const LEAD = 'UHOMEL001';
const OUTSIDER_OWNER = 'UHOMEO001';

/** App Home's model on a real database: the statuses and numbers the repository's subqueries decide. */
describe('buildHomeModel', () => {
  let db: TestDb;
  const ids: Record<string, number> = {};

  /** A complaint LEAD escalated at `createdAt`. */
  const escalation = (createdAt: string, doNotCall = false) =>
    seedComplaint(db.db, createdAt, {}, { escalated_by: LEAD, do_not_call: doNotCall });

  beforeAll(async () => {
    db = await createTestDb();
    // Today's pick: A reached the customer, let the claim go, and B reached them again later.
    ids.picked = await seedComplaint(db.db, '2026-11-23T12:00:00Z');
    await seedPick(db.db, TODAY, ids.picked, '2026-11-24T14:00:00Z');
    const pickClaim = await seedClaim(db.db, ids.picked, EXEC_A, '2026-11-24T14:05:00Z', '2026-11-24T14:30:00Z');
    await seedAttempt(
      db.db,
      { id: pickClaim, complaintId: ids.picked, executive: EXEC_A },
      'reached',
      '2026-11-24T14:10:00Z',
    );
    await seedAttempt(
      db.db,
      { id: pickClaim, complaintId: ids.picked, executive: EXEC_B },
      'reached',
      '2026-11-24T14:20:00Z',
    );

    // Reached late on Nov 19 in New York (already Nov 20 in UTC); its only evidence is not advocacy.
    ids.reached = await escalation('2026-11-18T09:00:00Z');
    const reachedClaim = await seedClaim(db.db, ids.reached, EXEC_A, '2026-11-19T10:00:00Z', '2026-11-20T04:00:00Z');
    await seedAttempt(
      db.db,
      { id: reachedClaim, complaintId: ids.reached, executive: EXEC_A },
      'reached',
      '2026-11-20T03:00:00Z',
    );
    await seedEvidence(db.db, ids.reached, 'survey_detractor', false, '2026-11-21T10:00:00Z');

    // Tried twice by B, never reached, claim let go: the latest attempt is what it says.
    ids.tried = await escalation('2026-11-19T09:00:00Z');
    const triedClaim = await seedClaim(db.db, ids.tried, EXEC_B, '2026-11-19T11:00:00Z', '2026-11-21T11:00:00Z');
    await seedAttempt(
      db.db,
      { id: triedClaim, complaintId: ids.tried, executive: EXEC_B },
      'no_answer',
      '2026-11-19T12:00:00Z',
    );
    await seedAttempt(
      db.db,
      { id: triedClaim, complaintId: ids.tried, executive: EXEC_B },
      'voicemail',
      '2026-11-20T12:00:00Z',
    );

    ids.advocate = await escalation('2026-11-20T09:00:00Z');
    const advocateClaim = await seedClaim(db.db, ids.advocate, EXEC_A, '2026-11-20T10:00:00Z', '2026-11-20T12:00:00Z');
    await seedAttempt(
      db.db,
      { id: advocateClaim, complaintId: ids.advocate, executive: EXEC_A },
      'reached',
      '2026-11-20T11:00:00Z',
    );
    await seedEvidence(db.db, ids.advocate, 'referral', true, '2026-11-22T10:00:00Z', EXEC_A);

    ids.pickedEscalation = await escalation('2026-11-21T09:00:00Z');
    await seedPick(db.db, '2026-11-23', ids.pickedEscalation, '2026-11-23T15:00:00Z');
    ids.doNotCall = await escalation('2026-11-22T09:00:00Z', true);

    // A reached call long before App Home's 90 days counts in no number.
    ids.old = await seedComplaint(db.db, '2026-06-01T09:00:00Z');
    const oldClaim = await seedClaim(db.db, ids.old, EXEC_A, '2026-06-01T10:00:00Z', '2026-06-02T10:00:00Z');
    await seedAttempt(
      db.db,
      { id: oldClaim, complaintId: ids.old, executive: EXEC_A },
      'reached',
      '2026-06-01T11:00:00Z',
    );
    await seedEvidence(db.db, ids.old, 'referral', true, '2026-06-10T10:00:00Z', EXEC_A);

    // Actions: B owns one (due yesterday in New York), and someone on neither list owns another.
    await insertAction(db.db, {
      complaint_id: ids.picked,
      description: 'B owns this',
      owner_id: EXEC_B,
      requested_by: EXEC_A,
      due_date: '2026-11-23',
    });
    await insertAction(db.db, {
      complaint_id: ids.reached,
      description: 'Outsider owns this',
      owner_id: OUTSIDER_OWNER,
    });
  });
  afterAll(() => db.close());

  const build = (userId: string, role: 'executive' | 'lead' | 'other') =>
    buildHomeModel(db.db, { userId, role, now: NOW, timezone: TZ });

  it('names who last reached the customer of an unclaimed pick', async () => {
    const pick = (await build(EXEC_A, 'executive')).executive?.todayPick;
    expect(pick).toMatchObject({ kind: 'complaint', date: TODAY, status: { kind: 'called', by: EXEC_B } });
  });

  it("counts an executive's claims, calls, customers reached and advocates of the last 90 days", async () => {
    const numbers = (await build(EXEC_A, 'executive')).executive?.numbers;
    // Reached: the pick, the escalation reached on Nov 19 and the advocate; only the last has advocacy evidence.
    expect(numbers).toEqual({ days: 90, claims: 3, attempts: 3, reached: 3, advocates: 1 });
  });

  it('says what became of each escalation, most advanced state first, newest escalation first', async () => {
    const items = (await build(LEAD, 'lead')).lead?.escalations.items ?? [];
    expect(items.map((i) => [i.complaint.id, i.status])).toEqual([
      [ids.doNotCall, { kind: 'do_not_call' }],
      [ids.pickedEscalation, { kind: 'picked', on: '2026-11-23' }],
      [ids.advocate, { kind: 'advocate', by: EXEC_A }],
      [ids.tried, { kind: 'tried', by: EXEC_B, outcome: 'voicemail' }],
      [ids.reached, { kind: 'reached', by: EXEC_A, on: '2026-11-19' }],
    ]);
  });

  it('reads the viewer’s own open actions, and for an executive everyone else’s, whatever their role', async () => {
    const outsider = (await build(OUTSIDER_OWNER, 'other')).actions;
    expect(outsider?.mine.items.map((i) => i.description)).toEqual(['Outsider owns this']);
    expect(outsider?.others).toBeUndefined();

    const b = (await build(EXEC_B, 'executive')).actions;
    expect(b?.mine.items).toEqual([expect.objectContaining({ description: 'B owns this', overdue: true })]);
    expect(b?.others?.items.map((i) => i.owner)).toEqual([OUTSIDER_OWNER]);
    expect((await build(LEAD, 'lead')).actions).toEqual({ mine: { items: [], total: 0 }, others: undefined });
  });

  it('reads the settings for an admin only, and what setup lacks for everyone', async () => {
    const effective = [{ name: 'EXEC_CHANNEL' as const, value: 'C1AB', source: { kind: 'env' as const } }];
    let reads = 0;
    const settings = {
      effective: async () => {
        reads += 1;
        return effective;
      },
      missingEssentials: () => ['EXECUTIVES' as const],
    };
    const input = { role: 'other' as const, now: NOW, timezone: TZ, settings, admins: 'the admins' };
    const admin = await buildHomeModel(db.db, { ...input, userId: 'UADMIN001', isAdmin: true });
    expect(admin.settings).toEqual(effective);
    expect(admin.setup).toEqual({ missing: ['EXECUTIVES'], canSetUp: true, admins: 'the admins' });
    const other = await buildHomeModel(db.db, { ...input, userId: OUTSIDER_OWNER, isAdmin: false });
    expect(other.settings).toBeUndefined();
    expect(other.setup).toEqual({ missing: ['EXECUTIVES'], canSetUp: false, admins: 'the admins' });
    expect(reads).toBe(1);
    const complete = await buildHomeModel(db.db, {
      ...input,
      userId: OUTSIDER_OWNER,
      settings: { ...settings, missingEssentials: () => [] },
    });
    expect(complete.setup).toBeUndefined();
  });
});
