import { EXEC_1, OUTSIDER } from '../helpers/config';
import { insertComplaint } from '../helpers/factories';
import { type FakeSlack, type RecordedCall, startFakeSlack } from '../helpers/fake-slack';
import { buttonClickPayload, sendInteraction } from '../helpers/slack-requests';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { createTestDb, emptyTables, type TestDb, waitForOutboxIdle } from '../helpers/test-db';
import { waitFor } from '../helpers/wait-for';

/** A click on a button in the App Home: Slack sends a view container and no response_url. */
function homeClick(actionId: string, value: string, userId: string): Record<string, unknown> {
  const payload = buttonClickPayload({ actionId, value, userId });
  const { response_url: _dropped, channel: _channel, message: _message, ...rest } = payload;
  return { ...rest, container: { type: 'view', view_id: 'VHOME' }, view: { id: 'VHOME', type: 'home' } };
}

describe('claiming from the App Home', () => {
  let db: TestDb;
  let slack: FakeSlack;
  let app: TestApp;
  beforeAll(async () => {
    db = await createTestDb();
    slack = await startFakeSlack();
    app = await startTestApp(db, slack);
  });
  afterAll(async () => {
    await app.stop();
    await slack.close();
    await db.close();
  });
  beforeEach(async () => {
    await emptyTables(db.db);
    slack.reset();
  });
  // A brief still in flight would land in the next test's fake Slack.
  afterEach(() => waitForOutboxIdle(db.db));

  const outsiderRefusal = (calls: RecordedCall[]) =>
    calls.find((c) => c.args.channel === OUTSIDER && String(c.args.text).includes('Only executives can claim'));

  it('claims and sends the brief, with no error message', async () => {
    const id = await insertComplaint(db.db);
    const res = await sendInteraction(app.slackTarget, homeClick('claim_complaint', String(id), EXEC_1));
    expect(res.status).toBe(200);
    const [brief] = await slack.waitFor('chat.postMessage', 1);
    expect(brief?.args.channel).toBe(EXEC_1);
    expect(JSON.stringify(brief?.args)).toContain('How to run the call');
    // The answer to a later click marks the point by which this click's handler, and any error it raised, is done.
    await sendInteraction(app.slackTarget, homeClick('claim_complaint', String(id), OUTSIDER));
    await waitFor(() => outsiderRefusal(slack.callsTo('chat.postMessage')), { what: "the outsider's refusal" });
    const texts = slack.callsTo('chat.postMessage').map((c) => String(c.args.text));
    expect(texts.some((t) => t.includes('Something went wrong'))).toBe(false);
    expect(await db.db.selectFrom('claims').selectAll().execute()).toHaveLength(1);
  });

  it('refuses an outsider by DM', async () => {
    const id = await insertComplaint(db.db);
    await sendInteraction(app.slackTarget, homeClick('claim_complaint', String(id), OUTSIDER));
    const [dm] = await slack.waitFor('chat.postMessage', 1);
    expect(dm?.args.channel).toBe(OUTSIDER);
    expect(String(dm?.args.text)).toContain('Only executives can claim');
  });
});
