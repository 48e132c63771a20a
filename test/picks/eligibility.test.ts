import { sql } from 'kysely';
import type { Customer } from '../../src/complaints/complaint';
import type { NewComplaintRow } from '../../src/db/schema';
import {
  type EligibilityCandidate,
  type EligibilityContext,
  type EligibilityWindow,
  isEligible,
  type PickedCustomer,
} from '../../src/picks/eligibility';
import { findEligibleComplaintIds, selectEligibleComplaints } from '../../src/picks/pick.repository';
import { explainEligibility } from '../../src/picks/pick.service';
import { eraseComplaints } from '../../src/privacy/erasure.repository';
import { type ComplaintOverrides, insertAttempt, insertClaim, insertComplaint, insertPick } from '../helpers/factories';
import { createTestDb, type TestDb } from '../helpers/test-db';

const DAY = 86_400_000;
const NOW = new Date('2026-11-23T10:00:00Z');
const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY);
const WINDOW: EligibilityWindow = { now: NOW, eligibleDays: 30, cooldownDays: 90 };

describe('isEligible (pure)', () => {
  const candidate = (overrides: Partial<EligibilityCandidate> = {}): EligibilityCandidate => ({
    id: 1,
    isMajor: true,
    doNotCall: false,
    closedAt: null,
    receivedAt: daysAgo(2),
    becameMajorAt: daysAgo(2),
    customer: { email: 'ada@example.com', phone: '+14155550100', company: 'Acme' },
    picked: false,
    reached: false,
    openClaim: false,
    erased: false,
    ...overrides,
  });
  const pickedCustomer = (customer: Partial<PickedCustomer['customer']>, pickedDaysAgo: number): PickedCustomer => ({
    complaintId: 99,
    pickedAt: daysAgo(pickedDaysAgo),
    customer: { email: null, phone: null, company: null, ...customer },
  });
  const context = (pickedCustomers: PickedCustomer[] = []): EligibilityContext => ({ ...WINDOW, pickedCustomers });

  it.each<[string, Partial<EligibilityCandidate>, PickedCustomer[], string[]]>([
    ['a recent, major, callable, untouched complaint', {}, [], []],
    ['major exactly 30 days ago (the window is inclusive)', { becameMajorAt: daysAgo(30) }, [], []],
    ['not major', { isMajor: false }, [], ['not major']],
    ['do-not-call', { doNotCall: true }, [], ['marked do-not-call']],
    ['closed', { closedAt: daysAgo(1) }, [], ['closed']],
    [
      'major since 30 days and 1 ms ago',
      { becameMajorAt: new Date(daysAgo(30).getTime() - 1) },
      [],
      ['major for more than 30 days'],
    ],
    ['not major (no major time: only "not major" is said)', { isMajor: false, becameMajorAt: null }, [], ['not major']],
    [
      'received 60 days ago, major since yesterday (the window counts from turning major)',
      { receivedAt: daysAgo(60), becameMajorAt: daysAgo(1) },
      [],
      [],
    ],
    [
      'major with no major time (written by the previous release mid-upgrade): counts from receipt',
      { receivedAt: daysAgo(31), becameMajorAt: null },
      [],
      ['major for more than 30 days'],
    ],
    ['already picked', { picked: true }, [], ['already picked']],
    ['customer already reached', { reached: true }, [], ['customer already reached']],
    ['claimed right now', { openClaim: true }, [], ['already claimed by an executive']],
    ['erased: its contact details are gone, so there is nobody to call', { erased: true }, [], ['erased']],
    [
      'same email picked 10 days ago',
      {},
      [pickedCustomer({ email: 'ada@example.com' }, 10)],
      ['same customer (email) picked within 90 days'],
    ],
    [
      'same phone picked 89 days ago',
      {},
      [pickedCustomer({ phone: '+14155550100' }, 89)],
      ['same customer (phone) picked within 90 days'],
    ],
    [
      'same company in other case',
      {},
      [pickedCustomer({ company: 'ACME' }, 1)],
      ['same customer (company) picked within 90 days'],
    ],
    [
      'same email picked exactly 90 days ago (cooldown over)',
      {},
      [pickedCustomer({ email: 'ada@example.com' }, 90)],
      [],
    ],
    [
      'another customer picked yesterday',
      {},
      [pickedCustomer({ email: 'bob@example.com', phone: '+1999', company: 'Other' }, 1)],
      [],
    ],
    [
      'no contact details, like the picked customer (nulls never match)',
      { customer: { email: null, phone: null, company: null } },
      [pickedCustomer({}, 1)],
      [],
    ],
  ])('%s', (_name, overrides, picks, reasons) => {
    expect(isEligible(candidate(overrides), context(picks))).toEqual({ eligible: reasons.length === 0, reasons });
  });

  it('lists every failed rule, not just the first', () => {
    const result = isEligible(candidate({ isMajor: false, doNotCall: true, openClaim: true }), context());
    expect(result).toEqual({
      eligible: false,
      reasons: ['not major', 'marked do-not-call', 'already claimed by an executive'],
    });
  });

  it("does not count a complaint's own pick as its customer's cooldown", () => {
    const own = { ...pickedCustomer({ email: 'ada@example.com' }, 1), complaintId: 1 };
    expect(isEligible(candidate({ picked: true }), context([own])).reasons).toEqual(['already picked']);
  });

  it('takes the windows from the context', () => {
    const picks = [pickedCustomer({ email: 'ada@example.com' }, 10)];
    expect(isEligible(candidate(), { ...context(picks), cooldownDays: 0 }).eligible).toBe(true);
    expect(isEligible(candidate({ becameMajorAt: daysAgo(8) }), { ...context(), eligibleDays: 7 }).reasons).toEqual([
      'major for more than 7 days',
    ]);
  });
});

