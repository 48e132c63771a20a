import { randomBytes } from 'node:crypto';
import { EXEC_1, EXEC_2, TEST_SIGNING_SECRET } from '../helpers/config';
import { describeOnPostgres } from '../helpers/env';
import { insertComplaint } from '../helpers/factories';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack';
import {
  buttonClickPayload,
  postSigned,
  type ResponseUrlServer,
  type SlackTarget,
  signSlackRequest,
  startResponseUrlServer,
} from '../helpers/slack-requests';
import { createTestDb, type TestDb, waitForOutboxIdle } from '../helpers/test-db';
import { type BotProcess, errorLines, startBot, stopAllBots } from './support/bot-process';
import { ensureBuilt } from './support/build';
import { countRows, visibleCalls } from './support/db-state';
import { rawRequest } from './support/http-client';
import { afterOneMoreRequest, answersExceptSentinels } from './support/sentinel';

// Requests to /slack/events that Slack did not send, or did not send now, are answered 401 and change nothing:
// no row in any table, no Slack call, no response_url post. Each request below would have an effect if accepted
// (`/pickup away` writes an away period and an audit row and answers through response_url; a claim click writes a
// claim and queues a DM), and the same request correctly signed is shown to have that effect.
//
// Replays. A byte-identical copy of a genuine request carries a valid signature, and within the five minutes the
// timestamp check allows nothing in the signature scheme tells it apart. Pickup remembers the signature of every
// request it accepted for as long as its timestamp is acceptable (5 minutes either side), and answers a second
// request with the same signature 401 "replayed request" (src/http/slack-replay.ts). This refuses nothing Slack
// really sends: Slack never retries slash commands or interactivity, and its Events API retries (x-slack-retry-num)
// are new requests, signed anew with a fresh timestamp (they must be: its last retry comes minutes later, past the
// staleness window of the first signature). A retried event therefore passes this check by design, reaches Bolt with
// context.retryNum, and Pickup's only event (app_home_opened) just republishes the Home tab. The memory is per
// process: with several instances behind a load balancer, a replay sent to another instance is not caught by this,
// and only the database's own exactly-once rules (one claim, one pick a day, one complaint per escalation) hold.

const AWAY = '2099-03-01..2099-03-02';

