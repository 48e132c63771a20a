import { myActionsHomeBlocks, openActionsHomeBlocks } from '../actions/action-list.blocks';
import { ASSESSMENT_LABELS, ASSESSMENTS, OUTCOME_LABELS, OUTCOMES } from '../calls/call';
import { priorityLabel, sourceLink } from '../complaints/complaint.format';
import { deliveryAdvice } from '../outbox/outbox.advice';
import type { Block, HomeTab } from '../ports/slack.port';
import { redactText } from '../privacy/redact';
import type { EffectiveSetting } from '../settings/settings';
import { describeMissing, groupSummary } from '../settings/settings.blocks';
import { byName } from '../settings/settings.modals';
import { actions, button, context, divider, fields, header, LIMITS, section } from '../shared/blocks';
import { ActionIds } from '../shared/ids';
import { escapeAndTruncate, escapeMrkdwn, mention, oneLine } from '../shared/mrkdwn';
import { ageLabel, dateInZone } from '../shared/time';
import {
  type Capped,
  type EscalationItem,
  type EscalationStatus,
  type ExecutiveHome,
  HOME_LIST_LIMITS,
  type HomeActions,
  type HomeComplaint,
  type HomeModel,
  type LeadHome,
  type OpenClaimItem,
  type PickPostFailure,
  type SetupNotice,
  type TodayPick,
} from './home';

/** Slack's limit for a Home tab; the list limits keep every view well within it. */
export const HOME_MAX_BLOCKS = LIMITS.viewBlocks;

const SUBJECT_MAX = 200;

/** Customer text as App Home shows it: redacted (privacy/redact.ts), one line, escaped, cut to `max`. */
const customerText = (text: string, max: number) => escapeAndTruncate(redactText(oneLine(text)), max);

/** The ticket link, with any contact detail in its URL (a query string can carry one) redacted. */
const ticketLink = (c: HomeComplaint) => sourceLink({ ...c, url: c.url === null ? null : redactText(c.url) });

function subjectOf(c: Pick<HomeComplaint, 'subject'>): string {
  return `*${customerText(c.subject, SUBJECT_MAX) || '_no subject_'}*`;
}

/** "Ada Lovelace, Acme": name and company only, redacted and escaped; never phone or email. */
function customerOf(c: HomeComplaint): string {
  const parts = [c.customerName, c.company].filter((p): p is string => Boolean(p)).map(oneLine);
  return parts.length ? customerText(parts.join(', '), 200) : '_name not given_';
}

function outcomeLabel(outcome: string): string {
  const known = OUTCOMES.find((o) => o === outcome);
  return known ? OUTCOME_LABELS[known] : escapeMrkdwn(outcome);
}

function assessmentLabel(assessment: string | null): string | undefined {
  const known = ASSESSMENTS.find((a) => a === assessment);
  return known ? ASSESSMENT_LABELS[known] : undefined;
}

/** The items a list shows, and a "…and N more" line for the rest, whatever the model was given. */
function cut<T>(list: Capped<T>, limit: number): { shown: T[]; more: number } {
  const shown = list.items.slice(0, limit);
  return { shown, more: Math.max(list.total, list.items.length) - shown.length };
}

function moreLine(more: number, hint = ''): Block[] {
  return more > 0 ? [context(`…and ${more} more.${hint ? ` ${hint}` : ''}`)] : [];
}

const you = (model: HomeModel, userId: string) => (userId === model.userId ? 'you' : mention(userId));

