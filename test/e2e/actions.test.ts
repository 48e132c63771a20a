import { EXEC_1, EXEC_2, OUTSIDER } from '../helpers/config';
import { insertComplaint } from '../helpers/factories';
import { type FakeSlack, type RecordedCall, startFakeSlack } from '../helpers/fake-slack';
import { httpDriver, type SlackDriver } from '../helpers/slack-driver';
import {
  type ResponseUrlServer,
  selectValue,
  startResponseUrlServer,
  textValue,
  type ValueShape,
} from '../helpers/slack-requests';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { createTestDb, type TestDb } from '../helpers/test-db';
import { waitFor } from '../helpers/wait-for';

const PHONE = '+14155550142';
const EMAIL = 'lin@example.com';
const DUE = '2099-01-15';

/**
 * The actions lifecycle through the public interface: signed Slack requests in, the fake Slack Web API out.
 * An outcome with "what should change" → the owner's DM with its buttons → Done, Won't do (with a reason) or
 * Reassign → the owner's DM edited, and the executive who asked told.
 */
describe('actions, end to end through Bolt and the fake Slack', () => {
  let db: TestDb;
  let slack: FakeSlack;
  let app: TestApp;
  let driver: SlackDriver;
  let responses: ResponseUrlServer;
  let owners = 0;

  beforeAll(async () => {
    db = await createTestDb();
    slack = await startFakeSlack();
    app = await startTestApp(db, slack);
    responses = await startResponseUrlServer();
    driver = httpDriver(app.slackTarget);
    driver.responseUrl = responses.url;
  });
  afterAll(async () => {
    await app.stop();
    await responses.close();
    await slack.close();
    await db.close();
  });

  const userSelect = (user: string): ValueShape => ({ type: 'users_select', selected_user: user });
  const dateSelect = (date: string): ValueShape => ({ type: 'datepicker', selected_date: date });

  /** The DMs Pickup posted to `userId` that carry `text`. */
  const dmsTo = (userId: string, text: string): RecordedCall[] =>
    slack.callsTo('chat.postMessage').filter((c) => c.args.channel === userId && JSON.stringify(c.args).includes(text));

  const buttonsOf = (call: RecordedCall | undefined): string[] =>
    JSON.stringify(call?.args.blocks ?? []).match(/"action_id":"action_[a-z_]+"/g) ?? [];

  /**
   * EXEC_1 claims a new complaint and logs a reached call saying what should change, owned by a new user.
   * Returns the action's id and its owner, once the owner's DM has gone out.
   */
  async function logCallWithAction(
    description: string,
  ): Promise<{ actionId: number; owner: string; dm: RecordedCall }> {
    owners += 1;
    const owner = `UOWNER${String(owners).padStart(4, '0')}`;
    const complaintId = await insertComplaint(db.db, { customer: { phone: PHONE, email: EMAIL } });
    await driver.clickButton({ actionId: 'claim_complaint', value: String(complaintId), userId: EXEC_1 });
    const claim = await waitFor(
      () => db.db.selectFrom('claims').select('id').where('complaint_id', '=', complaintId).executeTakeFirst(),
      { timeoutMs: 10_000, what: 'the claim' },
    );
    const ack = await driver.submitView({
      callbackId: 'outcome_modal',
      userId: EXEC_1,
      privateMetadata: JSON.stringify({ claimId: claim.id }),
      values: {
        outcome: { value: selectValue('reached') },
        change: { value: textValue(`${description} (mail ${EMAIL})`) },
        theme: { value: selectValue('billing') },
        action_owner: { value: userSelect(owner) },
        action_due: { value: dateSelect(DUE) },
      },
    });
    expect(ack.payload).toBeUndefined();
    const dm = await waitFor(() => dmsTo(owner, description)[0], { timeoutMs: 10_000, what: `the DM to ${owner}` });
    const { id } = await db.db
      .selectFrom('actions')
      .select('id')
      .where('complaint_id', '=', complaintId)
      .executeTakeFirstOrThrow();
    return { actionId: id, owner, dm };
  }

  /** The edits of the message `post` created. */
  const editsOf = (post: RecordedCall) =>
    slack.callsTo('chat.update').filter((c) => c.args.channel === `D${String(post.args.channel)}`);

  it('an outcome with a change DMs the owner the action with its buttons, without contact details', async () => {
    const { actionId, owner, dm } = await logCallWithAction('Refund double charges within a day');
    expect(buttonsOf(dm)).toEqual([
      '"action_id":"action_done"',
      '"action_id":"action_wont_do"',
      '"action_id":"action_reassign"',
    ]);
    expect(JSON.stringify(dm.args)).toContain(`"value":"${actionId}"`);
    expect(JSON.stringify(dm.args)).not.toContain(EMAIL);
    expect(JSON.stringify(dm.args)).not.toContain(PHONE);
    expect(dm.args.channel).toBe(owner);
  });

  it('an invalid change is answered in the modal and nothing is written', async () => {
    const before = await db.db.selectFrom('actions').select('id').execute();
    const ack = await driver.submitView({
      callbackId: 'outcome_modal',
      userId: EXEC_1,
      privateMetadata: JSON.stringify({ claimId: 1 }),
      values: { outcome: { value: selectValue('reached') }, theme: { value: selectValue('billing') } },
    });
    expect(ack.payload).toMatchObject({ response_action: 'errors', errors: { change: expect.any(String) } });
    expect(await db.db.selectFrom('actions').select('id').execute()).toEqual(before);
  });

  it('Done closes it: the owner’s DM loses its buttons and the executive who asked is told', async () => {
    const { actionId, owner, dm } = await logCallWithAction('Stop double charging');
    await driver.clickButton({
      actionId: 'action_done',
      value: String(actionId),
      userId: owner,
      channelId: `D${owner}`,
    });
    const edit = await waitFor(() => editsOf(dm)[0], { timeoutMs: 10_000, what: 'the edit of the owner’s DM' });
    expect(buttonsOf(edit)).toEqual([]);
    expect(JSON.stringify(edit.args)).toContain('Done by');
    const notice = await waitFor(() => dmsTo(EXEC_1, 'Stop double charging').find((c) => c !== dm), {
      timeoutMs: 10_000,
      what: 'the notice',
    });
    expect(JSON.stringify(notice.args)).toContain('is done');
    expect(JSON.stringify(notice.args)).not.toContain(EMAIL);
    const row = await db.db.selectFrom('actions').selectAll().where('id', '=', actionId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'done', closed_by: owner });
  });

  it('Won’t do asks for a reason, then closes it and tells the asker why', async () => {
    const { actionId, owner, dm } = await logCallWithAction('Ship invoices by post');
    await driver.clickButton({ actionId: 'action_wont_do', value: String(actionId), userId: owner });
    const open = await waitFor(
      () => slack.callsTo('views.open').find((c) => JSON.stringify(c.args.view).includes('action_wont_do_modal')),
      { timeoutMs: 10_000, what: 'the won’t-do modal' },
    );
    expect(open.args.view).toMatchObject({ private_metadata: JSON.stringify({ actionId }) });
    const submission = {
      callbackId: 'action_wont_do_modal',
      userId: owner,
      privateMetadata: JSON.stringify({ actionId }),
    };
    const empty = await driver.submitView({ ...submission, values: { reason: { value: textValue(null) } } });
    expect(empty.payload).toMatchObject({ response_action: 'errors', errors: { reason: expect.any(String) } });
    const ack = await driver.submitView({ ...submission, values: { reason: { value: textValue('Paper is gone') } } });
    expect(ack.payload).toBeUndefined();
    const notice = await waitFor(() => dmsTo(EXEC_1, 'Paper is gone')[0], {
      timeoutMs: 10_000,
      what: 'the notice with the reason',
    });
    expect(JSON.stringify(notice.args)).toContain("won't be done");
    const edit = await waitFor(() => editsOf(dm)[0], { timeoutMs: 10_000, what: 'the edit of the owner’s DM' });
    expect(buttonsOf(edit)).toEqual([]);
  });

  it('Reassign gives it to the new owner by DM and edits the old owner’s', async () => {
    const { actionId, owner, dm } = await logCallWithAction('Call back within the hour');
    await driver.clickButton({ actionId: 'action_reassign', value: String(actionId), userId: EXEC_2 });
    await waitFor(
      () => slack.callsTo('views.open').find((c) => JSON.stringify(c.args.view).includes('action_reassign_modal')),
      { timeoutMs: 10_000, what: 'the reassign modal' },
    );
    const ack = await driver.submitView({
      callbackId: 'action_reassign_modal',
      userId: EXEC_2,
      privateMetadata: JSON.stringify({ actionId }),
      values: { new_owner: { value: userSelect('UNEWOWNER') } },
    });
    expect(ack.payload).toBeUndefined();
    const newDm = await waitFor(() => dmsTo('UNEWOWNER', 'Call back within the hour')[0], {
      timeoutMs: 10_000,
      what: 'the new owner’s DM',
    });
    expect(buttonsOf(newDm)).toContain('"action_id":"action_done"');
    const edit = await waitFor(() => editsOf(dm)[0], { timeoutMs: 10_000, what: 'the edit of the old owner’s DM' });
    expect(JSON.stringify(edit.args)).toContain('Reassigned to <@UNEWOWNER>');
    expect(buttonsOf(edit)).toEqual([]);
    expect(owner).not.toBe('UNEWOWNER');
  });

  it('refuses someone who is neither owner, asker nor executive, privately, and nothing changes', async () => {
    const { actionId } = await logCallWithAction('Answer chats on weekends');
    const before = responses.posts.length;
    await driver.clickButton({ actionId: 'action_done', value: String(actionId), userId: OUTSIDER });
    const [refusal] = (await responses.waitFor(before + 1)).slice(before);
    expect(refusal?.body).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('Only <@') });
    const row = await db.db.selectFrom('actions').selectAll().where('id', '=', actionId).executeTakeFirstOrThrow();
    expect(row.status).toBe('open');
  });
});
