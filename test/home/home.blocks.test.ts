import type { ActionListItem } from '../../src/actions/action-list';
import {
  type AttemptItem,
  type EscalationItem,
  type ExecutiveHome,
  HOME_LIST_LIMITS,
  type HomeComplaint,
  type HomeModel,
  homeRoleOf,
  type LeadHome,
  type OpenClaimItem,
} from '../../src/home/home';
import { buildHomeView, HOME_MAX_BLOCKS } from '../../src/home/home.blocks';
import type { Block } from '../../src/ports/slack.port';
import { type EffectiveSetting, SETTING_NAMES } from '../../src/settings/settings';
import { viewProblems } from '../helpers/block-kit';
import {
  contactLeaks,
  EMAIL as HOSTILE_EMAIL,
  PHONE as HOSTILE_PHONE,
  INJECTION,
  liveInjections,
  TEXT_WITH_CONTACTS,
} from '../helpers/customer-text';

const NOW = new Date('2026-11-24T15:00:00Z');
const ME = 'UEXEC0001';
const OTHER_EXEC = 'UEXEC0002';
const PHONE = '+14155550123';
const EMAIL = 'ada@example.com';
const NASTY = 'Billed <!channel> & <@U999> <https://evil.example|click>';

let seq = 0;
function complaint(overrides: Partial<HomeComplaint> = {}): HomeComplaint {
  seq += 1;
  return {
    id: seq,
    subject: `Complaint ${seq}: billed twice`,
    customerName: 'Ada Lovelace',
    company: 'Analytical Engines',
    source: 'zendesk',
    externalId: String(1000 + seq),
    url: `https://help.example.com/tickets/${seq}`,
    priority: 'urgent',
    receivedAt: new Date('2026-11-22T10:00:00Z'),
    ...overrides,
  };
}

function openClaim(overrides: Partial<OpenClaimItem> = {}): OpenClaimItem {
  const c = complaint();
  return {
    claimId: c.id + 500,
    claimedAt: new Date('2026-11-23T10:00:00Z'),
    attempts: 1,
    complaint: c,
    phone: PHONE,
    email: EMAIL,
    ...overrides,
  };
}

function attempt(overrides: Partial<AttemptItem> = {}): AttemptItem {
  seq += 1;
  return {
    attemptId: seq,
    at: new Date('2026-11-20T16:00:00Z'),
    outcome: 'reached',
    assessment: 'advocate',
    subject: `Complaint ${seq}`,
    ...overrides,
  };
}

function escalation(status: EscalationItem['status'], overrides: Partial<HomeComplaint> = {}): EscalationItem {
  return { complaint: complaint(overrides), escalatedAt: new Date('2026-11-21T09:00:00Z'), status };
}

function executiveHome(overrides: Partial<ExecutiveHome> = {}): ExecutiveHome {
  return {
    todayPick: {
      kind: 'complaint',
      date: '2026-11-24',
      poolSize: 7,
      complaint: complaint({ subject: 'Today: the export broke' }),
      status: { kind: 'unclaimed' },
    },
    openClaims: { items: [openClaim()], total: 1 },
    history: { items: [attempt()], total: 1 },
    numbers: { days: 90, claims: 4, attempts: 6, reached: 3, advocates: 2 },
    away: { items: [{ start: '2026-12-01', end: '2026-12-05' }], total: 1 },
    ...overrides,
  };
}

let actionSeq = 0;
function actionItem(overrides: Partial<ActionListItem> = {}): ActionListItem {
  actionSeq += 1;
  return {
    id: actionSeq,
    description: `Action ${actionSeq}: refund within a day`,
    theme: 'billing',
    owner: ME,
    requestedBy: ME,
    dueDate: '2026-12-01',
    overdue: false,
    complaintId: 900 + actionSeq,
    subject: `Complaint ${actionSeq}: billed twice`,
    ticketUrl: `https://help.example.com/tickets/${actionSeq}`,
    ...overrides,
  };
}

function leadHome(items: EscalationItem[] = [escalation({ kind: 'waiting' })], total = items.length): LeadHome {
  return { escalations: { items, total } };
}

