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
import type { WebClient } from '@slack/web-api';
import type { UserGroup } from '../../ports/slack.port';
import { scheduleModalModel } from '../../settings/schedule';
import { buildScheduleModal } from '../../settings/schedule.blocks';
import { problemErrors } from '../../settings/setting-fields';
import type { EffectiveSetting, SettingsChange } from '../../settings/settings';
import { buildChannelsModal, buildPeopleModal, buildSettingsMenu, groupOption } from '../../settings/settings.blocks';
import { checkChannels } from '../../settings/settings.channels';
import { changeFrom, parseChannelsForm, parsePeopleForm } from '../../settings/settings.form';
import {
  entriesOf,
  isGroupId,
  matchingGroups,
  PEOPLE_SETTINGS,
  SettingsBlocks,
  type SettingsModalMetadata,
  settingsModalMetadata,
} from '../../settings/settings.modals';
import type { FormErrors } from '../../shared/view-state';
import type { SlackDeps } from '../deps';
import { ActionIds, SettingsCallbackIds, SettingsOptionIds } from '../ids';
import { CHANGE_SETTINGS, requireRole, requireRoleInModal } from '../role.middleware';
import { parsePrivateMetadata, showFormErrors, submitThenRespond } from '../submission';
import { publishHomeFor } from './home.listener';

type ButtonListener = Middleware<SlackActionMiddlewareArgs<BlockAction<ButtonAction>>>;
type SubmissionListener = Middleware<SlackViewMiddlewareArgs<ViewSubmitAction>>;
type SubmissionArgs = SlackViewMiddlewareArgs<ViewSubmitAction>;

/** How long the workspace's user groups are reused, so typing in a group picker does not list them at every key. */
const GROUPS_CACHE_MS = 60_000;

/** How long an options request waits for usergroups.list: Slack drops an answer after 3 seconds. */
const GROUP_OPTIONS_MS = 2_000;

/** How long opening the People modal waits to name the groups chosen already; after that, their IDs stand in. */
const GROUP_LABELS_MS = 1_000;

/** When a submission must be answered by, from its arrival: Slack gives up on it at 3 seconds. */
const SUBMISSION_BUDGET_MS = 2_500;

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** The workspace's user groups (usergroups.list), reused for a minute; never rejects (none when Slack failed). */
type GroupLookup = (timeoutMs: number) => Promise<UserGroup[]>;

function groupLookup(deps: SlackDeps): GroupLookup {
  let cached: { groups: UserGroup[]; at: number } | undefined;
  let pending: Promise<UserGroup[]> | undefined;
  return async (timeoutMs) => {
    // Durations only: the real clock, as the roles' caches use.
    if (cached && Date.now() - cached.at < GROUPS_CACHE_MS) return cached.groups;
    pending ??= deps.slack
      .listUserGroups()
      .then((groups) => {
        cached = { groups, at: Date.now() };
        return groups;
      })
      .finally(() => {
        pending = undefined;
      });
    try {
      const groups = await withTimeout(pending, Math.max(0, timeoutMs));
      if (groups !== 'timeout') return groups;
      deps.logger.warn({ timeoutMs }, 'Slack did not list the user groups in time; offering none this once');
    } catch (err) {
      deps.logger.warn({ err }, 'could not list the user groups; offering none this once');
    }
    return cached?.groups ?? [];
  };
}

/** The groups the People modal names: none are looked up unless a people setting names a group already. */
function groupsToName(effective: readonly EffectiveSetting[], lookup: GroupLookup, ms: number): Promise<UserGroup[]> {
  const named = effective.some(
    (s) => (PEOPLE_SETTINGS as readonly string[]).includes(s.name) && entriesOf(s.value).some(isGroupId),
  );
  return named ? lookup(ms) : Promise.resolve([]);
}

function parseMetadata(privateMetadata: string): SettingsModalMetadata {
  const stale = 'This form is out of date; open the settings again from the App Home.';
  return parsePrivateMetadata(settingsModalMetadata, privateMetadata, stale);
}