/** One complaint in the shared database, with the state around it and what the rule must say about it. */
interface Fixture {
  name: string;
  complaint?: ComplaintOverrides;
  row?: Partial<NewComplaintRow>;
  /** Claims, call attempts or a pick of this complaint. */
  state?: (db: TestDb, id: number) => Promise<void>;
  /** Another complaint of a customer with these details was picked this many days ago. */
  pickedCustomer?: { customer: Partial<Customer>; daysAgo: number };
  reason: string | null;
}

let pickDay = 0;
/** Each pick needs its own date; these are far from NOW so they never matter. */
const nextPickDate = () => {
  pickDay += 1;
  return new Date(Date.UTC(2020, 0, pickDay)).toISOString().slice(0, 10);
};

async function insertPickOf(db: TestDb, complaintId: number, pickedAt: Date): Promise<void> {
  await insertPick(db.db, { pick_date: nextPickDate(), complaint_id: complaintId, created_at: pickedAt });
}

/** A claim by UEXEC0001 in `status`, with one call attempt of `outcome` when given. */
async function claimWith(
  db: TestDb,
  complaintId: number,
  status: 'open' | 'released' | 'closed',
  outcome?: string,
): Promise<void> {
  const claim = await insertClaim(db.db, { complaint_id: complaintId, claimed_by: 'UEXEC0001', status });
  if (outcome) await insertAttempt(db.db, { claim_id: claim.id, outcome });
}

const FIXTURES: Fixture[] = [
  { name: 'a recent, major, callable, untouched complaint', reason: null },
  { name: 'received 29 days ago', complaint: { receivedAt: daysAgo(29) }, reason: null },
  { name: 'not major', row: { is_major: false }, reason: 'not major' },
  { name: 'do-not-call', complaint: { doNotCall: true }, reason: 'marked do-not-call' },
  { name: 'closed', row: { closed_at: daysAgo(1) }, reason: 'closed' },
  { name: 'received 31 days ago', complaint: { receivedAt: daysAgo(31) }, reason: 'major for more than 30 days' },
  {
    name: 'received 60 days ago, major since yesterday (late major: the window counts from turning major)',
    complaint: { receivedAt: daysAgo(60) },
    row: { became_major_at: daysAgo(1) },
    reason: null,
  },
  {
    name: 'major, written without became_major_at by the previous release mid-upgrade: counts from receipt',
    row: { became_major_at: null },
    reason: null,
  },
  {
    name: 'same, received 31 days ago',
    complaint: { receivedAt: daysAgo(31) },
    row: { became_major_at: null },
    reason: 'major for more than 30 days',
  },
  {
    name: 'opened 40 days ago, first delivered as major by an update 5 days ago (major since the vendor time)',
    complaint: { receivedAt: daysAgo(40), sourceUpdatedAt: daysAgo(5) },
    reason: null,
  },
  { name: 'already picked', state: (db, id) => insertPickOf(db, id, daysAgo(200)), reason: 'already picked' },
  {
    name: 'customer reached',
    state: (db, id) => claimWith(db, id, 'closed', 'reached'),
    reason: 'customer already reached',
  },
  {
    name: 'only a voicemail, claim released',
    state: (db, id) => claimWith(db, id, 'released', 'voicemail'),
    reason: null,
  },
  {
    name: 'claimed right now',
    state: (db, id) => claimWith(db, id, 'open'),
    reason: 'already claimed by an executive',
  },
  {
    name: 'erased by forget, never called',
    state: (db, id) =>
      db.db.transaction().execute((trx) => eraseComplaints(trx, [id], daysAgo(1)).then(() => undefined)),
    reason: 'erased',
  },
  {
    name: 'claimed once, then released',
    state: (db, id) => claimWith(db, id, 'released'),
    reason: null,
  },
  {
    name: 'same email picked 10 days ago',
    complaint: { customer: { email: 'shared@example.com' } },
    pickedCustomer: { customer: { email: 'shared@example.com' }, daysAgo: 10 },
    reason: 'same customer (email) picked within 90 days',
  },
  {
    name: 'same phone picked 89 days ago',
    complaint: { customer: { phone: '+14155550199' } },
    pickedCustomer: { customer: { phone: '+14155550199' }, daysAgo: 89 },
    reason: 'same customer (phone) picked within 90 days',
  },
  {
    name: 'same company in other case picked yesterday',
    complaint: { customer: { company: 'Globex Corporation' } },
    pickedCustomer: { customer: { company: 'GLOBEX corporation' }, daysAgo: 1 },
    reason: 'same customer (company) picked within 90 days',
  },
  {
    name: 'same email picked 100 days ago',
    complaint: { customer: { email: 'old@example.com' } },
    pickedCustomer: { customer: { email: 'old@example.com' }, daysAgo: 100 },
    reason: null,
  },
  {
    name: 'same name only (names do not identify a customer)',
    complaint: { customer: { name: 'Pat Smith' } },
    pickedCustomer: { customer: { name: 'Pat Smith' }, daysAgo: 1 },
    reason: null,
  },
  {
    name: 'no contact details, like a customer picked yesterday (nulls never match)',
    complaint: { customer: { email: undefined, phone: undefined, company: undefined } },
    pickedCustomer: { customer: { email: undefined, phone: undefined, company: undefined }, daysAgo: 1 },
    reason: null,
  },
];

