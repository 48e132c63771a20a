import type { ActionLine, ActionListItem } from '../../src/actions/action-list';
import { buildActionList } from '../../src/actions/action-list.blocks';
import { buildBrief } from '../../src/calls/claim.blocks';
import type { Complaint } from '../../src/complaints/complaint';
import { buildEscalationNotice } from '../../src/complaints/complaint.blocks';
import type { DigestModel, Metrics } from '../../src/digest/digest';
import { buildDigest, buildStats, renderDigestText } from '../../src/digest/digest.blocks';
import type { HomeComplaint, HomeModel } from '../../src/home/home';
import { buildHomeView } from '../../src/home/home.blocks';
import { buildPickPost } from '../../src/picks/pick.blocks';
import { buildQueue } from '../../src/picks/queue.blocks';

/**
 * Every builder of a message bound for anyone but the claimer, fed a complaint whose free text carries what real
 * tickets carry: the customer's signature (phone and email), a second person's email, and a link with the address
 * percent-encoded. None of it may reach the output, in any form; the text around it must still read.
 */
const PHONE = '+14155550142';
const EMAIL = 'jane.doe@acme.example';
const OTHER_EMAIL = 'bob.smith@partner.example';

const SUBJECT = `Billing broke again: Mobile +1 415 555 0142, ${EMAIL}, cc ${OTHER_EMAIL}`;
const DESCRIPTION = [
  'The invoice for order #123456 on 2026-11-29 charged $1,250.00 twice.',
  '--',
  'Jane Doe',
  'Mobile: (415) 555-0142 (desk: 555-0142)',
  EMAIL,
  'Profile: https://desk.example/users?email=jane.doe%40acme.example&ref=42',
].join('\n');
const SUPPORT_TRIED = `Called 415.555.0142 at 10:30; wrote to ${OTHER_EMAIL}; see https://crm.example/c?u=bob.smith%40partner.example`;
const NOTES = `Reached her on +1 415 555 0142. Her boss ${OTHER_EMAIL} wants the report; send to ${EMAIL} or https://x.example/?to=jane.doe%40acme.example`;
const TICKET_URL = 'https://desk.example/tickets/42?requester=jane.doe%40acme.example';

/** Every form in which these contact details could show, compared case-insensitively. */
const FORBIDDEN = [
  PHONE,
  '415 555 0142',
  '(415) 555-0142',
  '415.555.0142',
  '4155550142',
  '555-0142',
  EMAIL,
  'jane.doe%40',
  '%40acme',
  'acme.example',
  OTHER_EMAIL,
  'bob.smith%40',
  'partner.example',
];

function leaks(output: unknown): string[] {
  const text = (typeof output === 'string' ? output : JSON.stringify(output)).toLowerCase();
  return FORBIDDEN.filter((f) => text.includes(f.toLowerCase()));
}

const NOW = new Date('2026-11-30T15:00:00Z');

const complaint: Complaint = {
  id: 7,
  source: 'zendesk',
  externalId: '42',
  subject: SUBJECT,
  description: DESCRIPTION,
  supportTried: SUPPORT_TRIED,
  priority: 'urgent',
  tags: [],
  isMajor: true,
  doNotCall: false,
  customer: { name: 'Jane Doe', company: 'Acme', phone: PHONE, email: EMAIL, timezone: 'America/Los_Angeles' },
  url: TICKET_URL,
  escalatedBy: 'ULEAD0001',
  receivedAt: new Date('2026-11-29T12:00:00Z'),
  createdAt: new Date('2026-11-29T12:00:00Z'),
  assignee: { name: null, email: null },
  closedAt: null,
};

const homeComplaint: HomeComplaint = {
  id: complaint.id,
  subject: SUBJECT,
  customerName: `Jane Doe ${EMAIL}`,
  company: 'Acme',
  source: 'zendesk',
  externalId: '42',
  url: TICKET_URL,
  priority: 'urgent',
  receivedAt: complaint.receivedAt,
};

/** What an executive typed under "What should change?": the customer's details pasted in. */
const ACTION_TEXT = `Refund Jane at ${EMAIL} / +1 415 555 0142 and tell ${OTHER_EMAIL}`;

const actionLine: ActionLine = {
  id: 3,
  description: ACTION_TEXT,
  theme: 'billing',
  owner: 'UEXEC0001',
  dueDate: null,
  closedAt: null,
};

/** The same action as `/pickup actions` and App Home list it, owned and written by UEXEC0001. */
const actionItem: ActionListItem = {
  id: 3,
  description: ACTION_TEXT,
  theme: 'billing',
  owner: 'UEXEC0001',
  requestedBy: 'UEXEC0001',
  dueDate: '2026-11-25',
  overdue: true,
  complaintId: complaint.id,
  subject: SUBJECT,
  ticketUrl: TICKET_URL,
};

