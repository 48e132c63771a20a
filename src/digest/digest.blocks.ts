import { themeLabel } from '../actions/action';
import { type ActionLine, type FixCheck, RECENTLY_DONE_DAYS } from '../actions/action-list';
import type { Block } from '../ports/slack.port';
import { redactText } from '../privacy/redact';
import { context, divider, fields, header, LIMITS, section } from '../shared/blocks';
import { escapeAndTruncate, link, mention, oneLine, truncate } from '../shared/mrkdwn';
import { dateInZone } from '../shared/time';
import {
  advocacyKindLabel,
  type DigestModel,
  type ExecutiveActivity,
  formatHours,
  isQuietWeek,
  type Metrics,
  QUIET_DAYS,
  type Quote,
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

/** The funnel, medians and who called; or that the week was quiet. */
function activityBlocks(m: Metrics): Block[] {
  if (isQuietWeek(m)) return [section(':zzz: A quiet week: no major complaints arrived and no calls were made.')];
  const blocks: Block[] = [
    section(`*The funnel*\n${funnelLine(m)}`),
    fields([
      ['Median pick → claim', formatHours(m.medians.pickToClaimHours)],
      ['Median claim → first call', formatHours(m.medians.claimToAttemptHours)],
    ]),
    divider,
  ];
  const active = m.executives.filter(isActive);
  const idle = m.executives.length - active.length;
  if (active.length > 0) blocks.push(...listSections('*Executives*', active.map(activityLine), 4, 0));
  if (idle > 0 && active.length > 0) {
    blocks.push(context(`${plural(idle, 'other executive')} had no claims or calls this week.`));
  }
  return blocks;
}

function unclaimedBlocks(m: Metrics): Block[] {
  if (m.unclaimedTotal === 0) return [];
  const lines = m.unclaimed.map(
    (p) =>
      `• ${dayLabel(p.date, true)}: ${link(p.ticketUrl && redactText(p.ticketUrl), truncate(redactText(oneLine(p.subject)), 150))}`,
  );
  const title = `*Picks nobody claimed* (${m.unclaimedTotal})`;
  return [divider, ...listSections(title, lines, 3, m.unclaimedTotal - m.unclaimed.length)];
}

function advocateBlocks(m: Metrics): Block[] {
  const total = m.funnel.advocates;
  if (total === 0) return [];
  const lines = m.newAdvocates.map((a) => {
    const company = a.company ? `*${customerText(a.company, 100)}*: ` : '';
    const kinds = a.kinds.map(advocacyKindLabel).join(', ') || 'advocacy recorded';
    return `• ${company}${customerText(a.subject, 150)} — ${kinds}`;
  });
  return [divider, ...listSections(`*New advocates* (${total})`, lines, 4, total - m.newAdvocates.length)];
}

const sameQuote = (a: Quote, b: Quote) => a.at === b.at && a.executive === b.executive && a.text === b.text;

/** The shareable notes besides the featured one, and how many are not listed at all. */
function otherLearnings(m: Metrics, featured: Quote): { others: Quote[]; unlisted: number } {
  const others = m.learnings.filter((l) => !sameQuote(l, featured));
  return { others, unlisted: Math.max(0, m.learningsTotal - 1 - others.length) };
}

/**
 * "What we learned": the latest shareable note quoted in full, then the week's other shareable notes one line
 * each. Notes are redacted, escaped and cut: "OK to quote" is about what was said, never who said it.
 */
function learningBlocks(m: Metrics): Block[] {
  if (!m.quote) return [];
  const quoted = escapeAndTruncate(redactText(m.quote.text), 600)
    .split('\n')
    .map((l) => `>${l}`)
    .join('\n');
  const total = Math.max(m.learningsTotal, 1);
  const title = `*What we learned*${total > 1 ? ` (${plural(total, 'shareable note')})` : ''}`;
  const blocks: Block[] = [divider, section(`${title}\n${quoted}\n— from ${mention(m.quote.executive)}'s call notes`)];
  const { others, unlisted } = otherLearnings(m, m.quote);
  const lines = others.map((l) => `• “${customerText(l.text, 280)}” — ${mention(l.executive)}`);
  if (lines.length > 0) blocks.push(...listSections('_More from this week’s calls_', lines, 2, unlisted));
  else if (unlisted > 0) blocks.push(context(`…and ${unlisted} more.`));
  return blocks;
}

/** An action as a digest line: its description (redacted, escaped), theme and owner, plus `extra`. */
function actionLine(a: ActionLine, extra = ''): string {
  return `• ${customerText(a.description, 200)} · _${customerText(themeLabel(a.theme), 60)}_ · ${mention(a.owner)}${extra}`;
}

const dueSuffix = (a: ActionLine) => (a.dueDate ? `, due ${dayLabel(a.dueDate)}` : '');

/** "Did the fix hold?": how many new major complaints carry a done action's theme since. */
function fixCheckLine(check: FixCheck, timezone: string): string {
  const a = check.action;
  const done = a.closedAt ? ` · done ${dayLabel(dateInZone(new Date(a.closedAt), timezone))}` : '';
  const since =
    check.newComplaints === 0
      ? ':white_check_mark: no new major complaint on this theme since'
      : `:repeat: ${plural(check.newComplaints, 'new major complaint')} on this theme since`;
  return `${actionLine(a, done)}: ${since}`;
}

/** "Actions": opened, done and overdue in the week with their owners, then whether recent fixes held. */
function actionBlocks(m: Metrics, timezone: string): Block[] {
  const { opened, done, overdue } = m.actions;
  if (opened.total + done.total + overdue.total + m.fixChecks.length === 0) return [];
  const counts = `${opened.total} opened · ${done.total} done · ${overdue.total} overdue`;
  const blocks: Block[] = [divider, section(`*Actions*: ${counts}`)];
  const lists: [string, typeof opened, (a: ActionLine) => string][] = [
    ['_Opened_', opened, (a) => actionLine(a, dueSuffix(a))],
    ['_Done_', done, (a) => actionLine(a)],
    ['_Overdue_', overdue, (a) => actionLine(a, dueSuffix(a))],
  ];
  for (const [title, list, line] of lists) {
    if (list.total > 0) blocks.push(...listSections(title, list.items.map(line), 2, list.total - list.items.length));
  }
  if (m.fixChecks.length > 0) {
    const title = `*Did the fixes hold?* (done in the last ${RECENTLY_DONE_DAYS} days)`;
    blocks.push(
      ...listSections(
        title,
        m.fixChecks.map((c) => fixCheckLine(c, timezone)),
        2,
      ),
    );
  }
  return blocks;
}

/** "Top themes": each theme with how many major complaints carried it, busiest first, on one line. */
function themesLine(m: Metrics): string | undefined {
  if (m.themes.length === 0) return undefined;
  return m.themes.map((t) => `${customerText(themeLabel(t.theme), 60)} ${t.complaints}`).join(' · ');
}

function themeBlocks(m: Metrics): Block[] {
  const line = themesLine(m);
  return line ? [divider, section(`*Top themes (${m.themeDays} days)*, in major complaints\n${line}`)] : [];
}

/**
 * The weekly digest for the leadership channel. Pure, within 50 blocks and every text limit; customer text is
 * escaped and stripped of contact details, and executives and action owners are mentioned so they see it.
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
    ...activityBlocks(m),
  ];
  if (m.quiet.length > 0) blocks.push(section(quietLine(m.quiet)));
  blocks.push(...unclaimedBlocks(m), ...advocateBlocks(m), ...learningBlocks(m));
  blocks.push(...actionBlocks(m, model.timezone), ...themeBlocks(m));
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
  const { opened, done, overdue } = model.actions;
  const themes = themesLine(model);
  blocks.push(
    context(
      `Actions: ${opened.total} opened · ${done.total} done · ${overdue.total} overdue`,
      ...(themes ? [`Top themes, in major complaints: ${themes}`] : []),
    ),
  );
  blocks.push(context(trendText(model).replace(/\*/g, '')));
  const f = model.funnel;
  const text = `Pickup, ${label}: ${f.received} received, ${f.picked} picked, ${f.reached} reached, ${plural(f.advocates, 'new advocate')}.`;
  return { text, blocks: blocks.slice(0, LIMITS.messageBlocks) };
}

