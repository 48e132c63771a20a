import type {
  App,
  BlockAction,
  ButtonAction,
  Middleware,
  SlackActionMiddlewareArgs,
  SlackViewMiddlewareArgs,
  ViewSubmitAction,
} from '@slack/bolt';
import { z } from 'zod';
import { actionThemes } from '../../actions/action';
import { recordFollowupEvidence } from '../../calls/advocacy.service';
import { completeBrief } from '../../calls/brief.service';
import { EVIDENCE_KINDS, EVIDENCE_LABELS } from '../../calls/call';
import { buildOutcomeModal, buildReleaseModal } from '../../calls/claim.blocks';
import { type ClaimForm, claimComplaint, logAttempt, openClaimForm, releaseClaim } from '../../calls/claim.service';
import { parseOutcomeForm } from '../../calls/outcome.form';
import { actionEventsOf, describeClaimer } from '../../calls/outgoing';
import { DomainError } from '../../shared/errors';
import { dateInZone } from '../../shared/time';
import { textValue } from '../../shared/view-state';
import type { SlackDeps } from '../deps';
import { ActionIds, CallbackIds, OutcomeBlocks, ReleaseBlocks } from '../ids';
import { requireRole } from '../role.middleware';
import { requireSetup } from '../setup.middleware';
import { parsePrivateMetadata, showFormErrors, submitThenAck } from '../submission';

type ButtonListener = Middleware<SlackActionMiddlewareArgs<BlockAction<ButtonAction>>>;
type SubmissionListener = Middleware<SlackViewMiddlewareArgs<ViewSubmitAction>>;

const OUT_OF_DATE_BUTTON = 'That button is out of date.';

/** A database id carried in a button's value or a modal's metadata. */
const recordId = z.coerce.number().int().positive();

/** The id in a button's value. */
function idFrom(value: string | undefined): number {
  const parsed = recordId.safeParse(value);
  if (!parsed.success) throw new DomainError('invalid_input', OUT_OF_DATE_BUTTON);
  return parsed.data;
}

/** The claim a release or outcome modal is about, which it carries in its private_metadata. */
const claimMetadata = z.object({ claimId: recordId });

function claimIdFromMetadata(privateMetadata: string): number {
  const stale = 'This form is out of date; open it again from your brief.';
  return parsePrivateMetadata(claimMetadata, privateMetadata, stale).claimId;
}

/** A follow-up evidence button's value: `<complaint id>:<evidence kind>`. */
const evidenceButton = z.object({ complaintId: recordId, kind: z.enum(EVIDENCE_KINDS) });

function evidenceFrom(value: string | undefined) {
  const [complaintId, kind] = (value ?? '').split(':');
  const parsed = evidenceButton.safeParse({ complaintId, kind });
  if (!parsed.success) throw new DomainError('invalid_input', OUT_OF_DATE_BUTTON);
  return parsed.data;
}

/** `claim_complaint`: the first executive to click takes the call; their brief follows by DM. */
function claimClicked(deps: SlackDeps): ButtonListener {
  return async ({ ack, body, action, respond }) => {
    await ack();
    const complaintId = idFrom(action.value);
    const userId = body.user.id;
    const { outgoing, helpdesks } = deps;
    // Looked up before the transaction opens: it may wait on Slack, and a transaction must not.
    const claimer = await describeClaimer(outgoing, userId);
    const { claim } = await deps.db
      .transaction()
      .execute((trx) => claimComplaint(trx, { complaintId, userId, now: deps.now(), outgoing, claimer, helpdesks }));
    deps.kickOutbox();
    // From the App Home the brief itself is the answer: a second DM saying "it's in your DMs" would be noise.
    if (body.response_url) {
      await respond({
        response_type: 'ephemeral',
        replace_original: false,
        text: "It's yours. Your brief, with the customer's contact details, is in your DMs with Pickup.",
      });
    }
    await completeBrief(deps.db, { claimId: claim.id, helpdesks, now: deps.now, logger: deps.logger });
    deps.kickOutbox();
  };
}

/**
 * `release_claim` and `log_outcome`: open the form for the claim's holder. Anyone else is refused at the click,
 * so nobody fills in a form for someone else's call.
 */
