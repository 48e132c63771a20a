import { createLogger } from '../../src/logger';
import { enqueueMessage } from '../../src/outbox/outbox.repository';
import { DEFAULT_OUTBOX_OPTIONS, drainOutbox, type OutboxDestinations } from '../../src/scheduler/outbox.worker';
import { createSlackPort, createWebClient } from '../../src/slack/slack.client';
import { createFakeHelpDeskClient, type FakeHelpDeskClient } from '../helpers/fake-helpdesk-client';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack';
import { createTestDb, type TestDb } from '../helpers/test-db';

// While Pickup is removed from the Slack workspace, the outbox calls Slack for nothing: Slack messages stay pending
// (not failed, no attempt counted) and go once it is installed again; help-desk notes still go.

const logger = createLogger('silent');

describe('the outbox while Slack is held (Pickup removed from the workspace)', () => {
  let db: TestDb;
  let slack: FakeSlack;
  let zendesk: FakeHelpDeskClient;
  let held: boolean;
  let to: OutboxDestinations;

  beforeAll(async () => {
    db = await createTestDb();
    slack = await startFakeSlack();
  });
  afterAll(async () => {
    await slack.close();
    await db.close();
  });
  beforeEach(async () => {
    held = true;
    zendesk = createFakeHelpDeskClient('zendesk');
    to = {
      slack: createSlackPort(createWebClient('xoxb-test', slack.url, logger)),
      helpdesks: { zendesk },
      webhook: undefined,
      slackHeld: () => held,
    };
  });

  it('keeps Slack messages pending and untried, delivers the rest, and sends the held ones once released', async () => {
    await enqueueMessage(db.db, 'post', { operation: 'post', message: { channel: 'C1', text: 'pick' } });
    await enqueueMessage(db.db, 'reply', { operation: 'reply', target: 'post', message: { text: 'reminder' } });
    await enqueueMessage(db.db, 'note', {
      operation: 'helpdesk_note',
      source: 'zendesk',
      ticketId: '8812',
      note: { text: 'An executive will call.', tags: [] },
    });
    expect(await drainOutbox(db.db, to, logger, DEFAULT_OUTBOX_OPTIONS)).toEqual({ sent: 1, retried: 0, failed: 0 });
    expect(slack.calls).toEqual([]);
    expect(zendesk.notes()).toHaveLength(1);
    const rows = await db.db.selectFrom('outbox').select(['dedupe_key', 'status', 'attempts']).orderBy('id').execute();
    expect(rows).toEqual([
      { dedupe_key: 'post', status: 'pending', attempts: 0 },
      { dedupe_key: 'reply', status: 'pending', attempts: 0 },
      { dedupe_key: 'note', status: 'sent', attempts: 1 },
    ]);

    held = false;
    expect(await drainOutbox(db.db, to, logger, DEFAULT_OUTBOX_OPTIONS)).toEqual({ sent: 2, retried: 0, failed: 0 });
    expect(slack.callsTo('chat.postMessage').map((c) => c.args.text)).toEqual(['pick', 'reminder']);
  });
});