function model(overrides: Partial<HomeModel> = {}): HomeModel {
  return {
    userId: ME,
    now: NOW,
    today: '2026-11-24',
    timezone: 'UTC',
    execChannel: 'CEXECS001',
    executive: undefined,
    lead: undefined,
    askFor: { executives: '<@UEXEC0001>, <!subteam^SEXECS001>', supportLeads: '<@ULEAD0001>' },
    ...overrides,
  };
}

const json = (blocks: Block[]) => JSON.stringify(blocks);

/** Every setting, from the environment, with `overrides` by name (a value, or a value and a source). */
function effective(overrides: Partial<Record<string, Partial<EffectiveSetting>>> = {}): EffectiveSetting[] {
  return SETTING_NAMES.map((name) => ({
    name,
    value: name === 'EXEC_CHANNEL' ? 'CEXECS001' : name === 'EXECUTIVES' ? 'UEXEC0001,SEXECS001' : 'x',
    source: { kind: 'env' },
    ...overrides[name],
  }));
}

const SETUP_MISSING = {
  missing: ['LEADERSHIP_CHANNEL', 'SUPPORT_LEADS'],
  admins: "the workspace's admins and owners, and <@UADMIN001>",
} as const;

/** Every button in the view, from actions blocks and section accessories. */
function buttons(blocks: Block[]): { action_id: string; value: string }[] {
  const found: { action_id: string; value: string }[] = [];
  for (const b of blocks) {
    const elements = b.type === 'actions' ? b.elements : [];
    const accessory = b.type === 'section' && b.accessory ? [b.accessory] : [];
    for (const e of [...elements, ...accessory]) {
      if (e.type === 'button') found.push({ action_id: String(e.action_id), value: String(e.value) });
    }
  }
  return found;
}

/** The Slack limits the fake Slack and real Slack enforce on a Home tab, checked on a built view. */
function expectWithinSlackLimits(blocks: Block[]) {
  expect(blocks.length).toBeLessThanOrEqual(HOME_MAX_BLOCKS);
  expect(viewProblems({ type: 'home', blocks })).toEqual([]);
}

describe('homeRoleOf', () => {
  it('maps the two lists to a role, both when on both', () => {
    expect(homeRoleOf(true, false)).toBe('executive');
    expect(homeRoleOf(false, true)).toBe('lead');
    expect(homeRoleOf(true, true)).toBe('both');
    expect(homeRoleOf(false, false)).toBe('other');
  });
});

