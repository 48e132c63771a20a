import type { Transaction } from 'kysely';
import { recordAudit } from '../audit/audit.repository';
import { findComplaintByExternalId, findComplaintById } from '../complaints/complaint.repository';
import type { ComplaintRow, Database } from '../db/schema';
import { enqueueMessage } from '../outbox/outbox.repository';
import { DomainError } from '../shared/errors';
import { escapeAndTruncate, oneLine } from '../shared/mrkdwn';
import { EVIDENCE_LABELS, type EvidenceKind } from './call';
import { findLatestClaimer, hasReachedCall, insertEvidence } from './claim.repository';
import { type Outgoing, recordEvidence } from './outgoing';

type Trx = Transaction<Database>;

/** Survey scores at or above this, after a call, count as a promoter conversion (NPS). */
export const PROMOTER_SCORE = 9;
/** Scores at or below this flag the customer as still unhappy. */
export const DETRACTOR_SCORE = 6;

/**
 * Records what the executive saw in the follow-up DM. Only the executive who called may answer it.
 * Advocacy queues its webhook event (`outgoing`) in the same transaction.
 */
export async function recordFollowupEvidence(
  trx: Trx,
  input: { complaintId: number; kind: EvidenceKind; userId: string; now: Date; outgoing?: Outgoing | undefined },
): Promise<void> {
  const claimer = await findLatestClaimer(trx, input.complaintId);
  if (claimer !== input.userId) {
    throw new DomainError('not_your_claim', 'Only the executive who made this call can record its follow-up.');
  }
  const evidenceId = await insertEvidence(trx, {
    complaint_id: input.complaintId,
    kind: input.kind,
    is_advocacy: input.kind !== 'none_yet',
    source: 'followup',
    recorded_by: input.userId,
  });
  await recordEvidence(trx, input.outgoing, {
    evidenceId,
    complaintId: input.complaintId,
    isAdvocacy: input.kind !== 'none_yet',
    evidence: { kind: input.kind, source: 'followup', score: null, recordedBy: input.userId },
    now: input.now,
  });
  await recordAudit(trx, {
    actor: input.userId,
    action: 'advocacy.recorded',
    complaintId: input.complaintId,
    details: { kind: input.kind, label: EVIDENCE_LABELS[input.kind] },
  });
}

/** What a survey result meant. */
export interface SurveyResult {
  complaintId: number;
  evidenceId: number;
  afterCall: boolean;
  promoter: boolean;
  stillUnhappy: boolean;
}

/**
 * Records a survey score as evidence. A promoter score after a reached call is a conversion (and queues its webhook
 * event, `outgoing`); a low score flags the customer as still unhappy and tells the executive who called, by DM.
 */
export async function recordSurvey(
  trx: Trx,
  input: {
    complaint: { id: number } | { source: string; externalId: string };
    score: number;
    comment?: string | undefined;
    now: Date;
    outgoing?: Outgoing | undefined;
  },
): Promise<SurveyResult> {
  const row: ComplaintRow | undefined =
    'id' in input.complaint
      ? await findComplaintById(trx, input.complaint.id)
      : await findComplaintByExternalId(trx, input.complaint.source, input.complaint.externalId);
  if (!row) throw new DomainError('not_found', 'no complaint matches complaintId or (source, externalId)');
  const afterCall = await hasReachedCall(trx, row.id);
  const promoter = afterCall && input.score >= PROMOTER_SCORE;
  const stillUnhappy = input.score <= DETRACTOR_SCORE;
  const kind = input.score >= PROMOTER_SCORE ? 'survey_promoter' : stillUnhappy ? 'survey_detractor' : 'survey_passive';
  const evidenceId = await insertEvidence(trx, {
    complaint_id: row.id,
    kind,
    is_advocacy: promoter,
    source: 'survey',
    recorded_by: null,
    score: input.score,
    note: input.comment ?? null,
  });
  await recordEvidence(trx, input.outgoing, {
    evidenceId,
    complaintId: row.id,
    isAdvocacy: promoter,
    evidence: { kind, source: 'survey', score: input.score, recordedBy: null },
    now: input.now,
  });
  await recordAudit(trx, {
    actor: 'webhook:feedback',
    action: 'advocacy.recorded',
    complaintId: row.id,
    details: { kind, score: input.score, afterCall },
  });
  if (stillUnhappy && afterCall) {
    const claimer = await findLatestClaimer(trx, row.id);
    if (claimer) {
      const comment = input.comment ? `\n> ${escapeAndTruncate(oneLine(input.comment), 1000)}` : '';
      await enqueueMessage(trx, `survey:${evidenceId}:unhappy`, {
        operation: 'post',
        message: {
          channel: claimer,
          text: `Still unhappy: the customer you called about "${escapeAndTruncate(oneLine(row.subject), 200)}" scored us ${input.score}/10.${comment}`,
        },
      });
    }
  }
  return { complaintId: row.id, evidenceId, afterCall, promoter, stillUnhappy };
}
