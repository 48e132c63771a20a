import type { ActionLine, ActionLines } from '../../src/actions/action-list';
import { type DigestModel, type ExecutiveActivity, type Metrics, sparkline } from '../../src/digest/digest';
import { buildDigest, buildStats, renderDigestText } from '../../src/digest/digest.blocks';
import type { Block } from '../../src/ports/slack.port';
import { redactText } from '../../src/privacy/redact';
import { blockKitBuilderUrl } from '../../src/shared/blocks';
import { messageProblems } from '../helpers/block-kit';
import { contactLeaks, INJECTION, liveInjections, TEXT_WITH_CONTACTS } from '../helpers/customer-text';

const PHONE = '+1 (415) 555-0123';
const EMAIL = 'grace.hopper@navy.example.mil';

const noLines = (): ActionLines => ({ items: [], total: 0 });

let actionSeq = 0;
function actionLine(overrides: Partial<ActionLine> = {}): ActionLine {
  actionSeq += 1;
  return {
    id: actionSeq,
    description: `Action ${actionSeq}: refund within a day`,
    theme: 'billing',
    owner: 'UEXEC0001',
    dueDate: null,
    closedAt: null,
    ...overrides,
  };
}

function emptyMetrics(): Metrics {
  return {
    from: '2026-11-16T05:00:00.000Z',
    to: '2026-11-23T05:00:00.000Z',
    funnel: { received: 0, escalated: 0, picked: 0, claimed: 0, firstAttempt: 0, reached: 0, advocates: 0 },
    medians: { pickToClaimHours: null, claimToAttemptHours: null },
    executives: [],
    quiet: [],
    unclaimed: [],
    unclaimedTotal: 0,
    newAdvocates: [],
    quote: null,
    learnings: [],
    learningsTotal: 0,
    actions: { opened: noLines(), done: noLines(), overdue: noLines() },
    themes: [],
    themeDays: 90,
    fixChecks: [],
    trend: ['2026-10-26', '2026-11-02', '2026-11-09', '2026-11-16'].map((label) => ({
      label,
      picked: 0,
      reached: 0,
      advocates: 0,
    })),
  };
}

function model(metrics: Partial<Metrics> = {}, extra: Partial<DigestModel> = {}): DigestModel {
  return {
    weekStart: '2026-11-16',
    weekEnd: '2026-11-22',
    timezone: 'America/New_York',
    partial: false,
    generatedAt: '2026-11-23T14:00:00.000Z',
    chart: true,
    metrics: { ...emptyMetrics(), ...metrics },
    seeds: { revealed: null, current: null },
    ...extra,
  };
}

const exec = (n: number, attempts = 1): ExecutiveActivity => ({
  userId: `UEXEC${String(n).padStart(4, '0')}`,
  claims: 1,
  attempts,
  reached: 1,
  advocates: 0,
});

/** A week where everything happened, with customer text that tries to ping, link and leak. */
function busyMetrics(): Partial<Metrics> {
  return {
    funnel: { received: 12, escalated: 3, picked: 5, claimed: 4, firstAttempt: 3, reached: 2, advocates: 1 },
    medians: { pickToClaimHours: 3.456, claimToAttemptHours: 20.4 },
    executives: [exec(1, 3), exec(2, 0), { ...exec(3, 0), claims: 0, reached: 0 }],
    quiet: ['UEXEC0007'],
    unclaimed: [
      {
        date: '2026-11-18',
        complaintId: 3,
        subject: `Refund <!channel> & <https://evil.example|click> call ${PHONE}`,
        ticketUrl: 'https://help.example.com/tickets/3',
      },
    ],
    unclaimedTotal: 1,
    newAdvocates: [
      {
        complaintId: 1,
        company: `Acme <!here> ${EMAIL}`,
        subject: 'Invoices doubled',
        kinds: ['referral', 'testimonial'],
      },
    ],
    quote: {
      text: `They said <!everyone> it was <@U999> great. Reach me at ${EMAIL} or ${PHONE}.\nSecond line.`,
      executive: 'UEXEC0001',
      at: '2026-11-18T14:00:00.000Z',
    },
    trend: [
      { label: '2026-10-26', picked: 1, reached: 0, advocates: 0 },
      { label: '2026-11-02', picked: 3, reached: 1, advocates: 0 },
      { label: '2026-11-09', picked: 2, reached: 2, advocates: 1 },
      { label: '2026-11-16', picked: 5, reached: 2, advocates: 1 },
    ],
  };
}

