import { EXEC_1, EXEC_2, EXEC_CHANNEL } from '../helpers/config';
import { describeOnPostgres } from '../helpers/env';
import { insertComplaint } from '../helpers/factories';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack';
import {
  clickButton,
  type ResponseUrlServer,
  startResponseUrlServer,
  submitView,
  textValue,
} from '../helpers/slack-requests';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { createTestDb, type TestDb, waitForOutboxIdle } from '../helpers/test-db';

async function setup(poolSize = 10) {
  const db = await createTestDb({ poolSize });
  const slack = await startFakeSlack();
  const app = await startTestApp(db, slack);
  const responses = await startResponseUrlServer();
  app.slackTarget.responseUrl = responses.url;
  return { db, slack, app, responses };
}

describe('release and re-claim', () => {
  let db: TestDb;
  let slack: FakeSlack;
  let app: TestApp;
  let responses: ResponseUrlServer;
  beforeAll(async () => {
    ({ db, slack, app, responses } = await setup());
  });
  afterAll(async () => {
    await app.stop();
    await responses.close();
    await slack.close();
    await db.close();
  });

  it('asks for a reason, returns the complaint, and lets another executive claim it', async () => {
    const complaintId = await insertComplaint(db.db);
    await clickButton(app.slackTarget, {
      actionId: 'claim_complaint',
      value: String(complaintId),
      userId: EXEC_1,
      channelId: EXEC_CHANNEL,
    });
    await responses.waitFor(1);
    const claim = await db.db.selectFrom('claims').selectAll().executeTakeFirstOrThrow();

    await clickButton(app.slackTarget, { actionId: 'release_claim', value: String(claim.id), userId: EXEC_1 });
    const [open] = await slack.waitFor('views.open', 1);
    expect(open?.args.view).toMatchObject({ callback_id: 'release_modal' });

    const empty = await submitView(app.slackTarget, {
      callbackId: 'release_modal',
      userId: EXEC_1,
      privateMetadata: JSON.stringify({ claimId: claim.id }),
      values: { reason: { value: textValue('   ') } },
    });
    expect(empty.json()).toMatchObject({ response_action: 'errors', errors: { reason: expect.any(String) } });

    const stranger = await submitView(app.slackTarget, {
      callbackId: 'release_modal',
      userId: EXEC_2,
      privateMetadata: JSON.stringify({ claimId: claim.id }),
      values: { reason: { value: textValue('not mine') } },
    });
    expect(stranger.json()).toMatchObject({ response_action: 'errors' });

    const ok = await submitView(app.slackTarget, {
      callbackId: 'release_modal',
      userId: EXEC_1,
      privateMetadata: JSON.stringify({ claimId: claim.id }),
      values: { reason: { value: textValue('Travelling all week') } },
    });
    expect(ok.status).toBe(200);
    const released = await db.db.selectFrom('claims').selectAll().where('id', '=', claim.id).executeTakeFirstOrThrow();
    expect(released).toMatchObject({ status: 'released', release_reason: 'Travelling all week' });

    await clickButton(app.slackTarget, {
      actionId: 'claim_complaint',
      value: String(complaintId),
      userId: EXEC_2,
      channelId: EXEC_CHANNEL,
    });
    const posts = await responses.waitFor(2);
    expect(JSON.stringify(posts[1]?.body)).toContain("It's yours");
    const open2 = await db.db.selectFrom('claims').selectAll().where('status', '=', 'open').execute();
    expect(open2.map((c) => c.claimed_by)).toEqual([EXEC_2]);
  });
});

describeOnPostgres(
  'concurrent claim clicks (real PostgreSQL only: PGlite runs one transaction at a time, so this race cannot happen there)',
  () => {
    let db: TestDb;
    let slack: FakeSlack;
    let app: TestApp;
    let responses: ResponseUrlServer;
    beforeAll(async () => {
      ({ db, slack, app, responses } = await setup(20));
    });
    afterAll(async () => {
      await app.stop();
      await responses.close();
      await slack.close();
      await db.close();
    });

    it('20 clicks from two executives at once make exactly one claim', async () => {
      const complaintId = await insertComplaint(db.db);
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          clickButton(app.slackTarget, {
            actionId: 'claim_complaint',
            value: String(complaintId),
            userId: i % 2 === 0 ? EXEC_1 : EXEC_2,
            channelId: EXEC_CHANNEL,
          }),
        ),
      );
      const posts = await responses.waitFor(20, 10_000);
      const texts = posts.map((p) => String((p.body as { text?: string }).text));
      expect(texts.filter((t) => t.includes("It's yours"))).toHaveLength(1);
      expect(texts.filter((t) => /Already claimed by|already claimed this one/.test(t))).toHaveLength(19);
      const claims = await db.db.selectFrom('claims').selectAll().execute();
      expect(claims).toHaveLength(1);
      // Briefs go out through the outbox: once it has sent everything, a second brief would have arrived.
      await waitForOutboxIdle(db.db);
      expect(slack.callsTo('chat.postMessage').filter((c) => c.args.channel === claims[0]?.claimed_by)).toHaveLength(1);
    });
  },
);
