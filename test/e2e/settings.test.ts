import type { Block } from '../../src/ports/slack.port';
import { GROUP_ACTION_IDS } from '../../src/settings/settings.modals';
import { viewProblems } from '../helpers/block-kit';
import { EXEC_1, EXEC_2, EXEC_CHANNEL, LEAD_1, LEADERSHIP_CHANNEL, OUTSIDER } from '../helpers/config';
import { insertComplaint } from '../helpers/factories';
import { type FakeSlack, type RecordedCall, startFakeSlack } from '../helpers/fake-slack';
import { httpDriver, type SlackDriver } from '../helpers/slack-driver';
import {
  buttonClickPayload,
  checkboxValue,
  selectValue,
  sendInteraction,
  textValue,
  type ValueShape,
  viewSubmissionPayload,
} from '../helpers/slack-requests';
import { sendBlockSuggestion, sendViewAction } from '../helpers/slack-view-requests';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { createTestDb, resetSettings, type TestDb } from '../helpers/test-db';
import { waitFor } from '../helpers/wait-for';

const ADMIN = 'UADMIN001';
const NEW_EXEC = 'UNEWEXEC1';
const NEW_LEAD = 'UNEWLEAD1';
const GROUP = 'SLEADERS1';
const NEW_EXEC_CHANNEL = 'CNEWEXEC1';
const SUPPORT = 'CSUPPORT1';
const PRIVATE_WITHOUT_BOT = 'GPRIVATE1';
const ARCHIVED = 'CARCHIVE1';

type Values = Record<string, Record<string, ValueShape>>;

/** A click on a button in the App Home: a view container, no response_url and no channel. */
function homeClick(actionId: string, userId: string, value = actionId): Record<string, unknown> {
  const payload = buttonClickPayload({ actionId, value, userId });
  const { response_url: _url, channel: _channel, message: _message, ...rest } = payload;
  return { ...rest, container: { type: 'view', view_id: 'VHOME' }, view: { id: 'VHOME', type: 'home' } };
}

/** A click on one of the settings menu's buttons. */
function menuClick(app: TestApp, actionId: string, userId: string) {
  return sendViewAction(app.slackTarget, {
    userId,
    view: { callbackId: 'settings_menu', id: 'VMENU' },
    blockId: 'b',
    actionId,
    action: { type: 'button', value: actionId },
  });
}

const conversation = (id: string | null): ValueShape => ({ type: 'conversations_select', selected_conversation: id });
const users = (ids: string[]): ValueShape => ({ type: 'multi_users_select', selected_users: ids });
const groups = (ids: string[]): ValueShape => ({
  type: 'multi_external_select',
  selected_options: ids.map((id) => ({ text: { type: 'plain_text', text: id }, value: id })),
});

function channelValues(exec: string | null, leadership: string | null, support: string | null = null): Values {
  return {
    EXEC_CHANNEL: { value: conversation(exec) },
    LEADERSHIP_CHANNEL: { value: conversation(leadership) },
    SUPPORT_CHANNEL: { value: conversation(support) },
  };
}

function peopleValues(p: { executives: string[]; execGroups?: string[]; leads: string[]; leadGroups?: string[] }) {
  return {
    EXECUTIVES: { value: users(p.executives) },
    EXECUTIVES_GROUPS: { [GROUP_ACTION_IDS.EXECUTIVES]: groups(p.execGroups ?? []) },
    SUPPORT_LEADS: { value: users(p.leads) },
    SUPPORT_LEADS_GROUPS: { [GROUP_ACTION_IDS.SUPPORT_LEADS]: groups(p.leadGroups ?? []) },
  };
}

/** The Schedule modal's state as shown with the default settings, the pick moved to `pickTime`. */
function scheduleValues(pickTime: string): Values {
  const external = (v: string | null): ValueShape => ({
    type: 'external_select',
    selected_option: v === null ? null : { value: v, text: { type: 'plain_text', text: v } },
  });
  return {
    pick_days: { value: checkboxValue(['1', '2', '3', '4', '5']) },
    pick_time: { value: { type: 'timepicker', selected_time: pickTime } },
    digest_day: { value: selectValue('1') },
    digest_time: { value: { type: 'timepicker', selected_time: '09:00' } },
    timezone: { settings_timezone: external('UTC') },
    holidays: { value: textValue(null) },
    holiday_country: { settings_holiday_country: external(null) },
  };
}