/** Every Block Kit limit from shared/reference/slack-limits.md that these messages could hit. */
function expectWithinLimits(message: { text: string; blocks: Block[] }): void {
  expect(message.blocks.length).toBeLessThanOrEqual(50);
  expect(message.text.length).toBeGreaterThan(0);
  expect(message.text.length).toBeLessThanOrEqual(3000);
  expect(messageProblems(message)).toEqual([]);
}

const everything = (message: { text: string; blocks: Block[] }) => JSON.stringify(message);

describe('buildDigest', () => {
  it('shows the funnel, medians, executives, unclaimed picks, advocates, quote and trend', () => {
    const digest = buildDigest(model(busyMetrics()));
    expectWithinLimits(digest);
    const json = everything(digest);
    expect(digest.blocks[0]).toMatchObject({
      type: 'header',
      text: { text: 'Pickup weekly digest: Nov 16 – Nov 22, 2026' },
    });
    expect(json).toContain('12 major complaints received (3 escalated by support leads) → 5 picked → 4 claimed');
    expect(json).toContain('3.5 h');
    expect(json).toContain('20 h');
    expect(json).toContain('• <@UEXEC0001>: 1 claim · 3 calls · 1 reached · 0 advocates');
    expect(json).toContain('1 other executive had no claims or calls this week.');
    expect(json).toContain("<@UEXEC0007> hasn't had a call in 30 days — maybe this week?");
    expect(json).toContain(
      '<https://help.example.com/tickets/3|Refund &lt;!channel&gt; &amp; &lt;https://evil.example¦click&gt;',
    );
    expect(json).toContain('Referral, Testimonial');
    expect(json).toContain("— from <@UEXEC0001>'s call notes");
    expect(json).toContain('`▂▅▄█` Picked: 1 → 3 → 2 → 5');
    expect(json).toContain('The chart of these weeks is in the thread.');
    expect(digest.text).toBe(
      'Pickup weekly digest for Nov 16 – Nov 22, 2026: 12 received, 5 picked, 2 reached, 1 new advocate.',
    );
  });

  it('escapes customer text so <!channel>, <!here>, <!everyone> and <@U…> cannot ping', () => {
    const json = everything(buildDigest(model(busyMetrics())));
    for (const raw of ['<!channel>', '<!here>', '<!everyone>', '<@U999>', '<https://evil.example']) {
      expect(json).not.toContain(raw);
    }
    expect(json).toContain('&lt;!channel&gt;');
    expect(json).toContain('&lt;!here&gt;');
    expect(json).toContain('&lt;!everyone&gt; it was &lt;@U999&gt; great.');
    // A multi-line quote stays a quote on every line.
    expect(json).toContain('\\n>Second line.');
  });

  it('never shows a phone number or an email address, even when notes, subjects or names hold them', () => {
    const digest = buildDigest(model(busyMetrics()));
    const text = renderDigestText(model(busyMetrics()));
    for (const out of [everything(digest), text]) {
      expect(out).not.toContain(EMAIL);
      expect(out).not.toContain('555-0123');
      expect(out).not.toContain('415');
      expect(out).toContain('[email]');
      expect(out).toContain('[phone]');
    }
  });

  it('stays within 50 blocks and every text limit with many executives, advocates and unclaimed picks', () => {
    const long = 'A very long subject <!channel> & more '.repeat(40);
    const many = model({
      ...busyMetrics(),
      executives: Array.from({ length: 400 }, (_, i) => exec(i + 1, 400 - i)),
      quiet: Array.from({ length: 120 }, (_, i) => `UQUIET${String(i).padStart(4, '0')}`),
      unclaimed: Array.from({ length: 50 }, (_, i) => ({
        date: '2026-11-18',
        complaintId: i,
        subject: long,
        ticketUrl: `https://help.example.com/tickets/${i}?q=${'x'.repeat(200)}`,
      })),
      unclaimedTotal: 90,
      newAdvocates: Array.from({ length: 50 }, (_, i) => ({
        complaintId: i,
        company: long,
        subject: long,
        kinds: ['executive_assessment', 'referral', 'renewal_expansion', 'survey_promoter'],
      })),
      funnel: { received: 999, escalated: 10, picked: 90, claimed: 80, firstAttempt: 70, reached: 60, advocates: 120 },
      quote: { text: long.repeat(5), executive: 'UEXEC0001', at: '2026-11-18T14:00:00.000Z' },
    });
    const digest = buildDigest(many);
    expectWithinLimits(digest);
    const json = everything(digest);
    // What did not fit is counted, never silently dropped.
    expect(json).toMatch(/…and \d+ more/);
    expect(json).toContain('*Picks nobody claimed* (90)');
    expect(json).toContain('*New advocates* (120)');
    expect(json).toContain('and 90 more');
    expect(json).not.toContain('<!channel>');
  });

  it('says plainly when a week was quiet', () => {
    const digest = buildDigest(model({ quiet: ['UEXEC0001', 'UEXEC0002'] }, { chart: false }));
    expectWithinLimits(digest);
    const json = everything(digest);
    expect(json).toContain('A quiet week: no major complaints arrived and no calls were made.');
    expect(json).toContain("<@UEXEC0001> and <@UEXEC0002> haven't had a call in 30 days — maybe this week?");
    expect(json).not.toContain('The funnel');
    expect(json).not.toContain('in the thread');
    expect(json).toContain('`▁▁▁▁` Picked: 0 → 0 → 0 → 0');
    expect(digest.text).toContain('a quiet week');
    expect(renderDigestText(model())).toContain('A quiet week: no major complaints arrived and no calls were made.');
  });

  it('marks a partial week in the header', () => {
    const digest = buildDigest(model(busyMetrics(), { partial: true }));
    expect(digest.blocks[0]).toMatchObject({
      type: 'header',
      text: { text: 'Pickup weekly digest: Nov 16 – Nov 22, 2026 (partial week, so far)' },
    });
    expect(everything(digest)).toContain('This week is not over yet');
    expect(digest.text).toContain('(so far)');
    expect(renderDigestText(model({}, { partial: true }))).toContain('PARTIAL');
  });

  it('drops a link whose URL is not http(s), keeping the escaped subject', () => {
    const m = busyMetrics();
    const digest = buildDigest(
      model({
        ...m,
        unclaimed: [{ date: '2026-11-18', complaintId: 1, subject: 'Bad <link>', ticketUrl: 'javascript:alert(1)' }],
      }),
    );
    const json = everything(digest);
    expect(json).toContain('Wed Nov 18: Bad &lt;link&gt;');
    expect(json).not.toContain('javascript:');
  });
});

