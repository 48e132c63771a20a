import type { Block } from '../ports/slack.port';
import { redactText } from '../privacy/redact';
import { context, divider, fields, header, LIMITS, section } from '../shared/blocks';
import { escapeAndTruncate, link, mention, oneLine, truncate } from '../shared/mrkdwn';
import {
  advocacyKindLabel,
  type DigestModel,
  type ExecutiveActivity,
  formatHours,
  isQuietWeek,
  type Metrics,
  QUIET_DAYS,
  sparkline,
} from './digest';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** "Nov 16" for a YYYY-MM-DD date. */
function dayLabel(date: string, withWeekday = false): string {
  const d = new Date(`${date}T00:00:00Z`);
  const day = `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}`;
  return withWeekday ? `${WEEKDAYS[d.getUTCDay()]} ${day}` : day;
}

/** "Nov 16 – Nov 22, 2026". */
function weekLabel(model: Pick<DigestModel, 'weekStart' | 'weekEnd'>): string {
  return `${dayLabel(model.weekStart)} – ${dayLabel(model.weekEnd)}, ${model.weekEnd.slice(0, 4)}`;
}

/**
 * The commit-reveal lines: the seed of a week that is over, which anyone can now check that week's picks against,
 * and the commitment of the week in progress, published before its seed is.
 */