/** Submits a settings modal as `userId`, as pushed on the menu (VMENU) unless `previousViewId` says otherwise. */
async function submit(
  app: TestApp,
  submission: { callbackId: string; userId: string; values: Values; mode?: 'edit' | 'setup' },
): Promise<unknown> {
  const payload = viewSubmissionPayload({
    callbackId: submission.callbackId,
    userId: submission.userId,
    values: submission.values,
    privateMetadata: JSON.stringify({ mode: submission.mode ?? 'edit' }),
  });
  const view = {
    ...(payload.view as Record<string, unknown>),
    previous_view_id: submission.mode === 'setup' ? null : 'VMENU',
  };
  const res = await sendInteraction(app.slackTarget, { ...payload, view });
  expect(res.status).toBe(200);
  return res.body === '' ? undefined : res.json();
}

async function changes(db: TestDb) {
  return db.db.selectFrom('settings_changes').selectAll().orderBy('id').execute();
}

/** The views Pickup opened, pushed or published, by their callback_id or type. */
function viewOf(call: RecordedCall | undefined): { callback_id?: string; blocks: Block[]; private_metadata?: string } {
  if (!call) throw new Error('no view call');
  expect(call.failure).toBeUndefined();
  return call.args.view as { callback_id?: string; blocks: Block[] };
}