function claimFormClicked(deps: SlackDeps, form: ClaimForm): ButtonListener {
  return async ({ ack, body, action, client }) => {
    await ack();
    const claimId = idFrom(action.value);
    const opened = await openClaimForm(deps.db, { claimId, userId: body.user.id, form });
    const view =
      form === 'release'
        ? buildReleaseModal(opened.claimId)
        : buildOutcomeModal(opened.claimId, opened.subject, {
            themes: actionThemes(deps.config.actionThemes),
            executiveId: body.user.id,
            supportChannel: deps.config.supportChannel !== undefined,
          });
    await client.views.open({ trigger_id: body.trigger_id, view });
  };
}

/** `release_modal`: gives the call back, with the reason the next executive reads. */
function releaseSubmitted(deps: SlackDeps): SubmissionListener {
  return async ({ ack, body, view }) => {
    const userId = body.user.id;
    const reason = textValue(view.state.values, ReleaseBlocks.reason);
    if (!reason) {
      await showFormErrors(ack, { [ReleaseBlocks.reason]: 'Say why, so the next executive knows.' });
      return;
    }
    const released = await submitThenAck(
      ack,
      { errorBlock: ReleaseBlocks.reason, logger: deps.logger, context: { userId } },
      async () => {
        const claimId = claimIdFromMetadata(view.private_metadata);
        await deps.db.transaction().execute((trx) => releaseClaim(trx, { claimId, userId, reason, now: deps.now() }));
      },
    );
    if (released.ok) deps.kickOutbox();
  };
}

/** `outcome_modal`: records one call attempt and what it taught. */
function outcomeSubmitted(deps: SlackDeps): SubmissionListener {
  return async ({ ack, body, view }) => {
    const userId = body.user.id;
    const themes = actionThemes(deps.config.actionThemes);
    const form = parseOutcomeForm(view.state.values, dateInZone(deps.now(), deps.config.timezone), { themes, userId });
    if (!form.ok) {
      await showFormErrors(ack, form.errors);
      return;
    }
    const logged = await submitThenAck(
      ack,
      { errorBlock: OutcomeBlocks.outcome, logger: deps.logger, context: { userId } },
      async () => {
        const claimId = claimIdFromMetadata(view.private_metadata);
        const { followupDays, supportChannel } = deps.config;
        const { outgoing } = deps;
        const actionEvents = actionEventsOf(outgoing);
        const now = deps.now();
        const attempt = {
          claimId,
          userId,
          attempt: form.value,
          now,
          followupDays,
          outgoing,
          actionEvents,
          supportChannel,
        };
        await deps.db.transaction().execute((trx) => logAttempt(trx, attempt));
      },
    );
    if (logged.ok) deps.kickOutbox();
  };
}

/** `record_evidence`: the executive says whether a reached customer has since shown signs of promoting us. */
function evidenceClicked(deps: SlackDeps): ButtonListener {
  return async ({ ack, body, action, respond }) => {
    await ack();
    const { complaintId, kind } = evidenceFrom(action.value);
    await deps.db.transaction().execute((trx) =>
      recordFollowupEvidence(trx, {
        complaintId,
        kind,
        userId: body.user.id,
        now: deps.now(),
        outgoing: deps.outgoing,
      }),
    );
    await respond({
      replace_original: true,
      text:
        kind === 'none_yet'
          ? 'Noted: no sign yet. Thank you for following up.'
          : `Recorded: ${EVIDENCE_LABELS[kind]}. That customer is now counted as an advocate. Thank you!`,
    });
  };
}

/** `record_evidence` and `record_evidence:<kind>` (see evidenceActionId). */
const RECORD_EVIDENCE = new RegExp(`^${ActionIds.recordEvidence}(:[a-z_]+)?$`);

/** Claim, release, log outcome and follow-up evidence: the buttons and modals of the call. */
export function registerClaimListeners(app: App, deps: SlackDeps): void {
  const button = (actionId: string, ...listeners: ButtonListener[]) =>
    app.action<BlockAction<ButtonAction>>(actionId, ...listeners);
  button(
    ActionIds.claimComplaint,
    requireSetup(deps.settings),
    requireRole(deps.roles, 'executive', 'claim calls'),
    claimClicked(deps),
  );
  button(ActionIds.releaseClaim, claimFormClicked(deps, 'release'));
  button(ActionIds.logOutcome, claimFormClicked(deps, 'outcome'));
  app.action<BlockAction<ButtonAction>>(RECORD_EVIDENCE, evidenceClicked(deps));
  app.view<ViewSubmitAction>(CallbackIds.releaseModal, releaseSubmitted(deps));
  app.view<ViewSubmitAction>(CallbackIds.outcomeModal, outcomeSubmitted(deps));
}
