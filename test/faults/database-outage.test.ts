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
import { sleep } from './support/db-state';
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
  /** externalId → the status each delivery got, in order. */
  const deliveries = new Map<string, number[]>();
  /** externalId → complaint id, for every 201. */
  const created = new Map<string, number>();

  async function deliver(body = complaintBody()): Promise<RawResponse> {
    const res = await postWebhook(bot.baseUrl, '/webhooks/complaints', body, { localAddress: nextLoopbackAddress() });
    deliveries.set(body.externalId, [...(deliveries.get(body.externalId) ?? []), res.status]);
    const id = (res.json as { id?: unknown } | undefined)?.id;
    if (res.status === 201 && typeof id === 'number') created.set(body.externalId, id);
    return res;
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

  afterAll(async () => {
    if (bot && !bot.isAlive()) console.log(bot.tail(60));
    await stopAllBots();
    await check?.close();
    await responses?.close();
    await fake?.close();
    await cluster?.destroy();
  });

  it('acknowledges complaints with 201 while the database is up', async () => {
    for (let i = 0; i < 5; i++) expect((await deliver()).status).toBe(201);
    expect((await rawRequest({ url: `${bot.baseUrl}/healthz`, method: 'GET' })).status).toBe(200);
  });

  it('answers 201 or 503 (never 500) to webhooks that arrive while the server is stopped under them', async () => {
    let stopping = true;
    const stream = (async () => {
      const statuses: number[] = [];
      while (stopping) {
        statuses.push(...(await Promise.all([deliver(), deliver(), deliver()])).map((r) => r.status));
      }
      return statuses;
    })();
    await sleep(300);
    await cluster.stop();
    await sleep(500);
    stopping = false;
    const statuses = await stream;
    expect(statuses.length).toBeGreaterThan(3);
    expect(statuses.filter((s) => s !== 201 && s !== 503)).toEqual([]);
    expect(statuses).toContain(503);
  }, 60_000);

  it('answers /healthz with 503 and every webhook with 503 + Retry-After while the database is down', async () => {
    const health = await rawRequest({ url: `${bot.baseUrl}/healthz`, method: 'GET' });
    expect(health.status).toBe(503);

    for (let i = 0; i < 5; i++) {
      const res = await deliver();
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
    expect(bot.isAlive()).toBe(true);
  }, 30_000);

  it('tells Slack users politely to try again, and writes nothing', async () => {
    responses.reset();
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
    expect(bot.isAlive()).toBe(true);
  }, 30_000);

  it('works again within seconds of the database coming back, without a restart', async () => {
    await cluster.start();
    const restartedAt = Date.now();
    await waitFor(async () => (await rawRequest({ url: `${bot.baseUrl}/healthz`, method: 'GET' })).status === 200, {
      timeoutMs: 10_000,
      seen: () => bot.tail(),
    });
    expect((await deliver()).status).toBe(201);
    expect(Date.now() - restartedAt).toBeLessThan(10_000);

    // Help desks retry what got a 503: each is stored once (201, or 200 if its commit had landed after all).
    for (const [externalId, statuses] of deliveries) {
      if (statuses.at(-1) !== 503) continue;
      const res = await deliver({ ...complaintBody(), externalId });
      expect([200, 201]).toContain(res.status);
    }

    const claim = await clickButton(target, {
      actionId: 'claim_complaint',
      value: String([...created.values()][0]),
      userId: EXEC_1,
    });
    expect(claim.status).toBe(200);
    const posts = await responses.waitFor(3, 10_000);
    expect(JSON.stringify(posts.at(-1)?.body)).toContain("It's yours");
    expect(bot.isAlive()).toBe(true);
    expect(bot.logs.filter((l) => l.level === 60)).toEqual([]);
  }, 60_000);

  it('kept every acknowledged complaint, each with its audit row, and nothing half-written', async () => {
    const rows = await check.db
      .selectFrom('complaints as c')
      .select([
        'c.id',
        'c.external_id',
        sql<number>`(SELECT count(*) FROM audit_log a WHERE a.complaint_id = c.id AND a.action = 'complaint.received')`.as(
          'received',
        ),
      ])
      .execute();
    const byExternalId = new Map(rows.map((r) => [r.external_id, r]));
    // Every 201 is there, under the id it was acknowledged with.
    for (const [externalId, id] of created) expect(byExternalId.get(externalId)?.id).toBe(id);
    // Every delivery ended up stored exactly once, and no complaint lacks its audit row.
    expect(rows).toHaveLength(deliveries.size);
    for (const row of rows) expect(Number(row.received)).toBe(1);
    expect(new Set(rows.map((r) => r.external_id)).size).toBe(rows.length);
    // The outage's escalation and claim wrote nothing; only the claim made after recovery exists.
    expect(await check.db.selectFrom('complaints').select('id').where('escalated_by', '=', LEAD_1).execute()).toEqual(
      [],
    );
    expect(await check.db.selectFrom('claims').select('claimed_by').execute()).toEqual([{ claimed_by: EXEC_1 }]);
  });
});