describe('what we learned, actions, themes and whether fixes held', () => {
  const quote = (text: string, executive = 'UEXEC0001', at = '2026-11-18T14:00:00.000Z') => ({ text, executive, at });
  const latest = quote('They want invoices they can read.\nAnd a named contact.');
  const loop = (): Partial<Metrics> => ({
    quote: latest,
    learnings: [latest, quote('Refunds took three weeks.', 'UEXEC0002', '2026-11-17T10:00:00.000Z')],
    learningsTotal: 2,
    actions: {
      opened: { items: [actionLine({ description: 'Refund within a day', dueDate: '2026-11-20' })], total: 1 },
      done: { items: [actionLine({ description: 'Stop double charges', owner: 'UEXEC0002' })], total: 1 },
      overdue: { items: [actionLine({ description: 'Name the plan on invoices', dueDate: '2026-11-19' })], total: 1 },
    },
    themes: [
      { theme: 'billing', complaints: 5 },
      { theme: 'support process', complaints: 2 },
    ],
    fixChecks: [
      {
        action: actionLine({ description: 'Stop double charges', closedAt: '2026-11-19T12:00:00.000Z' }),
        newComplaints: 2,
      },
      { action: actionLine({ description: 'Faster exports', theme: 'product' }), newComplaints: 0 },
    ],
  });

  it.each<[string, Partial<Metrics>, string[], string[]]>([
    [
      'every section when there is something in each',
      loop(),
      [
        '*What we learned* (2 shareable notes)',
        '>They want invoices they can read.\\n>And a named contact.',
        "— from <@UEXEC0001>'s call notes",
        '• “Refunds took three weeks.” — <@UEXEC0002>',
        '*Actions*: 1 opened · 1 done · 1 overdue',
        '• Refund within a day · _Billing_ · <@UEXEC0001>, due Nov 20',
        '• Stop double charges · _Billing_ · <@UEXEC0002>',
        '• Name the plan on invoices · _Billing_ · <@UEXEC0001>, due Nov 19',
        '*Did the fixes hold?* (done in the last 30 days)',
        'done Nov 19: :repeat: 2 new major complaints on this theme since',
        ':white_check_mark: no new major complaint on this theme since',
        '*Top themes (90 days)*, in major complaints\\nBilling 5 · Support process 2',
      ],
      [],
    ],
    [
      'one shareable note: quoted, with no list of others',
      { quote: latest, learnings: [latest], learningsTotal: 1 },
      ['*What we learned*\\n>They want', "— from <@UEXEC0001>'s call notes"],
      ['shareable notes', 'More from this week', '*Actions*', 'Top themes', 'Did the fixes hold?'],
    ],
    [
      'nothing learned and no actions: no such sections at all',
      {},
      [],
      ['What we learned', '*Actions*', 'Top themes', 'Did the fixes hold?'],
    ],
    [
      'only a recently done action: the action section says so with zero counts',
      { fixChecks: [{ action: actionLine({ description: 'Faster exports' }), newComplaints: 1 }] },
      ['*Actions*: 0 opened · 0 done · 0 overdue', ':repeat: 1 new major complaint on this theme since'],
      ['_Opened_', '_Done_', '_Overdue_'],
    ],
  ])('%s', (_name, metrics, present, absent) => {
    const digest = buildDigest(model(metrics));
    expectWithinLimits(digest);
    const json = everything(digest);
    for (const p of present) expect(json).toContain(p);
    for (const a of absent) expect(json).not.toContain(a);
  });

  it('escapes what executives typed and keeps contact details out of learnings and action descriptions', () => {
    const nasty = `Call ${PHONE} or ${EMAIL} <!channel> <@U999>`;
    const m: Partial<Metrics> = {
      ...loop(),
      learnings: [latest, quote(nasty, 'UEXEC0002')],
      actions: {
        opened: { items: [actionLine({ description: nasty, theme: '<!here> billing' })], total: 1 },
        done: noLines(),
        overdue: noLines(),
      },
      themes: [{ theme: '<!here>', complaints: 1 }],
      fixChecks: [{ action: actionLine({ description: nasty }), newComplaints: 1 }],
    };
    for (const out of [everything(buildDigest(model(m))), renderDigestText(model(m))]) {
      expect(out).not.toContain(EMAIL);
      expect(out).not.toContain('555-0123');
      expect(out).toContain('Call [phone] or [email]');
    }
    const json = everything(buildDigest(model(m)));
    for (const raw of ['<!channel>', '<!here>', '<@U999>']) expect(json).not.toContain(raw);
    expect(json).toContain('&lt;!here&gt; billing');
  });

  it('cuts long lists with a count and stays within 50 blocks with every section full', () => {
    const long = 'Make every invoice say which plan it bills <!channel> '.repeat(20);
    const lines = () => Array.from({ length: 50 }, () => actionLine({ description: long, dueDate: '2026-11-20' }));
    const full = model({
      ...busyMetrics(),
      executives: Array.from({ length: 400 }, (_, i) => exec(i + 1, 400 - i)),
      unclaimed: Array.from({ length: 50 }, (_, i) => ({
        date: '2026-11-18',
        complaintId: i,
        subject: long,
        ticketUrl: null,
      })),
      unclaimedTotal: 60,
      learnings: Array.from({ length: 50 }, (_, i) =>
        quote(`${long} ${i}`, 'UEXEC0002', `2026-11-1${i % 10}T00:00:00.000Z`),
      ),
      learningsTotal: 80,
      actions: {
        opened: { items: lines(), total: 120 },
        done: { items: lines(), total: 70 },
        overdue: { items: lines(), total: 55 },
      },
      themes: Array.from({ length: 8 }, (_, i) => ({ theme: `${long}${i}`, complaints: 100 - i })),
      fixChecks: Array.from({ length: 50 }, () => ({ action: actionLine({ description: long }), newComplaints: 3 })),
    });
    const digest = buildDigest(full);
    expectWithinLimits(digest);
    const json = everything(digest);
    expect(json).toContain('*What we learned* (80 shareable notes)');
    expect(json).toContain('*Actions*: 120 opened · 70 done · 55 overdue');
    expect(json).toMatch(/_Opened_.*…and \d+ more/);
    // The trend still makes it in after every list.
    expect(json).toContain('Picked: 1 → 3 → 2 → 5');
    expect(json).not.toContain('<!channel>');
  });

  it('renders the same sections as plain text', () => {
    const text = renderDigestText(model(loop()));
    expect(text).toContain('What we learned (2 shareable notes):');
    expect(text).toContain('"Refunds took three weeks." (@UEXEC0002)');
    expect(text).toContain('Actions: 1 opened, 1 done, 1 overdue');
    expect(text).toContain('overdue: Name the plan on invoices [Billing] @UEXEC0001, due 2026-11-19');
    expect(text).toContain(
      'done 2026-11-19: Stop double charges [Billing] @UEXEC0001: 2 new major complaints on it since',
    );
    expect(text).toContain('Top themes (90 days), in major complaints: Billing 5, Support process 2');
  });
});

