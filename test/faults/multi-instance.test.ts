import fs from 'node:fs';
import path from 'node:path';
import { pickPostKey } from '../../src/picks/pick.service';
import { addDays, dateInZone } from '../../src/shared/time';
import { EXEC_1, EXEC_2, EXEC_CHANNEL, LEADERSHIP_CHANNEL } from '../helpers/config';
import { describeOnPostgres } from '../helpers/env';
import { insertComplaint } from '../helpers/factories';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack';
import { createTestDb, type TestDb, waitForOutboxIdle } from '../helpers/test-db';
import { waitFor } from '../helpers/wait-for';
import { type BotProcess, errorLines, startBot, stopAllBots } from './support/bot-process';
import { ensureBuilt, REPO_ROOT } from './support/build';
import { type ClockPlan, planBusinessHoursClock, SHIFT_CLOCK_PRELOAD } from './support/clock';
import { postsTo } from './support/db-state';

// Two real bot processes share one PostgreSQL database. With PICK_SCHEDULE='* * * * *' both race the start-up
// catch-up and then every minute's tick; both run the five-minute reminder tick. The database must make every
// post exactly-once: one pick row and one channel post for the day, one of each reminder.
//
// Reminders only go out on weekdays 09:00-18:00 in TIMEZONE and only on a five-minute tick, so both bots run with
// a shifted wall clock (support/shift-clock.cjs, like libfaketime): they believe it is 12 s before a five-minute
// boundary, in a fixed-offset zone (Etc/GMT±N) where that boundary falls on a weekday between 10:00 and 16:00.
// On a weekday the shift is under five minutes; on a weekend it moves them to Monday. The database's own now()
// is unshifted, which only matters for outbox retries (none happen here).

const LEAD_MS = 12_000;
/** The scheduler wires the weekly digest once runDigestJob appears in it; until then the digest check is skipped. */
const DIGEST_WIRED = /runDigestJob/.test(fs.readFileSync(path.join(REPO_ROOT, 'src/scheduler/scheduler.ts'), 'utf8'));
const SEEN_TS = '1700000000.000100';

