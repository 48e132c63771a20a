import type { Kysely } from 'kysely';
import { listActionsFor } from '../actions/action-list.service';
import type { Database } from '../db/schema';
import { listUndelivered } from '../outbox/outbox.repository';
import { listAway } from '../people/away.service';
import { pickPostKey } from '../picks/pick.service';
import { redactText } from '../privacy/redact';
import type { LiveSettings } from '../settings/settings.service';
import { DAY_MS, dateInZone } from '../shared/time';
import {
  type EscalationStatus,
  type ExecutiveHome,
  HOME_LIST_LIMITS,
  type HomeComplaint,
  type HomeModel,
  type HomeRole,
  type LeadHome,
  type PickPostFailure,
  type PickStatus,
  type TodayPick,
} from './home';
import {
  countAttemptsBy,
  countEscalationsBy,
  countExecutiveActivity,
  countOpenClaims,
  findPickWithStatus,
  type HomeComplaintRow,
  listEscalationsBy,
  listOpenClaimsWithContacts,
  listRecentAttemptsBy,
} from './home.repository';

/** The window of an executive's numbers on App Home. */
export const HOME_NUMBERS_DAYS = 90;

/** What buildHomeModel needs to know about the viewer and the moment. */
export interface HomeModelInput {
  userId: string;
  role: HomeRole;
  now: Date;
  timezone: string;
  execChannel?: string | undefined;
  /** Mentions of the configured executives and support leads (roles.describe*), shown to everyone else. */
  askFor?: { executives: string; supportLeads: string } | undefined;
  /** Whether the viewer may change the settings (roles.isAdmin): they see them, and can set Pickup up. */
  isAdmin?: boolean | undefined;
  /** The admins as mentions (roles.describeAdmins), for whoever must ask one to finish the setup. */
  admins?: string | undefined;
  /** The workspace's settings: what setup still lacks, and for admins each setting with its source. */
  settings?: Pick<LiveSettings, 'effective' | 'missingEssentials'> | undefined;
}

/** A complaint's columns as App Home reads them; nullable because picks join complaints outside. */
type ComplaintColumns = { [K in keyof HomeComplaintRow]: HomeComplaintRow[K] | null };

function toHomeComplaint(id: number, r: ComplaintColumns): HomeComplaint {
  // The view redacts any contact detail it can recognise; only here are the complaint's own ones known.
  const known = { phone: r.customer_phone, email: r.customer_email };
  const redact = (text: string | null) => (text === null ? null : redactText(text, known));
  return {
    id,
    subject: redactText(r.subject ?? '', known),
    customerName: redact(r.customer_name),
    company: redact(r.customer_company),
    source: r.source ?? '',
    externalId: r.external_id ?? '',
    url: redact(r.ticket_url),
    priority: r.priority ?? 'normal',
    receivedAt: r.received_at ?? new Date(0),
  };
}

async function loadTodayPick(db: Kysely<Database>, today: string): Promise<TodayPick> {
  const row = await findPickWithStatus(db, today);
  if (!row) return { kind: 'none', date: today };
  if (row.complaint_id === null) return { kind: 'empty', date: today };
  let status: PickStatus;
  if (row.claimed_by) status = { kind: 'claimed', by: row.claimed_by };
  else if (row.closed_at || row.reached_by) status = { kind: 'called', by: row.reached_by };
  else if (row.do_not_call) status = { kind: 'do_not_call' };
  else status = { kind: 'unclaimed' };
  return {
    kind: 'complaint',
    date: row.pick_date,
    poolSize: row.pool_size,
    complaint: toHomeComplaint(row.complaint_id, row),
    status,
  };
}

async function loadPickPostFailure(db: Kysely<Database>, today: string): Promise<PickPostFailure | undefined> {
  const [row] = await listUndelivered(db, { failedOnly: true, limit: 1, key: pickPostKey(today) });
  return row && { outboxId: row.id, reason: row.last_error, channel: row.channel };
}

