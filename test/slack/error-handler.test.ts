import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs } from 'kysely';
import { createLogger } from '../../src/logger';
import { DomainError } from '../../src/shared/errors';
import { describeError } from '../../src/slack/error-handler';
import { EXEC_1, EXEC_2, EXEC_CHANNEL } from '../helpers/config';
import { insertClaim, insertComplaint } from '../helpers/factories';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack';
import {
  buttonClickPayload,
  clickButton,
  type ResponseUrlServer,
  sendInteraction,
  startResponseUrlServer,
} from '../helpers/slack-requests';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { createTestDb, emptyTables, type TestDb } from '../helpers/test-db';
import { waitFor } from '../helpers/wait-for';

type LogLine = Record<string, unknown> & { msg?: string; level?: number; correlationId?: string };

/** A logger that keeps every line it writes, parsed. */
function recordingLogger() {
  const lines: LogLine[] = [];
  const logger = createLogger('info', { write: (line: string) => lines.push(JSON.parse(line) as LogLine) });
  return { logger, lines };
}

/** The reference an "unexpected error" answer quotes. */
const REFERENCE = /reference ([0-9a-f]{8})\)/;
const ERROR = 50;

describe('describeError: what a person is told about an error', () => {
  it('shows a DomainError as its message, and logs nothing', () => {
    const { logger, lines } = recordingLogger();
    const text = describeError(new DomainError('not_your_claim', 'This call belongs to <@U1>.'), logger, {});
    expect(text).toBe('This call belongs to <@U1>.');
    expect(lines).toEqual([]);
  });

  it('gives an unknown error a correlation id, shown to the person and logged with the error and the context', () => {
    const { logger, lines } = recordingLogger();
    const text = describeError(new TypeError('cannot read properties of undefined'), logger, { userId: EXEC_1 });
    const id = REFERENCE.exec(text)?.[1];
    expect(id).toBeDefined();
    expect(text).toMatch(/^Something went wrong on our side \(reference [0-9a-f]{8}\)\. Nothing was changed/);
    expect(text).not.toContain('cannot read properties');
    expect(lines).toEqual([
      expect.objectContaining({
        level: ERROR,
        msg: 'unexpected error in a Slack request',
        correlationId: id,
        userId: EXEC_1,
        err: expect.objectContaining({ type: 'TypeError', message: 'cannot read properties of undefined' }),
      }),
    ]);
  });

  it('gives each unknown error its own id', () => {
    const { logger } = recordingLogger();
    const ids = Array.from({ length: 5 }, () => REFERENCE.exec(describeError(new Error('x'), logger, {}))?.[1]);
    expect(new Set(ids).size).toBe(5);
  });

  it('tells the person to try again when the database cannot be reached, as a warning without an id', () => {
    const { logger, lines } = recordingLogger();
    const down = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const text = describeError(down, logger, {});
    expect(text).toMatch(/can't reach its database right now, so nothing was changed/);
    expect(text).not.toMatch(REFERENCE);
    expect(lines).toEqual([expect.objectContaining({ level: 40, msg: 'database unavailable during a Slack request' })]);
  });
});

/** Makes every new claim fail as a bug would: an error that is neither a DomainError nor the database going away. */
const claimInsertBug: KyselyPlugin = {
  transformQuery(args: PluginTransformQueryArgs) {
    if (args.node.kind === 'InsertQueryNode' && args.node.into?.table.identifier.name === 'claims') {
      throw new Error('a bug: claims cannot be written');
    }
    return args.node;
  },
  transformResult: async (args: PluginTransformResultArgs) => args.result,
};

/** registerErrorHandler, as Bolt calls it: real listeners throw, the answer goes where Slack would show it. */
describe('the error handler, through Bolt and the fake Slack', () => {
  let db: TestDb;
  let slack: FakeSlack;
  let app: TestApp;
  let responses: ResponseUrlServer;
  const { logger, lines } = recordingLogger();

  beforeAll(async () => {
    db = await createTestDb();
    slack = await startFakeSlack();
    app = await startTestApp({ ...db, db: db.db.withPlugin(claimInsertBug) }, slack, { logger });
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
    slack.reset();
    responses.reset();
    lines.length = 0;
  });

  const unexpected = () => lines.filter((l) => l.msg === 'unexpected error in a Slack request');

  it('answers an unknown error on a message button with an ephemeral reference, the one it logged', async () => {
    const complaintId = await insertComplaint(db.db);
    await clickButton(app.slackTarget, {
      actionId: 'claim_complaint',
      value: String(complaintId),
      userId: EXEC_1,
      channelId: EXEC_CHANNEL,
    });
    const [answer] = await responses.waitFor(1);
    const body = answer?.body as { response_type?: string; replace_original?: boolean; text?: string };
    expect(body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    const id = REFERENCE.exec(String(body.text))?.[1];
    expect(id).toBeDefined();
    expect(unexpected()).toEqual([
      expect.objectContaining({
        level: ERROR,
        correlationId: id,
        userId: EXEC_1,
        err: expect.objectContaining({ message: 'a bug: claims cannot be written' }),
      }),
    ]);
    expect(JSON.stringify(body)).not.toContain('a bug');
  });

  it('sends the reference by DM when the button sits in the App Home, which gives no response_url', async () => {
    const complaintId = await insertComplaint(db.db);
    const click = buttonClickPayload({ actionId: 'claim_complaint', value: String(complaintId), userId: EXEC_1 });
    const { response_url: _none, channel: _channel, message: _message, ...home } = click;
    await sendInteraction(app.slackTarget, {
      ...home,
      container: { type: 'view', view_id: 'VHOME' },
      view: { id: 'VHOME', type: 'home' },
    });
    const [dm] = await slack.waitFor('chat.postMessage', 1);
    expect(dm?.args.channel).toBe(EXEC_1);
    const id = REFERENCE.exec(String(dm?.args.text))?.[1];
    expect(id).toBeDefined();
    const [logged] = await waitFor(() => (unexpected().length > 0 ? unexpected() : undefined), {
      what: 'the unexpected error to be logged',
    });
    expect(logged?.correlationId).toBe(id);
    expect(responses.posts).toEqual([]);
  });

  it('shows a DomainError as its message, and logs no error', async () => {
    const { id: claimId } = await insertClaim(db.db, { claimed_by: EXEC_1 });
    await clickButton(app.slackTarget, { actionId: 'release_claim', value: String(claimId), userId: EXEC_2 });
    const [answer] = await responses.waitFor(1);
    expect(answer?.body).toEqual({
      response_type: 'ephemeral',
      replace_original: false,
      text: 'Only the executive who claimed this call can release it.',
    });
    expect(lines.filter((l) => (l.level ?? 0) >= ERROR)).toEqual([]);
  });
});