describe('eligibility on a real database: the pure rule and the query agree', () => {
  let db: TestDb;
  const ids = new Map<string, number>();

  beforeAll(async () => {
    db = await createTestDb();
    for (const f of FIXTURES) {
      if (f.pickedCustomer) {
        const other = await insertComplaint(db.db, {
          receivedAt: daysAgo(f.pickedCustomer.daysAgo + 1),
          customer: f.pickedCustomer.customer,
        });
        await insertPickOf(db, other, daysAgo(f.pickedCustomer.daysAgo));
      }
      const id = await insertComplaint(db.db, { receivedAt: daysAgo(2), ...f.complaint }, { ...f.row });
      await f.state?.(db, id);
      ids.set(f.name, id);
    }
  });
  afterAll(() => db.close());

  it.each(FIXTURES.map((f) => [f.name, f] as const))('%s', async (_name, fixture) => {
    const id = ids.get(fixture.name);
    if (id === undefined) throw new Error('fixture not inserted');
    const pure = await explainEligibility(db.db, id, WINDOW);
    const pool = await findEligibleComplaintIds(db.db, WINDOW);
    expect(pure).toEqual({
      eligible: fixture.reason === null,
      reasons: fixture.reason === null ? [] : [fixture.reason],
    });
    expect(pool.includes(id)).toBe(fixture.reason === null);
  });

  it.each<[string, EligibilityWindow]>([
    ['30 days, 90-day cooldown', WINDOW],
    ['30 days, no cooldown', { ...WINDOW, cooldownDays: 0 }],
    ['7 days, 90-day cooldown', { ...WINDOW, eligibleDays: 7 }],
    ['60 days, 5-day cooldown', { ...WINDOW, eligibleDays: 60, cooldownDays: 5 }],
    ['a year later', { ...WINDOW, now: new Date(NOW.getTime() + 365 * DAY) }],
  ])('agree on every complaint in the database (%s)', async (_name, window) => {
    const all = await db.db.selectFrom('complaints').select('id').orderBy('id').execute();
    const expected: number[] = [];
    for (const { id } of all) {
      const result = await explainEligibility(db.db, id, window);
      if (result?.eligible) expected.push(id);
    }
    expect(await findEligibleComplaintIds(db.db, window)).toEqual(expected);
  });

  it('returns ids in ascending order', async () => {
    const pool = await findEligibleComplaintIds(db.db, WINDOW);
    expect(pool.length).toBeGreaterThan(3);
    expect(pool).toEqual([...pool].sort((a, b) => a - b));
  });

  it('explains nothing for a complaint that does not exist', async () => {
    expect(await explainEligibility(db.db, 987_654, WINDOW)).toBeUndefined();
  });

  it('can use the partial index complaints_eligible_idx (its predicate is provably implied)', async () => {
    const plan = await db.db.transaction().execute(async (trx) => {
      // With a few rows a sequential scan is cheapest; forbid it to see whether the index qualifies at all.
      await sql`SET LOCAL enable_seqscan = off`.execute(trx);
      return selectEligibleComplaints(trx, WINDOW).select('c.id').orderBy('c.id').explain();
    });
    const text = plan.map((row) => String(Object.values(row)[0])).join('\n');
    expect(text).toMatch(/complaints_eligible_idx/);
    expect(text).not.toMatch(/Seq Scan on complaints c\b/);
  });
});