async function loadExecutiveHome(db: Kysely<Database>, input: HomeModelInput, today: string): Promise<ExecutiveHome> {
  const since = new Date(input.now.getTime() - HOME_NUMBERS_DAYS * DAY_MS);
  // One query at a time: an App Home open should not take most of the pool's connections at once.
  const todayPick = await loadTodayPick(db, today);
  const pickPostFailure = await loadPickPostFailure(db, today);
  const claims = await listOpenClaimsWithContacts(db, input.userId, HOME_LIST_LIMITS.openClaims);
  const claimTotal = await countOpenClaims(db, input.userId);
  const attempts = await listRecentAttemptsBy(db, input.userId, HOME_LIST_LIMITS.history);
  const attemptTotal = await countAttemptsBy(db, input.userId);
  const numbers = await countExecutiveActivity(db, input.userId, since);
  const away = await listAway(db, input.userId, today);
  return {
    todayPick,
    pickPostFailure,
    openClaims: {
      items: claims.map((c) => ({
        claimId: c.claim_id,
        claimedAt: c.claimed_at,
        attempts: Number(c.attempts ?? 0),
        complaint: toHomeComplaint(c.complaint_id, c),
        phone: c.customer_phone,
        email: c.customer_email,
      })),
      total: claimTotal,
    },
    history: {
      items: attempts.map((a) => ({
        attemptId: a.id,
        at: a.created_at,
        outcome: a.outcome,
        assessment: a.advocate_assessment,
        subject: a.subject,
      })),
      total: attemptTotal,
    },
    numbers: { days: HOME_NUMBERS_DAYS, ...numbers },
    away: {
      items: away.slice(0, HOME_LIST_LIMITS.away).map((a) => ({ start: a.start_date, end: a.end_date })),
      total: away.length,
    },
  };
}

async function loadLeadHome(db: Kysely<Database>, input: HomeModelInput): Promise<LeadHome> {
  const rows = await listEscalationsBy(db, input.userId, HOME_LIST_LIMITS.escalations);
  const total = await countEscalationsBy(db, input.userId);
  return {
    escalations: {
      items: rows.map((r) => {
        // The most advanced state wins: an advocate was reached, a reached customer was claimed, and so on.
        let status: EscalationStatus;
        if (r.is_advocate) status = { kind: 'advocate', by: r.reached_by };
        else if (r.reached_by && r.reached_at)
          status = { kind: 'reached', by: r.reached_by, on: dateInZone(r.reached_at, input.timezone) };
        else if (r.claimed_by) status = { kind: 'claimed', by: r.claimed_by };
        else if (r.last_attempt_by && r.last_outcome)
          status = { kind: 'tried', by: r.last_attempt_by, outcome: r.last_outcome };
        else if (r.pick_date) status = { kind: 'picked', on: r.pick_date };
        else if (r.do_not_call) status = { kind: 'do_not_call' };
        else status = { kind: 'waiting' };
        return { complaint: toHomeComplaint(r.id, r), escalatedAt: r.created_at, status };
      }),
      total,
    },
  };
}

/**
 * Everything one person's App Home shows, read for their role: executives get today's pick, their open calls
 * (with contact details, theirs alone), history, numbers and away dates; support leads their escalations; anyone
 * their open actions, and executives everyone else's too.
 */
export async function buildHomeModel(db: Kysely<Database>, input: HomeModelInput): Promise<HomeModel> {
  const today = dateInZone(input.now, input.timezone);
  const isExecutive = input.role === 'executive' || input.role === 'both';
  const isLead = input.role === 'lead' || input.role === 'both';
  const executive = isExecutive ? await loadExecutiveHome(db, input, today) : undefined;
  const lead = isLead ? await loadLeadHome(db, input) : undefined;
  // Anyone may own an action (the outcome modal's owner is any Slack user), so everyone's Home reads theirs.
  const limits = { mine: HOME_LIST_LIMITS.myActions, others: HOME_LIST_LIMITS.otherActions };
  const { mine, others } = await listActionsFor(db, { viewer: input.userId, isExecutive, today, limits });
  const missing = input.settings?.missingEssentials() ?? [];
  const isAdmin = input.isAdmin === true;
  return {
    userId: input.userId,
    now: input.now,
    today,
    timezone: input.timezone,
    execChannel: input.execChannel,
    executive,
    lead,
    actions: { mine, others },
    askFor: input.askFor,
    setup: missing.length > 0 ? { missing, canSetUp: isAdmin, admins: input.admins ?? '' } : undefined,
    settings: isAdmin ? await input.settings?.effective() : undefined,
  };
}