function todayPickBlocks(model: HomeModel, pick: TodayPick): Block[] {
  const blocks: Block[] = [header(`Today's pick (${pick.date})`)];
  if (pick.kind === 'none') {
    blocks.push(section('No pick yet today. It is drawn on the weekday schedule, or with `/pickup pick`.'));
    return blocks;
  }
  if (pick.kind === 'empty') {
    blocks.push(section('No eligible complaints today, so there is nothing to call. :relaxed:'));
    return blocks;
  }
  const c = pick.complaint;
  const text = `${subjectOf(c)}\n${customerOf(c)} · ${priorityLabel(c.priority)} · ${ticketLink(c)} · received ${ageLabel(c.receivedAt, model.now)}`;
  const where = model.execChannel ? ` Posted in <#${model.execChannel}>.` : '';
  switch (pick.status.kind) {
    case 'unclaimed':
      blocks.push(
        section(text, { accessory: button("I'll call them", ActionIds.claimComplaint, String(c.id), 'primary') }),
        context(`1 of ${pick.poolSize} eligible; the first executive to click takes it.${where}`),
      );
      break;
    case 'claimed':
      blocks.push(section(text), context(`:white_check_mark: Claimed by ${you(model, pick.status.by)}.${where}`));
      break;
    case 'called':
      blocks.push(
        section(text),
        context(
          pick.status.by
            ? `:tada: Called back by ${you(model, pick.status.by)}.`
            : ':tada: This customer has been called back.',
        ),
      );
      break;
    case 'do_not_call':
      blocks.push(section(text), context(':no_entry_sign: The customer asked not to be called.'));
      break;
  }
  return blocks;
}

/** A tel: link for the claimer's own view; the label is escaped, the target keeps only + and digits. */
function phoneLink(phone: string): string {
  return `<tel:${phone.replace(/[^+\d]/g, '')}|${escapeMrkdwn(phone).replace(/\|/g, '¦')}>`;
}

function emailLink(email: string): string {
  return `<mailto:${encodeURI(email)}|${escapeMrkdwn(email).replace(/\|/g, '¦')}>`;
}

function openClaimBlock(model: HomeModel, item: OpenClaimItem): Block {
  const c = item.complaint;
  const contact = [
    item.phone ? `:telephone_receiver: ${phoneLink(item.phone)}` : undefined,
    item.email ? `:email: ${emailLink(item.email)}` : undefined,
  ].filter((s): s is string => s !== undefined);
  const attempts = `${item.attempts} attempt${item.attempts === 1 ? '' : 's'}`;
  const lines = [
    subjectOf(c),
    [customerOf(c), ...contact].join(' · '),
    `Claimed ${ageLabel(item.claimedAt, model.now)} · ${attempts} · ${ticketLink(c)}`,
  ];
  return section(lines.join('\n'), {
    accessory: button('Log outcome', ActionIds.logOutcome, String(item.claimId), 'primary'),
  });
}

/** The notice while today's pick post has failed: where, Slack's reason, the fix, and how to send it again. */
function pickPostFailureBlocks(model: HomeModel, failure: PickPostFailure): Block[] {
  const where = failure.channel ? ` in <#${failure.channel}>` : '';
  const reason = failure.reason ? `\nSlack said: \`${escapeAndTruncate(oneLine(failure.reason), 300)}\`` : '';
  const advice = deliveryAdvice(
    { status: 'failed', reason: failure.reason, channel: failure.channel },
    (channel) => `<#${channel}>`,
  );
  return [
    section(
      `:warning: *Today's pick could not be posted${where}*, so nobody has seen it there.${reason}\n*To fix:* ${advice}`,
    ),
    context(
      `Once fixed, \`/pickup pick\` posts the same pick (never a new draw); an operator can also run \`npm run cli -- pick --date ${model.today}\` or \`outbox retry ${failure.outboxId}\`.`,
    ),
  ];
}

