import { EXEC_1, EXEC_2, OUTSIDER } from '../helpers/config';
import { insertClaim, insertComplaint } from '../helpers/factories';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack';
import { type ResponseUrlServer, sendSlashCommand, startResponseUrlServer } from '../helpers/slack-requests';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { createTestDb, emptyTables, type TestDb } from '../helpers/test-db';

// A fixed clock so away dates and ages are stable: Tuesday 2026-11-24, 15:00 UTC.
const NOW = new Date('2026-11-24T15:00:00Z');

describe('/pickup subcommands, end to end', () => {
  let db: TestDb;
  let slack: FakeSlack;
  let app: TestApp;
  let responses: ResponseUrlServer;

  beforeAll(async () => {
    db = await createTestDb();
    slack = await startFakeSlack();
    app = await startTestApp(db, slack, { now: () => NOW });
    responses = await startResponseUrlServer();
    app.slackTarget.responseUrl = responses.url;
  });
  afterAll(async () => {
    await app.stop();
    await responses.close();
    await slack.close();
    await db.close();
  });
  beforeEach(async () => {
    await emptyTables(db.db);
    responses.reset();
  });

  async function pickup(text: string, userId = EXEC_1) {
    const res = await sendSlashCommand(app.slackTarget, { command: '/pickup', text, userId, channelId: 'C1' });
    expect(res.status).toBe(200);
    if (res.body) return res.json() as { text?: string; blocks?: unknown[]; response_type?: string };
    const [post] = await responses.waitFor(1);
    return post?.body as { text?: string; blocks?: unknown[]; response_type?: string };
  }

  it('answers an unknown subcommand with help, escaped', async () => {
    const answer = await pickup('<!channel>');
    expect(answer.text).toContain('&lt;!channel&gt;');
    expect(answer.text).toContain('/pickup queue');
  });

  it('lists the newest eligible complaints with claim buttons and a count of the rest', async () => {
    for (let i = 0; i < 12; i++) {
      await insertComplaint(
        db.db,
        { subject: `Complaint ${i}` },
        { received_at: new Date(NOW.getTime() - (i + 1) * 3_600_000) },
      );
    }
    await insertComplaint(db.db, { subject: 'Too old' }, { received_at: new Date(NOW.getTime() - 40 * 86_400_000) });
    await insertComplaint(db.db, { subject: 'Do not call me', doNotCall: true }, { received_at: NOW });
    const answer = await pickup('queue');
    expect(answer.response_type).toBe('ephemeral');
    const json = JSON.stringify(answer.blocks);
    expect(json).toContain('12 eligible complaints');
    expect(json).toContain('Complaint 0');
    expect(json).toContain('Complaint 9');
    expect(json).not.toContain('Complaint 10');
    expect(json).not.toContain('Too old');
    expect(json).not.toContain('Do not call me');
    expect(json.match(/claim_complaint/g)).toHaveLength(10);
    expect(json).toContain('and 2 more');
  });

  it('refuses the queue, pick, away and back to a non-executive', async () => {
    for (const sub of ['queue', 'mine', 'pick', 'away 2026-12-01..2026-12-05', 'back']) {
      responses.reset();
      const answer = await pickup(sub, OUTSIDER);
      expect(answer.text).toMatch(/Only executives/);
    }
    expect(await db.db.selectFrom('executive_away').selectAll().execute()).toHaveLength(0);
    expect(await db.db.selectFrom('picks').selectAll().execute()).toHaveLength(0);
  });

  it('shows an executive their open claims', async () => {
    expect((await pickup('mine', EXEC_2)).text).toContain('no open calls');
    const id = await insertComplaint(db.db, { subject: 'Mine to call' });
    await insertClaim(db.db, { complaint_id: id, claimed_by: EXEC_2 });
    responses.reset();
    const answer = await pickup('mine', EXEC_2);
    expect(JSON.stringify(answer.blocks)).toContain('Mine to call');
    expect(JSON.stringify(answer.blocks)).toContain('log_outcome');
  });

  it('records away dates, refuses bad ranges, and clears them with back', async () => {
    expect((await pickup('away 2026-12-05..2026-12-01')).text).toContain('ends (2026-12-01) before it starts');
    responses.reset();
    expect((await pickup('away next week')).text).toContain('/pickup away 2026-12-01..2026-12-05');
    responses.reset();
    expect((await pickup('away 2026-11-01..2026-11-02')).text).toContain('already over');
    responses.reset();
    expect((await pickup('away 2026-11-23..2026-12-05')).text).toContain("you're away 2026-11-23 to 2026-12-05");
    const rows = await db.db.selectFrom('executive_away').selectAll().execute();
    expect(rows).toEqual([
      expect.objectContaining({ user_id: EXEC_1, start_date: '2026-11-23', end_date: '2026-12-05' }),
    ]);
    responses.reset();
    expect((await pickup('back')).text).toContain('Welcome back');
    const after = await db.db.selectFrom('executive_away').selectAll().execute();
    // The period that already started ends yesterday, so history stays true.
    expect(after).toEqual([expect.objectContaining({ start_date: '2026-11-23', end_date: '2026-11-23' })]);
  });

  it('summarises the funnel over a window for executives only', async () => {
    const answer = await pickup('stats 30d');
    expect(answer.response_type).toBe('ephemeral');
    expect(JSON.stringify(answer)).toMatch(/30 days/i);
    responses.reset();
    expect((await pickup('stats 5y')).text).toMatch(/7d.*30d.*90d/);
    responses.reset();
    expect((await pickup('stats', OUTSIDER)).text).toMatch(/Only executives/);
  });
});
