import type {
  App,
  BlockAction,
  ButtonAction,
  Middleware,
  SlackActionMiddlewareArgs,
  SlackOptionsMiddlewareArgs,
  SlackViewMiddlewareArgs,
  ViewResponseAction,
  ViewSubmitAction,
} from '@slack/bolt';
import { RulesBlocks, rulesModalModel } from '../../settings/rules';
import { buildRulesModal } from '../../settings/rules.blocks';
import { parseRulesForm, RULES_SETTING_BLOCKS } from '../../settings/rules.form';
import {
  NO_HOLIDAY_COUNTRY,
  ScheduleBlocks,
  scheduleModalModel,
  searchHolidayCountries,
  searchTimeZones,
} from '../../settings/schedule';
import { buildScheduleModal } from '../../settings/schedule.blocks';
import {
  parseScheduleForm,
  previewFromState,
  SCHEDULE_SETTING_BLOCKS,
  scheduleMetadata,
} from '../../settings/schedule.form';
import { problemErrors } from '../../settings/setting-fields';
import type { EffectiveSetting, SettingName, SettingsChange } from '../../settings/settings';
import { option } from '../../shared/blocks';
import type { FormResult, ViewValues } from '../../shared/view-state';
import type { SlackDeps } from '../deps';
import { describeError } from '../error-handler';
import { ActionIds, SettingsCallbackIds, SettingsOptionIds } from '../ids';
import { CHANGE_SETTINGS, requireRole, requireRoleInModal } from '../role.middleware';
import { publishHomeFor } from './home.listener';

type ButtonListener = Middleware<SlackActionMiddlewareArgs<BlockAction<ButtonAction>>>;
type ModalActionListener = Middleware<SlackActionMiddlewareArgs<BlockAction>>;
type SubmissionListener = Middleware<SlackViewMiddlewareArgs<ViewSubmitAction>>;
type OptionsListener = Middleware<SlackOptionsMiddlewareArgs<'block_suggestion'>>;

/** A settings modal's submission: how the modal is read, and where a refusal of each setting is shown. */
interface SettingsForm<M> {
  model(effective: EffectiveSetting[], now: Date): M;
  parse(values: ViewValues, model: M): FormResult<SettingsChange>;
  blocks: Partial<Record<SettingName, string>>;
  /** Where errors with no block of their own (an outage, a setting of another modal) are shown. */
  fallbackBlock: string;
}

const SCHEDULE_FORM: SettingsForm<ReturnType<typeof scheduleModalModel>> = {
  model: scheduleModalModel,
  parse: parseScheduleForm,
  blocks: SCHEDULE_SETTING_BLOCKS,
  fallbackBlock: ScheduleBlocks.pickDays,
};

const RULES_FORM: SettingsForm<ReturnType<typeof rulesModalModel>> = {
  model: (effective) => rulesModalModel(effective),
  parse: parseRulesForm,
  blocks: RULES_SETTING_BLOCKS,
  fallbackBlock: RulesBlocks.majorPriorities,
};

/** The settings menu's Schedule and Rules buttons: push that modal over the menu, showing the settings as they are. */
function editClicked(deps: SlackDeps, modal: 'schedule' | 'rules'): ButtonListener {
  return async ({ ack, body, client }) => {
    await ack();
    const effective = await deps.settings.effective();
    const view =
      modal === 'schedule'
        ? buildScheduleModal(scheduleModalModel(effective, deps.now()))
        : buildRulesModal(rulesModalModel(effective));
    // From the settings menu (a modal) the new one is stacked on it; from elsewhere (a message, the Home) it opens.
    if (body.view) await client.views.push({ trigger_id: body.trigger_id, view });
    else await client.views.open({ trigger_id: body.trigger_id, view });
  };
}

/**
 * A change in the Schedule modal's days, time, zone or country (dispatch_action): the modal is replaced by one with
 * the same inputs, so Slack keeps what was entered, and a preview of the next picks as they now stand.
 */
function scheduleEdited(deps: SlackDeps): ModalActionListener {
  return async ({ ack, body, client }) => {
    await ack();
    const view = body.view;
    if (!view) return;
    const now = deps.now();
    const model = scheduleModalModel(await deps.settings.effective(), now);
    const preview = previewFromState(view.state.values, model, now);
    const { setup } = scheduleMetadata(view.private_metadata);
    try {
      await client.views.update({ view_id: view.id, view: buildScheduleModal({ ...model, preview }, { setup }) });
    } catch (err) {
      // The modal closed meanwhile, or a later change already updated it: only the preview is stale, so say it here.
      deps.logger.warn({ err, userId: body.user.id }, 'could not refresh the schedule preview');
    }
  };
}