describe('the draw seeds in the digest', () => {
  const SEED = '5eed'.repeat(16);
  const PAST_COMMITMENT = 'a1'.repeat(32);
  const NEW_COMMITMENT = 'b2'.repeat(32);
  const seeds: DigestModel['seeds'] = {
    revealed: { weekStart: '2026-11-16', seed: SEED, commitment: PAST_COMMITMENT },
    current: { weekStart: '2026-11-23', commitment: NEW_COMMITMENT },
  };

  it("reveals the week's seed with its commitment and shows this week's commitment, last, within every limit", () => {
    const digest = buildDigest(model(busyMetrics(), { seeds }));
    expectWithinLimits(digest);
    const last = digest.blocks[digest.blocks.length - 1] as { type: string; elements: { text: string }[] };
    expect(last.type).toBe('context');
    expect(last.elements.map((e) => e.text)).toEqual([
      `:unlock: Draw seed of the week of Nov 16, revealed now that the week is over: \`${SEED}\` ` +
        `(its SHA-256 is \`${PAST_COMMITMENT}\`, the commitment posted with that week's picks). ` +
        'Check any of its picks with `npm run cli -- verify --date YYYY-MM-DD`.',
      `:lock: This week's draws (week of Nov 23) use the seed committed to as \`${NEW_COMMITMENT}\`; ` +
        "it is revealed once the week is over, in that week's digest.",
    ]);
  });

  it('keeps the seeds within 50 blocks even when every other section is full', () => {
    const long = 'A long subject '.repeat(60);
    const full = model(
      {
        ...busyMetrics(),
        executives: Array.from({ length: 400 }, (_, i) => exec(i + 1, 400 - i)),
        quiet: ['UEXEC0007'],
        unclaimed: Array.from({ length: 50 }, (_, i) => ({
          date: '2026-11-18',
          complaintId: i,
          subject: long,
          ticketUrl: null,
        })),
        unclaimedTotal: 50,
      },
      { seeds },
    );
    const digest = buildDigest(full);
    expectWithinLimits(digest);
    expect(everything(digest)).toContain(NEW_COMMITMENT);
  });

  it('shows only what there is: nothing to reveal or commit to, no seed lines', () => {
    expect(everything(buildDigest(model(busyMetrics())))).not.toMatch(/Draw seed|committed to as/);
    const onlyCurrent = everything(
      buildDigest(model(busyMetrics(), { seeds: { revealed: null, current: seeds.current } })),
    );
    expect(onlyCurrent).toContain(NEW_COMMITMENT);
    expect(onlyCurrent).not.toContain('Draw seed of the week');
  });

  it('the text rendering carries the same seed and commitments', () => {
    const text = renderDigestText(model(busyMetrics(), { seeds }));
    expect(text).toContain(`Draw seed of the week of Nov 16, revealed now that the week is over: ${SEED}`);
    expect(text).toContain(`committed to as ${NEW_COMMITMENT}`);
  });
});

