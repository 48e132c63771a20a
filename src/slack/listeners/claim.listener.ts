import type { App, BlockAction, ButtonAction, RespondFn } from '@slack/bolt';
import { recordFollowupEvidence } from '../../calls/advocacy.service';
import { EVIDENCE_KINDS, EVIDENCE_LABELS, type EvidenceKind } from '../../calls/call';
import { buildOutcomeModal, buildReleaseModal } from '../../calls/claim.blocks';
import { findClaimById } from '../../calls/claim.repository';
import { claimComplaint, logAttempt, releaseClaim } from '../../calls/claim.service';
import { parseOutcomeForm } from '../../calls/outcome.form';
import { describeClaimer } from '../../calls/outgoing';
import { findComplaintById } from '../../complaints/complaint.repository';
import { DomainError } from '../../shared/errors';
import { dateInZone } from '../../shared/time';
import type { ViewValues } from '../../shared/view-state';
import type { SlackDeps } from '../deps';
import { describeError } from '../error-handler';
import { ActionIds, CallbackIds, OutcomeBlocks, ReleaseBlocks } from '../ids';

function idFrom(value: string | undefined): number {
  const id = Number(value);
  if (!Number.isSafeInteger(id) || id <= 0) throw new DomainError('invalid_input', 'That button is out of date.');
  return id;
}

function claimIdFromMetadata(privateMetadata: string): number {
  try {
    return idFrom(String((JSON.parse(privateMetadata) as { claimId?: unknown }).claimId));
  } catch {
    throw new DomainError('invalid_input', 'This form is out of date; open it again from your brief.');
  }
}

/**
 * Answers the clicker privately: through response_url when the button sits in a message, or by DM when it sits
 * in the App Home, which gives no response_url.
 */
async function tellClicker(deps: SlackDeps, body: BlockAction, respond: RespondFn | undefined, text: string) {
  if (body.response_url && respond) {
    await respond({ response_type: 'ephemeral', replace_original: false, text });
  } else {
    await deps.slack.postMessage({ channel: body.user.id, text });
  }
}

/** Claim, release, log outcome and follow-up evidence: the buttons and modals of the call. */
export function registerClaimListeners(app: App, deps: SlackDeps): void {
  app.action<BlockAction<ButtonAction>>(ActionIds.claimComplaint, async ({ ack, body, action, respond }) => {
    await ack();
    const userId = body.user.id;
    if (!(await deps.roles.isExecutive(userId))) {
      const text = `Only executives can claim calls. Ask one of ${deps.roles.describeExecutives()} if this customer needs one.`;
      await tellClicker(deps, body, respond, text);
      return;
    }
    const complaintId = idFrom(action.value);
    const { outgoing } = deps;
    const claimer = await describeClaimer(outgoing, userId);
    await deps.db
      .transaction()
      .execute((trx) => claimComplaint(trx, { complaintId, userId, now: deps.now(), outgoing, claimer }));
    deps.kickOutbox();
    // From the App Home the brief itself is the answer: a second DM saying "it's in your DMs" would be noise.
    if (body.response_url) {
      await tellClicker(
        deps,
        body,
        respond,
        "It's yours. Your brief, with the customer's contact details, is in your DMs with Pickup.",
      );
    }
  });

  app.action<BlockAction<ButtonAction>>(ActionIds.releaseClaim, async ({ ack, body, action, client }) => {
    await ack();
    const claimId = idFrom(action.value);
    // Refused at the click, as log_outcome is: nobody but the holder is shown a form for someone else's call.
    const claim = await findClaimById(deps.db, claimId);
    if (!claim) throw new DomainError('not_found', 'That call no longer exists.');
    if (claim.claimed_by !== body.user.id)
      throw new DomainError('not_your_claim', 'Only the executive who claimed this call can release it.');
    await client.views.open({ trigger_id: body.trigger_id, view: buildReleaseModal(claimId) as never });
  });

  app.view(CallbackIds.releaseModal, async ({ ack, body, view }) => {
    const userId = body.user.id;
    const reason = (view.state.values as ViewValues)[ReleaseBlocks.reason]?.value?.value?.trim() ?? '';
    if (!reason) {
      await ack({
        response_action: 'errors',
        errors: { [ReleaseBlocks.reason]: 'Say why, so the next executive knows.' },
      });
      return;
    }
    try {
      const claimId = claimIdFromMetadata(view.private_metadata);
      await deps.db.transaction().execute((trx) => releaseClaim(trx, { claimId, userId, reason, now: deps.now() }));
    } catch (err) {
      await ack({
        response_action: 'errors',
        errors: { [ReleaseBlocks.reason]: describeError(err, deps.logger, { userId }) },
      });
      return;
    }
    await ack();
    deps.kickOutbox();
  });

  app.action<BlockAction<ButtonAction>>(ActionIds.logOutcome, async ({ ack, body, action, client }) => {
    await ack();
    const claimId = idFrom(action.value);
    const claim = await findClaimById(deps.db, claimId);
    const complaint = claim ? await findComplaintById(deps.db, claim.complaint_id) : undefined;
    if (!claim || !complaint) throw new DomainError('not_found', 'That call no longer exists.');
    if (claim.claimed_by !== body.user.id)
      throw new DomainError('not_your_claim', 'Only the executive who claimed this call can log it.');
    await client.views.open({
      trigger_id: body.trigger_id,
      view: buildOutcomeModal(claimId, complaint.subject) as never,
    });
  });

  app.view(CallbackIds.outcomeModal, async ({ ack, body, view }) => {
    const userId = body.user.id;
    const today = dateInZone(deps.now(), deps.config.timezone);
    const form = parseOutcomeForm(view.state.values as ViewValues, today);
    if (!form.ok) {
      await ack({ response_action: 'errors', errors: form.errors });
      return;
    }
    try {
      const claimId = claimIdFromMetadata(view.private_metadata);
      await deps.db.transaction().execute((trx) =>
        logAttempt(trx, {
          claimId,
          userId,
          attempt: form.value,
          now: deps.now(),
          followupDays: deps.config.followupDays,
          outgoing: deps.outgoing,
        }),
      );
    } catch (err) {
      await ack({
        response_action: 'errors',
        errors: { [OutcomeBlocks.outcome]: describeError(err, deps.logger, { userId }) },
      });
      return;
    }
    await ack();
    deps.kickOutbox();
  });

  app.action<BlockAction<ButtonAction>>(ActionIds.recordEvidence, async ({ ack, body, action, respond }) => {
    await ack();
    const [rawId, rawKind] = (action.value ?? '').split(':');
    const kind = EVIDENCE_KINDS.find((k) => k === rawKind) as EvidenceKind | undefined;
    if (!kind) throw new DomainError('invalid_input', 'That button is out of date.');
    const complaintId = idFrom(rawId);
    await deps.db
      .transaction()
      .execute((trx) =>
        recordFollowupEvidence(trx, { complaintId, kind, userId: body.user.id, outgoing: deps.outgoing }),
      );
    await respond({
      replace_original: true,
      text:
        kind === 'none_yet'
          ? 'Noted: no sign yet. Thank you for following up.'
          : `Recorded: ${EVIDENCE_LABELS[kind]}. That customer is now counted as an advocate. Thank you!`,
    });
  });
}
