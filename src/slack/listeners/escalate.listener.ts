import type { App } from '@slack/bolt';
import { buildEscalateModal } from '../../complaints/complaint.blocks';
import { escalateComplaint } from '../../complaints/complaint.service';
import { parseEscalateForm, parseEscalateText } from '../../complaints/escalate.form';
import type { ViewValues } from '../../shared/view-state';
import type { SlackDeps } from '../deps';
import { describeError } from '../error-handler';
import { CallbackIds, Commands, EscalateBlocks } from '../ids';

interface EscalateMeta {
  channelId?: string;
}

function refusal(deps: SlackDeps): string {
  return `Only support leads can escalate to Pickup. If a customer needs an executive's call, ask one of ${deps.roles.describeSupportLeads()}.`;
}

/** `/escalate`, the `escalate_message` shortcut and the `escalate_modal` submission. */
export function registerEscalateListeners(app: App, deps: SlackDeps): void {
  app.command(Commands.escalate, async ({ ack, command, client, respond }) => {
    await ack();
    if (!(await deps.roles.isSupportLead(command.user_id))) {
      await respond({ response_type: 'ephemeral', text: refusal(deps) });
      return;
    }
    const meta: EscalateMeta = { channelId: command.channel_id };
    await client.views.open({
      trigger_id: command.trigger_id,
      view: buildEscalateModal(parseEscalateText(command.text), JSON.stringify(meta)) as never,
    });
  });

  app.shortcut(CallbackIds.escalateMessage, async ({ ack, shortcut, client, respond }) => {
    await ack();
    if (shortcut.type !== 'message_action') return;
    if (!(await deps.roles.isSupportLead(shortcut.user.id))) {
      await respond({ response_type: 'ephemeral', text: refusal(deps) });
      return;
    }
    const text = shortcut.message.text ?? '';
    const { permalink } = await client.chat.getPermalink({
      channel: shortcut.channel.id,
      message_ts: shortcut.message.ts,
    });
    const firstLine = text.split('\n').find((l) => l.trim()) ?? '';
    const meta: EscalateMeta = { channelId: shortcut.channel.id };
    await client.views.open({
      trigger_id: shortcut.trigger_id,
      view: buildEscalateModal(
        { subject: firstLine.trim().slice(0, 500), ticketUrl: permalink, supportTried: text.slice(0, 3000) },
        JSON.stringify(meta),
      ) as never,
    });
  });

  app.view(CallbackIds.escalateModal, async ({ ack, body, view, client }) => {
    const userId = body.user.id;
    if (!(await deps.roles.isSupportLead(userId))) {
      await ack({
        response_action: 'errors',
        errors: { [EscalateBlocks.subject]: 'Only support leads can escalate.' },
      });
      return;
    }
    const form = parseEscalateForm(view.state.values as ViewValues, { userId, viewId: view.id, now: deps.now() });
    if (!form.ok) {
      await ack({ response_action: 'errors', errors: form.errors });
      return;
    }
    let result: Awaited<ReturnType<typeof escalateComplaint>>;
    try {
      result = await deps.db
        .transaction()
        .execute((trx) => escalateComplaint(trx, { ...form.value, escalatedBy: userId }, deps.config.execChannel));
    } catch (err) {
      // Keep the modal open with what they typed, so nothing is lost.
      await ack({
        response_action: 'errors',
        errors: { [EscalateBlocks.subject]: describeError(err, deps.logger, { userId, callbackId: view.callback_id }) },
      });
      return;
    }
    await ack();
    deps.kickOutbox();
    const text =
      result.status === 'created'
        ? `Escalated. Executives see it now (without the customer's phone or email), and it joins the pool for the daily pick. Reference #${result.id}.`
        : `This ticket was already escalated (reference #${'id' in result ? result.id : '?'}); I updated its details.`;
    const meta = JSON.parse(view.private_metadata || '{}') as EscalateMeta;
    if (meta.channelId) {
      try {
        await client.chat.postEphemeral({ channel: meta.channelId, user: userId, text });
        return;
      } catch (err) {
        deps.logger.debug({ err }, 'ephemeral confirmation failed; sending a DM instead');
      }
    }
    await client.chat.postMessage({ channel: userId, text });
  });
}
