import type {
  App,
  Middleware,
  SlackCommandMiddlewareArgs,
  SlackShortcutMiddlewareArgs,
  SlackViewMiddlewareArgs,
  ViewSubmitAction,
} from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import { buildEscalateModal } from '../../complaints/complaint.blocks';
import { escalateComplaint, type IntakeResult } from '../../complaints/complaint.service';
import { parseEscalateForm, parseEscalateText, prefillFromMessage } from '../../complaints/escalate.form';
import type { SlackDeps } from '../deps';
import { CallbackIds, Commands, EscalateBlocks } from '../ids';
import { requireRole, requireRoleInModal } from '../role.middleware';
import { requireSetup } from '../setup.middleware';
import { parsePrivateMetadata, showFormErrors, submitThenAck } from '../submission';

/** What the refusals say non-leads may not do. */
const ESCALATE = 'escalate to Pickup';

/** Where the escalate modal was opened from, so the confirmation can be posted there. */
const escalateMetadata = z.object({ channelId: z.string().min(1).optional() });
type EscalateMetadata = z.infer<typeof escalateMetadata>;

function parseEscalateMetadata(privateMetadata: string): EscalateMetadata {
  const stale = 'This form is out of date; close it and start again with /escalate.';
  return parsePrivateMetadata(escalateMetadata, privateMetadata, stale);
}

/** `/escalate [ticket-url] [summary]`: the modal, prefilled from what was typed. */
function escalateCommand(): Middleware<SlackCommandMiddlewareArgs> {
  return async ({ ack, command, client }) => {
    await ack();
    const metadata: EscalateMetadata = { channelId: command.channel_id };
    await client.views.open({
      trigger_id: command.trigger_id,
      view: buildEscalateModal(parseEscalateText(command.text), JSON.stringify(metadata)),
    });
  };
}

/** The `escalate_message` shortcut: the modal, prefilled from the message and its permalink. */
function escalateMessageShortcut(): Middleware<SlackShortcutMiddlewareArgs> {
  return async ({ ack, shortcut, client }) => {
    await ack();
    // The callback id is registered as a message shortcut only; a global shortcut has no message to escalate.
    if (shortcut.type !== 'message_action') return;
    const { permalink } = await client.chat.getPermalink({
      channel: shortcut.channel.id,
      message_ts: shortcut.message.ts,
    });
    const metadata: EscalateMetadata = { channelId: shortcut.channel.id };
    await client.views.open({
      trigger_id: shortcut.trigger_id,
      view: buildEscalateModal(prefillFromMessage(shortcut.message.text ?? '', permalink), JSON.stringify(metadata)),
    });
  };
}

/** The answer to the lead once the escalation is stored. */
function escalatedText(result: IntakeResult): string {
  if (result.status === 'created') {
    return `Escalated. Executives see it now (without the customer's phone or email), and it joins the pool for the daily pick. Reference #${result.id}.`;
  }
  return `This ticket was already escalated (reference #${'id' in result ? result.id : '?'}); I updated its details.`;
}

/** `escalate_modal`: stores the complaint (or updates the one already escalated), then confirms privately. */
function escalateSubmitted(deps: SlackDeps): Middleware<SlackViewMiddlewareArgs<ViewSubmitAction>> {
  return async ({ ack, body, view, client }) => {
    const userId = body.user.id;
    const form = parseEscalateForm(view.state.values, { userId, viewId: view.id, now: deps.now() });
    if (!form.ok) {
      await showFormErrors(ack, form.errors);
      return;
    }
    // A failure keeps the modal open with what they typed, so nothing is lost.
    const escalated = await submitThenAck(
      ack,
      { errorBlock: EscalateBlocks.subject, logger: deps.logger, context: { userId, callbackId: view.callback_id } },
      async () => {
        // Read before anything is written: a modal whose metadata Pickup cannot read is refused, not half-answered.
        const { channelId } = parseEscalateMetadata(view.private_metadata);
        const input = { ...form.value, escalatedBy: userId };
        const result = await deps.db
          .transaction()
          .execute((trx) => escalateComplaint(trx, input, deps.config.execChannel));
        return { channelId, text: escalatedText(result) };
      },
    );
    if (!escalated.ok) return;
    deps.kickOutbox();
    await confirmPrivately(deps, client, { userId, ...escalated.value });
  };
}

/** An ephemeral message in the channel the lead escalated from, or a DM when that fails or there is none. */
async function confirmPrivately(
  deps: SlackDeps,
  client: WebClient,
  message: { userId: string; channelId: string | undefined; text: string },
): Promise<void> {
  const { userId, channelId, text } = message;
  if (channelId) {
    try {
      await client.chat.postEphemeral({ channel: channelId, user: userId, text });
      return;
    } catch (err) {
      deps.logger.debug({ err }, 'ephemeral confirmation failed; sending a DM instead');
    }
  }
  await client.chat.postMessage({ channel: userId, text });
}

/** `/escalate`, the `escalate_message` shortcut and the `escalate_modal` submission: support leads only. */
export function registerEscalateListeners(app: App, deps: SlackDeps): void {
  // An escalation is announced in the executives' channel: there is none to announce it in before setup.
  const setUp = requireSetup(deps.settings);
  app.command(Commands.escalate, setUp, requireRole(deps.roles, 'supportLead', ESCALATE), escalateCommand());
  app.shortcut(
    CallbackIds.escalateMessage,
    setUp,
    requireRole(deps.roles, 'supportLead', ESCALATE),
    escalateMessageShortcut(),
  );
  app.view<ViewSubmitAction>(
    CallbackIds.escalateModal,
    requireRoleInModal(deps.roles, 'supportLead', ESCALATE, EscalateBlocks.subject),
    escalateSubmitted(deps),
  );
}
