import {
  isBusinessHours,
  personalClock,
  queueDueReminders,
  type ReminderSettings,
} from '../../src/calls/reminder.service';
import { createLogger } from '../../src/logger';
import { enqueueMessage } from '../../src/outbox/outbox.repository';
import { pickPostKey } from '../../src/picks/pick.service';
import { drainOutbox } from '../../src/scheduler/outbox.worker';
import { createSlackPort, createWebClient } from '../../src/slack/slack.client';
import { EXEC_1, EXEC_2, EXEC_CHANNEL } from '../helpers/config';
import { insertAttempt, insertClaim, insertComplaint, insertPick } from '../helpers/factories';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack';
import { createTestDb, emptyTables, type TestDb } from '../helpers/test-db';

const HOUR = 3_600_000;
// Tuesday 2026-11-24, 11:00 in New York: business hours.
const NOW = new Date('2026-11-24T16:00:00Z');
const settings: ReminderSettings = { timezone: 'America/New_York', claimReminderHours: 4, followupDays: 14 };
const hoursBefore = (hours: number) => new Date(NOW.getTime() - hours * HOUR);

describe('isBusinessHours', () => {
  it.each([
    ['2026-11-24T16:00:00Z', true], // Tue 11:00 New York
    ['2026-11-24T13:59:00Z', false], // Tue 08:59
    ['2026-11-24T23:00:00Z', false], // Tue 18:00
    ['2026-11-28T16:00:00Z', false], // Saturday
  ])('%s → %s', (iso, expected) => {
    expect(isBusinessHours(new Date(iso), 'America/New_York')).toBe(expected);
  });
});