describe('buildHomeView', () => {
  it('shows an executive today’s pick with a claim button, open calls with Log outcome, numbers, history and away', () => {
    const m = model({ executive: executiveHome() });
    const view = buildHomeView(m);
    expect(view.type).toBe('home');
    const text = json(view.blocks);
    expect(text).toContain('Today: the export broke');
    expect(text).toContain('1 of 7 eligible');
    const pick = m.executive?.todayPick;
    const claim = m.executive?.openClaims.items[0];
    expect(buttons(view.blocks)).toEqual([
      { action_id: 'claim_complaint', value: String(pick?.kind === 'complaint' ? pick.complaint.id : '') },
      { action_id: 'log_outcome', value: String(claim?.claimId) },
    ]);
    expect(text).toContain('Your numbers (last 90 days)');
    expect(text).toMatch(/Claims\*\\n4/);
    expect(text).toMatch(/Advocates\*\\n2/);
    expect(text).toContain('2026-11-20 · Reached the customer (Advocate: they would speak up for us)');
    expect(text).toContain('2026-12-01 to 2026-12-05');
    expect(text).not.toContain('Your escalations');
    expectWithinSlackLimits(view.blocks);
  });

  it('names who holds today’s pick instead of a claim button', () => {
    const claimedByOther = executiveHome({
      todayPick: {
        kind: 'complaint',
        date: '2026-11-24',
        poolSize: 3,
        complaint: complaint(),
        status: { kind: 'claimed', by: OTHER_EXEC },
      },
      openClaims: { items: [], total: 0 },
    });
    const view = buildHomeView(model({ executive: claimedByOther }));
    expect(json(view.blocks)).toContain(`Claimed by <@${OTHER_EXEC}>`);
    expect(buttons(view.blocks)).toEqual([]);

    const mine = buildHomeView(
      model({
        executive: executiveHome({
          todayPick: {
            kind: 'complaint',
            date: '2026-11-24',
            poolSize: 3,
            complaint: complaint(),
            status: { kind: 'claimed', by: ME },
          },
        }),
      }),
    );
    expect(json(mine.blocks)).toContain('Claimed by you');
    expect(buttons(mine.blocks).map((b) => b.action_id)).toEqual(['log_outcome']);
  });

  it('says so when there is no pick yet, an empty pool, a call already made, or a do-not-call customer', () => {
    const none = buildHomeView(
      model({ executive: executiveHome({ todayPick: { kind: 'none', date: '2026-11-24' } }) }),
    );
    expect(json(none.blocks)).toContain('No pick yet today');
    const empty = buildHomeView(
      model({ executive: executiveHome({ todayPick: { kind: 'empty', date: '2026-11-24' } }) }),
    );
    expect(json(empty.blocks)).toContain('No eligible complaints today');
    const base = { kind: 'complaint', date: '2026-11-24', poolSize: 2, complaint: complaint() } as const;
    const called = buildHomeView(
      model({ executive: executiveHome({ todayPick: { ...base, status: { kind: 'called', by: OTHER_EXEC } } }) }),
    );
    expect(json(called.blocks)).toContain(`Called back by <@${OTHER_EXEC}>`);
    const dnc = buildHomeView(
      model({ executive: executiveHome({ todayPick: { ...base, status: { kind: 'do_not_call' } } }) }),
    );
    expect(json(dnc.blocks)).toContain('asked not to be called');
    for (const v of [none, empty, called, dnc]) {
      expect(buttons(v.blocks).filter((b) => b.action_id === 'claim_complaint')).toEqual([]);
    }
  });

  it('puts phone and email only in the executive’s own open calls, never in today’s pick or history', () => {
    const exec = executiveHome();
    const view = buildHomeView(model({ executive: exec }));
    const withPhone = view.blocks.filter((b) => JSON.stringify(b).includes(PHONE));
    expect(withPhone).toHaveLength(1);
    const [block] = withPhone;
    expect(block).toMatchObject({ accessory: { action_id: 'log_outcome' } });
    expect(JSON.stringify(block)).toContain(`<tel:${PHONE}|${PHONE}>`);
    expect(JSON.stringify(block)).toContain(`<mailto:${EMAIL}|${EMAIL}>`);
    expect(view.blocks.filter((b) => JSON.stringify(b).includes(EMAIL))).toEqual([block]);
  });

  it('shows a support lead their escalations and what became of each, without contact details', () => {
    const items = [
      escalation({ kind: 'waiting' }),
      escalation({ kind: 'picked', on: '2026-11-23' }),
      escalation({ kind: 'claimed', by: OTHER_EXEC }),
      escalation({ kind: 'tried', by: OTHER_EXEC, outcome: 'no_answer' }),
      escalation({ kind: 'reached', by: OTHER_EXEC, on: '2026-11-22' }),
      escalation({ kind: 'advocate', by: OTHER_EXEC }),
      escalation({ kind: 'do_not_call' }),
    ];
    const view = buildHomeView(model({ userId: 'ULEAD0001', lead: leadHome(items) }));
    const text = json(view.blocks);
    expect(text).toContain('Your escalations (7)');
    expect(text).toContain('Waiting in the pool');
    expect(text).toContain('Picked on 2026-11-23');
    expect(text).toContain(`Claimed by <@${OTHER_EXEC}>`);
    expect(text).toContain(`<@${OTHER_EXEC}> tried: No answer`);
    expect(text).toContain(`Reached by <@${OTHER_EXEC}> on 2026-11-22`);
    expect(text).toContain('Advocate');
    expect(text).toContain('asked not to be called');
    expect(text).not.toContain("Today's pick");
    expect(buttons(view.blocks)).toEqual([]);
    expect(text).not.toContain(PHONE);
    expect(text).not.toContain(EMAIL);
    expect(text).not.toMatch(/tel:|mailto:/);
    expectWithinSlackLimits(view.blocks);
  });

  it('tells a lead with no escalations how to make one', () => {
    const view = buildHomeView(model({ lead: leadHome([]) }));
    expect(json(view.blocks)).toContain('/escalate');
  });

  it('shows anyone else what Pickup is and who to ask, and nothing about complaints', () => {
    const view = buildHomeView(model({ userId: 'UOUTSIDER' }));
    const text = json(view.blocks);
    expect(text).toContain('one unhappy customer every business day');
    expect(text).toContain('Executives: <@UEXEC0001>, <!subteam^SEXECS001>.');
    expect(text).toContain('Support leads: <@ULEAD0001>.');
    expect(text).toContain('<#CEXECS001>');
    expect(buttons(view.blocks)).toEqual([]);
    expect(text).not.toContain(PHONE);
    expect(text).not.toContain(EMAIL);
    expect(view.blocks.length).toBeLessThan(10);
  });

  it('shows both sections to someone who is an executive and a support lead', () => {
    const view = buildHomeView(model({ executive: executiveHome(), lead: leadHome() }));
    const text = json(view.blocks);
    expect(text).toContain("Today's pick");
    expect(text).toContain('Your open calls');
    expect(text).toContain('Your escalations');
    expect(text).not.toContain('Want to take part');
  });

  it('stays within 100 blocks with huge lists, cutting each with a count', () => {
    const longText = `${'x'.repeat(5000)} <!here>`;
    const claims = Array.from({ length: 500 }, () =>
      openClaim({ complaint: complaint({ subject: longText, customerName: longText, company: longText }) }),
    );
    const attempts = Array.from({ length: 500 }, () => attempt({ subject: longText }));
    const escalations = Array.from({ length: 500 }, () =>
      escalation({ kind: 'claimed', by: OTHER_EXEC }, { subject: longText }),
    );
    const away = Array.from({ length: 300 }, (_, i) => ({
      start: `2027-01-${String((i % 28) + 1).padStart(2, '0')}`,
      end: '2027-02-01',
    }));
    const view = buildHomeView(
      model({
        // An admin during setup sees the most: what is missing, the setup button and the settings.
        setup: {
          ...SETUP_MISSING,
          missing: ['EXEC_CHANNEL', 'LEADERSHIP_CHANNEL', 'EXECUTIVES', 'SUPPORT_LEADS'],
          canSetUp: true,
        },
        settings: effective(Object.fromEntries(SETTING_NAMES.map((n) => [n, { value: longText }]))),
        executive: executiveHome({
          todayPick: {
            kind: 'complaint',
            date: '2026-11-24',
            poolSize: 10_000,
            complaint: complaint({ subject: longText }),
            status: { kind: 'unclaimed' },
          },
          openClaims: { items: claims, total: 512 },
          history: { items: attempts, total: 2000 },
          away: { items: away, total: 300 },
          pickPostFailure: { outboxId: 9, reason: `Slack refused the call: ${longText}`, channel: 'CEXECS001' },
        }),
        lead: leadHome(escalations, 620),
        actions: {
          mine: { items: Array.from({ length: 300 }, () => actionItem({ description: longText })), total: 340 },
          others: {
            items: Array.from({ length: 300 }, () => actionItem({ description: longText, owner: OTHER_EXEC })),
            total: 700,
          },
        },
      }),
    );
    expectWithinSlackLimits(view.blocks);
    const text = json(view.blocks);
    expect(text).toContain('*My actions* (340)');
    expect(text).toContain(`…and ${340 - HOME_LIST_LIMITS.myActions} more.`);
    expect(text).toContain('*Everyone else’s open actions* (700)');
    expect(text).toContain(`…and ${512 - HOME_LIST_LIMITS.openClaims} more.`);
    expect(text).toContain(`…and ${2000 - HOME_LIST_LIMITS.history} more.`);
    expect(text).toContain(`…and ${620 - HOME_LIST_LIMITS.escalations} more.`);
    expect(text).toContain(`…and ${300 - HOME_LIST_LIMITS.away} more.`);
    expect(text).toContain('Your open calls (512)');
    expect(text).toContain('Your escalations (620)');
    expect(buttons(view.blocks).filter((b) => b.action_id === 'log_outcome')).toHaveLength(HOME_LIST_LIMITS.openClaims);
    expect(text).not.toContain('<!here>');
  });

  it('shows My actions to anyone who owns some, even someone on neither list, after what Pickup is', () => {
    const view = buildHomeView(
      model({
        actions: { mine: { items: [actionItem({ description: 'Fix the refund form' })], total: 1 }, others: undefined },
      }),
    );
    expectWithinSlackLimits(view.blocks);
    const text = json(view.blocks);
    expect(text).toContain('Want to take part?');
    expect(text).toContain('*My actions* (1)');
    expect(text).toContain('*Fix the refund form*');
    expect(text.indexOf('Want to take part?')).toBeLessThan(text.indexOf('*My actions*'));
    expect(text).not.toContain('Everyone else');
  });

  it('shows executives everyone else’s open actions as a compact list, and no My actions when they own none', () => {
    const others = [actionItem({ owner: OTHER_EXEC, description: 'Theirs', dueDate: '2026-11-20', overdue: true })];
    const view = buildHomeView(
      model({
        executive: executiveHome(),
        actions: { mine: { items: [], total: 0 }, others: { items: others, total: 1 } },
      }),
    );
    expectWithinSlackLimits(view.blocks);
    const text = json(view.blocks);
    expect(text).not.toContain('My actions');
    expect(text).toContain(
      '*Everyone else’s open actions* (1)\\n• Theirs · Billing · <@UEXEC0002> · :warning: due 2026-11-20',
    );
  });

  it('shows no action section to someone who owns none and is no executive', () => {
    const view = buildHomeView(model({ actions: { mine: { items: [], total: 0 }, others: undefined } }));
    expect(json(view.blocks)).not.toMatch(/actions\*/);
  });

  it('warns executives while today’s pick post has failed, with Slack’s reason, the fix and how to send it again', () => {
    const failure = { outboxId: 42, reason: 'Slack refused the call: not_in_channel', channel: 'CEXECS001' };
    const view = buildHomeView(model({ executive: executiveHome({ pickPostFailure: failure }) }));
    expectWithinSlackLimits(view.blocks);
    const [, , heading, notice, how] = view.blocks;
    expect(heading?.type).toBe('header');
    expect(JSON.stringify(heading)).toContain("Today's pick (2026-11-24)");
    const text = JSON.stringify([notice, how]);
    expect(text).toContain(
      ":warning: *Today's pick could not be posted in <#CEXECS001>*, so nobody has seen it there.",
    );
    expect(text).toContain('Slack said: `Slack refused the call: not_in_channel`');
    expect(text).toContain('*To fix:* @Pickup is not a member of <#CEXECS001>. Invite @Pickup to the channel');
    expect(text).toContain('`/pickup pick` posts the same pick (never a new draw)');
    expect(text).toContain('`npm run cli -- pick --date 2026-11-24` or `outbox retry 42`');
    // The claim button stays: App Home is where the pick can still be taken while the channel is broken.
    expect(buttons(view.blocks).map((b) => b.action_id)).toContain('claim_complaint');

    const fine = json(buildHomeView(model({ executive: executiveHome() })).blocks);
    expect(fine).not.toContain('could not be posted');
    const lead = json(buildHomeView(model({ lead: leadHome() })).blocks);
    expect(lead).not.toContain('could not be posted');
  });

  it('tells everyone first what setup still needs, in words; an admin gets the Set up Pickup button', () => {
    const admin = buildHomeView(
      model({ setup: { ...SETUP_MISSING, missing: [...SETUP_MISSING.missing], canSetUp: true } }),
    );
    expectWithinSlackLimits(admin.blocks);
    const adminText = json(admin.blocks.slice(0, 4));
    expect(adminText).toContain("Pickup isn't set up yet");
    expect(adminText).toContain('the leadership channel and the support leads');
    expect(adminText).not.toContain('LEADERSHIP_CHANNEL');
    const setup = buttons(admin.blocks).filter((b) => b.action_id === 'setup_pickup');
    expect(setup).toHaveLength(1);
    expect(JSON.stringify(admin.blocks)).toContain('"style":"primary"');

    const other = buildHomeView(
      model({ executive: executiveHome(), setup: { ...SETUP_MISSING, missing: ['EXECUTIVES'], canSetUp: false } }),
    );
    expectWithinSlackLimits(other.blocks);
    expect(json(other.blocks.slice(0, 4))).toContain('until it knows the executives.');
    expect(json(other.blocks.slice(0, 4))).toContain(
      "Ask one of Pickup's admins to set it up: the workspace's admins and owners, and <@UADMIN001>.",
    );
    expect(buttons(other.blocks).map((b) => b.action_id)).not.toContain('setup_pickup');
    // The rest of the Home follows, unchanged.
    expect(json(other.blocks)).toContain('Your open calls');
  });

  it('shows no setup notice once the essentials are set', () => {
    const view = buildHomeView(model({ settings: effective() }));
    expect(json(view.blocks)).not.toContain("isn't set up yet");
    expect(buttons(view.blocks).map((b) => b.action_id)).not.toContain('setup_pickup');
  });

  it('shows an admin each setting with its source, and the button that opens the settings', () => {
    const view = buildHomeView(
      model({
        settings: effective({
          EXEC_CHANNEL: {
            source: { kind: 'slack', by: 'UADMIN001', at: new Date('2026-11-20T10:00:00Z'), via: 'slack' },
          },
          TIMEZONE: { value: 'Europe/Paris', source: { kind: 'slack', by: 'ops <!channel>', at: NOW, via: 'cli' } },
          PICK_SCHEDULE: { value: '0 10 * * 1-5', source: { kind: 'default' } },
        }),
      }),
    );
    expectWithinSlackLimits(view.blocks);
    const text = json(view.blocks);
    expect(text).toContain('Settings');
    expect(text).toContain("*Executives' channel*: <#CEXECS001> · set in Slack by <@UADMIN001> on 2026-11-20");
    expect(text).toContain('*Executives*: <@UEXEC0001>, <!subteam^SEXECS001> · from the environment');
    expect(text).toContain('*Daily pick*: Mon–Fri at 10:00 · default');
    expect(text).toContain('set with the CLI by ops &lt;!channel&gt; on 2026-11-24');
    expect(text).not.toContain('<!channel>');
    expect(buttons(view.blocks).filter((b) => b.action_id === 'open_settings')).toHaveLength(1);
  });

  it('shows no settings to someone who is not an admin', () => {
    const view = buildHomeView(model({ executive: executiveHome() }));
    expect(buttons(view.blocks).map((b) => b.action_id)).not.toContain('open_settings');
    expect(json(view.blocks)).not.toContain('"Settings"');
  });

  it('escapes customer text everywhere it appears', () => {
    const exec = executiveHome({
      todayPick: {
        kind: 'complaint',
        date: '2026-11-24',
        poolSize: 1,
        complaint: complaint({ subject: NASTY, customerName: NASTY, company: NASTY, externalId: '<!everyone>' }),
        status: { kind: 'unclaimed' },
      },
      openClaims: {
        items: [openClaim({ complaint: complaint({ subject: NASTY, customerName: NASTY }), email: 'a<b>@x.com' })],
        total: 1,
      },
      history: { items: [attempt({ subject: NASTY, outcome: '<!channel>' })], total: 1 },
    });
    const view = buildHomeView(
      model({ executive: exec, lead: leadHome([escalation({ kind: 'waiting' }, { subject: NASTY, company: NASTY })]) }),
    );
    const text = json(view.blocks);
    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain('<!everyone>');
    expect(text).not.toContain('<@U999>');
    expect(text).not.toContain('<https://evil.example');
    expect(text).not.toContain('a<b>');
    expect(text).toContain('&lt;!channel&gt; &amp; &lt;@U999&gt;');
  });
});

