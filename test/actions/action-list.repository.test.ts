import { sql } from 'kysely';
import { themeKey } from '../../src/actions/action-list';
import {
  type ActionWindow,
  countTopThemes,
  listActionsDone,
  listActionsOpened,
  listActionsOverdue,
  listFixChecks,
  themeKeySql,
} from '../../src/actions/action-list.repository';
import { listActionsFor } from '../../src/actions/action-list.service';
import { EXEC_1, EXEC_2, OUTSIDER } from '../helpers/config';
import { insertAction, insertComplaint } from '../helpers/factories';
import { createTestDb, type TestDb } from '../helpers/test-db';

const DAY = 86_400_000;
const at = (iso: string) => new Date(iso);
// A week, Monday to Monday in UTC, and the moment after it.
const WEEK: ActionWindow = {
  from: at('2026-11-16T00:00:00Z'),
  to: at('2026-11-23T00:00:00Z'),
  asOf: at('2026-11-23T00:00:00Z'),
  overdueBefore: '2026-11-23',
};
const IN_WEEK = at('2026-11-18T12:00:00Z');
const BEFORE_WEEK = at('2026-11-10T12:00:00Z');
const AFTER_WEEK = at('2026-11-23T10:00:00Z');

describe('actions, read side, on a real database', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await createTestDb();
  });
  afterAll(() => db.close());
  beforeEach(async () => {
    await db.db.deleteFrom('actions').execute();
    await db.db.deleteFrom('complaints').execute();
  });

  /** A major complaint that became major at `majorAt`, carrying `tags`. */
  const complaintAt = (majorAt: Date, tags: string[] = [], isMajor = true) =>
    insertComplaint(
      db.db,
      { tags },
      { received_at: majorAt, became_major_at: isMajor ? majorAt : null, is_major: isMajor },
    );

  describe('listActionsFor (/pickup actions, App Home)', () => {
    const today = '2026-11-24';

    it('lists the viewer’s open actions earliest due first (undated last), then everyone else’s, for executives', async () => {
      const undated = await insertAction(db.db, { description: 'mine, undated' });
      const later = await insertAction(db.db, { description: 'mine, later', due_date: '2026-12-10' });
      const sooner = await insertAction(db.db, { description: 'mine, overdue', due_date: '2026-11-20' });
      const theirs = await insertAction(db.db, { description: 'theirs', owner_id: EXEC_2, requested_by: EXEC_2 });
      await insertAction(db.db, { description: 'mine, done', status: 'done', closed_at: IN_WEEK });

      const listing = await listActionsFor(db.db, { viewer: EXEC_1, isExecutive: true, today });
      expect(listing.mine.items.map((i) => i.id)).toEqual([sooner.id, later.id, undated.id]);
      expect(listing.mine.total).toBe(3);
      expect(listing.mine.items.map((i) => i.overdue)).toEqual([true, false, false]);
      expect(listing.others).toEqual({ items: [expect.objectContaining({ id: theirs.id, owner: EXEC_2 })], total: 1 });
    });

    it('shows someone who is not an executive only their own', async () => {
      await insertAction(db.db, { owner_id: OUTSIDER, description: 'handed to an outsider' });
      await insertAction(db.db, { owner_id: EXEC_2 });
      const listing = await listActionsFor(db.db, { viewer: OUTSIDER, isExecutive: false, today });
      expect(listing.mine.items.map((i) => i.description)).toEqual(['handed to an outsider']);
      expect(listing.others).toBeUndefined();
    });

    it('cuts each list to its limit and counts them all', async () => {
      for (let i = 0; i < 7; i++) await insertAction(db.db, {});
      for (let i = 0; i < 4; i++) await insertAction(db.db, { owner_id: EXEC_2 });
      const listing = await listActionsFor(db.db, {
        viewer: EXEC_1,
        isExecutive: true,
        today,
        limits: { mine: 5, others: 2 },
      });
      expect([listing.mine.items.length, listing.mine.total]).toEqual([5, 7]);
      expect([listing.others?.items.length, listing.others?.total]).toEqual([2, 4]);
    });

    it('redacts the description, subject and link for all but the owner who wrote it', async () => {
      const email = 'pat.customer@example.org';
      const complaintId = await insertComplaint(db.db, {
        subject: `Refund to ${email}`,
        url: `https://desk.example/t/1?u=${encodeURIComponent(email)}`,
        customer: { email, phone: '+14155550199' },
      });
      const written = 'Ring 415-555-0199 when the refund lands';
      await insertAction(db.db, { complaint_id: complaintId, description: written });
      await insertAction(db.db, { complaint_id: complaintId, description: written, owner_id: EXEC_2 });

      const owner = await listActionsFor(db.db, { viewer: EXEC_1, isExecutive: true, today });
      expect(owner.mine.items[0]?.description).toBe(written);
      expect(owner.others?.items[0]?.description).toBe('Ring [phone] when the refund lands');
      expect(owner.mine.items[0]?.subject).toBe('Refund to [email]');
      expect(owner.mine.items[0]?.ticketUrl).not.toContain('pat.customer');
      const handedTo = await listActionsFor(db.db, { viewer: EXEC_2, isExecutive: true, today });
      expect(handedTo.mine.items[0]?.description).toBe('Ring [phone] when the refund lands');
    });
  });

  describe('the digest’s action figures', () => {
    it('counts actions opened in the window, oldest first, with owners', async () => {
      await insertAction(db.db, { created_at: BEFORE_WEEK });
      const a = await insertAction(db.db, { created_at: at('2026-11-16T00:00:00Z'), owner_id: EXEC_2 });
      const b = await insertAction(db.db, { created_at: IN_WEEK, status: 'done', closed_at: IN_WEEK });
      await insertAction(db.db, { created_at: WEEK.to });
      const opened = await listActionsOpened(db.db, WEEK, 1);
      expect(opened.total).toBe(2);
      expect(opened.items).toEqual([expect.objectContaining({ id: a.id, owner: EXEC_2, closedAt: null })]);
      expect((await listActionsOpened(db.db, WEEK, 10)).items.map((i) => i.id)).toEqual([a.id, b.id]);
    });

    it('counts actions marked done in the window and still done, not won’t-do or reopened ones', async () => {
      const done = await insertAction(db.db, { created_at: BEFORE_WEEK, status: 'done', closed_at: IN_WEEK });
      await insertAction(db.db, { status: 'wont_do', closed_at: IN_WEEK });
      await insertAction(db.db, { status: 'done', closed_at: BEFORE_WEEK });
      await insertAction(db.db, { status: 'done', closed_at: AFTER_WEEK });
      // Reopened: the fix did not hold, so it is open again.
      await insertAction(db.db, { status: 'open', closed_at: null, reopened_count: 1 });
      const figures = await listActionsDone(db.db, WEEK, 10);
      expect(figures).toEqual({
        items: [expect.objectContaining({ id: done.id, closedAt: IN_WEEK.toISOString() })],
        total: 1,
      });
    });

    it('counts as overdue what was open at the window’s end with its due date passed by then', async () => {
      const open = await insertAction(db.db, { created_at: BEFORE_WEEK, due_date: '2026-11-20' });
      const closedLater = await insertAction(db.db, {
        created_at: BEFORE_WEEK,
        due_date: '2026-11-19',
        status: 'done',
        closed_at: AFTER_WEEK,
      });
      await insertAction(db.db, {
        created_at: BEFORE_WEEK,
        due_date: '2026-11-20',
        status: 'done',
        closed_at: IN_WEEK,
      });
      await insertAction(db.db, { created_at: BEFORE_WEEK, due_date: '2026-11-23' });
      await insertAction(db.db, { created_at: BEFORE_WEEK, due_date: null });
      await insertAction(db.db, { created_at: AFTER_WEEK, due_date: '2026-11-01' });
      const overdue = await listActionsOverdue(db.db, WEEK, 10);
      expect(overdue.items.map((i) => i.id)).toEqual([closedLater.id, open.id]);
      expect(overdue.total).toBe(2);
    });

    it('judges a window not over yet at the moment asked, not at its end', async () => {
      const partial = { ...WEEK, asOf: IN_WEEK, overdueBefore: '2026-11-18' };
      await insertAction(db.db, { created_at: BEFORE_WEEK, due_date: '2026-11-20' });
      const due = await insertAction(db.db, { created_at: BEFORE_WEEK, due_date: '2026-11-17' });
      await insertAction(db.db, { created_at: at('2026-11-19T00:00:00Z'), due_date: '2026-11-01' });
      expect((await listActionsOverdue(db.db, partial, 10)).items.map((i) => i.id)).toEqual([due.id]);
    });

    it('redacts contact details from descriptions, which go to a channel', async () => {
      const complaintId = await insertComplaint(db.db, { customer: { email: 'lee@corp.example' } });
      await insertAction(db.db, {
        complaint_id: complaintId,
        created_at: IN_WEEK,
        description: 'Email lee@corp.example',
      });
      const [line] = (await listActionsOpened(db.db, WEEK, 10)).items;
      expect(line?.description).toBe('Email [email]');
    });
  });

  describe('themes', () => {
    it('compares themes as the SQL twin does: case, spaces, hyphens and underscores alike', async () => {
      const inputs = ['Support process', 'support-process', ' SUPPORT__Process ', 'support - process', 'Billing', 'x'];
      const { rows } = await sql<{ key: string }>`
        SELECT ${themeKeySql(sql`t`)} AS key FROM unnest(${inputs}::text[]) WITH ORDINALITY AS u(t, i) ORDER BY i`.execute(
        db.db,
      );
      expect(rows.map((r) => r.key)).toEqual(inputs.map(themeKey));
      expect(new Set(inputs.slice(0, 4).map(themeKey))).toEqual(new Set(['support process']));
    });

    it('counts major complaints carrying each theme, through an action or a help-desk tag, each complaint once', async () => {
      const window = { from: at('2026-08-25T00:00:00Z'), to: WEEK.to };
      const viaAction = await complaintAt(IN_WEEK);
      await insertAction(db.db, { complaint_id: viaAction, theme: 'Billing' });
      await complaintAt(IN_WEEK, ['billing', 'vip']);
      // Both an action and a tag: still one complaint.
      const both = await complaintAt(IN_WEEK, ['support_process']);
      await insertAction(db.db, { complaint_id: both, theme: 'support process' });
      await complaintAt(IN_WEEK, ['Support-Process']);
      await complaintAt(IN_WEEK, ['delivery']);
      // Not counted: too old, not major, or a tag that is no theme.
      await complaintAt(at('2026-08-01T00:00:00Z'), ['billing']);
      await complaintAt(IN_WEEK, ['billing'], false);
      await complaintAt(IN_WEEK, ['exec-callback']);

      const themes = await countTopThemes(db.db, window, ['billing', 'Support process', 'Delivery', 'Product'], 10);
      expect(themes).toEqual([
        { theme: 'billing', complaints: 2 },
        { theme: 'Support process', complaints: 2 },
        { theme: 'Delivery', complaints: 1 },
      ]);
      expect(await countTopThemes(db.db, window, [], 1)).toEqual([{ theme: 'Billing', complaints: 2 }]);
    });
  });

  describe('listFixChecks (did the fix hold?)', () => {
    it('counts new major complaints carrying a recently done action’s theme since it was done', async () => {
      const doneAt = at('2026-11-10T12:00:00Z');
      const own = await complaintAt(at('2026-11-01T00:00:00Z'), ['billing']);
      const fixed = await insertAction(db.db, {
        complaint_id: own,
        theme: 'Billing',
        status: 'done',
        closed_at: doneAt,
        owner_id: EXEC_2,
      });
      await complaintAt(at('2026-11-12T00:00:00Z'), ['BILLING']);
      const viaAction = await complaintAt(at('2026-11-15T00:00:00Z'));
      await insertAction(db.db, { complaint_id: viaAction, theme: 'billing' });
      // Not counted: before the fix, not major, another theme, or after the window.
      await complaintAt(at('2026-11-09T00:00:00Z'), ['billing']);
      await complaintAt(at('2026-11-13T00:00:00Z'), ['billing'], false);
      await complaintAt(at('2026-11-13T00:00:00Z'), ['delivery']);
      await complaintAt(AFTER_WEEK, ['billing']);
      // Not recently done: too long ago, won't do, or reopened.
      await insertAction(db.db, { theme: 'billing', status: 'done', closed_at: at('2026-10-01T00:00:00Z') });
      await insertAction(db.db, { theme: 'billing', status: 'wont_do', closed_at: doneAt });
      await insertAction(db.db, { theme: 'billing', status: 'open', reopened_count: 1 });

      const checks = await listFixChecks(db.db, { from: new Date(WEEK.to.getTime() - 30 * DAY), to: WEEK.to }, 10);
      expect(checks).toEqual([
        {
          action: expect.objectContaining({
            id: fixed.id,
            owner: EXEC_2,
            theme: 'Billing',
            closedAt: doneAt.toISOString(),
          }),
          newComplaints: 2,
        },
      ]);
    });

    it('says 0 when nothing came back', async () => {
      await insertAction(db.db, { theme: 'delivery', status: 'done', closed_at: IN_WEEK });
      const checks = await listFixChecks(db.db, { from: BEFORE_WEEK, to: WEEK.to }, 10);
      expect(checks.map((c) => c.newComplaints)).toEqual([0]);
    });
  });
});