describe('queueDueReminders', () => {
  let db: TestDb;
  let slack: FakeSlack;

  beforeAll(async () => {
    db = await createTestDb();
    slack = await startFakeSlack();
  });
  afterAll(async () => {
    await slack.close();
    await db.close();
  });

  // Each test starts from the same four due reminders.
  beforeEach(async () => {
    await emptyTables(db.db);
    slack.reset();
    // An unclaimed pick posted 5 hours ago, whose post has gone out.
    await insertPick(db.db, {
      pick_date: '2026-11-24',
      complaint_id: await insertComplaint(db.db, { subject: 'Unclaimed one' }),
      pool_size: 3,
      suggested_exec: EXEC_1,
      created_at: hoursBefore(5),
    });
    await enqueueMessage(db.db, pickPostKey('2026-11-24'), {
      operation: 'post',
      message: { channel: EXEC_CHANNEL, text: 'pick' },
    });
    // A claim made 30 hours ago with no attempt.
    await insertClaim(db.db, {
      complaint_id: await insertComplaint(db.db, { subject: 'Idle claim' }),
      claimed_by: EXEC_1,
      claimed_at: hoursBefore(30),
    });
    // A voicemail whose follow-up date is today.
    const voicemail = await insertClaim(db.db, {
      complaint_id: await insertComplaint(db.db, { subject: 'Call back today' }),
      claimed_by: EXEC_2,
      claimed_at: hoursBefore(3 * 24),
    });
    await insertAttempt(db.db, {
      claim_id: voicemail.id,
      outcome: 'voicemail',
      follow_up_date: '2026-11-24',
      created_at: hoursBefore(2 * 24),
    });
    // A reached call 15 days ago: time to ask about advocacy.
    const reached = await insertClaim(db.db, {
      complaint_id: await insertComplaint(db.db, { subject: 'Reached long ago' }),
      claimed_by: EXEC_1,
      status: 'closed',
      claimed_at: hoursBefore(16 * 24),
    });
    await insertAttempt(db.db, { claim_id: reached.id, outcome: 'reached', created_at: hoursBefore(15 * 24) });
  });

  it('queues nothing outside business hours', async () => {
    const saturday = new Date('2026-11-28T16:00:00Z');
    expect(await queueDueReminders(db.db, settings, saturday)).toEqual({
      unclaimed: 0,
      noAttempt: 0,
      followUp: 0,
      evidence: 0,
    });
  });

  it('queues every due reminder', async () => {
    expect(await queueDueReminders(db.db, settings, NOW)).toEqual({
      unclaimed: 1,
      noAttempt: 1,
      followUp: 1,
      evidence: 1,
    });
  });

  it('holds back the reminders of an executive who is away today, and queues them once they are back', async () => {
    await db.db
      .insertInto('executive_away')
      .values({ user_id: EXEC_2, start_date: '2026-11-23', end_date: '2026-11-25' })
      .execute();
    expect(await queueDueReminders(db.db, settings, NOW)).toEqual({
      unclaimed: 1,
      noAttempt: 1,
      followUp: 0,
      evidence: 1,
    });
    await db.db.deleteFrom('executive_away').execute();
    expect(await queueDueReminders(db.db, settings, NOW)).toEqual({
      unclaimed: 0,
      noAttempt: 0,
      followUp: 1,
      evidence: 0,
    });
  });

  it('queues each reminder exactly once, however often it runs', async () => {
    await queueDueReminders(db.db, settings, NOW);
    const again = await queueDueReminders(db.db, settings, new Date(NOW.getTime() + 10 * 60_000));
    expect(again).toEqual({ unclaimed: 0, noAttempt: 0, followUp: 0, evidence: 0 });
  });

  it('delivers them once: a thread reply on the pick and DMs to the claimers', async () => {
    await queueDueReminders(db.db, settings, NOW);
    const logger = createLogger('silent');
    const port = createSlackPort(createWebClient('xoxb-test', slack.url, logger));
    await drainOutbox(db.db, port, logger);
    await drainOutbox(db.db, port, logger);
    const posts = slack.callsTo('chat.postMessage');
    const pickPost = posts.find((p) => p.args.text === 'pick');
    const reply = posts.find((p) => p.args.thread_ts !== undefined);
    expect(reply?.args.channel).toBe(EXEC_CHANNEL);
    expect(reply?.args.thread_ts).toBeDefined();
    expect(String(reply?.args.text)).toContain(`<@${EXEC_1}>`);
    expect(pickPost).toBeDefined();
    const dms = posts.filter((p) => p.args.channel === EXEC_1 || p.args.channel === EXEC_2);
    expect(dms).toHaveLength(3);
    expect(JSON.stringify(dms)).toContain('Idle claim');
    expect(JSON.stringify(dms)).toContain('Call back today');
    expect(JSON.stringify(dms)).toContain('record_evidence');
    expect(posts).toHaveLength(5);
  });

  describe("in each recipient's own Slack time zone", () => {
    /** EXEC_1 works from Tokyo, EXEC_2 from Paris; anyone else's zone Slack does not say. */
    const zones: Record<string, string> = { [EXEC_1]: 'Asia/Tokyo', [EXEC_2]: 'Europe/Paris' };
    const asked: string[] = [];
    const zoneOf = async (userId: string) => {
      asked.push(userId);
      return zones[userId];
    };
    beforeEach(() => {
      asked.length = 0;
    });

    it("DMs only the people in their business hours; the channel's reply follows TIMEZONE", async () => {
      // 11:00 in New York, 17:00 in Paris, 01:00 (Wednesday) in Tokyo.
      expect(await queueDueReminders(db.db, settings, NOW, zoneOf)).toEqual({
        unclaimed: 1,
        noAttempt: 0,
        followUp: 1,
        evidence: 0,
      });
      // Each person's zone is asked once a run, however many reminders they have.
      expect(asked.filter((u) => u === EXEC_1)).toHaveLength(1);
    });

    it('DMs someone in their morning while TIMEZONE is in its evening, and holds the channel reply', async () => {
      // Tuesday 20:00 in New York, Wednesday 10:00 in Tokyo, 02:00 in Paris.
      const tokyoMorning = new Date('2026-11-25T01:00:00Z');
      expect(await queueDueReminders(db.db, settings, tokyoMorning, zoneOf)).toEqual({
        unclaimed: 0,
        noAttempt: 1,
        followUp: 0,
        evidence: 1,
      });
    });

    it('falls back to TIMEZONE for someone whose zone Slack does not give', async () => {
      const unknown = async () => undefined;
      expect(await queueDueReminders(db.db, settings, NOW, unknown)).toEqual({
        unclaimed: 1,
        noAttempt: 1,
        followUp: 1,
        evidence: 1,
      });
      expect(await queueDueReminders(db.db, settings, new Date('2026-11-25T01:00:00Z'), unknown)).toEqual({
        unclaimed: 0,
        noAttempt: 0,
        followUp: 0,
        evidence: 0,
      });
    });

    it('counts a follow-up date in the executive’s own calendar', async () => {
      // Tuesday 17:30 in New York is already Wednesday 11:30 in Auckland: both in business hours.
      const evening = new Date('2026-11-24T22:30:00Z');
      const aucklander = 'UAUCKLAND';
      const claim = await insertClaim(db.db, {
        complaint_id: await insertComplaint(db.db, { subject: 'Call back Wednesday' }),
        claimed_by: aucklander,
        claimed_at: hoursBefore(3),
      });
      await insertAttempt(db.db, { claim_id: claim.id, outcome: 'voicemail', follow_up_date: '2026-11-25' });
      const report = await queueDueReminders(db.db, settings, evening, async (u) =>
        u === aucklander ? 'Pacific/Auckland' : undefined,
      );
      expect(report.followUp).toBe(2);
      const keys = await db.db
        .selectFrom('outbox')
        .select('payload')
        .where('dedupe_key', 'like', 'reminder:follow-up:%')
        .execute();
      expect(JSON.stringify(keys)).toContain('Call back Wednesday');
      // In New York it is still Tuesday: the same follow-up for someone there waits a day.
      await db.db.deleteFrom('outbox').where('dedupe_key', 'like', 'reminder:follow-up:%').execute();
      expect((await queueDueReminders(db.db, settings, evening)).followUp).toBe(1);
    });
  });
});

describe('personalClock', () => {
  const at = new Date('2026-11-24T22:30:00Z');

  it("gives each person's date and business hours in their zone, and TIMEZONE's otherwise", async () => {
    const clock = personalClock(at, 'America/New_York', async (u) => (u === 'UNZ' ? 'Pacific/Auckland' : undefined));
    expect(clock.today).toBe('2026-11-24');
    expect(await clock.todayOf('UNZ')).toBe('2026-11-25');
    expect(await clock.todayOf('UNY')).toBe('2026-11-24');
    expect(await clock.zoneOf('UNY')).toBe('America/New_York');
    expect(await clock.inBusinessHours('UNZ')).toBe(true);
    expect(clock.latestToday).toBe('2026-11-26');
  });

  it('without personal zones, is TIMEZONE for everyone and asks nothing', async () => {
    const clock = personalClock(at, 'America/New_York');
    expect(await clock.todayOf('UNZ')).toBe('2026-11-24');
    expect(clock.latestToday).toBe('2026-11-24');
  });
});