describe('settings in Slack, end to end through Bolt and the fake Slack', () => {
  let db: TestDb;
  let slack: FakeSlack;
  let app: TestApp;
  let driver: SlackDriver;

  beforeAll(async () => {
    db = await createTestDb();
    slack = await startFakeSlack();
    slack.setUser(ADMIN, { is_admin: true });
    slack.setUserGroup(GROUP, [NEW_LEAD], { name: 'Support leaders', handle: 'support-leaders' });
    slack.setUserGroup('SOTHERS01', [], { name: 'Engineering', handle: 'eng' });
    slack.setChannel(PRIVATE_WITHOUT_BOT, { is_private: true, is_member: false });
    slack.setChannel(ARCHIVED, { is_archived: true, name: 'old-execs' });
    app = await startTestApp(db, slack);
    driver = httpDriver(app.slackTarget);
  });
  afterAll(async () => {
    await app.stop();
    await slack.close();
    await db.close();
  });
  beforeEach(async () => {
    slack.reset();
    await resetSettings(db.db, app.pickup);
  });

  it('refuses a non-admin who opens the settings, by a short DM naming the admins, and opens nothing', async () => {
    await sendInteraction(app.slackTarget, homeClick('open_settings', OUTSIDER));
    const dm = await waitFor(() => slack.callsTo('chat.postMessage').find((c) => c.args.channel === OUTSIDER));
    expect(dm.args.text).toBe("Only Pickup's admins can change Pickup's settings: the workspace's admins and owners.");
    expect(slack.callsTo('views.open')).toHaveLength(0);
  });

  it('refuses a non-admin’s submission inline, and saves nothing', async () => {
    const ack = await submit(app, {
      callbackId: 'settings_channels',
      userId: OUTSIDER,
      values: channelValues(NEW_EXEC_CHANNEL, LEADERSHIP_CHANNEL),
    });
    expect(ack).toEqual({
      response_action: 'errors',
      errors: { EXEC_CHANNEL: expect.stringContaining("Only Pickup's admins can change Pickup's settings") },
    });
    expect(await changes(db)).toEqual([]);
  });

  it('refuses a private channel without Pickup, and an archived one, inline; nothing is saved', async () => {
    const ack = await submit(app, {
      callbackId: 'settings_channels',
      userId: ADMIN,
      values: channelValues(PRIVATE_WITHOUT_BOT, ARCHIVED),
    });
    expect(ack).toEqual({
      response_action: 'errors',
      errors: {
        EXEC_CHANNEL: expect.stringContaining('Invite @Pickup to this channel first (/invite @Pickup'),
        LEADERSHIP_CHANNEL: expect.stringContaining('#old-execs is archived'),
      },
    });
    expect(
      slack
        .callsTo('conversations.info')
        .map((c) => c.args.channel)
        .sort(),
    ).toEqual([ARCHIVED, PRIVATE_WITHOUT_BOT]);
    expect(await changes(db)).toEqual([]);
  });

  it('refuses a People form with no executives inline; nothing is saved', async () => {
    const ack = await submit(app, {
      callbackId: 'settings_people',
      userId: ADMIN,
      values: peopleValues({ executives: [], leads: [LEAD_1] }),
    });
    expect(ack).toEqual({
      response_action: 'errors',
      errors: { EXECUTIVES: expect.stringContaining('Choose at least one executive') },
    });
    expect(await changes(db)).toEqual([]);
  });

  it('opens the settings menu for an admin, with each group’s values and sources, and the Channels modal on top', async () => {
    await sendInteraction(app.slackTarget, homeClick('open_settings', ADMIN));
    const menu = viewOf((await slack.waitFor('views.open', 1))[0]);
    expect(menu.callback_id).toBe('settings_menu');
    expect(viewProblems(menu)).toEqual([]);
    const text = JSON.stringify(menu.blocks);
    expect(text).toContain(`*Executives' channel*: <#${EXEC_CHANNEL}> · from the environment`);
    for (const id of [
      'settings_edit_channels',
      'settings_edit_people',
      'settings_edit_schedule',
      'settings_edit_rules',
    ]) {
      expect(text).toContain(`"action_id":"${id}"`);
    }

    await menuClick(app, 'settings_edit_channels', ADMIN);
    const channels = viewOf((await slack.waitFor('views.push', 1))[0]);
    expect(channels.callback_id).toBe('settings_channels');
    expect(JSON.stringify(channels.blocks)).toContain(`"initial_conversation":"${EXEC_CHANNEL}"`);
  });

  it('saves an admin’s new channels, audits them, refreshes the menu and the admin’s App Home', async () => {
    const ack = await submit(app, {
      callbackId: 'settings_channels',
      userId: ADMIN,
      values: channelValues(NEW_EXEC_CHANNEL, LEADERSHIP_CHANNEL, SUPPORT),
    });
    expect(ack).toBeUndefined();
    const rows = await changes(db);
    expect(rows.map((r) => [r.name, r.old_value, r.new_value, r.changed_by, r.via])).toEqual([
      ['EXEC_CHANNEL', null, NEW_EXEC_CHANNEL, ADMIN, 'slack'],
      ['SUPPORT_CHANNEL', null, SUPPORT, ADMIN, 'slack'],
    ]);
    // The menu as refreshed after this save (an earlier test's refresh may still arrive first).
    const menu = `*Executives' channel*: <#${NEW_EXEC_CHANNEL}> · set in Slack by <@${ADMIN}>`;
    const update = await waitFor(
      () => slack.callsTo('views.update').find((c) => JSON.stringify(c.args.view).includes(menu)),
      { what: 'the menu refreshed with the new channel' },
    );
    expect(update.args.view_id).toBe('VMENU');
    // The admin's Home as republished after this save (an earlier test's republish may still arrive first).
    const saved = `<#${NEW_EXEC_CHANNEL}> · set in Slack by <@${ADMIN}>`;
    const home = await waitFor(
      () =>
        slack
          .callsTo('views.publish')
          .find((c) => c.args.user_id === ADMIN && JSON.stringify(c.args.view).includes(saved)),
      { what: "the admin's Home with the new channel" },
    );
    expect(JSON.stringify(home.args.view)).toContain('"action_id":"open_settings"');
  });

  it('offers the workspace’s user groups in the People modal, filtered by what is typed', async () => {
    await menuClick(app, 'settings_edit_people', ADMIN);
    const people = viewOf((await slack.waitFor('views.push', 1))[0]);
    expect(people.callback_id).toBe('settings_people');
    expect(viewProblems(people)).toEqual([]);

    const res = await sendBlockSuggestion(app.slackTarget, {
      userId: ADMIN,
      view: { callbackId: 'settings_people', id: 'VPEOPLE' },
      blockId: 'SUPPORT_LEADS_GROUPS',
      actionId: GROUP_ACTION_IDS.SUPPORT_LEADS,
      value: 'LEAD',
    });
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({
      options: [{ text: { type: 'plain_text', text: 'Support leaders (@support-leaders)' }, value: GROUP }],
    });
  });

  it('applies a change of executives on the very next claim: a new executive can claim, a removed one cannot', async () => {
    const ack = await submit(app, {
      callbackId: 'settings_people',
      userId: ADMIN,
      values: peopleValues({ executives: [NEW_EXEC, EXEC_2], leads: [LEAD_1], leadGroups: [GROUP] }),
    });
    expect(ack).toBeUndefined();

    const forNew = await insertComplaint(db.db);
    await sendInteraction(app.slackTarget, homeClick('claim_complaint', NEW_EXEC, String(forNew)));
    const claim = await waitFor(
      () => db.db.selectFrom('claims').select('claimed_by').where('complaint_id', '=', forNew).executeTakeFirst(),
      { what: "the new executive's claim" },
    );
    expect(claim.claimed_by).toBe(NEW_EXEC);

    const forRemoved = await insertComplaint(db.db);
    await sendInteraction(app.slackTarget, homeClick('claim_complaint', EXEC_1, String(forRemoved)));
    const refusal = await waitFor(
      () =>
        slack
          .callsTo('chat.postMessage')
          .find((c) => c.args.channel === EXEC_1 && String(c.args.text).includes('Only executives can claim')),
      { what: "the removed executive's refusal" },
    );
    expect(String(refusal.args.text)).toContain(`<@${NEW_EXEC}>`);
    const claims = await db.db.selectFrom('claims').select('id').where('complaint_id', '=', forRemoved).execute();
    expect(claims).toEqual([]);
  });

  it('keeps the audit trail of every change: who, when, old and new values', async () => {
    await submit(app, {
      callbackId: 'settings_people',
      userId: ADMIN,
      values: peopleValues({ executives: [NEW_EXEC, EXEC_2], leads: [LEAD_1], leadGroups: [GROUP] }),
    });
    await submit(app, {
      callbackId: 'settings_people',
      userId: ADMIN,
      values: peopleValues({ executives: [NEW_EXEC], leads: [LEAD_1], leadGroups: [GROUP] }),
    });
    const rows = (await changes(db)).filter((r) => r.name === 'EXECUTIVES' || r.name === 'SUPPORT_LEADS');
    expect(rows.map((r) => [r.name, r.old_value, r.new_value, r.changed_by, r.via])).toEqual([
      ['EXECUTIVES', null, `${NEW_EXEC},${EXEC_2}`, ADMIN, 'slack'],
      ['SUPPORT_LEADS', null, `${LEAD_1},${GROUP}`, ADMIN, 'slack'],
      ['EXECUTIVES', `${NEW_EXEC},${EXEC_2}`, NEW_EXEC, ADMIN, 'slack'],
    ]);
    for (const row of rows) expect(row.changed_at).toBeInstanceOf(Date);
    // Nothing of the unchanged support leads was written again.
    expect(rows.filter((r) => r.name === 'SUPPORT_LEADS')).toHaveLength(1);
  });

  it('shows a non-admin’s App Home no settings, and no setup notice when the essentials are set', async () => {
    await driver.sendEvent({ type: 'app_home_opened', user: OUTSIDER, channel: 'D1', tab: 'home', event_ts: '1.1' });
    const home = await waitFor(() => slack.callsTo('views.publish').find((c) => c.args.user_id === OUTSIDER));
    const view = JSON.stringify(home.args.view);
    expect(view).not.toContain("isn't set up yet");
    expect(view).not.toContain('open_settings');
  });
});

