import { describePickResult, runPickJob } from '../picks/pick.job';
import { describeSchedule, nextPickDates } from '../settings/schedule';
import type { EffectiveSetting, SettingsChange } from '../settings/settings';
import { describeSettingValue, describeSource } from '../settings/settings.text';
import { momentLabel } from './demo-clock';
import type { DemoRun } from './demo-run';
import { PEOPLE } from './demo-workspace';

/** The schedule the admin picks in the Schedule modal: Mondays, Wednesdays and Fridays at 08:30. */
const NEW_PICK_SCHEDULE = '30 8 * * 1,3,5';

/**
 * Saves a change as the settings modal's submit does (validated, audited as the admin's, applied at once), and
 * prints each setting that changed, old → new, with where each value comes from.
 */
async function saveInModal(run: DemoRun, modal: string, change: SettingsChange): Promise<void> {
  const { admin } = PEOPLE;
  const byName = (settings: EffectiveSetting[]) => new Map(settings.map((s) => [s.name, s]));
  const before = byName(await run.settings.effective());
  const result = await run.settings.save(change, { via: 'slack', userId: admin.id }, run.clock.now());
  if (!result.ok) throw new Error(`the demo's settings were refused: ${JSON.stringify(result.problems)}`);
  const after = byName(await run.settings.effective());
  run.out(`@${admin.id} saves the ${modal} modal (settings version ${result.version}):`);
  const show = (s: EffectiveSetting | undefined) =>
    s ? `${describeSettingValue(s)} (${describeSource(s.source)})` : '';
  for (const name of result.changed) run.out(`  ${name}: ${show(before.get(name))} → ${show(after.get(name))}`);
}

/**
 * An admin adds an executive (People) and moves the daily pick (Schedule) in Pickup's settings, as the App Home's
 * modals save them; the change applies at once: the new executive may claim, and the next pick moves.
 */
export async function adminChangesSettings(run: DemoRun): Promise<void> {
  const { admin, coo } = PEOPLE;
  const { roles, config } = run;
  run.step(run.clock.at(0, '14:00'), `An admin, @${admin.id}, adds an executive and moves the daily pick`);
  if (!(await roles.isAdmin(admin.id))) throw new Error(`the demo's admin, ${admin.id}, is not an admin`);
  if (await roles.isExecutive(coo.id)) throw new Error(`the demo's new executive, ${coo.id}, already is one`);
  const [nextBefore] = nextPickDates(config, run.clock.now(), 1);
  run.out(
    `Before: @${coo.id} (${coo.name}, ${coo.title}) is not an executive: her "I'll call them" would be refused ` +
      `(executives: ${roles.describeExecutives()}). Picks: ${describeSchedule(config.pickSchedule)}; the next ` +
      `${nextBefore ? momentLabel(nextBefore.at) : 'none'}.`,
  );
  run.out(`@${admin.id} (${admin.name}) is a workspace admin (users.info), so their App Home has Pickup's Settings.`);
  await saveInModal(run, 'People', { EXECUTIVES: [...config.executives, coo.id].join(',') });
  await saveInModal(run, 'Schedule', { PICK_SCHEDULE: NEW_PICK_SCHEDULE });

  if (!(await roles.isExecutive(coo.id))) throw new Error('the new executives did not apply');
  const [next, ...then] = nextPickDates(config, run.clock.now(), 3);
  run.out('Applied at once, without a restart:');
  run.out(`  @${coo.id} may claim now: her "I'll call them" goes through (executives: ${roles.describeExecutives()}).`);
  run.out(
    `  Picks: ${describeSchedule(config.pickSchedule)}. The next pick moved from ` +
      `${nextBefore ? momentLabel(nextBefore.at) : 'none'} to ${next ? momentLabel(next.at) : 'none'}; then ` +
      `${then.map((p) => momentLabel(p.at)).join(' and ')}.`,
  );
}

/** The daily pick at its new time (the job the scheduler runs), suggesting an executive from the new list. */
export async function pickOnTheNewSchedule(run: DemoRun): Promise<void> {
  const [next] = nextPickDates(run.config, run.clock.now(), 1);
  if (!next) throw new Error('the new pick schedule never runs');
  run.step(next.at, 'The daily pick, at its new time, from the new list of executives');
  const pick = await runPickJob(
    { db: run.db, config: run.config, roles: run.roles, now: run.clock.now, outgoing: run.outgoing },
    { date: next.date, trigger: 'cli', actor: 'demo' },
  );
  run.out(describePickResult(pick));
  await run.deliver();
}