/** `open_settings` (App Home): the settings menu, every setting with its value and source. */
function openSettings(deps: SlackDeps): ButtonListener {
  return async ({ ack, body, client }) => {
    await ack();
    const view = buildSettingsMenu(await deps.settings.effective());
    await client.views.open({ trigger_id: body.trigger_id, view });
  };
}

/** `setup_pickup` (App Home): the first step of the walk-through, the Channels modal in setup mode. */
function startSetup(deps: SlackDeps): ButtonListener {
  return async ({ ack, body, client }) => {
    await ack();
    const view = buildChannelsModal(await deps.settings.effective(), 'setup');
    await client.views.open({ trigger_id: body.trigger_id, view });
  };
}

/** The menu's Channels and People buttons: that group's modal, pushed on top of the menu. */
function editGroup(deps: SlackDeps, groups: GroupLookup, group: 'channels' | 'people'): ButtonListener {
  return async ({ ack, body, client }) => {
    await ack();
    const effective = await deps.settings.effective();
    const view =
      group === 'channels'
        ? buildChannelsModal(effective, 'edit')
        : buildPeopleModal(effective, await groupsToName(effective, groups, GROUP_LABELS_MS), 'edit');
    await client.views.push({ trigger_id: body.trigger_id, view });
  };
}

/** The user-group pickers' options: the workspace's groups whose name or handle holds what was typed. */
function userGroupOptions(groups: GroupLookup): Middleware<SlackOptionsMiddlewareArgs<'block_suggestion'>> {
  return async ({ ack, payload }) => {
    const found = matchingGroups(await groups(GROUP_OPTIONS_MS), payload.value);
    await ack({ options: found.map(groupOption) });
  };
}

/** A submission's answer when nothing was saved: the inline errors, and no mode to go on with. */
function refusedWith(errors: FormErrors): { response: ViewResponseAction; value: undefined } {
  return { response: { response_action: 'errors', errors }, value: undefined };
}

/** Saves a modal's change as the admin who submitted it: the inline errors when settings.service refuses it. */
async function save(deps: SlackDeps, args: SubmissionArgs, change: SettingsChange): Promise<FormErrors | undefined> {
  if (Object.keys(change).length === 0) return undefined;
  const actor = { via: 'slack' as const, userId: args.body.user.id };
  const result = await deps.settings.save(change, actor, deps.now(), args.body.team?.id);
  if (result.ok) {
    const log = { userId: actor.userId, settings: result.changed, version: result.version };
    deps.logger.info(log, 'an admin changed settings in Slack');
    return undefined;
  }
  // A setting's input has the setting's name as block_id, so each problem lands under its own field.
  const blocks = Object.fromEntries(Object.values(SettingsBlocks).map((b) => [b, b]));
  return problemErrors(result.problems, blocks, Object.keys(change)[0] ?? SettingsBlocks.execChannel);
}

/**
 * After a save: the admin's App Home shows the new settings (or setup's progress), and the settings menu under an
 * edited group's modal is brought up to date. Neither is worth failing the saved change for, so each is logged.
 */
async function afterSave(deps: SlackDeps, client: WebClient, args: SubmissionArgs, mode: SettingsModalMetadata) {
  const userId = args.body.user.id;
  const logger = deps.logger.child({ userId, callbackId: args.view.callback_id });
  const menu = args.view.previous_view_id;
  if (mode.mode === 'edit' && menu) {
    try {
      await client.views.update({ view_id: menu, view: buildSettingsMenu(await deps.settings.effective()) });
    } catch (err) {
      logger.warn({ err }, 'could not bring the settings menu up to date after a change');
    }
  }
  try {
    await publishHomeFor(deps, userId);
  } catch (err) {
    logger.warn({ err }, "could not republish the admin's App Home after a change");
  }
}

/** The walk-through's last step, after People: the Schedule modal in setup mode (its own listener saves it). */
async function scheduleStep(deps: SlackDeps): Promise<ViewResponseAction> {
  const model = scheduleModalModel(await deps.settings.effective(), deps.now());
  return { response_action: 'update', view: buildScheduleModal(model, { setup: true }) };
}

