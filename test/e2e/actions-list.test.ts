import { EXEC_1, EXEC_2, OUTSIDER } from '../helpers/config';
import { insertAction, insertComplaint } from '../helpers/factories';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack';
import { type ResponseUrlServer, sendSlashCommand, startResponseUrlServer } from '../helpers/slack-requests';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { createTestDb, type TestDb } from '../helpers/test-db';

// Tuesday 2026-11-24, 15:00 UTC (TIMEZONE is UTC): an action due on the 23rd is overdue.
const NOW = new Date('2026-11-24T15:00:00Z');

type Answer = { text?: string; blocks?: unknown[]; response_type?: string };

/** `/pickup actions` through signed requests, the real Bolt app and the fake Slack, on a real database. */
describe('/pickup actions, end to end', () => {
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

    const complaintId = await insertComplaint(db.db, {
      subject: 'Invoices doubled for the third month',
      customer: { email: 'pat@customer.example', phone: '+14155550177' },
    });
    const on = { complaint_id: complaintId };
    await insertAction(db.db, { ...on, description: 'Exec 2 owns this one', owner_id: EXEC_2, requested_by: EXEC_2 });
    await insertAction(db.db, { ...on, description: 'Mine, due later', due_date: '2026-12-15' });
    await insertAction(db.db, {
      ...on,
      description: 'Mine and overdue: call pat@customer.example back',
      due_date: '2026-11-23',
      theme: 'billing',
    });
    await insertAction(db.db, {
      ...on,
      description: 'Handed to someone outside',
      owner_id: OUTSIDER,
      due_date: '2026-12-01',
    });
    await insertAction(db.db, { ...on, description: 'Already done', status: 'done', closed_at: NOW });
  });
  afterAll(async () => {
    await app.stop();
    await responses.close();
    await slack.close();
    await db.close();
  });
  beforeEach(() => responses.reset());

  async function actions(userId: string): Promise<{ answer: Answer; json: string }> {
    const res = await sendSlashCommand(app.slackTarget, {
      command: '/pickup',
      text: 'actions',
      userId,
      channelId: 'C1',
    });
    expect(res.status).toBe(200);
    const [post] = await responses.waitFor(1);
    const answer = post?.body as Answer;
    return { answer, json: JSON.stringify(answer.blocks) };
  }

  it('shows an executive their own open actions first, overdue flagged, then everyone else’s, ephemerally', async () => {
    const { answer, json } = await actions(EXEC_1);
    expect(answer.response_type).toBe('ephemeral');
    expect(answer.text).toBe('You own 2 open actions; everyone else owns 2.');
    const order = [
      '*Your open actions* (2)',
      'Mine and overdue',
      ':warning: *overdue* (due 2026-11-23)',
      'Mine, due later',
      '*Everyone else’s open actions* (2)',
      'Handed to someone outside',
      'Exec 2 owns this one',
    ].map((text) => json.indexOf(text));
    expect(order.every((at) => at >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(json).not.toContain('Already done');
    // Their own, written by them: as written, and only in the answer to them (no message is posted).
    expect(json).toContain('call pat@customer.example back');
    expect(slack.calls.filter((c) => c.method.startsWith('chat.'))).toEqual([]);
  });

  it('shows another executive the same action redacted', async () => {
    const { json } = await actions(EXEC_2);
    expect(json.indexOf('Exec 2 owns this one')).toBeLessThan(json.indexOf('Mine and overdue'));
    expect(json).toContain('Mine and overdue: call [email] back');
    expect(json).not.toContain('pat@customer.example');
    expect(json).toContain(`owner <@${EXEC_1}>`);
  });

  it('shows someone who is not an executive only their own, and nobody else’s', async () => {
    const { answer, json } = await actions(OUTSIDER);
    expect(answer.text).toBe('You own 1 open action.');
    expect(json).toContain('Handed to someone outside');
    expect(json).toContain(`asked by <@${EXEC_1}>`);
    for (const theirs of ['Exec 2 owns this one', 'Mine, due later', 'Mine and overdue', 'Everyone else']) {
      expect(json).not.toContain(theirs);
    }
  });

  it('is listed in /pickup help', async () => {
    const res = await sendSlashCommand(app.slackTarget, {
      command: '/pickup',
      text: 'help',
      userId: OUTSIDER,
      channelId: 'C1',
    });
    expect(res.status).toBe(200);
    const [post] = await responses.waitFor(1);
    expect((post?.body as Answer | undefined)?.text).toContain('`/pickup actions`: open actions, yours first');
  });
});