/**
 * A settings modal submitted: validated inline, then saved through the live settings (validated again as the
 * environment is, audited, applied on every instance). Refusals show under the setting's own input; nothing is
 * saved unless everything is valid. A setup-mode Schedule closes the whole stack; otherwise back to the menu.
 */
function settingsSubmitted<M>(deps: SlackDeps, form: SettingsForm<M>): SubmissionListener {
  return async ({ ack, body, view }) => {
    const userId = body.user.id;
    const logger = deps.logger.child({ userId, callbackId: view.callback_id });
    let response: ViewResponseAction | undefined;
    let saved = false;
    try {
      const now = deps.now();
      const model = form.model(await deps.settings.effective(), now);
      const parsed = form.parse(view.state.values, model);
      if (!parsed.ok) {
        response = { response_action: 'errors', errors: parsed.errors };
      } else {
        const result = await deps.settings.save(parsed.value, { via: 'slack', userId }, now, body.team?.id);
        if (!result.ok) {
          const errors = problemErrors(result.problems, form.blocks, form.fallbackBlock);
          response = { response_action: 'errors', errors };
        } else if (result.changed.length > 0) {
          saved = true;
          logger.info({ settings: result.changed, version: result.version }, 'an admin changed settings in Slack');
        }
      }
    } catch (err) {
      response = { response_action: 'errors', errors: { [form.fallbackBlock]: describeError(err, logger, {}) } };
    }
    if (!response && scheduleMetadata(view.private_metadata).setup) response = { response_action: 'clear' };
    await ack(response);
    // After the ack: the admin's Home shows the new values (and, after setup, no longer the setup guide).
    if (saved)
      await publishHomeFor(deps, userId).catch((err: unknown) => logger.warn({ err }, 'could not refresh the Home'));
  };
}

/** Time zones matching what the admin typed, for the Schedule modal's zone picker (no database, answered at once). */
function timezoneOptions(): OptionsListener {
  return async ({ ack, body }) => {
    await ack({ options: searchTimeZones(body.value).map((z) => option(z.value, z.label)) });
  };
}

/** Holiday calendars (countries and regions) matching what the admin typed; "none" offers to stop using one. */
function holidayCountryOptions(): OptionsListener {
  return async ({ ack, body }) => {
    const query = body.value.trim().toLowerCase();
    const none = query && 'none'.startsWith(query) ? [option(NO_HOLIDAY_COUNTRY, 'None: no public holidays')] : [];
    const found = searchHolidayCountries(body.value, 100 - none.length).map((c) => option(c.value, c.label));
    await ack({ options: [...none, ...found] });
  };
}

/** The Schedule and Rules settings modals: admins only, from the settings menu's buttons. */
export function registerScheduleSettingsListeners(app: App, deps: SlackDeps): void {
  const admin = requireRole(deps.roles, 'admin', CHANGE_SETTINGS);
  app.action<BlockAction<ButtonAction>>(ActionIds.editSchedule, admin, editClicked(deps, 'schedule'));
  app.action<BlockAction<ButtonAction>>(ActionIds.editRules, admin, editClicked(deps, 'rules'));
  app.action<BlockAction>(
    { type: 'block_actions', callback_id: SettingsCallbackIds.schedule },
    admin,
    scheduleEdited(deps),
  );
  app.view<ViewSubmitAction>(
    SettingsCallbackIds.schedule,
    requireRoleInModal(deps.roles, 'admin', CHANGE_SETTINGS, SCHEDULE_FORM.fallbackBlock),
    settingsSubmitted(deps, SCHEDULE_FORM),
  );
  app.view<ViewSubmitAction>(
    SettingsCallbackIds.rules,
    requireRoleInModal(deps.roles, 'admin', CHANGE_SETTINGS, RULES_FORM.fallbackBlock),
    settingsSubmitted(deps, RULES_FORM),
  );
  app.options<'block_suggestion'>({ action_id: SettingsOptionIds.timezone }, timezoneOptions());
  app.options<'block_suggestion'>({ action_id: SettingsOptionIds.holidayCountry }, holidayCountryOptions());
}
