import { EXEC_1, EXEC_2, EXEC_CHANNEL, OUTSIDER } from '../helpers/config';
import { describeOnPostgres } from '../helpers/env';
import { insertComplaint } from '../helpers/factories';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack';
import {
  clickButton,
  type ResponseUrlServer,
  type SlackHttpResponse,
  type SlackTarget,
  sendShortcut,
  sendSlashCommand,
  startResponseUrlServer,
  submitView,
} from '../helpers/slack-requests';
import { createTestDb, type TestDb } from '../helpers/test-db';
import { waitFor } from '../helpers/wait-for';
import { type BotProcess, errorLines, startBot, stopAllBots } from './support/bot-process';
import { ensureBuilt } from './support/build';
import { countRows, visibleCalls } from './support/db-state';
import { postWebhook } from './support/http-client';
import { afterOneMoreRequest, answersExceptSentinels } from './support/sentinel';
import { escalateFormValues, outcomeFormValues, releaseFormValues } from './support/slack-forms';

// Every action, tried by someone who may not take it, against the real process: each is refused (an ephemeral
// answer, a modal error or a 401) and leaves every table and the Slack workspace exactly as they were. OUTSIDER is
// neither an executive nor a support lead; for the call's own buttons and modals, EXEC_2 (an executive, but not
// the one holding the claim) is tried as well.

interface Attempt {
  name: string;
  send(): Promise<{ status: number; body: string }>;
  /** The refusal: in the ack itself, or posted to response_url. */
  refusal: RegExp;
  via: 'ack' | 'response_url' | 'status';
}