/** Customer text for the terminal: one line, without contact details. */
const plain = (s: string) => redactText(oneLine(s));

function activityText(m: Metrics): string[] {
  if (isQuietWeek(m)) return ['A quiet week: no major complaints arrived and no calls were made.'];
  const lines = [
    `Funnel: ${funnelLine(m)}`,
    `Median pick → claim: ${formatHours(m.medians.pickToClaimHours)}; claim → first call: ${formatHours(m.medians.claimToAttemptHours)}`,
    '',
    'Executives:',
  ];
  const active = m.executives.filter(isActive);
  if (active.length === 0) lines.push('  nobody claimed or called');
  for (const e of active) {
    lines.push(
      `  @${e.userId}: ${plural(e.claims, 'claim')}, ${plural(e.attempts, 'call')}, ${e.reached} reached, ${plural(e.advocates, 'advocate')}`,
    );
  }
  return lines;
}

function picksAndAdvocatesText(m: Metrics): string[] {
  const lines: string[] = [];
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
  return lines;
}

function learningsText(m: Metrics): string[] {
  if (!m.quote) return [];
  const { others, unlisted } = otherLearnings(m, m.quote);
  return [
    '',
    `What we learned (${plural(Math.max(m.learningsTotal, 1), 'shareable note')}):`,
    `  "${truncate(plain(m.quote.text), 600)}" (from @${m.quote.executive}'s call notes)`,
    ...others.map((l) => `  "${truncate(plain(l.text), 280)}" (@${l.executive})`),
    ...(unlisted > 0 ? [`  …and ${unlisted} more`] : []),
  ];
}