function executiveBlocks(model: HomeModel, exec: ExecutiveHome): Block[] {
  const blocks: Block[] = todayPickBlocks(model, exec.todayPick);
  if (exec.pickPostFailure) blocks.splice(1, 0, ...pickPostFailureBlocks(model, exec.pickPostFailure));

  const claims = cut(exec.openClaims, HOME_LIST_LIMITS.openClaims);
  blocks.push(divider, header(`Your open calls (${claims.shown.length + claims.more})`));
  if (claims.shown.length === 0) {
    blocks.push(section('You have no open calls. `/pickup queue` lists complaints you can take.'));
  } else {
    for (const item of claims.shown) blocks.push(openClaimBlock(model, item));
    blocks.push(...moreLine(claims.more, '`/pickup mine` lists them.'));
    blocks.push(context(':lock: Contact details are shown only to you, for your own calls.'));
  }

  const n = exec.numbers;
  blocks.push(
    divider,
    header(`Your numbers (last ${n.days} days)`),
    fields([
      ['Claims', String(n.claims)],
      ['Calls logged', String(n.attempts)],
      ['Customers reached', String(n.reached)],
      ['Advocates', String(n.advocates)],
    ]),
  );

  const history = cut(exec.history, HOME_LIST_LIMITS.history);
  blocks.push(divider, header('Your recent calls'));
  if (history.shown.length === 0) {
    blocks.push(section('No calls logged yet. When you log an outcome, it shows up here.'));
  } else {
    const lines = history.shown.map((a) => {
      const assessment = assessmentLabel(a.assessment);
      return `• ${dateInZone(a.at, model.timezone)} · ${outcomeLabel(a.outcome)}${assessment ? ` (${assessment})` : ''} · ${customerText(a.subject, 150)}`;
    });
    blocks.push(section(lines.join('\n')), ...moreLine(history.more));
  }

  const away = cut(exec.away, HOME_LIST_LIMITS.away);
  blocks.push(divider, header('Away'));
  if (away.shown.length === 0) {
    blocks.push(
      section('You are not marked away. `/pickup away YYYY-MM-DD..YYYY-MM-DD` pauses suggestions and reminders.'),
    );
  } else {
    const lines = away.shown.map((a) => (a.start === a.end ? `• ${a.start}` : `• ${a.start} to ${a.end}`));
    if (away.more > 0) lines.push(`…and ${away.more} more.`);
    blocks.push(section(`${lines.join('\n')}\nNo suggestions or reminders then. \`/pickup back\` clears them.`));
  }
  return blocks;
}

function statusLine(model: HomeModel, status: EscalationStatus): string {
  switch (status.kind) {
    case 'advocate':
      return `:star2: Advocate: the customer now speaks up for us${status.by ? ` (called by ${you(model, status.by)})` : ''}.`;
    case 'reached':
      return `:white_check_mark: Reached by ${you(model, status.by)} on ${status.on}.`;
    case 'claimed':
      return `:telephone_receiver: Claimed by ${you(model, status.by)}, who will call.`;
    case 'tried':
      return `:leftwards_arrow_with_hook: ${you(model, status.by)} tried: ${outcomeLabel(status.outcome)}.`;
    case 'picked':
      return `:dart: Picked on ${status.on}; waiting for an executive to claim it.`;
    case 'do_not_call':
      return ':no_entry_sign: Not callable: the customer asked not to be called.';
    case 'waiting':
      return ':hourglass_flowing_sand: Waiting in the pool for a daily pick.';
  }
}

function escalationBlock(model: HomeModel, item: EscalationItem): Block {
  const c = item.complaint;
  return section(
    `${subjectOf(c)}\n${customerOf(c)} · escalated ${ageLabel(item.escalatedAt, model.now)} · ${ticketLink(c)}\n${statusLine(model, item.status)}`,
  );
}

function leadBlocks(model: HomeModel, lead: LeadHome): Block[] {
  const list = cut(lead.escalations, HOME_LIST_LIMITS.escalations);
  const blocks: Block[] = [header(`Your escalations (${list.shown.length + list.more})`)];
  if (list.shown.length === 0) {
    blocks.push(
      section(
        'You have not escalated anything yet. Use `/escalate [ticket-url] [summary]`, or *Escalate to Pickup* on a message.',
      ),
    );
    return blocks;
  }
  blocks.push(context('Newest first, with what became of each.'));
  for (const item of list.shown) blocks.push(escalationBlock(model, item));
  blocks.push(...moreLine(list.more));
  return blocks;
}

/** "My actions" for anyone who owns some; for executives, everyone else's open actions as a compact list. */
function actionBlocks(model: HomeModel, actions: HomeActions): Block[] {
  const mine = { ...actions.mine, items: actions.mine.items.slice(0, HOME_LIST_LIMITS.myActions) };
  const blocks: Block[] = [];
  if (mine.total > 0 || mine.items.length > 0) blocks.push(divider, ...myActionsHomeBlocks(mine, model.userId));
  const others = actions.others;
  if (others && (others.total > 0 || others.items.length > 0)) {
    blocks.push(
      divider,
      ...openActionsHomeBlocks(
        { ...others, items: others.items.slice(0, HOME_LIST_LIMITS.otherActions) },
        model.userId,
      ),
    );
  }
  return blocks;
}

