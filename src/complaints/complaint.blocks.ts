import type { InputBlock, PlainTextInput } from '@slack/types';
import type { Block, Modal } from '../ports/slack.port';
import { actions, button, context, fallbackText, inputBlock, option, plainText, section } from '../shared/blocks';
import { ActionIds, CallbackIds, EscalateBlocks } from '../shared/ids';
import { escapeAndTruncate, mention, oneLine } from '../shared/mrkdwn';
import type { Complaint } from './complaint';
import { customerLabel, priorityLabel, sourceLink, withoutContacts } from './complaint.format';

type Prefill = { ticketUrl?: string; subject?: string; supportTried?: string };

function textInput(
  blockId: string,
  label: string,
  optional: boolean,
  extra: Omit<PlainTextInput, 'type'> = {},
  hint?: string,
): InputBlock {
  return inputBlock(blockId, label, { type: 'plain_text_input', ...extra }, optional, hint);
}

const initial = (v: string | undefined, max: number) => (v ? { initial_value: v.slice(0, max) } : {});

/** The escalate modal (contract block_ids), prefilled from the command text or a message. */
export function buildEscalateModal(prefill: Prefill, privateMetadata: string): Modal {
  return {
    type: 'modal',
    callback_id: CallbackIds.escalateModal,
    private_metadata: privateMetadata.slice(0, 3000),
    title: plainText('Escalate to Pickup'),
    submit: plainText('Escalate'),
    close: plainText('Cancel'),
    blocks: [
      section(
        'An executive may call this customer personally. Their phone and email go only to the executive who takes the call.',
      ),
      textInput(EscalateBlocks.subject, 'What went wrong, in a line', false, {
        max_length: 500,
        ...initial(prefill.subject, 500),
      }),
      textInput(EscalateBlocks.customerName, 'Customer name', false, { max_length: 200 }),
      textInput(EscalateBlocks.company, 'Company', true, { max_length: 200 }),
      textInput(
        EscalateBlocks.customerPhone,
        'Phone',
        true,
        { max_length: 40 },
        'International format, e.g. +44 20 7946 0958',
      ),
      textInput(EscalateBlocks.customerEmail, 'Email', true, { max_length: 320 }),
      textInput(
        EscalateBlocks.customerTimezone,
        'Customer time zone',
        true,
        { max_length: 64 },
        'IANA name, e.g. America/Chicago',
      ),
      textInput(EscalateBlocks.ticketUrl, 'Ticket link', true, {
        max_length: 2000,
        ...initial(prefill.ticketUrl, 2000),
      }),
      textInput(EscalateBlocks.supportTried, 'What support already tried', true, {
        multiline: true,
        max_length: 3000,
        ...initial(prefill.supportTried, 3000),
      }),
      inputBlock(EscalateBlocks.priority, 'Priority', {
        type: 'static_select',
        initial_option: option('high', 'High'),
        options: [option('urgent', 'Urgent'), option('high', 'High'), option('normal', 'Normal'), option('low', 'Low')],
      }),
      inputBlock(
        EscalateBlocks.doNotCall,
        'Do not call',
        { type: 'checkboxes', options: [option('yes', 'The customer asked not to be called')] },
        true,
      ),
    ],
  };
}

/** The short notice executives see when a lead escalates: no phone, no email, not even inside its text. */
export function buildEscalationNotice(escalated: Complaint, leadId: string): { text: string; blocks: Block[] } {
  const complaint = withoutContacts(escalated);
  const blocks: Block[] = [
    section(
      `:rotating_light: ${mention(leadId)} escalated a complaint: *${escapeAndTruncate(oneLine(complaint.subject), 500)}*\n${customerLabel(complaint)} · ${priorityLabel(complaint.priority)} · ${sourceLink(complaint)}`,
    ),
  ];
  if (complaint.doNotCall) {
    blocks.push(context('The customer asked not to be called, so it will not be picked.'));
  } else {
    blocks.push(
      actions(
        `escalation_${complaint.id}`,
        button("I'll call them", ActionIds.claimComplaint, String(complaint.id), 'primary'),
      ),
      context('It joins the pool for the daily pick, or claim it now.'),
    );
  }
  return { text: `Escalated: ${fallbackText(complaint.subject)}`, blocks };
}