/** An action for the terminal: description, theme, owner. */
const actionText = (a: ActionLine) =>
  `${truncate(plain(a.description), 200)} [${plain(themeLabel(a.theme))}] @${a.owner}`;

function actionsText(m: Metrics, timezone: string): string[] {
  const { opened, done, overdue } = m.actions;
  const lines: string[] = [];
  if (opened.total + done.total + overdue.total + m.fixChecks.length > 0) {
    lines.push('', `Actions: ${opened.total} opened, ${done.total} done, ${overdue.total} overdue`);
    for (const [name, list] of [
      ['opened', opened],
      ['done', done],
      ['overdue', overdue],
    ] as const) {
      for (const a of list.items) lines.push(`  ${name}: ${actionText(a)}${a.dueDate ? `, due ${a.dueDate}` : ''}`);
      if (list.total > list.items.length) lines.push(`  …and ${list.total - list.items.length} more ${name}`);
    }
    for (const c of m.fixChecks) {
      const on = c.action.closedAt ? dateInZone(new Date(c.action.closedAt), timezone) : 'recently';
      lines.push(
        `  done ${on}: ${actionText(c.action)}: ${plural(c.newComplaints, 'new major complaint')} on it since`,
      );
    }
  }
  const themes = m.themes.map((t) => `${plain(themeLabel(t.theme))} ${t.complaints}`).join(', ');
  if (themes) lines.push('', `Top themes (${m.themeDays} days), in major complaints: ${themes}`);
  return lines;
}

function trendAndSeedsText(model: DigestModel): string[] {
  const m = model.metrics;
  const lines = ['', `Last ${m.trend.length} weeks:`];
  for (const t of m.trend) {
    lines.push(`  week of ${t.label}: ${t.picked} picked, ${t.reached} reached, ${plural(t.advocates, 'advocate')}`);
  }
  lines.push(
    `  picked ${sparkline(m.trend.map((t) => t.picked))}  reached ${sparkline(m.trend.map((t) => t.reached))}  advocates ${sparkline(m.trend.map((t) => t.advocates))}`,
  );
  const seeds = seedLines(model.seeds, (t) => t);
  if (seeds.length > 0) lines.push('', ...seeds.map((l) => l.replace(/^:\w+: /, '')));
  return lines;
}

/** A readable plain-text rendering of the digest for the terminal (`digest --dry-run`, the demo). */
export function renderDigestText(model: DigestModel): string {
  const m = model.metrics;
  return [
    `Pickup weekly digest: ${weekLabel(model)} (Monday to Sunday, ${model.timezone})`,
    ...(model.partial ? ['PARTIAL: this week is not over yet; the figures are so far.'] : []),
    '',
    ...activityText(m),
    ...(m.quiet.length > 0
      ? [`Not called in ${QUIET_DAYS} days (maybe this week?): ${m.quiet.map((u) => `@${u}`).join(', ')}`]
      : []),
    ...picksAndAdvocatesText(m),
    ...learningsText(m),
    ...actionsText(m, model.timezone),
    ...trendAndSeedsText(model),
  ].join('\n');
}
