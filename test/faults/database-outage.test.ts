import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { type DatabaseHandle, openDatabase } from '../../src/db/connection';
import { createLogger } from '../../src/logger';
import { zendeskEvent } from '../helpdesks/payloads';
import { EXEC_1, EXEC_2, LEAD_1 } from '../helpers/config';
import { describeOnPostgres } from '../helpers/env';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack';
import {
  clickButton,
  type ResponseUrlServer,
  type SlackTarget,
  sendSlashCommand,
  startResponseUrlServer,
  submitView,
} from '../helpers/slack-requests';
import { waitFor } from '../helpers/wait-for';
import { type BotProcess, startBot, stopAllBots } from './support/bot-process';
import { ensureBuilt } from './support/build';
import { nextLoopbackAddress, postWebhook, type RawResponse, rawRequest } from './support/http-client';
import { startThrowawayCluster, type ThrowawayCluster } from './support/pg-cluster';
import { escalateFormValues } from './support/slack-forms';

// PostgreSQL goes away under a running bot while webhooks keep arriving, and comes back. This runs on a throw-away
// cluster (initdb into /tmp, its own port, stopped with `pg_ctl stop -m fast`): the machine's main cluster, and
// TEST_DATABASE_URL's server, are never touched. TEST_DATABASE_URL only decides that the suite runs.

const run = randomBytes(3).toString('hex');
let sequence = 0;

function complaintBody() {
  sequence += 1;
  return {
    externalId: `outage-${run}-${sequence}`,
    subject: `Outage complaint ${sequence}`,
    priority: 'urgent',
    customer: { name: `Customer ${sequence}`, email: `c${sequence}-${run}@example.com` },
  };
}

const POLITE = /can't reach its database right now.*try again/is;

