import { z } from 'zod';
import { recordSurvey } from '../calls/advocacy.service';
import { DomainError } from '../shared/errors';
import { domainErrorResponse, type Route } from './http';
import {
  hasIngestToken,
  parseJsonBody,
  validationError,
  type WebhookDeps,
  withRateLimit,
  zodIssues,
} from './webhook.routes';

const FEEDBACK_BODY_LIMIT = 64 * 1024;

/** POST /webhooks/feedback (contract): `{ complaintId | (source, externalId), score 0..10, comment? }`. */
const feedbackSchema = z
  .object({
    complaintId: z.number().int().positive().optional(),
    source: z.string().trim().min(1).max(50).optional(),
    externalId: z.string().trim().min(1).max(200).optional(),
    score: z.number({ message: 'must be a number from 0 to 10' }).int('must be a whole number').min(0).max(10),
    comment: z.string().max(5000).optional(),
  })
  .refine((b) => b.complaintId !== undefined || (b.source !== undefined && b.externalId !== undefined), {
    message: 'give complaintId, or both source and externalId',
    path: ['complaintId'],
  });

/** The survey webhook: a score after a call becomes advocacy evidence. */
export function feedbackRoutes(deps: WebhookDeps): Route[] {
  return withRateLimit(deps, [
    {
      method: 'POST',
      path: '/webhooks/feedback',
      bodyLimit: FEEDBACK_BODY_LIMIT,
      async handle(req) {
        if (!hasIngestToken(req, deps.config.ingestTokens))
          return { status: 401, body: { error: 'missing or invalid credentials' } };
        const parsed = parseJsonBody(req);
        if (!parsed.ok) return parsed.response;
        const body = feedbackSchema.safeParse(parsed.body);
        if (!body.success) return validationError(zodIssues(body.error));
        const b = body.data;
        const complaint =
          b.complaintId !== undefined
            ? { id: b.complaintId }
            : { source: b.source ?? '', externalId: b.externalId ?? '' };
        try {
          const result = await deps.db.transaction().execute((trx) =>
            recordSurvey(trx, {
              complaint,
              score: b.score,
              comment: b.comment,
              now: deps.now(),
              outgoing: deps.outgoing,
            }),
          );
          deps.kickOutbox();
          return {
            status: 201,
            body: {
              status: 'recorded',
              complaintId: result.complaintId,
              afterCall: result.afterCall,
              promoter: result.promoter,
              stillUnhappy: result.stillUnhappy,
            },
          };
        } catch (err) {
          // Only this route knows which field named the missing complaint; any other DomainError is the server's to map.
          if (err instanceof DomainError && err.code === 'not_found') {
            return domainErrorResponse(err, { issues: [{ path: 'complaintId', message: err.userMessage }] });
          }
          throw err;
        }
      },
    },
  ]);
}
