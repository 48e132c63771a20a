import type {
  App,
  BlockAction,
  ButtonAction,
  Middleware,
  RespondFn,
  SlackActionMiddlewareArgs,
  SlackViewMiddlewareArgs,
  ViewSubmitAction,
} from '@slack/bolt';
import type { Transaction } from 'kysely';
import { z } from 'zod';
import { actionIdSchema, type FixVerdict, slackUserId } from '../../actions/action';
import { actionChangeReply, buildReassignModal, buildWontDoModal } from '../../actions/action.blocks';
import {
  type ActionDeps,
  closeAction,
  openActionForm,
  reassignAction,
  recordFixVerdict,
} from '../../actions/action.service';
import { actionEventsOf } from '../../calls/outgoing';
import type { Database } from '../../db/schema';
import { DomainError } from '../../shared/errors';
import { textValue, userValue } from '../../shared/view-state';
import type { SlackDeps } from '../deps';
import { ActionIds, ActionModalBlocks, CallbackIds } from '../ids';
import { parsePrivateMetadata, type SubmissionAck, showFormErrors, submitThenAck } from '../submission';

type ButtonListener = Middleware<SlackActionMiddlewareArgs<BlockAction<ButtonAction>>>;
type SubmissionListener = Middleware<SlackViewMiddlewareArgs<ViewSubmitAction>>;

/** The action id a button carries as its value. */
function actionIdFrom(value: string | undefined): number {
  const parsed = actionIdSchema.safeParse(value);
  if (!parsed.success) throw new DomainError('invalid_input', 'That button is out of date.');
  return parsed.data;
}

/** The action a won't-do or reassign modal is about, from its private_metadata. */
const actionMetadata = z.object({ actionId: actionIdSchema });

function actionIdFromMetadata(privateMetadata: string): number {
  return parsePrivateMetadata(actionMetadata, privateMetadata, 'This form is out of date; open it again.').actionId;
}

/** Who may change an action, and where its changes are reported (the outgoing webhook's action.changed). */
function actionDeps(deps: SlackDeps): ActionDeps {
  return { roles: deps.roles, events: actionEventsOf(deps.outgoing) };
}

/** Answers the clicker privately where the button sits in a message; the App Home has no response_url. */
async function reply(body: BlockAction, respond: RespondFn, text: string): Promise<void> {
  if (body.response_url) await respond({ response_type: 'ephemeral', replace_original: false, text });
}

/** Runs a submission's work in a transaction, then closes the modal; a failure is shown under `errorBlock`. */
async function submitChange(
  deps: SlackDeps,
  ack: SubmissionAck,
  failure: { errorBlock: string; userId: string },
  work: (trx: Transaction<Database>) => Promise<unknown>,
): Promise<void> {
  const context = { userId: failure.userId };
  const submitted = await submitThenAck(ack, { errorBlock: failure.errorBlock, logger: deps.logger, context }, () =>
    deps.db.transaction().execute(work),
  );
  if (submitted.ok) deps.kickOutbox();
}

/** `action_done`: closes the action as done; the owner's DM loses its buttons and the asker is told. */
function doneClicked(deps: SlackDeps): ButtonListener {
  return async ({ ack, body, action, respond }) => {
    await ack();
    const actionId = actionIdFrom(action.value);
    const userId = body.user.id;
    const closed = await deps.db
      .transaction()
      .execute((trx) => closeAction(trx, actionDeps(deps), { actionId, userId, status: 'done', now: deps.now() }));
    deps.kickOutbox();
    await reply(body, respond, actionChangeReply(closed, userId));
  };
}

/** `action_wont_do` and `action_reassign`: open their form, for those who may submit it only. */
function formClicked(deps: SlackDeps, form: 'wont_do' | 'reassign'): ButtonListener {
  return async ({ ack, body, action, client }) => {
    await ack();
    const actionId = actionIdFrom(action.value);
    const card = await openActionForm(deps.db, deps.roles, { actionId, userId: body.user.id });
    const view = form === 'wont_do' ? buildWontDoModal(card) : buildReassignModal(card);
    await client.views.open({ trigger_id: body.trigger_id, view });
  };
}

/** `action_wont_do_modal`: closes the action as won't do, with the reason the asker reads. */
function wontDoSubmitted(deps: SlackDeps): SubmissionListener {
  return async ({ ack, body, view }) => {
    const userId = body.user.id;
    const reason = textValue(view.state.values, ActionModalBlocks.reason);
    if (!reason) {
      const errors = { [ActionModalBlocks.reason]: "Say why it won't be done; the executive who asked reads it." };
      await showFormErrors(ack, errors);
      return;
    }
    await submitChange(deps, ack, { errorBlock: ActionModalBlocks.reason, userId }, (trx) => {
      const actionId = actionIdFromMetadata(view.private_metadata);
      const input = { actionId, userId, status: 'wont_do' as const, reason, now: deps.now() };
      return closeAction(trx, actionDeps(deps), input);
    });
  };
}

/** `action_reassign_modal`: gives the action to the chosen person, who gets it by DM. */
function reassignSubmitted(deps: SlackDeps): SubmissionListener {
  return async ({ ack, body, view }) => {
    const userId = body.user.id;
    const newOwner = slackUserId.safeParse(userValue(view.state.values, ActionModalBlocks.newOwner));
    if (!newOwner.success) {
      await showFormErrors(ack, { [ActionModalBlocks.newOwner]: 'Choose the new owner.' });
      return;
    }
    await submitChange(deps, ack, { errorBlock: ActionModalBlocks.newOwner, userId }, (trx) => {
      const actionId = actionIdFromMetadata(view.private_metadata);
      const input = { actionId, userId, newOwnerId: newOwner.data, now: deps.now() };
      return reassignAction(trx, actionDeps(deps), input);
    });
  };
}

/** `action_fix_held` and `action_fix_came_back`: the answer to "did the fix hold?"; came back reopens it. */
function fixAnswered(deps: SlackDeps, verdict: FixVerdict): ButtonListener {
  return async ({ ack, body, action, respond }) => {
    await ack();
    const actionId = actionIdFrom(action.value);
    const userId = body.user.id;
    const answered = await deps.db
      .transaction()
      .execute((trx) => recordFixVerdict(trx, actionDeps(deps), { actionId, userId, verdict, now: deps.now() }));
    deps.kickOutbox();
    await reply(body, respond, actionChangeReply(answered, userId));
  };
}

/** The buttons of an action's DM and their modals: done, won't do, reassign, and the fix check. */
export function registerActionListeners(app: App, deps: SlackDeps): void {
  const button = (actionId: string, listener: ButtonListener) =>
    app.action<BlockAction<ButtonAction>>(actionId, listener);
  button(ActionIds.actionDone, doneClicked(deps));
  button(ActionIds.actionWontDo, formClicked(deps, 'wont_do'));
  button(ActionIds.actionReassign, formClicked(deps, 'reassign'));
  button(ActionIds.actionFixHeld, fixAnswered(deps, 'held'));
  button(ActionIds.actionFixCameBack, fixAnswered(deps, 'came_back'));
  app.view<ViewSubmitAction>(CallbackIds.actionWontDoModal, wontDoSubmitted(deps));
  app.view<ViewSubmitAction>(CallbackIds.actionReassignModal, reassignSubmitted(deps));
}