describe('renderDigestText', () => {
  it('reads as plain text with every section', () => {
    const text = renderDigestText(model(busyMetrics()));
    expect(text).toContain('Pickup weekly digest: Nov 16 – Nov 22, 2026 (Monday to Sunday, America/New_York)');
    expect(text).toContain('Median pick → claim: 3.5 h; claim → first call: 20 h');
    expect(text).toContain('@UEXEC0001: 1 claim, 3 calls, 1 reached, 0 advocates');
    expect(text).toContain('Not called in 30 days (maybe this week?): @UEXEC0007');
    expect(text).toContain('Picks nobody claimed (1):');
    expect(text).toContain('<https://help.example.com/tickets/3>');
    expect(text).toContain('New advocates (1):');
    expect(text).toContain('week of 2026-11-16: 5 picked, 2 reached, 1 advocate');
    expect(text).toContain('picked ▂▅▄█');
  });
});

describe('blockKitBuilderUrl', () => {
  it('carries the blocks in the fragment, encoded', () => {
    const blocks = buildDigest(model(busyMetrics())).blocks;
    const url = blockKitBuilderUrl(blocks);
    expect(url.startsWith('https://app.slack.com/block-kit-builder#')).toBe(true);
    const fragment = url.slice(url.indexOf('#') + 1);
    expect(JSON.parse(decodeURIComponent(fragment))).toEqual({ blocks });
  });
});