const metrics: Metrics = {
  from: '2026-11-23T00:00:00.000Z',
  to: '2026-11-30T00:00:00.000Z',
  funnel: { received: 3, escalated: 1, picked: 2, claimed: 1, firstAttempt: 1, reached: 1, advocates: 1 },
  medians: { pickToClaimHours: 2, claimToAttemptHours: 5 },
  executives: [{ userId: 'UEXEC0001', claims: 1, attempts: 1, reached: 1, advocates: 1 }],
  quiet: [],
  unclaimed: [{ date: '2026-11-25', complaintId: 7, subject: SUBJECT, ticketUrl: TICKET_URL }],
  unclaimedTotal: 1,
  newAdvocates: [{ complaintId: 8, company: `Acme (${OTHER_EMAIL})`, subject: SUBJECT, kinds: ['referral'] }],
  quote: { text: NOTES, executive: 'UEXEC0001', at: '2026-11-26T10:00:00.000Z' },
  learnings: [
    { text: NOTES, executive: 'UEXEC0001', at: '2026-11-26T10:00:00.000Z' },
    { text: `Second call: ${SUPPORT_TRIED}`, executive: 'UEXEC0002', at: '2026-11-25T10:00:00.000Z' },
  ],
  learningsTotal: 2,
  actions: {
    opened: { items: [actionLine], total: 1 },
    done: { items: [{ ...actionLine, closedAt: NOW.toISOString() }], total: 1 },
    overdue: { items: [{ ...actionLine, dueDate: '2026-11-25' }], total: 1 },
  },
  themes: [{ theme: `billing ${EMAIL}`, complaints: 2 }],
  themeDays: 90,
  fixChecks: [{ action: { ...actionLine, closedAt: NOW.toISOString() }, newComplaints: 1 }],
  trend: [{ label: '2026-11-23', picked: 2, reached: 1, advocates: 1 }],
};

const digest: DigestModel = {
  weekStart: '2026-11-23',
  weekEnd: '2026-11-29',
  timezone: 'UTC',
  partial: false,
  generatedAt: NOW.toISOString(),
  metrics,
  chart: false,
  seeds: { revealed: null, current: null },
};

/** App Home as another executive (today's pick, their history) and a support lead see it. */
const otherExecutivesHome: HomeModel = {
  userId: 'UEXEC0002',
  now: NOW,
  today: '2026-11-30',
  timezone: 'UTC',
  execChannel: 'CEXECS001',
  askFor: undefined,
  executive: {
    todayPick: {
      kind: 'complaint',
      date: '2026-11-30',
      poolSize: 4,
      complaint: homeComplaint,
      status: { kind: 'claimed', by: 'UEXEC0001' },
    },
    openClaims: { items: [], total: 0 },
    history: {
      items: [{ attemptId: 1, at: NOW, outcome: 'voicemail', assessment: null, subject: SUBJECT }],
      total: 1,
    },
    numbers: { days: 90, claims: 1, attempts: 1, reached: 0, advocates: 0 },
    away: { items: [], total: 0 },
  },
  actions: {
    mine: { items: [{ ...actionItem, owner: 'UEXEC0002' }], total: 1 },
    others: { items: [actionItem], total: 1 },
  },
  lead: {
    escalations: {
      items: [{ complaint: homeComplaint, escalatedAt: NOW, status: { kind: 'claimed', by: 'UEXEC0001' } }],
      total: 1,
    },
  },
};

/** The pick post, unclaimed unless a claimer is given. */
const pickPost = (claimedBy: string | null = null) =>
  buildPickPost({
    date: '2026-11-30',
    poolSize: 4,
    complaint,
    suggestedExecutive: claimedBy ? null : 'UEXEC0002',
    claimedBy,
    now: NOW,
    draw: { seedCommitment: 'c'.repeat(64), seedWeek: '2026-11-30' },
  });

describe('no channel-bound builder lets a contact detail through, wherever in the text it hides', () => {
  it.each<[string, () => unknown]>([
    ['the pick post, unclaimed', () => pickPost()],
    ['the pick post, claimed (its update)', () => pickPost('UEXEC0001')],
    ['the escalation notice', () => buildEscalationNotice(complaint, 'ULEAD0001')],
    ['/pickup queue', () => buildQueue([complaint], 5, NOW)],
    ['the weekly digest', () => buildDigest(digest)],
    ['the weekly digest as text (--dry-run)', () => renderDigestText(digest)],
    ['/pickup stats', () => buildStats(metrics, 'last 7 days')],
    ['App Home of another executive and of a support lead', () => buildHomeView(otherExecutivesHome)],
    [
      '/pickup actions for another executive',
      () =>
        buildActionList({
          viewer: 'UEXEC0002',
          today: '2026-11-30',
          mine: { items: [{ ...actionItem, owner: 'UEXEC0002' }], total: 1 },
          others: { items: [actionItem], total: 1 },
        }),
    ],
  ])('%s', (_name, build) => {
    const output = build();
    expect(leaks(output)).toEqual([]);
  });

  it('keeps the text readable: markers where the details were, everything else as written', () => {
    const post = JSON.stringify(pickPost());
    expect(post).toContain('Billing broke again: Mobile [phone]');
    expect(post).toContain('[email], cc [email]');
    expect(post).toContain('Mobile: [phone] (desk: [phone])');
    expect(post).toContain('order #123456 on 2026-11-29 charged $1,250.00 twice');
    expect(post).toContain('Called [phone] at 10:30');
    expect(post).toContain('https://desk.example/users?email=[email]&amp;ref=42');
    expect(post).toContain('https://desk.example/tickets/42?requester=[email]');
  });

  it('while the brief, for the claimer alone, still carries them', () => {
    const brief = JSON.stringify(buildBrief(complaint, 1, NOW));
    expect(brief).toContain(`tel:${PHONE}`);
    expect(brief).toContain(EMAIL);
  });
});