describe('the first-run walk-through, from a fresh install with no channels and no people', () => {
  let db: TestDb;
  let slack: FakeSlack;
  let app: TestApp;
  let driver: SlackDriver;

  beforeAll(async () => {
    db = await createTestDb();
    slack = await startFakeSlack();
    slack.setUser(ADMIN, { is_admin: true });
    app = await startTestApp(db, slack, {
      env: { EXEC_CHANNEL: '', LEADERSHIP_CHANNEL: '', EXECUTIVES: '', SUPPORT_LEADS: '' },
    });
    driver = httpDriver(app.slackTarget);
  });
  afterAll(async () => {
    await app.stop();
    await slack.close();
    await db.close();
  });
  beforeEach(async () => {
    slack.reset();
    await resetSettings(db.db, app.pickup);
  });

  async function openHome(user: string): Promise<string> {
    slack.reset();
    await driver.sendEvent({ type: 'app_home_opened', user, channel: 'D1', tab: 'home', event_ts: '1.1' });
    // This person's Home: a republish for someone else, late from an earlier test's save, must not stand in for it.
    const call = await waitFor(() => slack.callsTo('views.publish').find((c) => c.args.user_id === user), {
      what: `the Home of ${user}`,
    });
    expect(call.failure).toBeUndefined();
    return JSON.stringify(call.args.view);
  }

  it('tells everyone what is missing; only an admin gets the Set up Pickup button', async () => {
    const other = await openHome(OUTSIDER);
    expect(other).toContain("Pickup isn't set up yet");
    expect(other).toContain("the executives' channel, the leadership channel, the executives and the support leads");
    expect(other).toContain("Ask one of Pickup's admins to set it up: the workspace's admins and owners.");
    expect(other).not.toContain('setup_pickup');

    const admin = await openHome(ADMIN);
    expect(admin).toContain("Pickup isn't set up yet");
    expect(admin).toContain('"action_id":"setup_pickup"');
    expect(admin).toContain('"action_id":"open_settings"');
  });

  it('refuses the setup button to a non-admin', async () => {
    await sendInteraction(app.slackTarget, homeClick('setup_pickup', OUTSIDER));
    // Only the refusal DM (the welcome an earlier test's setup queued may still be on its way to the channel).
    const dm = await waitFor(() => slack.callsTo('chat.postMessage').find((c) => c.args.channel === OUTSIDER));
    expect(dm.args.text).toContain("Only Pickup's admins can change Pickup's settings");
    expect(slack.callsTo('views.open')).toHaveLength(0);
  });

  it('walks an admin through channels, then people, and ends with the settings saved', async () => {
    await sendInteraction(app.slackTarget, homeClick('setup_pickup', ADMIN));
    const first = viewOf((await slack.waitFor('views.open', 1))[0]);
    expect(first.callback_id).toBe('settings_channels');
    expect(JSON.parse(first.private_metadata ?? '')).toEqual({ mode: 'setup' });

    const toPeople = (await submit(app, {
      callbackId: 'settings_channels',
      userId: ADMIN,
      mode: 'setup',
      values: channelValues(EXEC_CHANNEL, LEADERSHIP_CHANNEL),
    })) as { response_action: string; view: { callback_id: string; private_metadata: string } };
    expect(toPeople.response_action).toBe('update');
    expect(toPeople.view.callback_id).toBe('settings_people');
    expect(JSON.parse(toPeople.view.private_metadata)).toEqual({ mode: 'setup' });
    expect(viewProblems(toPeople.view)).toEqual([]);

    const toSchedule = (await submit(app, {
      callbackId: 'settings_people',
      userId: ADMIN,
      mode: 'setup',
      values: peopleValues({ executives: [EXEC_1], leads: [LEAD_1] }),
    })) as {
      response_action: string;
      view: { callback_id: string; private_metadata: string; submit: { text: string } };
    };
    expect(toSchedule.response_action).toBe('update');
    expect(toSchedule.view.callback_id).toBe('settings_schedule');
    expect(JSON.parse(toSchedule.view.private_metadata)).toEqual({ setup: true });
    expect(toSchedule.view.submit.text).toBe('Finish setup');
    expect(viewProblems(toSchedule.view)).toEqual([]);

    // The Schedule step is answered by the schedule settings' own listener: weekdays at 9:30, the rest as shown.
    const done = await sendInteraction(app.slackTarget, {
      ...viewSubmissionPayload({
        callbackId: 'settings_schedule',
        userId: ADMIN,
        privateMetadata: toSchedule.view.private_metadata,
        values: scheduleValues('09:30'),
      }),
    });
    expect(done.json()).toEqual({ response_action: 'clear' });

    const record = await db.db.selectFrom('workspace_settings').select('values').executeTakeFirstOrThrow();
    expect(record.values).toEqual({
      EXEC_CHANNEL,
      LEADERSHIP_CHANNEL,
      EXECUTIVES: EXEC_1,
      SUPPORT_LEADS: LEAD_1,
      PICK_SCHEDULE: '30 9 * * 1-5',
    });
    // The admin's App Home, republished once the People step completed the essentials, no longer asks for setup.
    const home = await waitFor(
      () =>
        slack
          .callsTo('views.publish')
          .find((c) => c.args.user_id === ADMIN && JSON.stringify(c.args.view).includes('<@UEXEC0001> · set in Slack')),
      { what: "the admin's App Home after setup" },
    );
    expect(JSON.stringify(home.args.view)).not.toContain("isn't set up yet");
    expect(await openHome(OUTSIDER)).not.toContain("isn't set up yet");
  });
});