/** A Home complaint whose every free-text field carries INJECTION and contact details. */
const hostile = (): HomeComplaint =>
  complaint({
    subject: `${INJECTION} ${TEXT_WITH_CONTACTS}`,
    customerName: `Jane <!channel> Doe (${HOSTILE_EMAIL})`,
    company: 'Acme & <Sons>',
    url: 'https://desk.example/tickets/42?requester=jane.doe%40acme.example',
  });

const LONG = `${'<&> '.repeat(2500)}`;

const scenarios: [scenario: string, build: () => HomeModel][] = [
  ['someone on neither list', () => model({ askFor: undefined })],
  [
    'an admin during setup, hostile and huge setting values',
    () =>
      model({
        setup: { ...SETUP_MISSING, missing: [...SETUP_MISSING.missing], canSetUp: true },
        settings: effective(Object.fromEntries(SETTING_NAMES.map((n) => [n, { value: `${INJECTION} ${LONG}` }]))),
      }),
  ],
  [
    'an executive with actions, hostile text and contact details in others’ and handed-over ones',
    () =>
      model({
        executive: executiveHome(),
        actions: {
          mine: {
            items: [
              actionItem({
                description: `${INJECTION} ${TEXT_WITH_CONTACTS}`,
                theme: INJECTION,
                subject: `${INJECTION} ${TEXT_WITH_CONTACTS}`,
                requestedBy: OTHER_EXEC,
              }),
            ],
            total: 1,
          },
          others: {
            items: [actionItem({ description: `${INJECTION} ${TEXT_WITH_CONTACTS}`, owner: OTHER_EXEC })],
            total: 1,
          },
        },
      }),
  ],
  [
    'an executive, hostile text everywhere',
    () =>
      model({
        executive: executiveHome({
          todayPick: {
            kind: 'complaint',
            date: '2026-11-24',
            poolSize: 3,
            complaint: hostile(),
            status: { kind: 'unclaimed' },
          },
          openClaims: {
            items: [openClaim({ complaint: hostile(), phone: HOSTILE_PHONE, email: HOSTILE_EMAIL })],
            total: 1,
          },
          history: { items: [attempt({ subject: `${INJECTION} ${TEXT_WITH_CONTACTS}` })], total: 1 },
        }),
      }),
  ],
  [
    'an executive whose pick post failed for a hostile reason',
    () =>
      model({
        executive: executiveHome({
          pickPostFailure: { outboxId: 3, reason: `Slack refused the call: ${INJECTION}`, channel: 'CEXECS001' },
        }),
      }),
  ],
  [
    'a support lead, hostile text in every escalation',
    () =>
      model({
        lead: leadHome([
          escalation({ kind: 'waiting' }, hostile()),
          escalation({ kind: 'tried', by: OTHER_EXEC, outcome: '<!channel>' }, hostile()),
        ]),
      }),
  ],
  [
    'both roles, every list far past its limit, every text 10,000 characters',
    () =>
      model({
        executive: executiveHome({
          openClaims: {
            items: Array.from({ length: 300 }, () =>
              openClaim({
                complaint: complaint({ subject: LONG, customerName: LONG, company: LONG }),
                email: HOSTILE_EMAIL,
              }),
            ),
            total: 300,
          },
          history: { items: Array.from({ length: 300 }, () => attempt({ subject: LONG })), total: 300 },
        }),
        lead: leadHome(Array.from({ length: 300 }, () => escalation({ kind: 'waiting' }, { subject: LONG }))),
      }),
  ],
];

/** The view without the viewer's own open calls, the one place App Home may show a phone or an email. */
const outsideOwnOpenCalls = (view: ReturnType<typeof buildHomeView>) =>
  view.blocks.filter(
    (b) => !(b.type === 'section' && b.accessory?.type === 'button' && b.accessory.action_id === 'log_outcome'),
  );

describe('buildHomeView: every scenario', () => {
  it.each(scenarios)('%s: Slack takes it (limits, lengths, shapes)', (_scenario, build) => {
    expect(viewProblems(buildHomeView(build()))).toEqual([]);
  });

  it.each(scenarios)('%s: customer text cannot ping, mention or link', (_scenario, build) => {
    expect(liveInjections(buildHomeView(build()))).toEqual([]);
  });

  it.each(scenarios)('%s: no phone or email outside the viewer’s own open calls', (_scenario, build) => {
    expect(contactLeaks(outsideOwnOpenCalls(buildHomeView(build())))).toEqual([]);
  });
});