function otherBlocks(model: HomeModel): Block[] {
  const channel = model.execChannel ? ` to <#${model.execChannel}>` : '';
  const who = model.askFor;
  const lists = [
    who?.executives ? `Executives: ${who.executives}.` : undefined,
    who?.supportLeads ? `Support leads: ${who.supportLeads}.` : undefined,
  ].filter((s): s is string => s !== undefined);
  return [
    section(
      `*Pickup puts an executive on the phone with one unhappy customer every business day.*\nMajor complaints come in from the help desks and from support leads. Each weekday Pickup draws one at random and posts it${channel}; an executive claims it, calls the customer personally, and logs how it went.`,
    ),
    section(
      `*Want to take part?* Executives claim and make the calls; support leads hand complaints over with \`/escalate\`. To be added to either list, ask whoever runs Pickup in this workspace.${lists.length ? `\n${lists.join('\n')}` : ''}`,
    ),
    context('`/pickup help` lists what you can do.'),
  ];
}

/** What setup still lacks, first thing for everyone; an admin gets the button that walks through it. */
function setupBlocks(setup: SetupNotice): Block[] {
  const notice = section(
    `:construction: *Pickup isn't set up yet.* It posts nothing until it knows ${describeMissing(setup.missing)}.`,
  );
  if (!setup.canSetUp) {
    return [notice, context(`Ask one of Pickup's admins to set it up: ${setup.admins}.`), divider];
  }
  return [
    notice,
    section('You are one of its admins: setup takes a minute, in three steps (channels, people, schedule).'),
    actions('setup', button('Set up Pickup', ActionIds.setupPickup, 'setup', 'primary')),
    divider,
  ];
}

/** The settings' groups as App Home summarises them, in the settings menu's order. */
const SETTINGS_SUMMARY = [
  ['Channels', 'channels'],
  ['People', 'people'],
  ['Schedule', 'schedule'],
  ['Rules', 'rules'],
] as const;

/** For admins: each setting's value and source, group by group, and the button that opens the settings. */
function settingsBlocks(effective: readonly EffectiveSetting[]): Block[] {
  const settings = byName(effective);
  return [
    divider,
    header('Settings'),
    ...SETTINGS_SUMMARY.map(([title, group]) => section(`*${title}*\n${groupSummary(settings, group)}`)),
    context('Only Pickup’s admins see this section. Changes apply at once, without a restart.'),
    actions('settings', button('Open settings', ActionIds.openSettings, 'settings')),
  ];
}

/**
 * The App Home for one person: while setup is incomplete, what is missing (and for admins the button to set Pickup
 * up); the executive's and the support lead's sections for those roles (both for someone on both lists), otherwise
 * what Pickup is and who to ask; then open actions for their owners (and executives); last, for admins, the settings.
 * Customer text is escaped, lists are cut with a count so the view stays under Slack's 100 blocks, and contact
 * details appear only in the viewer's own open calls.
 */
export function buildHomeView(model: HomeModel): HomeTab {
  const blocks: Block[] = [
    header('Pickup'),
    context(`${model.today} (${escapeMrkdwn(model.timezone)}) · updated each time you open this tab`),
  ];
  if (model.setup) blocks.push(...setupBlocks(model.setup));
  if (model.executive) blocks.push(...executiveBlocks(model, model.executive));
  if (model.lead) {
    if (model.executive) blocks.push(divider);
    blocks.push(...leadBlocks(model, model.lead));
  }
  if (!model.executive && !model.lead) blocks.push(...otherBlocks(model));
  if (model.actions) blocks.push(...actionBlocks(model, model.actions));
  if (model.settings) blocks.push(...settingsBlocks(model.settings));
  return { type: 'home', blocks };
}
