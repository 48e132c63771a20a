import { randomBytes } from 'node:crypto';
import {
  newTriggerId,
  type SigningOverrides,
  type SlackHttpResponse,
  type SlackTarget,
  sendInteraction,
  TEST_APP_ID,
  TEST_TEAM,
  type ValueShape,
} from './slack-requests';

/**
 * Requests from inside an open modal, which slack-requests.ts does not send: a click or a change of an input with
 * dispatch_action (`block_actions` with a `view` container and the view's whole state), and an external select's
 * typed text (`block_suggestion`), whose answer is the options in the HTTP response.
 */

/** The open modal a request comes from. */
export interface OpenView {
  callbackId: string;
  /** Default a fresh V… id. */
  id?: string;
  privateMetadata?: string;
  /** `view.state.values`: block_id → action_id → state. */
  values?: Record<string, Record<string, ValueShape>>;
  blocks?: unknown[];
}

function userOf(userId: string): Record<string, unknown> {
  return { id: userId, username: userId.toLowerCase(), name: userId.toLowerCase(), team_id: TEST_TEAM.id };
}

function viewOf(view: OpenView): Record<string, unknown> {
  const id = view.id ?? `V${randomBytes(5).toString('hex').toUpperCase()}`;
  return {
    id,
    team_id: TEST_TEAM.id,
    type: 'modal',
    blocks: view.blocks ?? [],
    private_metadata: view.privateMetadata ?? '',
    callback_id: view.callbackId,
    state: { values: view.values ?? {} },
    hash: `${Math.floor(Date.now() / 1000)}.${randomBytes(4).toString('hex')}`,
    title: { type: 'plain_text', text: 'Pickup', emoji: true },
    clear_on_close: false,
    notify_on_close: false,
    close: null,
    submit: null,
    previous_view_id: null,
    root_view_id: id,
    app_id: TEST_APP_ID,
    external_id: '',
    app_installed_team_id: TEST_TEAM.id,
    bot_id: 'BBOT',
  };
}

/** An action inside a modal: a button, or an input with dispatch_action (its new state is in `action`). */
export interface ViewAction {
  userId: string;
  view: OpenView;
  blockId: string;
  actionId: string;
  /** The element's part of the action: `{ type: 'button', value }`, `{ type: 'timepicker', selected_time }`, … */
  action: { type: string; [key: string]: unknown };
}

/** The `block_actions` payload Slack sends for an action inside a modal (no response_url, no channel). */
export function viewActionPayload(a: ViewAction): Record<string, unknown> {
  const view = viewOf(a.view);
  return {
    type: 'block_actions',
    user: userOf(a.userId),
    api_app_id: TEST_APP_ID,
    token: 'legacy-verification-token',
    container: { type: 'view', view_id: view.id },
    trigger_id: newTriggerId(),
    team: { ...TEST_TEAM },
    enterprise: null,
    is_enterprise_install: false,
    view,
    actions: [{ ...a.action, action_id: a.actionId, block_id: a.blockId, action_ts: `${Date.now() / 1000}` }],
  };
}

/** Sends an action from inside a modal. */
export function sendViewAction(
  target: SlackTarget,
  a: ViewAction,
  opts: SigningOverrides = {},
): Promise<SlackHttpResponse> {
  return sendInteraction(target, viewActionPayload(a), opts);
}

/** Text typed into an external select of a modal. */
export interface BlockSuggestion {
  userId: string;
  view: OpenView;
  blockId: string;
  actionId: string;
  value: string;
}

/** The `block_suggestion` payload Slack sends as someone types into an external select. */
export function blockSuggestionPayload(s: BlockSuggestion): Record<string, unknown> {
  return {
    type: 'block_suggestion',
    user: userOf(s.userId),
    container: { type: 'view', view_id: s.view.id ?? 'V0' },
    api_app_id: TEST_APP_ID,
    token: 'legacy-verification-token',
    action_id: s.actionId,
    block_id: s.blockId,
    value: s.value,
    team: { ...TEST_TEAM },
    enterprise: null,
    is_enterprise_install: false,
    view: viewOf(s.view),
  };
}

/** Sends a `block_suggestion`; the app answers `{ options: [...] }` in the response. */
export function sendBlockSuggestion(
  target: SlackTarget,
  s: BlockSuggestion,
  opts: SigningOverrides = {},
): Promise<SlackHttpResponse> {
  return sendInteraction(target, blockSuggestionPayload(s), opts);
}