describeOnPostgres(
  'two bot instances on one database (real PostgreSQL only: PGlite serves one process, so there is no race to lose)',
  () => {
    let db: TestDb;
    let fake: FakeSlack;
    let bots: BotProcess[] = [];
    let plan: ClockPlan;
    let today: string;
    const seeded = { pickId: 0, idleClaimId: 0, followUpAttemptId: 0, reachedComplaintId: 0 };

    beforeAll(async () => {
      await ensureBuilt();
      db = await createTestDb({ poolSize: 4 });
      fake = await startFakeSlack();

      plan = planBusinessHoursClock(Date.now(), LEAD_MS);
      // Reminder DMs wait for each recipient's business hours in their own Slack zone: the executives live in the
      // plan's zone, or the fake's default (New York) would hold their DMs whenever it is night there.
      for (const exec of [EXEC_1, EXEC_2]) fake.setUser(exec, { tz: plan.timezone, tz_label: plan.timezone });
      const botNow = () => new Date(Date.now() + plan.offsetMs);
      const hoursAgo = (h: number) => new Date(botNow().getTime() - h * 3_600_000);
      today = dateInZone(plan.tickAt, plan.timezone);
      const yesterday = addDays(today, -1);

      // The pool for today's draw.
      for (let i = 0; i < 3; i++) await insertComplaint(db.db, {}, { received_at: hoursAgo(2 + i) });

      // Yesterday's pick, posted and never claimed: due an "unclaimed" reminder in its thread.
      const unclaimed = await insertComplaint(db.db, {}, { received_at: hoursAgo(30) });
      const pick = await db.db
        .insertInto('picks')
        .values({
          pick_date: yesterday,
          complaint_id: unclaimed,
          pool_size: 1,
          drawn_index: 0,
          pool_hash: 'f'.repeat(64),
          suggested_exec: EXEC_2,
          trigger: 'schedule',
          created_at: hoursAgo(20),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      seeded.pickId = pick.id;
      const post = await db.db
        .insertInto('outbox')
        .values({
          dedupe_key: pickPostKey(yesterday),
          operation: 'post',
          payload: JSON.stringify({ operation: 'post', message: { channel: EXEC_CHANNEL, text: 'yesterday' } }),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await db.db
        .updateTable('outbox')
        .set({ status: 'sent', sent_at: hoursAgo(20), result_channel: EXEC_CHANNEL, result_ts: SEEN_TS })
        .where('id', '=', post.id)
        .execute();

      // A claim with no call for 25 hours: a "no attempt" DM to EXEC_1.
      const idle = await insertComplaint(db.db, {}, { received_at: hoursAgo(48) });
      const idleClaim = await db.db
        .insertInto('claims')
        .values({ complaint_id: idle, claimed_by: EXEC_1, claimed_at: hoursAgo(25) })
        .returning('id')
        .executeTakeFirstOrThrow();
      seeded.idleClaimId = idleClaim.id;

      // A voicemail whose follow-up date is today: a "follow up" DM to EXEC_2.
      const later = await insertComplaint(db.db, {}, { received_at: hoursAgo(48) });
      const laterClaim = await db.db
        .insertInto('claims')
        .values({ complaint_id: later, claimed_by: EXEC_2, claimed_at: hoursAgo(3) })
        .returning('id')
        .executeTakeFirstOrThrow();
      const attempt = await db.db
        .insertInto('call_attempts')
        .values({
          claim_id: laterClaim.id,
          complaint_id: later,
          executive: EXEC_2,
          outcome: 'voicemail',
          notes: null,
          follow_up_date: today,
          advocate_assessment: null,
          created_at: hoursAgo(2),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      seeded.followUpAttemptId = attempt.id;

      // A call that reached the customer 15 days ago (FOLLOWUP_DAYS=14): an advocacy follow-up DM to EXEC_1.
      const reached = await insertComplaint(
        db.db,
        {},
        { received_at: hoursAgo(20 * 24), closed_at: hoursAgo(15 * 24) },
      );
      const reachedClaim = await db.db
        .insertInto('claims')
        .values({ complaint_id: reached, claimed_by: EXEC_1, claimed_at: hoursAgo(16 * 24), status: 'closed' })
        .returning('id')
        .executeTakeFirstOrThrow();
      await db.db
        .insertInto('call_attempts')
        .values({
          claim_id: reachedClaim.id,
          complaint_id: reached,
          executive: EXEC_1,
          outcome: 'reached',
          notes: null,
          follow_up_date: null,
          advocate_assessment: null,
          created_at: hoursAgo(15 * 24),
        })
        .execute();
      seeded.reachedComplaintId = reached;
      // Pickup has run for weeks (as the data above says), so last week's digest is due, not skipped as a new
      // install's would be.
      await db.db
        .insertInto('installation')
        .values({ first_started_at: hoursAgo(30 * 24) })
        .execute();

      const env = {
        DATABASE_URL: db.url,
        SLACK_API_URL: fake.url,
        TIMEZONE: plan.timezone,
        PICK_SCHEDULE: '* * * * *',
        ...(DIGEST_WIRED ? { DIGEST_SCHEDULE: '* * * * *' } : {}),
        EXECUTIVES: `${EXEC_1},${EXEC_2}`,
        CLAIM_REMINDER_HOURS: '4',
        FOLLOWUP_DAYS: '14',
        PICKUP_FAULT_CLOCK_OFFSET_MS: String(plan.offsetMs),
      };
      bots = await Promise.all(
        ['bot-A', 'bot-B'].map((label) => startBot({ label, env, preload: [SHIFT_CLOCK_PRELOAD] })),
      );
    }, 240_000);

    afterAll(async () => {
      await stopAllBots();
      await fake?.close();
      await db?.close();
    });

    const pickRunsToday = (bot: BotProcess) => bot.logs.filter((l) => l.job === 'pick' && l.date === today);

    const describeState = () =>
      `fake Slack calls: ${JSON.stringify(fake.calls.map((c) => [c.method, c.args.channel, c.args.thread_ts]))}\n${bots
        .map((b) => b.tail(15))
        .join('\n')}`;

    it('posts one pick and each due reminder exactly once across both instances', async () => {
      const dm1 = EXEC_1;
      const dm2 = EXEC_2;
      // The reminder tick is LEAD_MS after start-up (bot clock); then the outbox drains within a poll or two.
      await waitFor(
        () =>
          postsTo(fake.calls, EXEC_CHANNEL, { thread: 'none' }).length >= 1 &&
          postsTo(fake.calls, EXEC_CHANNEL, { thread: SEEN_TS }).length >= 1 &&
          postsTo(fake.calls, dm1).length >= 2 &&
          postsTo(fake.calls, dm2).length >= 1
            ? true
            : undefined,
        { timeoutMs: LEAD_MS + 30_000, seen: describeState },
      );
      // Both instances have run their tick (the pick runs again at the reminders' tick), and the outbox has sent
      // everything queued: nothing more can go out, so a duplicate would be here by now.
      await waitFor(() => bots.every((b) => pickRunsToday(b).length >= 2), {
        timeoutMs: 30_000,
        what: 'both instances to run the pick at the tick',
        seen: describeState,
      });
      await waitForOutboxIdle(db.db, 15_000);

      const picks = await db.db.selectFrom('picks').selectAll().where('pick_date', '=', today).execute();
      expect(picks).toHaveLength(1);
      expect(picks[0]?.complaint_id).not.toBeNull();
      const drawn = await db.db
        .selectFrom('audit_log')
        .select('id')
        .where('action', '=', 'pick.drawn')
        .where('complaint_id', '=', picks[0]?.complaint_id ?? -1)
        .execute();
      expect(drawn).toHaveLength(1);

      expect(postsTo(fake.calls, EXEC_CHANNEL, { thread: 'none' })).toHaveLength(1);
      expect(postsTo(fake.calls, EXEC_CHANNEL, { thread: SEEN_TS })).toHaveLength(1);
      expect(postsTo(fake.calls, dm1)).toHaveLength(2);
      expect(postsTo(fake.calls, dm2)).toHaveLength(1);

      const keys = [
        `reminder:unclaimed:${seeded.pickId}`,
        `reminder:no-attempt:${seeded.idleClaimId}`,
        `reminder:follow-up:${seeded.followUpAttemptId}`,
        `followup:${seeded.reachedComplaintId}`,
        pickPostKey(today),
      ];
      const rows = await db.db
        .selectFrom('outbox')
        .select(['dedupe_key', 'status', 'attempts'])
        .where('dedupe_key', 'in', keys)
        .execute();
      expect(rows.map((r) => r.dedupe_key).sort()).toEqual([...keys].sort());
      for (const row of rows) expect(row).toMatchObject({ status: 'sent', attempts: 1 });

      // Both bots ran the pick (catch-up, then the minute tick); exactly one run drew, the others found it done.
      const pickRuns = bots.map(pickRunsToday);
      for (const runs of pickRuns) expect(runs.length).toBeGreaterThanOrEqual(2);
      expect(pickRuns.flat().filter((l) => l.status === 'picked')).toHaveLength(1);
      // Across both bots the reminder job queued each reminder once. A bot logs its count after the action
      // reminders' queries, so a DM it queued can be sent (by either bot's outbox) before that line is written.
      const queuedReminders = () =>
        bots
          .flatMap((b) => b.logs.filter((l) => l.job === 'reminders' && l.msg === 'queued reminders'))
          .reduce(
            (sum, l) => sum + Number(l.unclaimed) + Number(l.noAttempt) + Number(l.followUp) + Number(l.evidence),
            0,
          );
      await waitFor(() => (queuedReminders() >= 4 ? true : undefined), {
        timeoutMs: 10_000,
        what: 'the reminder jobs to log what they queued',
        seen: describeState,
      });
      expect(queuedReminders()).toBe(4);

      for (const bot of bots) {
        expect(bot.isAlive()).toBe(true);
        expect(errorLines(bot)).toEqual([]);
      }
    }, 90_000);

    (DIGEST_WIRED ? it : it.skip)(
      'posts the weekly digest exactly once across both instances',
      async () => {
        await waitFor(() => postsTo(fake.calls, LEADERSHIP_CHANNEL, { thread: 'none' }).length >= 1, {
          timeoutMs: 30_000,
          seen: describeState,
        });
        // Both instances have run the digest job, and its post and chart have gone: nothing more can go out.
        await waitFor(() => bots.every((b) => b.logs.some((l) => l.job === 'digest')), {
          timeoutMs: 30_000,
          what: 'both instances to run the digest job',
          seen: describeState,
        });
        await waitForOutboxIdle(db.db, 15_000);
        expect(postsTo(fake.calls, LEADERSHIP_CHANNEL, { thread: 'none' })).toHaveLength(1);
        const digests = await db.db.selectFrom('digests').select('week_start').execute();
        expect(digests).toHaveLength(1);
        const chartRows = await db.db
          .selectFrom('outbox')
          .select('id')
          .where('dedupe_key', 'like', 'digest:%:chart')
          .where('status', '=', 'sent')
          .execute();
        expect(fake.callsTo('files.completeUploadExternal').filter((c) => !c.failure)).toHaveLength(chartRows.length);
      },
      60_000,
    );
  },
);
