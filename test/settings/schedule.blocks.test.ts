import { scheduleModalModel } from '../../src/settings/schedule';
import { buildScheduleModal } from '../../src/settings/schedule.blocks';
import type { EffectiveSetting } from '../../src/settings/settings';
import { viewProblems } from '../helpers/block-kit';

const NOW = new Date('2026-12-21T12:00:00Z');

describe('buildScheduleModal', () => {
  it('builds a valid modal from the defaults; in setup mode it says so', () => {
    const effective: EffectiveSetting[] = [];
    const modal = buildScheduleModal(scheduleModalModel(effective, NOW), { setup: true });
    expect(viewProblems(modal)).toEqual([]);
    expect(modal.callback_id).toBe('settings_schedule');
    expect(JSON.parse(modal.private_metadata ?? '')).toEqual({ setup: true });
    expect(modal.submit?.text).toBe('Finish setup');
  });
});