describeOnPostgres(
  'authorization: every action refused to those who may not take it (real process, PostgreSQL)',
  () => {
    let db: TestDb;
    let fake: FakeSlack;
    let responses: ResponseUrlServer;
    let bot: BotProcess;
    let target: SlackTarget;
    let open: number;
    let claimId: number;
    let claimed: number;

    beforeAll(async () => {
      await ensureBuilt();
      db = await createTestDb({ poolSize: 2 });
      fake = await startFakeSlack();
      responses = await startResponseUrlServer();
      open = await insertComplaint(db.db);
      claimed = await insertComplaint(db.db);
      const claim = await db.db
        .insertInto('claims')
        .values({ complaint_id: claimed, claimed_by: EXEC_1 })
        .returning('id')
        .executeTakeFirstOrThrow();
      claimId = claim.id;
      // A reached call by EXEC_1, so a follow-up evidence button has something to record against.
      await db.db
        .insertInto('call_attempts')
        .values({
          claim_id: claimId,
          complaint_id: claimed,
          executive: EXEC_1,
          outcome: 'voicemail',
          notes: null,
          follow_up_date: null,
          advocate_assessment: null,
        })
        .execute();
      bot = await startBot({
        label: 'bot',
        env: { DATABASE_URL: db.url, SLACK_API_URL: fake.url, EXECUTIVES: `${EXEC_1},${EXEC_2}` },
      });
      target = bot.slackTarget(responses.url);
    }, 240_000);

    afterAll(async () => {
      await stopAllBots();
      await responses?.close();
      await fake?.close();
      await db?.close();
    });

    const command = (userId: string, name: string, text: string) => () =>
      sendSlashCommand(target, { command: name, text, userId, channelId: 'C1' });
    // Ids are read when the request is sent: the table below is built before beforeAll has seeded them.
    const click = (userId: string, actionId: string, value: () => string) => () =>
      clickButton(target, { actionId, value: value(), userId, channelId: EXEC_CHANNEL });
    const webhook =
      (path: string, body: () => unknown, token: string | null): Attempt['send'] =>
      async () => {
        const res = await postWebhook(bot.baseUrl, path, body(), { token });
        return { status: res.status, body: res.text };
      };

    const attempts = (): Attempt[] => [
      {
        name: 'claim (claim_complaint)',
        send: click(OUTSIDER, 'claim_complaint', () => String(open)),
        refusal: /Only executives can claim/,
        via: 'response_url',
      },
      {
        name: 'release button (release_claim), outsider',
        send: click(OUTSIDER, 'release_claim', () => String(claimId)),
        refusal: /Only the executive who claimed this call can release it/,
        via: 'response_url',
      },
      {
        name: 'release button (release_claim), another executive',
        send: click(EXEC_2, 'release_claim', () => String(claimId)),
        refusal: /Only the executive who claimed this call can release it/,
        via: 'response_url',
      },
      ...[OUTSIDER, EXEC_2].map(
        (userId): Attempt => ({
          name: `release_modal submit by ${userId}`,
          send: () =>
            submitView(target, {
              callbackId: 'release_modal',
              userId,
              privateMetadata: JSON.stringify({ claimId }),
              values: releaseFormValues(),
            }),
          refusal: /belongs to/,
          via: 'ack',
        }),
      ),
      ...[OUTSIDER, EXEC_2].map(
        (userId): Attempt => ({
          name: `log outcome button (log_outcome) by ${userId}`,
          send: click(userId, 'log_outcome', () => String(claimId)),
          refusal: /Only the executive who claimed this call can log it/,
          via: 'response_url',
        }),
      ),
      ...[OUTSIDER, EXEC_2].map(
        (userId): Attempt => ({
          name: `outcome_modal submit by ${userId}`,
          send: () =>
            submitView(target, {
              callbackId: 'outcome_modal',
              userId,
              privateMetadata: JSON.stringify({ claimId }),
              values: outcomeFormValues('reached', { advocate: 'advocate' }),
            }),
          refusal: /belongs to/,
          via: 'ack',
        }),
      ),
      {
        name: 'follow-up evidence button (record_evidence)',
        send: click(OUTSIDER, 'record_evidence', () => `${claimed}:positive_review`),
        refusal: /Only the executive who made this call/,
        via: 'response_url',
      },
      {
        name: '/escalate',
        send: command(OUTSIDER, '/escalate', 'https://help.example.com/t/1 Angry customer'),
        refusal: /Only support leads can escalate/,
        via: 'response_url',
      },
      {
        name: 'escalate_message shortcut',
        send: () =>
          sendShortcut(target, {
            callbackId: 'escalate_message',
            userId: OUTSIDER,
            channelId: 'C1',
            message: { ts: '1732350000.000300', text: 'Customer is furious', user: 'UCUSTOMER' },
          }),
        refusal: /Only support leads can escalate/,
        via: 'response_url',
      },
      {
        name: 'escalate_modal submit',
        send: () =>
          submitView(target, { callbackId: 'escalate_modal', userId: OUTSIDER, values: escalateFormValues() }),
        refusal: /Only support leads can escalate/,
        via: 'ack',
      },
      ...['pick', 'away 2099-05-01..2099-05-02', 'back', 'queue', 'mine'].map(
        (sub): Attempt => ({
          name: `/pickup ${sub}`,
          send: command(OUTSIDER, '/pickup', sub),
          refusal: /Only executives can/,
          via: 'response_url',
        }),
      ),
      {
        name: 'feedback webhook without a token',
        send: webhook('/webhooks/feedback', () => ({ complaintId: claimed, score: 10, comment: 'Great call' }), null),
        refusal: /credentials/,
        via: 'status',
      },
      {
        name: 'feedback webhook with a wrong token',
        send: webhook('/webhooks/feedback', () => ({ complaintId: claimed, score: 10 }), 'not-the-ingest-token-at-all'),
        refusal: /credentials/,
        via: 'status',
      },
      {
        name: 'complaint webhook without a token',
        send: webhook(
          '/webhooks/complaints',
          () => ({ externalId: 'forged-1', subject: 'Forged', priority: 'urgent', customer: { name: 'F' } }),
          null,
        ),
        refusal: /credentials/,
        via: 'status',
      },
    ];

    const claimRows = () => db.db.selectFrom('claims').select(['id', 'claimed_by', 'status']).orderBy('id').execute();
    const answers = () => answersExceptSentinels(responses);

    // Whatever a test sent, the bot stays up and logs no error.
    afterEach(() => {
      expect(bot.isAlive()).toBe(true);
      expect(errorLines(bot)).toEqual([]);
    });

    it.each(attempts().map((a) => [a.name, a] as const))('refuses %s and writes nothing', async (_name, attempt) => {
      const before = await countRows(db.db);
      const claimsBefore = await claimRows();
      const slackCalls = visibleCalls(fake.calls).length;
      const postsBefore = answers().length;

      const res: SlackHttpResponse | { status: number; body: string } = await attempt.send();
      if (attempt.via === 'status') {
        expect(res.status).toBe(401);
        expect(res.body).toMatch(attempt.refusal);
      } else {
        expect(res.status).toBe(200);
      }
      if (attempt.via === 'ack') {
        expect(JSON.parse(res.body)).toMatchObject({ response_action: 'errors' });
        expect(res.body).toMatch(attempt.refusal);
      }
      if (attempt.via === 'response_url') {
        const post = await waitFor(() => answers()[postsBefore], {
          timeoutMs: 10_000,
          what: 'the refusal on response_url',
          seen: () => bot.tail(),
        });
        const refusal = post.body as { response_type?: string; text?: string };
        expect(refusal.text).toMatch(attempt.refusal);
        expect(refusal.response_type).toBe('ephemeral');
      }

      await afterOneMoreRequest(target, responses, bot);
      expect(await countRows(db.db)).toEqual(before);
      expect(await claimRows()).toEqual(claimsBefore);
      expect(visibleCalls(fake.calls).slice(slackCalls)).toEqual([]);
      expect(answers()).toHaveLength(attempt.via === 'response_url' ? postsBefore + 1 : postsBefore);
    });
  },
);