function seedLines(seeds: DigestModel['seeds'], code: (s: string) => string): string[] {
  const lines: string[] = [];
  if (seeds.revealed) {
    const r = seeds.revealed;
    lines.push(
      `:unlock: Draw seed of the week of ${dayLabel(r.weekStart)}, revealed now that the week is over: ${code(r.seed)} ` +
        `(its SHA-256 is ${code(r.commitment)}, the commitment posted with that week's picks). ` +
        `Check any of its picks with ${code('npm run cli -- verify --date YYYY-MM-DD')}.`,
    );
  }
  if (seeds.current) {
    lines.push(
      `:lock: This week's draws (week of ${dayLabel(seeds.current.weekStart)}) use the seed committed to as ` +
        `${code(seeds.current.commitment)}; it is revealed once the week is over, in that week's digest.`,
    );
  }
  return lines;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Customer text made safe for a channel: one line, no contact details, escaped and cut to `max`. */
const customerText = (text: string, max: number) => escapeAndTruncate(redactText(oneLine(text)), max);

/**
 * Lines packed into as few sections as fit Slack's text limit, at most `maxBlocks` of them; lines that do not fit
 * are counted in a closing "…and N more" so nothing is silently dropped.
 */
function listSections(title: string, lines: readonly string[], maxBlocks: number, more = 0): Block[] {
  const budget = LIMITS.sectionText - 40;
  const texts: string[] = [];
  let current = title;
  let shown = 0;
  for (const line of lines) {
    const next = `${current}\n${line}`;
    if (next.length <= budget) {
      current = next;
      shown += 1;
      continue;
    }
    if (texts.length + 1 >= maxBlocks) break;
    texts.push(current);
    current = line;
    shown += 1;
  }
  const hidden = lines.length - shown + more;
  if (hidden > 0) current += `\n_…and ${hidden} more_`;
  texts.push(current);
  return texts.map((t) => section(t));
}

/** The funnel as one line of mrkdwn. */
function funnelLine(m: Metrics): string {
  const f = m.funnel;
  const escalated = f.escalated > 0 ? ` (${f.escalated} escalated by support leads)` : '';
  return (
    `${plural(f.received, 'major complaint')} received${escalated} → ${f.picked} picked → ${f.claimed} claimed → ` +
    `${plural(f.firstAttempt, 'first call')} → ${f.reached} reached → ${plural(f.advocates, 'new advocate')}`
  );
}

function activityLine(e: ExecutiveActivity): string {
  return (
    `• ${mention(e.userId)}: ${plural(e.claims, 'claim')} · ${plural(e.attempts, 'call')} · ` +
    `${e.reached} reached · ${plural(e.advocates, 'advocate')}`
  );
}

const isActive = (e: ExecutiveActivity) => e.claims + e.attempts + e.reached + e.advocates > 0;

/** "<@U1> hasn't had a call in 30 days — maybe this week?", named kindly. */
function quietLine(quiet: readonly string[], max = 30): string {
  const shown = quiet.slice(0, max).map(mention);
  const rest = quiet.length - shown.length;
  const who = rest > 0 ? `${shown.join(', ')} and ${rest} more` : joinNames(shown);
  const verb = quiet.length === 1 ? "hasn't" : "haven't";
  return `:wave: ${who} ${verb} had a call in ${QUIET_DAYS} days — maybe this week?`;
}

function joinNames(names: readonly string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** The trend as text sparklines, the fallback for the chart (and all there is in notifications). */
function trendText(m: Metrics): string {
  const series = [
    ['Picked', m.trend.map((t) => t.picked)],
    ['Reached', m.trend.map((t) => t.reached)],
    ['Advocates', m.trend.map((t) => t.advocates)],
  ] as const;
  const weeks = m.trend.map((t) => dayLabel(t.label)).join(', ');
  return [
    `*Last ${m.trend.length} weeks* (weeks of ${weeks})`,
    ...series.map(([name, values]) => `\`${sparkline(values)}\` ${name}: ${values.join(' → ')}`),
  ].join('\n');
}

/**
 * The weekly digest for the leadership channel. Pure, within 50 blocks and every text limit; customer text is
 * escaped and stripped of contact details, and executives are mentioned so they see it.
 */
export function buildDigest(model: DigestModel): { text: string; blocks: Block[] } {
  const m = model.metrics;
  const f = m.funnel;
  const title = `Pickup weekly digest: ${weekLabel(model)}${model.partial ? ' (partial week, so far)' : ''}`;
  const blocks: Block[] = [
    header(title),
    context(
      model.partial
        ? `:hourglass_flowing_sand: This week is not over yet: these are the figures so far. Monday to Sunday in ${model.timezone}.`
        : `Monday to Sunday in ${model.timezone}.`,
    ),
  ];

  if (isQuietWeek(m)) {
    blocks.push(section(':zzz: A quiet week: no major complaints arrived and no calls were made.'));
  } else {
    blocks.push(
      section(`*The funnel*\n${funnelLine(m)}`),
      fields([
        ['Median pick → claim', formatHours(m.medians.pickToClaimHours)],
        ['Median claim → first call', formatHours(m.medians.claimToAttemptHours)],
      ]),
      divider,
    );
    const active = m.executives.filter(isActive);
    const idle = m.executives.length - active.length;
    if (active.length > 0) {
      blocks.push(...listSections('*Executives*', active.map(activityLine), 4, 0));
    }
    if (idle > 0 && active.length > 0) {
      blocks.push(context(`${plural(idle, 'other executive')} had no claims or calls this week.`));
    }
  }
  if (m.quiet.length > 0) blocks.push(section(quietLine(m.quiet)));

  if (m.unclaimedTotal > 0) {
    const lines = m.unclaimed.map(
      (p) =>
        `• ${dayLabel(p.date, true)}: ${link(p.ticketUrl && redactText(p.ticketUrl), truncate(redactText(oneLine(p.subject)), 150))}`,
    );
    blocks.push(
      divider,
      ...listSections(`*Picks nobody claimed* (${m.unclaimedTotal})`, lines, 3, m.unclaimedTotal - m.unclaimed.length),
    );
  }

  if (f.advocates > 0) {
    const lines = m.newAdvocates.map((a) => {
      const company = a.company ? `*${customerText(a.company, 100)}*: ` : '';
      const kinds = a.kinds.map(advocacyKindLabel).join(', ') || 'advocacy recorded';
      return `• ${company}${customerText(a.subject, 150)} — ${kinds}`;
    });
    blocks.push(
      divider,
      ...listSections(`*New advocates* (${f.advocates})`, lines, 4, f.advocates - m.newAdvocates.length),
    );
  }

  if (m.quote) {
    const text = escapeAndTruncate(redactText(m.quote.text), 600)
      .split('\n')
      .map((l) => `>${l}`)
      .join('\n');
    blocks.push(divider, section(`*In their words*\n${text}\n— from ${mention(m.quote.executive)}'s call notes`));
  }

  blocks.push(divider, section(trendText(m)));
  if (model.chart) blocks.push(context(':bar_chart: The chart of these weeks is in the thread.'));
  const seeds = seedLines(model.seeds, (t) => `\`${t}\``);
  if (seeds.length > 0) blocks.push(divider, context(...seeds));

  const summary = isQuietWeek(m)
    ? 'a quiet week, nothing arrived and no calls were made'
    : `${f.received} received, ${f.picked} picked, ${f.reached} reached, ${plural(f.advocates, 'new advocate')}`;
  const text = `Pickup weekly digest for ${weekLabel(model)}${model.partial ? ' (so far)' : ''}: ${summary}.`;
  return { text: truncate(text, LIMITS.fallbackText), blocks: blocks.slice(0, LIMITS.messageBlocks) };
}

/** `/pickup stats`: the same figures over a rolling window, compact and ephemeral. `label` is "last 7 days" etc. */
export function buildStats(model: Metrics, label: string): { text: string; blocks: Block[] } {
  const active = model.executives.filter(isActive);
  const blocks: Block[] = [
    section(`*Pickup, ${label}*\n${funnelLine(model)}`),
    context(
      `Median pick → claim: ${formatHours(model.medians.pickToClaimHours)}`,
      `Median claim → first call: ${formatHours(model.medians.claimToAttemptHours)}`,
      `Unclaimed picks: ${model.unclaimedTotal}`,
    ),
  ];
  if (active.length > 0) blocks.push(...listSections('*Executives*', active.map(activityLine), 3));
  else blocks.push(section(`No executive claimed or called in the ${label}.`));
  if (model.quiet.length > 0) blocks.push(context(quietLine(model.quiet, 20)));
  blocks.push(context(trendText(model).replace(/\*/g, '')));
  const f = model.funnel;
  const text = `Pickup, ${label}: ${f.received} received, ${f.picked} picked, ${f.reached} reached, ${plural(f.advocates, 'new advocate')}.`;
  return { text, blocks: blocks.slice(0, LIMITS.messageBlocks) };
}

/** A readable plain-text rendering of the digest for the terminal (`digest --dry-run`, the demo). */
export function renderDigestText(model: DigestModel): string {
  const m = model.metrics;
  const plain = (s: string) => redactText(oneLine(s));
  const lines: string[] = [
    `Pickup weekly digest: ${weekLabel(model)} (Monday to Sunday, ${model.timezone})`,
    ...(model.partial ? ['PARTIAL: this week is not over yet; the figures are so far.'] : []),
    '',
  ];
  if (isQuietWeek(m)) {
    lines.push('A quiet week: no major complaints arrived and no calls were made.');
  } else {
    lines.push(
      `Funnel: ${funnelLine(m)}`,
      `Median pick → claim: ${formatHours(m.medians.pickToClaimHours)}; claim → first call: ${formatHours(m.medians.claimToAttemptHours)}`,
      '',
      'Executives:',
    );
    const active = m.executives.filter(isActive);
    if (active.length === 0) lines.push('  nobody claimed or called');
    for (const e of active) {
      lines.push(
        `  @${e.userId}: ${plural(e.claims, 'claim')}, ${plural(e.attempts, 'call')}, ${e.reached} reached, ${plural(e.advocates, 'advocate')}`,
      );
    }
  }
  if (m.quiet.length > 0) {
    lines.push(`Not called in ${QUIET_DAYS} days (maybe this week?): ${m.quiet.map((u) => `@${u}`).join(', ')}`);
  }
  if (m.unclaimedTotal > 0) {
    lines.push('', `Picks nobody claimed (${m.unclaimedTotal}):`);
    for (const p of m.unclaimed) {
      lines.push(
        `  ${dayLabel(p.date, true)}: ${truncate(plain(p.subject), 150)}${p.ticketUrl ? ` <${redactText(p.ticketUrl)}>` : ''}`,
      );
    }
  }
  if (m.funnel.advocates > 0) {
    lines.push('', `New advocates (${m.funnel.advocates}):`);
    for (const a of m.newAdvocates) {
      const kinds = a.kinds.map(advocacyKindLabel).join(', ');
      lines.push(
        `  ${a.company ? `${truncate(plain(a.company), 100)}: ` : ''}${truncate(plain(a.subject), 150)} (${kinds})`,
      );
    }
  }
  if (m.quote) {
    lines.push('', `In their words: "${truncate(plain(m.quote.text), 600)}" (from @${m.quote.executive}'s call notes)`);
  }
  lines.push('', `Last ${m.trend.length} weeks:`);
  for (const t of m.trend) {
    lines.push(`  week of ${t.label}: ${t.picked} picked, ${t.reached} reached, ${plural(t.advocates, 'advocate')}`);
  }
  lines.push(
    `  picked ${sparkline(m.trend.map((t) => t.picked))}  reached ${sparkline(m.trend.map((t) => t.reached))}  advocates ${sparkline(m.trend.map((t) => t.advocates))}`,
  );
  const seeds = seedLines(model.seeds, (t) => t);
  if (seeds.length > 0) lines.push('', ...seeds.map((l) => l.replace(/^:\w+: /, '')));
  return lines.join('\n');
}
