import { createLogger } from '../../src/logger';
import type { Block } from '../../src/ports/slack.port';
import { EXEC_1, EXEC_2, EXEC_GROUP, EXEC_IN_GROUP, LEAD_1, OUTSIDER } from '../helpers/config';
import { insertAttempt, insertClaim, insertComplaint, insertEvidence, insertPick } from '../helpers/factories';
import { type FakeSlack, type RecordedCall, startFakeSlack } from '../helpers/fake-slack';
import { sendEvent } from '../helpers/slack-requests';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { createTestDb, type TestDb } from '../helpers/test-db';
import { waitFor } from '../helpers/wait-for';

const NOW = new Date('2026-11-24T15:00:00Z');
const TODAY = '2026-11-24';
const PICK_PHONE = '+14155550101';
const PICK_EMAIL = 'picked@example.com';
const MINE_PHONE = '+14155550102';
const MINE_EMAIL = 'mine@example.com';
const ESCALATED_PHONE = '+14155550103';
const ESCALATED_EMAIL = 'escalated@example.com';

/** App Home through the public interface: a signed app_home_opened event in, views.publish to the fake Slack out. */
describe('App Home, end to end through Bolt and the fake Slack', () => {
  let db: TestDb;
  let slack: FakeSlack;
  let app: TestApp;
  const logLines: string[] = [];
  let pickedId: number;
  let myClaimId: number;

  beforeAll(async () => {
    db = await createTestDb();
    slack = await startFakeSlack();
    slack.setUserGroup(EXEC_GROUP, [EXEC_IN_GROUP]);
    // EXEC_2 is also a support lead, to see both sections.
    app = await startTestApp(db, slack, {
      now: () => NOW,
      env: { SUPPORT_LEADS: `${LEAD_1},${EXEC_2}` },
      logger: createLogger('info', { write: (line: string) => logLines.push(line) }),
    });

    pickedId = await insertComplaint(db.db, {
      subject: 'Today <!channel> the export broke',
      customer: { name: 'Ada Lovelace', company: 'Analytical Engines', phone: PICK_PHONE, email: PICK_EMAIL },
    });
    await insertPick(db.db, {
      pick_date: TODAY,
      complaint_id: pickedId,
      pool_size: 4,
      drawn_index: 2,
      suggested_exec: EXEC_1,
    });

    const mineId = await insertComplaint(db.db, {
      subject: 'Charged after cancelling',
      customer: { name: 'Grace Hopper', phone: MINE_PHONE, email: MINE_EMAIL },
    });
    myClaimId = (
      await insertClaim(db.db, { complaint_id: mineId, claimed_by: EXEC_1, claimed_at: '2026-11-20T10:00:00Z' })
    ).id;
    await insertAttempt(db.db, { claim_id: myClaimId, outcome: 'voicemail', created_at: '2026-11-21T16:00:00Z' });
    await db.db
      .insertInto('executive_away')
      .values({ user_id: EXEC_1, start_date: '2026-12-01', end_date: '2026-12-05' })
      .execute();

    // An escalation by LEAD_1 that EXEC_2 reached and that became an advocate, and one still waiting.
    const escalatedId = await insertComplaint(
      db.db,
      { subject: 'Outage during launch', customer: { phone: ESCALATED_PHONE, email: ESCALATED_EMAIL } },
      { escalated_by: LEAD_1, created_at: '2026-11-18T09:00:00Z' },
    );
    const claim = await insertClaim(db.db, {
      complaint_id: escalatedId,
      claimed_by: EXEC_2,
      status: 'closed',
      claimed_at: '2026-11-19T10:00:00Z',
    });
    await insertAttempt(db.db, {
      claim_id: claim.id,
      outcome: 'reached',
      advocate_assessment: 'advocate',
      created_at: '2026-11-19T15:00:00Z',
    });
    await insertEvidence(db.db, { complaint_id: escalatedId, recorded_by: EXEC_2 });
    await insertComplaint(
      db.db,
      { subject: 'Invoices missing', customer: { phone: ESCALATED_PHONE, email: ESCALATED_EMAIL } },
      { escalated_by: LEAD_1, created_at: '2026-11-23T09:00:00Z' },
    );
  });
  afterAll(async () => {
    await app.stop();
    await slack.close();
    await db.close();
  });
  beforeEach(() => slack.reset());

  /** Opens the Home tab as `user` and returns the view Pickup published for them. */
  async function openHome(user: string): Promise<{ call: RecordedCall; blocks: Block[]; json: string }> {
    const res = await sendEvent(app.slackTarget, {
      type: 'app_home_opened',
      user,
      channel: 'D1',
      tab: 'home',
      event_ts: '1.1',
    });
    expect(res.status).toBe(200);
    const [call] = await slack.waitFor('views.publish', 1);
    if (!call) throw new Error('no views.publish');
    expect(call.failure).toBeUndefined();
    const view = call.args.view as { type: string; blocks: Block[] };
    expect(view.type).toBe('home');
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    return { call, blocks: view.blocks, json: JSON.stringify(view) };
  }

  it('shows an executive today’s pick to claim, their open call with contact details, history, numbers and away', async () => {
    const { call, json } = await openHome(EXEC_1);
    expect(call.args.user_id).toBe(EXEC_1);
    expect(json).toContain('Today &lt;!channel&gt; the export broke');
    expect(json).not.toContain('<!channel>');
    expect(json).toContain(`"action_id":"claim_complaint","value":"${pickedId}"`);
    expect(json).toContain(`"action_id":"log_outcome","value":"${myClaimId}"`);
    expect(json).toContain('Charged after cancelling');
    expect(json).toContain(`tel:${MINE_PHONE}`);
    expect(json).toContain(MINE_EMAIL);
    // The pick is not theirs: its contact details stay in the claimer's brief.
    expect(json).not.toContain(PICK_PHONE);
    expect(json).not.toContain(PICK_EMAIL);
    expect(json).toContain('2026-11-21 · Left a voicemail · Charged after cancelling');
    expect(json).toMatch(/Claims\*\\n1"/);
    expect(json).toMatch(/Calls logged\*\\n1"/);
    expect(json).toContain('2026-12-01 to 2026-12-05');
    expect(json).not.toContain('Your escalations');
  });

  it('treats a member of an executives user group as an executive', async () => {
    const { json } = await openHome(EXEC_IN_GROUP);
    expect(json).toContain('Your open calls (0)');
    expect(json).toContain('claim_complaint');
  });

  it('shows a support lead their escalations and what became of each, without contact details', async () => {
    const { call, json } = await openHome(LEAD_1);
    expect(call.args.user_id).toBe(LEAD_1);
    expect(json).toContain('Your escalations (2)');
    expect(json.indexOf('Invoices missing')).toBeLessThan(json.indexOf('Outage during launch'));
    expect(json).toContain(`Advocate: the customer now speaks up for us (called by <@${EXEC_2}>)`);
    expect(json).toContain('Waiting in the pool');
    expect(json).not.toContain("Today's pick");
    expect(json).not.toContain('claim_complaint');
    for (const secret of [ESCALATED_PHONE, ESCALATED_EMAIL, PICK_PHONE, PICK_EMAIL, MINE_PHONE, MINE_EMAIL]) {
      expect(json).not.toContain(secret);
    }
  });

  it('shows someone who is both an executive and a lead both sections, and only their own contact details', async () => {
    const { json } = await openHome(EXEC_2);
    expect(json).toContain("Today's pick");
    expect(json).toContain('Your open calls (0)');
    expect(json).toContain('Your escalations (0)');
    expect(json).toContain('Customers reached*\\n1');
    expect(json).toContain('Advocates*\\n1');
    for (const secret of [ESCALATED_PHONE, PICK_PHONE, MINE_PHONE, MINE_EMAIL]) expect(json).not.toContain(secret);
  });

  it('shows anyone else what Pickup is and who to ask', async () => {
    const { json } = await openHome(OUTSIDER);
    expect(json).toContain('one unhappy customer every business day');
    expect(json).toContain(`<@${EXEC_1}>`);
    expect(json).toContain(`<!subteam^${EXEC_GROUP}>`);
    expect(json).toContain(`<@${LEAD_1}>`);
    expect(json).not.toContain('claim_complaint');
    for (const secret of [PICK_PHONE, PICK_EMAIL, MINE_PHONE, ESCALATED_PHONE]) expect(json).not.toContain(secret);
  });

  it('ignores the Messages tab', async () => {
    await sendEvent(app.slackTarget, {
      type: 'app_home_opened',
      user: EXEC_1,
      channel: 'D1',
      tab: 'messages',
      event_ts: '1.2',
    });
    // Then a Home open, so the wait ends on a call that must come after the ignored event.
    await openHome(OUTSIDER);
    expect(slack.callsTo('views.publish').map((c) => c.args.user_id)).toEqual([OUTSIDER]);
  });

  it('logs a failed publish, without contact details, and carries on', async () => {
    slack.failNext('views.publish', 1, { error: 'invalid_blocks' });
    await sendEvent(app.slackTarget, {
      type: 'app_home_opened',
      user: EXEC_1,
      channel: 'D1',
      tab: 'home',
      event_ts: '1.3',
    });
    await slack.waitFor('views.publish', 1);
    const line = await waitFor(() => logLines.find((l) => l.includes('could not publish the App Home')), {
      what: 'the failed publish to be logged',
    });
    expect(line).toContain('invalid_blocks');
    expect(line).toContain(EXEC_1);
    for (const l of logLines) {
      expect(l).not.toContain(MINE_PHONE);
      expect(l).not.toContain(MINE_EMAIL);
    }
    slack.reset();
    const { json } = await openHome(EXEC_1);
    expect(json).toContain('Charged after cancelling');
  });
});