describeOnPostgres('bad Slack requests against a real bot process (PostgreSQL)', () => {
  let db: TestDb;
  let fake: FakeSlack;
  let responses: ResponseUrlServer;
  let bot: BotProcess;
  let target: SlackTarget;
  let complaintId: number;

  beforeAll(async () => {
    await ensureBuilt();
    db = await createTestDb({ poolSize: 2 });
    fake = await startFakeSlack();
    responses = await startResponseUrlServer();
    complaintId = await insertComplaint(db.db);
    bot = await startBot({
      label: 'bot',
      env: { DATABASE_URL: db.url, SLACK_API_URL: fake.url, EXECUTIVES: `${EXEC_1},${EXEC_2}` },
    });
    target = bot.slackTarget(responses.url);
  }, 240_000);

  // Whatever a test sent, the bot stays up and logs no error.
  afterEach(() => {
    expect(bot.isAlive()).toBe(true);
    expect(errorLines(bot)).toEqual([]);
  });

  afterAll(async () => {
    await stopAllBots();
    await responses?.close();
    await fake?.close();
    await db?.close();
  });

  /** A `/pickup away` invocation's form body; unique per call (its trigger_id), identical when resent. */
  function awayCommandBody(): string {
    return new URLSearchParams({
      token: 'legacy-verification-token',
      team_id: 'T1',
      team_domain: 'test',
      channel_id: 'C1',
      channel_name: 'c1',
      user_id: EXEC_1,
      user_name: 'exec1',
      command: '/pickup',
      text: `away ${AWAY}`,
      api_app_id: 'A1',
      is_enterprise_install: 'false',
      response_url: responses.url,
      trigger_id: `${Date.now()}.${randomBytes(6).toString('hex')}`,
    }).toString();
  }

  function claimClickBody(): string {
    return new URLSearchParams({
      payload: JSON.stringify(
        buttonClickPayload({ actionId: 'claim_complaint', value: String(complaintId), userId: EXEC_1 }, responses.url),
      ),
    }).toString();
  }

  const FORM = 'application/x-www-form-urlencoded' as const;
  const nowSec = () => Math.floor(Date.now() / 1000);

  const answers = () => answersExceptSentinels(responses);

  /** Sends a request that must be refused, and proves it was refused with 401 and changed nothing. */
  async function expectRefused(send: () => Promise<{ status: number }>): Promise<void> {
    const before = await countRows(db.db);
    const slackCalls = visibleCalls(fake.calls).length;
    const posts = answers().length;
    const res = await send();
    expect(res.status).toBe(401);
    await afterOneMoreRequest(target, responses, bot);
    expect(await countRows(db.db)).toEqual(before);
    expect(visibleCalls(fake.calls)).toHaveLength(slackCalls);
    expect(answers()).toHaveLength(posts);
  }

  it('accepts the same request correctly signed (so the refusals below are refusals of a working request)', async () => {
    const before = await countRows(db.db);
    const postsBefore = responses.posts.length;
    const res = await postSigned(target, awayCommandBody(), FORM);
    expect(res.status).toBe(200);
    const post = (await responses.waitFor(postsBefore + 1))[postsBefore];
    expect(JSON.stringify(post?.body)).toContain("you're away 2099-03-01 to 2099-03-02");
    const after = await countRows(db.db);
    expect(after.executive_away).toBe(before.executive_away + 1);
    expect(after.audit_log).toBe(before.audit_log + 1);
  });

  it('refuses a bad signature', async () => {
    await expectRefused(() => postSigned(target, awayCommandBody(), FORM, { signature: `v0=${'0'.repeat(64)}` }));
    await expectRefused(() => postSigned(target, awayCommandBody(), FORM, { signature: 'garbage' }));
  });

  it('refuses a request signed with another secret, or a body other than the one signed', async () => {
    await expectRefused(() =>
      postSigned({ ...target, signingSecret: 'someone-elses-signing-secret' }, awayCommandBody(), FORM),
    );
    const signed = awayCommandBody();
    const headers = signSlackRequest(signed, TEST_SIGNING_SECRET);
    await expectRefused(() =>
      rawRequest({
        url: target.url,
        headers: { 'content-type': FORM, ...headers },
        body: signed.replace(/text=[^&]*/, 'text=away+2099-04-01'),
      }),
    );
  });

  it('refuses a stale timestamp and a future one (more than 5 minutes off), even correctly signed', async () => {
    await expectRefused(() => postSigned(target, awayCommandBody(), FORM, { timestampSec: nowSec() - 5 * 60 - 5 }));
    await expectRefused(() => postSigned(target, awayCommandBody(), FORM, { timestampSec: nowSec() - 24 * 3600 }));
    await expectRefused(() => postSigned(target, awayCommandBody(), FORM, { timestampSec: nowSec() + 5 * 60 + 5 }));
    await expectRefused(() => postSigned(target, claimClickBody(), FORM, { timestampSec: nowSec() + 3600 }));
  });

  it('refuses a request missing the signature, the timestamp, or both', async () => {
    const body = awayCommandBody();
    const headers = signSlackRequest(body, TEST_SIGNING_SECRET);
    await expectRefused(() => postSigned(target, awayCommandBody(), FORM, { omitSignature: true }));
    await expectRefused(() =>
      rawRequest({
        url: target.url,
        headers: { 'content-type': FORM, 'x-slack-request-timestamp': headers['x-slack-request-timestamp'] ?? '' },
        body,
      }),
    );
    await expectRefused(() =>
      rawRequest({
        url: target.url,
        headers: { 'content-type': FORM, 'x-slack-signature': headers['x-slack-signature'] ?? '' },
        body,
      }),
    );
    await expectRefused(() =>
      rawRequest({
        url: target.url,
        headers: { 'content-type': FORM, 'x-slack-signature': '', 'x-slack-request-timestamp': '' },
        body,
      }),
    );
  });

  it('acts on a genuine request once and refuses byte-identical replays of it, even marked as retries', async () => {
    const start = await countRows(db.db);
    for (const body of [awayCommandBody(), claimClickBody()]) {
      const timestampSec = nowSec();
      const before = await countRows(db.db);
      const postsBefore = responses.posts.length;
      const answersBefore = answers().length;
      const first = await postSigned(target, body, FORM, { timestampSec });
      expect(first.status).toBe(200);
      await responses.waitFor(postsBefore + 1);
      // The claim's brief goes out through the outbox, after the answer.
      await waitForOutboxIdle(db.db, 10_000);
      const once = await countRows(db.db);
      expect(once).not.toEqual(before);
      const callsOnce = visibleCalls(fake.calls).length;

      const headers = { 'content-type': FORM, ...signSlackRequest(body, TEST_SIGNING_SECRET, timestampSec) };
      await expectRefused(() => rawRequest({ url: target.url, headers, body }));
      await expectRefused(() =>
        rawRequest({
          url: target.url,
          headers: { ...headers, 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' },
          body,
        }),
      );
      expect(await countRows(db.db)).toEqual(once);
      expect(visibleCalls(fake.calls)).toHaveLength(callsOnce);
      expect(answers()).toHaveLength(answersBefore + 1);
    }
    const end = await countRows(db.db);
    expect([end.executive_away - start.executive_away, end.claims - start.claims]).toEqual([1, 1]);
  });
});