describe('buildStats', () => {
  it('summarises a window compactly: funnel, medians and who called', () => {
    const stats = buildStats({ ...emptyMetrics(), ...busyMetrics() }, 'last 30 days');
    expectWithinLimits(stats);
    expect(stats.blocks.length).toBeLessThanOrEqual(8);
    const json = everything(stats);
    expect(json).toContain('*Pickup, last 30 days*');
    expect(json).toContain('→ 5 picked → 4 claimed');
    expect(json).toContain('Median pick → claim: 3.5 h');
    expect(json).toContain('Unclaimed picks: 1');
    expect(json).toContain('<@UEXEC0001>: 1 claim · 3 calls');
    expect(json).not.toContain(EMAIL);
    expect(stats.text).toBe('Pickup, last 30 days: 12 received, 5 picked, 2 reached, 1 new advocate.');
  });

  it('says when nobody called, and stays within limits with hundreds of executives', () => {
    expect(everything(buildStats(emptyMetrics(), 'last 7 days'))).toContain(
      'No executive claimed or called in the last 7 days.',
    );
    const many = buildStats(
      { ...emptyMetrics(), executives: Array.from({ length: 500 }, (_, i) => exec(i)) },
      'last 90 days',
    );
    expectWithinLimits(many);
    expect(everything(many)).toMatch(/…and \d+ more/);
  });
});

describe('sparkline, and the redaction the digest relies on', () => {
  it('scales counts to ▁..█', () => {
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7])).toBe('▁▂▃▄▅▆▇█');
    expect(sparkline([0, 0, 0, 0])).toBe('▁▁▁▁');
    expect(sparkline([5, 10])).toBe('▅█');
  });

  it('removes emails and phone numbers but keeps dates and small numbers', () => {
    expect(redactText(`mail ${EMAIL} or call ${PHONE} or +44 20 7946 0958`)).toBe(
      'mail [email] or call [phone] or [phone]',
    );
    expect(redactText('called 2026-11-18, 3 times, ticket 12345')).toBe('called 2026-11-18, 3 times, ticket 12345');
    // Bare 7–9 digit runs are order and ticket numbers; a bare 10-digit US number reads as a phone.
    expect(redactText('order 12345678, ticket 1234567, call 4155550123')).toBe(
      'order 12345678, ticket 1234567, call [phone]',
    );
  });

  it("removes the customer's own email and phone exactly as stored", () => {
    expect(redactText('ring 5550123 or mail Ada.L@ex', { phone: '5550123', email: 'Ada.L@ex' })).toBe(
      'ring [phone] or mail [email]',
    );
  });
});

