import type { ViewErrorsResponseAction } from '@slack/bolt';
import type { Roles } from '../people/roles';
import { DomainError } from '../shared/errors';

/** What the settings' refusals say non-admins may not do: "Only Pickup's admins can change Pickup's settings: …". */
export const CHANGE_SETTINGS = "change Pickup's settings";

/** The roles a Slack action may require (the EXECUTIVES and SUPPORT_LEADS lists). */
export type Role = 'executive' | 'supportLead' | 'admin';

/** The refusal on a first run, before anyone holds the role: where an admin sets who does. */
function noneYet(who: string, action: string): string {
  return `Only ${who} can ${action}, and none are set yet: an admin can add them in Pickup's App Home.`;
}

/** How each role is checked, and how a refusal names who may act instead. */
const ROLE_RULES: Record<
  Role,
  { holds(roles: Roles, userId: string): Promise<boolean>; refusal(roles: Roles, action: string): string }
> = {
  executive: {
    holds: (roles, userId) => roles.isExecutive(userId),
    refusal: (roles, action) => {
      const executives = roles.describeExecutives();
      if (!executives) return noneYet('executives', action);
      return `Only executives can ${action}. Executives: ${executives}.`;
    },
  },
  supportLead: {
    holds: (roles, userId) => roles.isSupportLead(userId),
    // Support leads hand customers to executives, so the refusal points at who can do that for them.
    refusal: (roles, action) => {
      const leads = roles.describeSupportLeads();
      if (!leads) return noneYet('support leads', action);
      return `Only support leads can ${action}. If a customer needs an executive's call, ask one of ${leads}.`;
    },
  },
  admin: {
    holds: (roles, userId) => roles.isAdmin(userId),
    refusal: (roles, action) => `Only Pickup's admins can ${action}: ${roles.describeAdmins()}.`,
  },
};

/**
 * Throws DomainError('not_authorized') unless `userId` holds `role`; `action` completes "Only executives can …".
 * Roles come from {@link Roles}, which counts a user group it cannot list as empty: an outage refuses, never grants.
 */
export async function assertRole(roles: Roles, role: Role, userId: string, action: string): Promise<void> {
  const rule = ROLE_RULES[role];
  if (!(await rule.holds(roles, userId))) throw new DomainError('not_authorized', rule.refusal(roles, action));
}

/** What {@link requireRole} reads of a command's, action's or shortcut's arguments. */
interface ActorArgs {
  /** Slash commands name the user `user_id`; interactive payloads carry `user.id`. */
  body: { user?: { id: string }; user_id?: string };
  ack: () => Promise<void>;
  next: () => Promise<void>;
}

/**
 * Listener middleware: the listener runs only for someone holding `role`. Anyone else's request is acked (Slack
 * wants that within 3 s either way) and refused with a DomainError, which the error handler answers privately:
 * through response_url, as an ephemeral message or, from the App Home, by DM.
 */
export function requireRole(roles: Roles, role: Role, action: string): (args: ActorArgs) => Promise<void> {
  return async ({ body, ack, next }) => {
    try {
      await assertRole(roles, role, body.user?.id ?? body.user_id ?? '', action);
    } catch (err) {
      await ack();
      throw err;
    }
    await next();
  };
}

/** What {@link requireRoleInModal} reads of a view submission's arguments. */
interface SubmissionArgs {
  body: { user: { id: string } };
  ack: (response: ViewErrorsResponseAction) => Promise<void>;
  next: () => Promise<void>;
}

/**
 * {@link requireRole} for a modal's submission. The open modal is reachable only through the ack (a submission has
 * no response_url, and a thrown error would leave it unanswered), so the refusal is shown there, under `errorBlock`.
 */
export function requireRoleInModal(
  roles: Roles,
  role: Role,
  action: string,
  errorBlock: string,
): (args: SubmissionArgs) => Promise<void> {
  return async ({ body, ack, next }) => {
    try {
      await assertRole(roles, role, body.user.id, action);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      await ack({ response_action: 'errors', errors: { [errorBlock]: err.userMessage } });
      return;
    }
    await next();
  };
}
