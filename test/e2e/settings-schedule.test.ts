import { nextPickDates, scheduleModalModel } from '../../src/settings/schedule';
import { effectiveSettings } from '../../src/settings/settings.service';
import { SettingsCallbackIds } from '../../src/shared/ids';
import { EXEC_1, testEnv } from '../helpers/config';
import { type FakeSlack, type RecordedCall, startFakeSlack } from '../helpers/fake-slack';
import {
  checkboxValue,
  selectValue,
  submitView,
  TEST_TEAM,
  textValue,
  type ValueShape,
} from '../helpers/slack-requests';
import { sendBlockSuggestion, sendViewAction } from '../helpers/slack-view-requests';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { createTestDb, resetSettings, type TestDb } from '../helpers/test-db';
import { waitFor } from '../helpers/wait-for';

// Monday 21 December 2026, 12:00 UTC: today's 10:00 pick is over, so the next one is Tuesday's.
const NOW = new Date('2026-12-21T12:00:00Z');
const ADMIN = 'UADMIN001';
const MENU = { callbackId: SettingsCallbackIds.menu, id: 'VMENU0001' };

type Values = Record<string, Record<string, ValueShape>>;

const time = (t: string | null): ValueShape => ({ type: 'timepicker', selected_time: t });
const external = (v: string | null): ValueShape => ({
  type: 'external_select',
  selected_option: v === null ? null : { value: v, text: { type: 'plain_text', text: v } },
});
const number = (v: string): ValueShape => ({ type: 'number_input', value: v });

/** The Schedule modal's state; by default what it shows untouched with the default settings. */
function scheduleValues(over: Partial<Record<string, ValueShape>> = {}): Values {
  const all: Record<string, [string, ValueShape]> = {
    pick_days: ['value', checkboxValue(['1', '2', '3', '4', '5'])],
    pick_time: ['value', time('10:00')],
    digest_day: ['value', selectValue('1')],
    digest_time: ['value', time('09:00')],
    timezone: ['settings_timezone', external('UTC')],
    holidays: ['value', textValue(null)],
    holiday_country: ['settings_holiday_country', external(null)],
  };
  return Object.fromEntries(
    Object.entries(all).map(([block, [action, state]]) => [block, { [action]: over[block] ?? state }]),
  );
}

/** The Rules modal's state; by default what it shows untouched with the default settings. */
function rulesValues(over: Partial<Record<string, ValueShape>> = {}): Values {
  const all: Record<string, ValueShape> = {
    major_priorities: checkboxValue(['urgent', 'high']),
    major_tags: textValue('exec-callback, vip'),
    eligible_days: number('30'),
    cooldown_days: number('90'),
    claim_reminder_hours: number('4'),
    followup_days: number('14'),
    retention_days: number('365'),
    action_themes: textValue(null),
  };
  return Object.fromEntries(Object.entries(all).map(([block, state]) => [block, { value: over[block] ?? state }]));
}

function contextText(view: Record<string, unknown>, blockId: string): string {
  const blocks = view.blocks as { block_id?: string; elements?: { text?: string }[] }[];
  return (blocks.find((b) => b.block_id === blockId)?.elements ?? []).map((e) => e.text ?? '').join('');
}

function viewOf(call: RecordedCall | undefined): Record<string, unknown> {
  const view = call?.args.view;
  if (typeof view !== 'object' || view === null) throw new Error(`no view in ${JSON.stringify(call?.args)}`);
  return view as Record<string, unknown>;
}

