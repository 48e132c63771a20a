import type { Block, Modal } from '../../src/ports/slack.port';
import { type ScheduleModalModel, type ScheduleModalPreview, scheduleModalModel } from '../../src/settings/schedule';
import { buildScheduleModal, previewBlock, previewText } from '../../src/settings/schedule.blocks';
import { sourceLabel } from '../../src/settings/setting-fields';
import type { EffectiveSetting, SettingSource } from '../../src/settings/settings';
import { viewProblems } from '../helpers/block-kit';

const NOW = new Date('2026-12-21T12:00:00Z');
const BY_ADMIN: SettingSource = { kind: 'slack', by: 'UADMIN001', at: NOW, via: 'slack' };

function blockOf(modal: Modal, blockId: string): Block & Record<string, unknown> {
  const block = modal.blocks.find((b) => b.block_id === blockId);
  if (!block) throw new Error(`no block ${blockId}`);
  return block as Block & Record<string, unknown>;
}

/** The context line shown right after an input block. */
function lineAfter(modal: Modal, blockId: string): string {
  const i = modal.blocks.findIndex((b) => b.block_id === blockId);
  const next = modal.blocks[i + 1];
  if (next?.type !== 'context') throw new Error(`no context after ${blockId}`);
  return next.elements.map((e) => ('text' in e ? e.text : '')).join(' ');
}

function model(effective: EffectiveSetting[]): ScheduleModalModel {
  return scheduleModalModel(effective, NOW);
}

describe('buildScheduleModal', () => {
  it.each<[string, EffectiveSetting[], { setup?: boolean }]>([
    ['the defaults', [], {}],
    ['the defaults, in setup', [], { setup: true }],
    [
      'everything set',
      [
        { name: 'PICK_SCHEDULE', value: '30 9 * * 1,3,5', source: BY_ADMIN },
        { name: 'DIGEST_SCHEDULE', value: '0 17 * * 5', source: { kind: 'env' } },
        { name: 'TIMEZONE', value: 'America/Los_Angeles', source: BY_ADMIN },
        { name: 'HOLIDAYS', value: '2026-12-24,2026-12-31', source: { kind: 'env' } },
        { name: 'HOLIDAY_COUNTRY', value: 'US-CA', source: BY_ADMIN },
      ],
      {},
    ],
    [
      'custom crons',
      [
        { name: 'PICK_SCHEDULE', value: '0 10 1 * *', source: BY_ADMIN },
        { name: 'DIGEST_SCHEDULE', value: '0 9 * * 1,4', source: BY_ADMIN },
      ],
      {},
    ],
  ])('%s: Slack would take it', (_name, effective, options) => {
    expect(viewProblems(buildScheduleModal(model(effective), options))).toEqual([]);
  });

  it('says setup in private_metadata and on its submit button; otherwise Save', () => {
    const setup = buildScheduleModal(model([]), { setup: true });
    expect(setup.callback_id).toBe('settings_schedule');
    expect(JSON.parse(setup.private_metadata ?? '')).toEqual({ setup: true });
    expect(setup.submit?.text).toBe('Finish setup');
    const plain = buildScheduleModal(model([]));
    expect(JSON.parse(plain.private_metadata ?? '')).toEqual({ setup: false });
    expect(plain.submit?.text).toBe('Save');
  });

  it('shows the current days and time as the inputs, each dispatching changes for the preview', () => {
    const modal = buildScheduleModal(model([{ name: 'PICK_SCHEDULE', value: '30 9 * * 1,3,5', source: BY_ADMIN }]));
    const days = blockOf(modal, 'pick_days');
    expect(days).toMatchObject({ type: 'input', optional: false, dispatch_action: true });
    expect((days.element as { initial_options: { value: string }[] }).initial_options.map((o) => o.value)).toEqual([
      '1',
      '3',
      '5',
    ]);
    expect(blockOf(modal, 'pick_time')).toMatchObject({
      dispatch_action: true,
      element: { type: 'timepicker', initial_time: '09:30' },
    });
    expect(lineAfter(modal, 'pick_time')).toBe(
      'Now: Mon, Wed, Fri at 09:30 · set in Slack by <@UADMIN001> on 2026-12-21',
    );
    expect(blockOf(modal, 'digest_day')).toMatchObject({
      element: { type: 'static_select', initial_option: { value: '1' } },
    });
    expect(lineAfter(modal, 'digest_time')).toBe('Now: Mon at 09:00 · default');
  });

  it('leaves a custom cron out of the inputs (optional), names it, and keeps it unless days and time are set', () => {
    const modal = buildScheduleModal(model([{ name: 'PICK_SCHEDULE', value: '0 10 1 * *', source: BY_ADMIN }]));
    const days = blockOf(modal, 'pick_days');
    expect(days).toMatchObject({ optional: true, hint: { text: expect.stringContaining('keep the custom') } });
    expect(days.element).not.toHaveProperty('initial_options');
    expect(blockOf(modal, 'pick_time').element).not.toHaveProperty('initial_time');
    expect(lineAfter(modal, 'pick_time')).toContain('custom: `0 10 1 * *`');
  });

  it('offers the zone and the holiday country as external selects showing the current choice', () => {
    const modal = buildScheduleModal(
      model([
        { name: 'TIMEZONE', value: 'America/New_York', source: { kind: 'env' } },
        { name: 'HOLIDAY_COUNTRY', value: 'FR', source: BY_ADMIN },
        { name: 'HOLIDAYS', value: '2026-12-24,2026-12-31', source: { kind: 'env' } },
      ]),
    );
    expect(blockOf(modal, 'timezone')).toMatchObject({
      optional: false,
      dispatch_action: true,
      element: {
        type: 'external_select',
        action_id: 'settings_timezone',
        initial_option: { value: 'America/New_York', text: { text: 'America/New York' } },
      },
    });
    expect(lineAfter(modal, 'timezone')).toBe('Now: America/New_York · from the environment');
    expect(blockOf(modal, 'holiday_country')).toMatchObject({
      optional: true,
      element: {
        action_id: 'settings_holiday_country',
        initial_option: { value: 'FR', text: { text: 'France (FR)' } },
      },
    });
    expect(blockOf(modal, 'holidays')).toMatchObject({
      element: { type: 'plain_text_input', multiline: true, initial_value: '2026-12-24\n2026-12-31' },
    });
    expect(lineAfter(modal, 'holidays')).toBe('Now: 2026-12-24, 2026-12-31 · from the environment');
  });

  it('shows no country when none is set', () => {
    const modal = buildScheduleModal(model([]));
    expect(blockOf(modal, 'holiday_country').element).not.toHaveProperty('initial_option');
    expect(lineAfter(modal, 'holiday_country')).toBe('Now: none · default');
    expect(lineAfter(modal, 'timezone')).toBe('Now: UTC · default');
  });

  it('previews the next five picks in the zone, with the holidays skipped', () => {
    const modal = buildScheduleModal(
      model([
        { name: 'TIMEZONE', value: 'Europe/Paris', source: BY_ADMIN },
        { name: 'HOLIDAY_COUNTRY', value: 'FR', source: BY_ADMIN },
      ]),
    );
    const preview = blockOf(modal, 'preview');
    expect(preview.type).toBe('context');
    expect(previewTextOf(modal)).toBe(
      '*Next picks* (Europe/Paris): Tue 22 Dec, 10:00 · Wed 23 Dec, 10:00 · Thu 24 Dec, 10:00 · Mon 28 Dec, 10:00 · Tue 29 Dec, 10:00\nNo pick on Fri 25 Dec (Christmas Day).',
    );
  });
});

