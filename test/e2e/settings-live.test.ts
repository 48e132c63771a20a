import { EXEC_CHANNEL, OUTSIDER, TEST_INGEST_TOKEN } from '../helpers/config';
import { insertComplaint } from '../helpers/factories';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack';
import { clickButton, type ResponseUrlServer, startResponseUrlServer } from '../helpers/slack-requests';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { createTestDb, type TestDb } from '../helpers/test-db';

// A saved change applies to the running app at once, with no restart: the scheduler's plan, the major rule of the
// next webhook, the executives of the next click. Changes are saved as the settings modals save them, through the
// running app's LiveSettings.

/** Monday 30 Nov 2026, 08:00 UTC: before the default pick (10:00) and digest (09:00), so nothing catches up. */
const MONDAY_8AM = new Date('2026-11-30T08:00:00Z');
const ADMIN = { via: 'slack', userId: 'UADMIN001' } as const;

describe('settings saved in Slack apply without a restart', () => {
  let db: TestDb;
  let slack: FakeSlack;
  let app: TestApp;
  let responses: ResponseUrlServer;

  beforeAll(async () => {
    db = await createTestDb();
    slack = await startFakeSlack();
    responses = await startResponseUrlServer();
    // The cron jobs run, on a fixed clock: their plan is what the test reads.
    app = await startTestApp(db, slack, { cronJobs: true, now: () => MONDAY_8AM });
    app.slackTarget.responseUrl = responses.url;
  });
  afterAll(async () => {
    await app.stop();
    await responses.close();
    await slack.close();
    await db.close();
  });

  const save = async (change: Record<string, string>) => {
    const result = await app.pickup.settings.save(change, ADMIN, MONDAY_8AM);
    expect(result).toMatchObject({ ok: true });
  };
  const nextPick = () => app.pickup.scheduler.nextRuns().pick?.toISOString();

  it('a change of schedule moves the next pick', async () => {
    expect(nextPick()).toBe('2026-11-30T10:00:00.000Z');

    await save({ PICK_SCHEDULE: '0 9 * * 2-5' });
    expect(nextPick()).toBe('2026-12-01T09:00:00.000Z'); // Tuesday 09:00 UTC

    await save({ TIMEZONE: 'Asia/Tokyo' });
    // 17:00 on Monday in Tokyo: Tuesday 09:00 there is midnight UTC.
    expect(nextPick()).toBe('2026-12-01T00:00:00.000Z');

    await save({ HOLIDAYS: '2026-12-01' });
    expect(nextPick()).toBe('2026-12-02T00:00:00.000Z');
    expect(app.pickup.settings.config).toMatchObject({ pickSchedule: '0 9 * * 2-5', timezone: 'Asia/Tokyo' });
  });

  it('a change of the major rule applies to the next webhook', async () => {
    const send = (externalId: string) =>
      fetch(`${app.baseUrl}/webhooks/complaints`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_INGEST_TOKEN}` },
        body: JSON.stringify({ externalId, subject: 'Late', priority: 'normal', customer: { name: 'Ada' } }),
      });
    expect((await send('LIVE-1')).status).toBe(202);

    await save({ MAJOR_PRIORITIES: 'urgent,high,normal' });
    expect((await send('LIVE-2')).status).toBe(201);
  });

  it('a change of executives applies to the next click', async () => {
    const complaintId = await insertComplaint(db.db);
    const claim = () =>
      clickButton(app.slackTarget, {
        actionId: 'claim_complaint',
        value: String(complaintId),
        userId: OUTSIDER,
        channelId: EXEC_CHANNEL,
      });
    const claims = () =>
      db.db.selectFrom('claims').select('claimed_by').where('complaint_id', '=', complaintId).execute();

    await claim();
    const [refusal] = await responses.waitFor(1);
    expect(JSON.stringify(refusal?.body)).toMatch(/Only executives can/);
    expect(await claims()).toEqual([]);

    await save({ EXECUTIVES: `${app.pickup.settings.config.executives.join(',')},${OUTSIDER}` });
    await claim();
    await responses.waitFor(2);
    expect(await claims()).toEqual([{ claimed_by: OUTSIDER }]);
  });
});