/** A busy week whose every piece of customer text carries INJECTION and contact details. */
function hostileMetrics(): Partial<Metrics> {
  const text = `${INJECTION} ${TEXT_WITH_CONTACTS}`;
  return {
    ...busyMetrics(),
    unclaimed: [
      {
        date: '2026-11-18',
        complaintId: 3,
        subject: text,
        ticketUrl: 'https://desk.example/t/3?who=jane.doe%40acme.example',
      },
    ],
    newAdvocates: [
      { complaintId: 1, company: `Acme & <Sons> ${TEXT_WITH_CONTACTS}`, subject: text, kinds: ['referral'] },
    ],
    quote: { text: `${text}\n${text}`, executive: 'UEXEC0001', at: '2026-11-18T14:00:00.000Z' },
  };
}

/** Everything at once, far past what one message holds. */
function overflowingMetrics(): Partial<Metrics> {
  const long = `${INJECTION} ${TEXT_WITH_CONTACTS} `.repeat(15);
  return {
    ...hostileMetrics(),
    executives: Array.from({ length: 500 }, (_, i) => exec(i + 1, 500 - i)),
    quiet: Array.from({ length: 200 }, (_, i) => `UQUIET${String(i).padStart(4, '0')}`),
    unclaimed: Array.from({ length: 60 }, (_, i) => ({
      date: '2026-11-18',
      complaintId: i,
      subject: long,
      ticketUrl: null,
    })),
    unclaimedTotal: 60,
    newAdvocates: Array.from({ length: 60 }, (_, i) => ({ complaintId: i, company: long, subject: long, kinds: [] })),
    funnel: { received: 999, escalated: 10, picked: 90, claimed: 80, firstAttempt: 70, reached: 60, advocates: 60 },
    quote: { text: long, executive: 'UEXEC0001', at: '2026-11-18T14:00:00.000Z' },
  };
}

const SEEDS: DigestModel['seeds'] = {
  revealed: { weekStart: '2026-11-16', seed: 'd'.repeat(64), commitment: 'a'.repeat(64) },
  current: { weekStart: '2026-11-23', commitment: 'b'.repeat(64) },
};

const scenarios: [scenario: string, build: () => { text: string; blocks: Block[] }][] = [
  ['the digest of a busy week, hostile text everywhere', () => buildDigest(model(hostileMetrics()))],
  ['the digest of a quiet week', () => buildDigest(model({}, { chart: false }))],
  [
    'the digest of a partial week, with both seeds',
    () => buildDigest(model(hostileMetrics(), { partial: true, seeds: SEEDS })),
  ],
  [
    'the digest of a week past every limit, with both seeds',
    () => buildDigest(model(overflowingMetrics(), { seeds: SEEDS })),
  ],
  ['/pickup stats over a busy window', () => buildStats({ ...emptyMetrics(), ...hostileMetrics() }, 'last 7 days')],
  ['/pickup stats with nobody calling', () => buildStats(emptyMetrics(), 'last 30 days')],
  ['/pickup stats past every limit', () => buildStats({ ...emptyMetrics(), ...overflowingMetrics() }, 'last 90 days')],
];

describe('digest.blocks: every builder, every scenario', () => {
  it.each(scenarios)('%s: Slack takes it (limits, lengths, shapes)', (_scenario, build) => {
    expect(messageProblems(build())).toEqual([]);
  });

  it.each(scenarios)('%s: customer text cannot ping, mention or link', (_scenario, build) => {
    expect(liveInjections(build())).toEqual([]);
  });

  it.each(scenarios)('%s: no phone or email, not even inside free text', (_scenario, build) => {
    expect(contactLeaks(build())).toEqual([]);
  });

  it.each<[string, DigestModel]>([
    ['a busy week', model(hostileMetrics(), { seeds: SEEDS })],
    ['a week past every limit', model(overflowingMetrics())],
  ])('the text rendering of %s: no phone or email either', (_scenario, digest) => {
    expect(contactLeaks(renderDigestText(digest))).toEqual([]);
  });
});