/**
 * `settings_channels`: checks with Slack that Pickup can post to each channel chosen, then saves. In setup mode
 * the answer is the People step; otherwise the modal closes back to the menu.
 */
function channelsSubmitted(deps: SlackDeps, groups: GroupLookup): SubmissionListener {
  return async (args) => {
    const { ack, body, view, client } = args;
    const deadline = Date.now() + SUBMISSION_BUDGET_MS;
    const form = parseChannelsForm(view.state.values);
    if (!form.ok) return showFormErrors(ack, form.errors);
    const context = { userId: body.user.id, callbackId: view.callback_id };
    const logger = deps.logger.child(context);
    const submitted = await submitThenRespond(
      ack,
      { errorBlock: SettingsBlocks.execChannel, logger, context },
      async () => {
        const mode = parseMetadata(view.private_metadata);
        const problems = await checkChannels(deps.slack, form.value, { logger });
        if (Object.keys(problems).length > 0) return refusedWith(problems);
        const refused = await save(deps, args, changeFrom(form.value, await deps.settings.effective()));
        if (refused) return refusedWith(refused);
        if (mode.mode !== 'setup') return { value: mode };
        const effective = await deps.settings.effective();
        const next = buildPeopleModal(effective, await groupsToName(effective, groups, deadline - Date.now()), 'setup');
        return { response: { response_action: 'update', view: next }, value: mode };
      },
    );
    if (submitted.ok && submitted.value) await afterSave(deps, client, args, submitted.value);
  };
}

/**
 * `settings_people`: saves the executives and support leads (people and user groups); the role checks use the
 * new lists from the next click. In setup mode the walk-through moves on to the schedule.
 */
function peopleSubmitted(deps: SlackDeps): SubmissionListener {
  return async (args) => {
    const { ack, body, view, client } = args;
    const form = parsePeopleForm(view.state.values);
    if (!form.ok) return showFormErrors(ack, form.errors);
    const context = { userId: body.user.id, callbackId: view.callback_id };
    const logger = deps.logger.child(context);
    const submitted = await submitThenRespond(
      ack,
      { errorBlock: SettingsBlocks.executives, logger, context },
      async () => {
        const mode = parseMetadata(view.private_metadata);
        const refused = await save(deps, args, changeFrom(form.value, await deps.settings.effective()));
        if (refused) return refusedWith(refused);
        return { response: mode.mode === 'setup' ? await scheduleStep(deps) : undefined, value: mode };
      },
    );
    if (submitted.ok && submitted.value) await afterSave(deps, client, args, submitted.value);
  };
}

/**
 * The settings in Slack, admins only: the App Home's `open_settings` and `setup_pickup`, the menu's Channels and
 * People buttons, their modals' submissions, and the user-group pickers' options. (The Schedule and Rules modals
 * have their own listener.)
 */
export function registerSettingsListeners(app: App, deps: SlackDeps): void {
  const admin = requireRole(deps.roles, 'admin', CHANGE_SETTINGS);
  const groups = groupLookup(deps);
  const button = (actionId: string, listener: ButtonListener) =>
    app.action<BlockAction<ButtonAction>>(actionId, admin, listener);
  button(ActionIds.openSettings, openSettings(deps));
  button(ActionIds.setupPickup, startSetup(deps));
  button(ActionIds.editChannels, editGroup(deps, groups, 'channels'));
  button(ActionIds.editPeople, editGroup(deps, groups, 'people'));
  app.options<'block_suggestion'>(
    { action_id: new RegExp(`^${SettingsOptionIds.userGroups}`) },
    userGroupOptions(groups),
  );
  app.view<ViewSubmitAction>(
    SettingsCallbackIds.channels,
    requireRoleInModal(deps.roles, 'admin', CHANGE_SETTINGS, SettingsBlocks.execChannel),
    channelsSubmitted(deps, groups),
  );
  app.view<ViewSubmitAction>(
    SettingsCallbackIds.people,
    requireRoleInModal(deps.roles, 'admin', CHANGE_SETTINGS, SettingsBlocks.executives),
    peopleSubmitted(deps),
  );
}