function previewTextOf(modal: Modal): string {
  const block = modal.blocks.find((b) => b.block_id === 'preview');
  return block?.type === 'context' ? block.elements.map((e) => ('text' in e ? e.text : '')).join('') : '';
}

describe('previewText', () => {
  it.each<[string, ScheduleModalPreview, string]>([
    ['no preview yet', { ok: false, reason: 'Choose a time zone to see the next picks.' }, 'Choose a time zone'],
    ['no pick at all', { ok: true, picks: [], skipped: [], timezone: 'UTC' }, 'no pick in the coming years'],
    [
      'a holiday name with markup',
      {
        ok: true,
        picks: [{ at: new Date('2026-12-22T10:00:00Z'), date: '2026-12-22' }],
        skipped: [{ date: '2026-12-21', reason: 'Day <!channel> & co' }],
        timezone: 'UTC',
      },
      'No pick on Mon 21 Dec (Day &lt;!channel&gt; &amp; co).',
    ],
  ])('%s', (_name, preview, expected) => {
    expect(previewText(preview)).toContain(expected);
    expect(previewBlock(preview)).toMatchObject({ type: 'context', block_id: 'preview' });
  });
});

describe('sourceLabel', () => {
  it.each<[SettingSource, string]>([
    [{ kind: 'env' }, 'from the environment'],
    [{ kind: 'default' }, 'default'],
    [BY_ADMIN, 'set in Slack by <@UADMIN001> on 2026-12-21'],
    [{ kind: 'slack', by: 'ops <!here>', at: NOW, via: 'cli' }, 'set with the CLI by ops &lt;!here&gt; on 2026-12-21'],
    [{ kind: 'slack', by: 'unknown', at: new Date(0), via: 'slack' }, 'set in Slack'],
  ])('%j reads "%s"', (source, text) => {
    expect(sourceLabel(source)).toBe(text);
  });
});
