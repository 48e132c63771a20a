import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../src/cli';
import { openDatabase } from '../../src/db/connection';
import { migrateToLatest } from '../../src/db/migrate';
import { createOutgoingWebhook } from '../../src/helpdesks/outgoing/outgoing-webhook';
import { createLogger } from '../../src/logger';
import { enqueueMessage } from '../../src/outbox/outbox.repository';
import { DEFAULT_OUTBOX_OPTIONS, drainOutbox } from '../../src/scheduler/outbox.worker';
import { createSlackPort, createWebClient } from '../../src/slack/slack.client';
import { testEnv } from '../helpers/config';
import { TEST_DATABASE_URL } from '../helpers/env';
import { createFakeHelpDeskClient } from '../helpers/fake-helpdesk-client';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack';
import { type FakeWebhookReceiver, startFakeWebhookReceiver } from '../helpers/fake-webhook-receiver';
import { createTestDb, type TestDb } from '../helpers/test-db';

const logger = createLogger('silent');
const SECRET = 'cli-webhook-secret-0123456789';

async function cli(args: string[], env: NodeJS.ProcessEnv) {
  const out: string[] = [];
  const code = await runCli(
    args,
    env,
    (l) => out.push(l),
    (l) => out.push(l),
  );
  return { code, out: out.join('\n') };
}

describe('npm run cli -- outbox, for help-desk notes and webhook events', () => {
  let dir: string;
  let slack: FakeSlack;
  let receiver: FakeWebhookReceiver;
  let pgDb: TestDb | undefined;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pickup-outbox-targets-'));
    slack = await startFakeSlack();
    receiver = await startFakeWebhookReceiver();
    pgDb = TEST_DATABASE_URL ? await createTestDb() : undefined;
    env = testEnv({
      SLACK_API_URL: slack.url,
      DATA_DIR: path.join(dir, 'data'),
      DATABASE_URL: pgDb?.url,
      OUTCOME_WEBHOOK_URL: receiver.url,
      OUTCOME_WEBHOOK_SECRET: SECRET,
      LOG_LEVEL: 'silent',
    });
    // The bot's side: a note Zendesk refused (401) and an event the receiver refused (503, then given up).
    const handle = await openDatabase({ url: pgDb?.url, dataDir: env.DATA_DIR ?? '', logger });
    try {
      await migrateToLatest(handle.db);
      await enqueueMessage(handle.db, 'claim:7:note', {
        operation: 'helpdesk_note',
        source: 'zendesk',
        ticketId: '8812',
        note: { text: 'An executive will call: Grace Hopper, COO.', tags: [] },
      });
      await enqueueMessage(handle.db, 'claim:7:event', {
        operation: 'webhook',
        event: {
          id: 'evt_cli_1',
          type: 'action.changed',
          occurredAt: '2026-12-07T10:00:00.000Z',
          data: { action: { id: 1, complaintId: 7, status: 'done', theme: null, owner: 'U1', dueDate: null } },
        },
      });
      const zendesk = createFakeHelpDeskClient('zendesk');
      zendesk.failNext(1, { status: 401 });
      receiver.answerNext(1, { status: 503 });
      const result = await drainOutbox(
        handle.db,
        {
          slack: createSlackPort(createWebClient('xoxb-test', slack.url, logger)),
          helpdesks: { zendesk },
          webhook: createOutgoingWebhook({ url: receiver.url, secrets: [SECRET], now: () => new Date() }),
        },
        logger,
        { ...DEFAULT_OUTBOX_OPTIONS, maxAttempts: 1 },
      );
      expect(result).toEqual({ sent: 0, retried: 0, failed: 2 });
    } finally {
      await handle.close();
    }
  }, 60_000);

  afterAll(async () => {
    await receiver.close();
    await slack.close();
    await pgDb?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('lists each failure with where it goes, why, and what to do; a retry sends the event once', async () => {
    const listing = await cli(['outbox', '--failed'], env);
    expect(listing.code).toBe(0);
    expect(listing.out).toContain('2 failed.');
    const noteId = /#(\d+) {2}FAILED {2}claim:7:note/.exec(listing.out)?.[1];
    const eventId = /#(\d+) {2}FAILED {2}claim:7:event/.exec(listing.out)?.[1];
    expect(listing.out).toContain('    note to zendesk ticket 8812, 1 attempt');
    expect(listing.out).toContain('    reason: Zendesk: HTTP 401 from the API');
    expect(listing.out).toMatch(
      /to do: {2}Zendesk refused Pickup's credentials \(HTTP 401\)\. Check .*ZENDESK_API_TOKEN/,
    );
    expect(listing.out).toContain('    event action.changed to webhook, 1 attempt');
    expect(listing.out).toContain('    reason: the webhook receiver answered HTTP 503');
    expect(listing.out).toMatch(/to do: {2}The receiver at OUTCOME_WEBHOOK_URL could not be reached, or kept failing/);
    expect(listing.out).toContain(`then:   npm run cli -- outbox retry ${noteId}`);

    receiver.reset();
    const retried = await cli(['outbox', 'retry', String(eventId)], env);
    expect(retried.code).toBe(0);
    expect(retried.out).toContain(`Re-queued #${eventId} (claim:7:event).`);
    expect(retried.out).toContain('1 message(s) delivered');
    expect(receiver.delivered().map((e) => e.id)).toEqual(['evt_cli_1']);
    expect((await cli(['outbox', '--failed'], env)).out).toContain('1 failed.');
  }, 60_000);
});
