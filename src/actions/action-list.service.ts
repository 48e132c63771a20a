import type { Db } from '../db/schema';
import { redactText } from '../privacy/redact';
import { type ActionList, type ActionListing, descriptionAsWritten, isOverdue } from './action-list';
import { listOpenActionsOwnedBy, listOpenActionsOwnedByOthers, type OpenActionRow } from './action-list.repository';

/** How many actions `/pickup actions` lists of each kind; the rest are counted. */
export const ACTION_LIST_LIMITS = { mine: 15, others: 15 } as const;

/** Who is asking, and how much of each list to read. */
export interface ActionListingInput {
  viewer: string;
  isExecutive: boolean;
  /** Today (YYYY-MM-DD, in TIMEZONE): an action due before it is overdue. */
  today: string;
  limits?: { mine: number; others: number };
}

function toList(rows: readonly OpenActionRow[], total: number, viewer: string, today: string): ActionList {
  return {
    items: rows.map((r) => {
      const known = { phone: r.customer_phone, email: r.customer_email };
      const asWritten = descriptionAsWritten({ owner: r.owner_id, requestedBy: r.requested_by }, viewer);
      return {
        id: r.id,
        description: asWritten ? r.description : redactText(r.description, known),
        theme: r.theme,
        owner: r.owner_id,
        requestedBy: r.requested_by,
        dueDate: r.due_date,
        overdue: isOverdue(r.due_date, today),
        complaintId: r.complaint_id,
        subject: redactText(r.subject, known),
        ticketUrl: r.ticket_url === null ? null : redactText(r.ticket_url, known),
      };
    }),
    total,
  };
}

/**
 * The open actions one person sees: their own first, then, for an executive (who may close or reassign any),
 * everyone else's. Someone who is not an executive sees only their own.
 */
export async function listActionsFor(db: Db, input: ActionListingInput): Promise<ActionListing> {
  const limits = input.limits ?? ACTION_LIST_LIMITS;
  const mine = await listOpenActionsOwnedBy(db, input.viewer, limits.mine);
  const others = input.isExecutive ? await listOpenActionsOwnedByOthers(db, input.viewer, limits.others) : undefined;
  return {
    viewer: input.viewer,
    today: input.today,
    mine: toList(mine.rows, mine.total, input.viewer, input.today),
    others: others && toList(others.rows, others.total, input.viewer, input.today),
  };
}