describe('Schedule and Rules settings, end to end through Bolt and the fake Slack', () => {
  let db: TestDb;
  let slack: FakeSlack;
  let app: TestApp;

  const changes = () => db.db.selectFrom('settings_changes').selectAll().orderBy('id').execute();
  const effective = () => effectiveSettings(db.db, TEST_TEAM.id, testEnv({ SLACK_API_URL: slack.url }));

  beforeAll(async () => {
    db = await createTestDb();
    slack = await startFakeSlack();
    slack.setUser(ADMIN, { is_admin: true });
    app = await startTestApp(db, slack, { now: () => NOW });
  });
  afterAll(async () => {
    await app?.stop();
    await slack?.close();
    await db?.close();
  });
  // Each test starts from the environment's settings, with no audit, whichever tests ran before it.
  beforeEach(async () => {
    slack.reset();
    await resetSettings(db.db, app.pickup);
  });

  const openFromMenu = async (actionId: string, userId = ADMIN) => {
    const res = await sendViewAction(app.slackTarget, {
      userId,
      view: MENU,
      blockId: 'settings',
      actionId,
      action: { type: 'button', value: actionId, text: { type: 'plain_text', text: 'Edit' } },
    });
    expect(res.status).toBe(200);
  };

  it('an admin opens the Schedule modal over the menu, with the settings as they are and the next picks', async () => {
    await openFromMenu('settings_edit_schedule');
    const [push] = await slack.waitFor('views.push');
    const view = viewOf(push);
    expect(view.callback_id).toBe('settings_schedule');
    expect(contextText(view, 'preview')).toContain('Tue 22 Dec, 10:00');
  });

  it('the zone and country pickers find what the admin types', async () => {
    const view = { callbackId: SettingsCallbackIds.schedule };
    const zones = await sendBlockSuggestion(app.slackTarget, {
      userId: ADMIN,
      view,
      blockId: 'timezone',
      actionId: 'settings_timezone',
      value: 'paris',
    });
    expect(zones.json()).toEqual({
      options: [{ text: { type: 'plain_text', text: 'Europe/Paris' }, value: 'Europe/Paris' }],
    });
    const countries = await sendBlockSuggestion(app.slackTarget, {
      userId: ADMIN,
      view,
      blockId: 'holiday_country',
      actionId: 'settings_holiday_country',
      value: 'califo',
    });
    const found = (countries.json() as { options: { value: string }[] }).options.map((o) => o.value);
    expect(found).toContain('US-CA');
    const none = await sendBlockSuggestion(app.slackTarget, {
      userId: ADMIN,
      view,
      blockId: 'holiday_country',
      actionId: 'settings_holiday_country',
      value: 'no',
    });
    expect((none.json() as { options: { value: string }[] }).options[0]?.value).toBe('none');
    const many = await sendBlockSuggestion(app.slackTarget, {
      userId: ADMIN,
      view,
      blockId: 'timezone',
      actionId: 'settings_timezone',
      value: 'a',
    });
    expect((many.json() as { options: unknown[] }).options).toHaveLength(100);
  });

  it('the preview follows the days, time and zone as the admin changes them, keeping the inputs', async () => {
    const values = scheduleValues({
      pick_days: checkboxValue(['1']),
      pick_time: time('08:00'),
      timezone: external('Europe/Paris'),
    });
    await sendViewAction(app.slackTarget, {
      userId: ADMIN,
      view: { callbackId: SettingsCallbackIds.schedule, id: 'VSCHED001', values, privateMetadata: '{"setup":false}' },
      blockId: 'pick_time',
      actionId: 'value',
      action: { type: 'timepicker', selected_time: '08:00' },
    });
    // This modal's update (an earlier test's menu refresh may still arrive first).
    const update = await waitFor(() => slack.callsTo('views.update').find((c) => c.args.view_id === 'VSCHED001'));
    const view = viewOf(update);
    expect(contextText(view, 'preview')).toBe(
      '*Next picks* (Europe/Paris): Mon 28 Dec, 08:00 · Mon 4 Jan, 08:00 · Mon 11 Jan, 08:00 · Mon 18 Jan, 08:00 · Mon 25 Jan, 08:00',
    );
    // Same block_ids and action_ids, so Slack keeps what the admin entered; nothing is saved yet.
    const blocks = view.blocks as { block_id?: string }[];
    expect(blocks.map((b) => b.block_id)).toEqual(expect.arrayContaining(['pick_days', 'pick_time', 'timezone']));
    expect(await changes()).toEqual([]);
  });

  it('an invalid value gets an inline error and nothing is saved', async () => {
    const impossible = await submitView(app.slackTarget, {
      callbackId: SettingsCallbackIds.schedule,
      userId: ADMIN,
      privateMetadata: '{"setup":false}',
      values: scheduleValues({ holidays: textValue('2026-12-24, 2027-02-30'), timezone: external('Europe/Paris') }),
    });
    expect(impossible.json()).toEqual({
      response_action: 'errors',
      errors: { holidays: '"2027-02-30" is not a date: write real dates as YYYY-MM-DD, e.g. 2026-12-25.' },
    });
    const noDay = await submitView(app.slackTarget, {
      callbackId: SettingsCallbackIds.schedule,
      userId: ADMIN,
      values: scheduleValues({ pick_days: checkboxValue([]) }),
    });
    expect(noDay.json()).toEqual({
      response_action: 'errors',
      errors: { pick_days: 'Tick at least one day for the pick.' },
    });
    const rules = await submitView(app.slackTarget, {
      callbackId: SettingsCallbackIds.rules,
      userId: ADMIN,
      values: rulesValues({ retention_days: number('0'), major_priorities: checkboxValue([]) }),
    });
    expect(rules.json()).toEqual({
      response_action: 'errors',
      errors: { retention_days: 'Enter 1 or more.', major_priorities: 'Tick at least one priority.' },
    });
    expect(await changes()).toEqual([]);
  });

  it('a non-admin is refused: no modal, no change', async () => {
    await openFromMenu('settings_edit_rules', EXEC_1);
    const dm = await waitFor(() => slack.callsTo('chat.postMessage').find((c) => c.args.channel === EXEC_1));
    expect(dm.args).toMatchObject({ channel: EXEC_1, text: expect.stringContaining("Only Pickup's admins") });
    expect(slack.callsTo('views.push')).toEqual([]);
    const res = await submitView(app.slackTarget, {
      callbackId: SettingsCallbackIds.schedule,
      userId: EXEC_1,
      values: scheduleValues({ pick_time: time('07:00') }),
    });
    expect(res.json()).toMatchObject({
      response_action: 'errors',
      errors: { pick_days: expect.stringContaining("Only Pickup's admins can change Pickup's settings") },
    });
    expect(await changes()).toEqual([]);
  });

  it('an admin changes the schedule: the next pick moves, and the audit trail has each change', async () => {
    const before = scheduleModalModel(await effective(), NOW);
    expect(before.preview.ok && before.preview.picks[0]?.date).toBe('2026-12-22');

    const res = await submitView(app.slackTarget, {
      callbackId: SettingsCallbackIds.schedule,
      userId: ADMIN,
      privateMetadata: '{"setup":false}',
      values: scheduleValues({
        pick_days: checkboxValue(['1', '3', '5']),
        pick_time: time('09:30'),
        timezone: external('Europe/Paris'),
        holidays: textValue('2026-12-23'),
        holiday_country: external('FR'),
      }),
    });
    expect(res.status).toBe(200);
    expect(res.body).toBe('');

    const after = await effective();
    const byName = Object.fromEntries(after.map((s) => [s.name, s]));
    expect(byName.PICK_SCHEDULE).toMatchObject({ value: '30 9 * * 1,3,5', source: { kind: 'slack', by: ADMIN } });
    expect(byName.TIMEZONE?.value).toBe('Europe/Paris');
    const calendar = {
      pickSchedule: String(byName.PICK_SCHEDULE?.value),
      timezone: String(byName.TIMEZONE?.value),
      holidays: String(byName.HOLIDAYS?.value).split(','),
      holidayCountry: byName.HOLIDAY_COUNTRY?.value,
    };
    // Wednesday 23 is listed, Friday 25 and 1 January are French public holidays.
    expect(nextPickDates(calendar, NOW).map((p) => p.date)).toEqual([
      '2026-12-28',
      '2026-12-30',
      '2027-01-04',
      '2027-01-06',
      '2027-01-08',
    ]);

    // The modal, opened again, previews the moved picks from the live settings.
    await openFromMenu('settings_edit_schedule');
    const [push] = await slack.waitFor('views.push');
    expect(contextText(viewOf(push), 'preview')).toContain('Mon 28 Dec, 09:30 · Wed 30 Dec, 09:30');

    const audit = await changes();
    expect(audit.map((c) => [c.name, c.old_value, c.new_value, c.changed_by, c.via])).toEqual([
      ['PICK_SCHEDULE', null, '30 9 * * 1,3,5', ADMIN, 'slack'],
      ['TIMEZONE', null, 'Europe/Paris', ADMIN, 'slack'],
      ['HOLIDAYS', null, '2026-12-23', ADMIN, 'slack'],
      ['HOLIDAY_COUNTRY', null, 'FR', ADMIN, 'slack'],
    ]);
  });

  it('an admin changes the rules; an untouched field is not recorded', async () => {
    const res = await submitView(app.slackTarget, {
      callbackId: SettingsCallbackIds.rules,
      userId: ADMIN,
      values: rulesValues({
        major_priorities: checkboxValue(['urgent', 'high', 'normal']),
        eligible_days: number('45'),
        cooldown_days: number('0'),
        action_themes: textValue('Billing\nOnboarding'),
      }),
    });
    expect(res.body).toBe('');
    const all = await changes();
    const latest = all.filter((c) => c.version === Math.max(...all.map((a) => a.version)));
    expect(latest.map((c) => [c.name, c.old_value, c.new_value, c.changed_by]).sort()).toEqual([
      ['ACTION_THEMES', null, 'Billing,Onboarding', ADMIN],
      ['COOLDOWN_DAYS', null, '0', ADMIN],
      ['ELIGIBLE_DAYS', null, '45', ADMIN],
      ['MAJOR_PRIORITIES', null, 'urgent,high,normal', ADMIN],
    ]);
    const byName = Object.fromEntries((await effective()).map((s) => [s.name, s.value]));
    expect(byName).toMatchObject({ ELIGIBLE_DAYS: '45', COOLDOWN_DAYS: '0', MAJOR_TAGS: 'exec-callback,vip' });
  });

  it('the last step of setup closes every modal when saved', async () => {
    // A schedule saved before, outside setup: the last step then changes it.
    const earlier = await submitView(app.slackTarget, {
      callbackId: SettingsCallbackIds.schedule,
      userId: ADMIN,
      privateMetadata: '{"setup":false}',
      values: scheduleValues({
        pick_days: checkboxValue(['1', '3', '5']),
        pick_time: time('09:30'),
        timezone: external('Europe/Paris'),
        holidays: textValue('2026-12-23'),
        holiday_country: external('FR'),
      }),
    });
    expect(earlier.body).toBe('');
    const res = await submitView(app.slackTarget, {
      callbackId: SettingsCallbackIds.schedule,
      userId: ADMIN,
      privateMetadata: '{"setup":true}',
      values: scheduleValues({
        pick_days: checkboxValue(['1', '3', '5']),
        pick_time: time('10:15'),
        timezone: external('Europe/Paris'),
        holidays: textValue('2026-12-23'),
        holiday_country: external('FR'),
      }),
    });
    expect(res.json()).toEqual({ response_action: 'clear' });
    const last = (await changes()).at(-1);
    expect(last).toMatchObject({ name: 'PICK_SCHEDULE', old_value: '30 9 * * 1,3,5', new_value: '15 10 * * 1,3,5' });
  });
});