describeOnPostgres('PostgreSQL stops while webhooks arrive (a throw-away cluster; real PostgreSQL runs only)', () => {
  let cluster: ThrowawayCluster;
  let fake: FakeSlack;
  let responses: ResponseUrlServer;
  let bot: BotProcess;
  let target: SlackTarget;
  let check: DatabaseHandle;
  let up = true;

  /** What one test's deliveries got: externalId → each status in order, and the id of every 201. */
  interface Deliveries {
    statuses: Map<string, number[]>;
    created: Map<string, number>;
  }
  const newDeliveries = (): Deliveries => ({ statuses: new Map(), created: new Map() });

  async function deliver(into: Deliveries, body = complaintBody()): Promise<RawResponse> {
    const res = await postWebhook(bot.baseUrl, '/webhooks/complaints', body, { localAddress: nextLoopbackAddress() });
    into.statuses.set(body.externalId, [...(into.statuses.get(body.externalId) ?? []), res.status]);
    const id = (res.json as { id?: unknown } | undefined)?.id;
    if (res.status === 201 && typeof id === 'number') into.created.set(body.externalId, id);
    return res;
  }

  const healthz = async () => (await rawRequest({ url: `${bot.baseUrl}/healthz`, method: 'GET' })).status;

  async function stopDatabase(): Promise<void> {
    up = false;
    await cluster.stop();
  }

  /** Starts the database again (if a test stopped it) and waits until the bot says it is healthy. */
  async function startDatabase(): Promise<void> {
    if (!up) await cluster.start();
    up = true;
    await waitFor(async () => (await healthz()) === 200, {
      timeoutMs: 10_000,
      what: '/healthz to answer 200',
      seen: () => bot.tail(),
    });
  }

  /**
   * Help desks retry what got a 503: redelivers each of those (stored once: 201, or 200 if its commit had landed
   * after all), then proves every delivery is stored exactly once, under the id it was acknowledged with, each
   * with its audit row: nothing half-written.
   */
  async function expectEachStoredOnce(deliveries: Deliveries): Promise<void> {
    for (const [externalId, statuses] of deliveries.statuses) {
      if (statuses.at(-1) !== 503) continue;
      const res = await deliver(deliveries, { ...complaintBody(), externalId });
      expect([200, 201]).toContain(res.status);
    }
    const rows = await check.db
      .selectFrom('complaints as c')
      .select([
        'c.id',
        'c.external_id',
        sql<number>`(SELECT count(*) FROM audit_log a WHERE a.complaint_id = c.id AND a.action = 'complaint.received')`.as(
          'received',
        ),
      ])
      .where('c.external_id', 'in', [...deliveries.statuses.keys()])
      .execute();
    const byExternalId = new Map(rows.map((r) => [r.external_id, r]));
    for (const [externalId, id] of deliveries.created) expect(byExternalId.get(externalId)?.id).toBe(id);
    expect(rows).toHaveLength(deliveries.statuses.size);
    for (const row of rows) expect(Number(row.received)).toBe(1);
  }

  beforeAll(async () => {
    await ensureBuilt();
    cluster = await startThrowawayCluster();
    fake = await startFakeSlack();
    responses = await startResponseUrlServer();
    bot = await startBot({
      label: 'bot',
      env: { DATABASE_URL: cluster.url(), SLACK_API_URL: fake.url, EXECUTIVES: `${EXEC_1},${EXEC_2}` },
    });
    target = bot.slackTarget(responses.url);
    check = await openDatabase({ url: cluster.url(), dataDir: '', logger: createLogger('silent'), poolSize: 2 });
  }, 240_000);

  // Every test starts with the database up and the bot healthy, and leaves it so, whatever it stopped.
  beforeEach(async () => {
    responses.reset();
    await startDatabase();
  }, 30_000);
  afterEach(async () => {
    await startDatabase();
    expect(bot.isAlive()).toBe(true);
    expect(bot.logs.filter((l) => l.level === 60)).toEqual([]);
  }, 30_000);

  afterAll(async () => {
    if (bot && !bot.isAlive()) console.log(bot.tail(60));
    await stopAllBots();
    await check?.close();
    await responses?.close();
    await fake?.close();
    await cluster?.destroy();
  });

  it('acknowledges complaints with 201 while the database is up', async () => {
    const deliveries = newDeliveries();
    for (let i = 0; i < 5; i++) expect((await deliver(deliveries)).status).toBe(201);
    expect(await healthz()).toBe(200);
    await expectEachStoredOnce(deliveries);
  });

  it('answers 201 or 503 (never 500) to webhooks that arrive while the server is stopped under them, and keeps each once', async () => {
    const deliveries = newDeliveries();
    const statuses = () => [...deliveries.statuses.values()].flat();
    let streaming = true;
    const stream = (async () => {
      while (streaming) await Promise.all([deliver(deliveries), deliver(deliveries), deliver(deliveries)]);
    })();
    try {
      // Stop it under deliveries in flight: once some have landed, and until the bot has answered some with 503.
      await waitFor(() => statuses().filter((s) => s === 201).length >= 3, { timeoutMs: 10_000, what: 'some 201s' });
      await stopDatabase();
      await waitFor(() => statuses().includes(503), { timeoutMs: 10_000, what: 'a 503', seen: () => bot.tail() });
    } finally {
      streaming = false;
      await stream;
    }
    expect(statuses().filter((s) => s !== 201 && s !== 503)).toEqual([]);
    await startDatabase();
    await expectEachStoredOnce(deliveries);
  }, 60_000);

  it('answers /healthz with 503 and every webhook with 503 + Retry-After while the database is down', async () => {
    await stopDatabase();
    expect(await healthz()).toBe(503);

    const deliveries = newDeliveries();
    for (let i = 0; i < 5; i++) {
      const res = await deliver(deliveries);
      expect(res.status).toBe(503);
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    }
    const zendesk = await postWebhook(bot.baseUrl, '/webhooks/zendesk', zendeskEvent(), {
      localAddress: nextLoopbackAddress(),
    });
    expect(zendesk.status).toBe(503);
    expect(zendesk.headers['retry-after']).toBeDefined();
    const feedback = await postWebhook(bot.baseUrl, '/webhooks/feedback', { complaintId: 1, score: 9 });
    expect(feedback.status).toBe(503);
    expect(feedback.headers['retry-after']).toBeDefined();
  }, 30_000);

  it('tells Slack users politely to try again, and writes nothing', async () => {
    // Other tests of this file claim complaints too: "nothing" is measured against what was there before.
    const claimsBefore = await check.db.selectFrom('claims').select('id').orderBy('id').execute();
    await stopDatabase();
    const queue = await sendSlashCommand(target, {
      command: '/pickup',
      text: 'queue',
      userId: EXEC_1,
      channelId: 'C1',
    });
    expect(queue.status).toBe(200);
    const claim = await clickButton(target, { actionId: 'claim_complaint', value: '1', userId: EXEC_1 });
    expect(claim.status).toBe(200);
    const posts = await responses.waitFor(2, 15_000);
    for (const post of posts) {
      expect(post.body).toMatchObject({ response_type: 'ephemeral', text: expect.stringMatching(POLITE) });
    }
    // A modal submission keeps the modal open with the same words, so what the lead typed is not lost.
    const escalation = await submitView(target, {
      callbackId: 'escalate_modal',
      userId: LEAD_1,
      values: escalateFormValues(),
    });
    expect(escalation.status).toBe(200);
    expect(escalation.json()).toMatchObject({
      response_action: 'errors',
      errors: { subject: expect.stringMatching(POLITE) },
    });

    // Once it is back: the outage's escalation and claim wrote nothing.
    await startDatabase();
    expect(await check.db.selectFrom('complaints').select('id').where('escalated_by', '=', LEAD_1).execute()).toEqual(
      [],
    );
    expect(await check.db.selectFrom('claims').select('id').orderBy('id').execute()).toEqual(claimsBefore);
  }, 60_000);

  it('works again within seconds of the database coming back, without a restart', async () => {
    await stopDatabase();
    const deliveries = newDeliveries();
    expect((await deliver(deliveries)).status).toBe(503);
    await cluster.start();
    up = true;
    const restartedAt = Date.now();
    await waitFor(async () => (await healthz()) === 200, {
      timeoutMs: 10_000,
      what: '/healthz to answer 200 again',
      seen: () => bot.tail(),
    });
    expect((await deliver(deliveries)).status).toBe(201);
    expect(Date.now() - restartedAt).toBeLessThan(10_000);
    await expectEachStoredOnce(deliveries);

    const claim = await clickButton(target, {
      actionId: 'claim_complaint',
      value: String([...deliveries.created.values()][0]),
      userId: EXEC_1,
    });
    expect(claim.status).toBe(200);
    const [answer] = await responses.waitFor(1, 10_000);
    expect(JSON.stringify(answer?.body)).toContain("It's yours");
  }, 60_000);
});
