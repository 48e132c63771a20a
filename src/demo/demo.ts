import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { completeBrief } from '../calls/brief.service';
import { claimComplaint, logAttempt } from '../calls/claim.service';
import { actionEventsOf, createOutgoing, describeClaimer } from '../calls/outgoing';
import { type ComplaintInput, fromGenericComplaint, genericComplaintSchema } from '../complaints/complaint';
import { escalateComplaint, receiveComplaint } from '../complaints/complaint.service';
import { openDatabase } from '../db/connection';
import { migrateToLatest } from '../db/migrate';
import { createLogger } from '../logger';
import { helpDeskLabel } from '../outbox/outbox.advice';
import { createProfileDirectory } from '../people/profiles';
import { createRoles } from '../people/roles';
import { describePickResult, runPickJob } from '../picks/pick.job';
import { drainOutbox } from '../scheduler/outbox.worker';
import { startLiveSettings } from '../settings/settings.service';
import { systemClock } from '../shared/time';
import { createConsoleSlackPort } from './console-slack';
import { createDemoClock } from './demo-clock';
import { createPrintingHelpDesk } from './demo-helpdesk';
import { closeTheLoop } from './demo-loop';
import type { DemoRun } from './demo-run';
import { adminChangesSettings, pickOnTheNewSchedule } from './demo-settings';
import {
  CHANNELS,
  DEMO_HELPDESK,
  DEMO_TEAM,
  ESCALATED_TICKET,
  escalatedThread,
  PEOPLE,
  SAMPLES,
} from './demo-workspace';

/** The demo's settings, as environment variables: its channels and people, and its help desk's API credentials. */
function demoEnv(dataDir: string): NodeJS.ProcessEnv {
  return {
    EXEC_CHANNEL: CHANNELS.exec,
    LEADERSHIP_CHANNEL: CHANNELS.leadership,
    EXECUTIVES: `${PEOPLE.ceo.id},${PEOPLE.cto.id}`,
    SUPPORT_LEADS: PEOPLE.lead.id,
    SUPPORT_CHANNEL: CHANNELS.support,
    // Set as they would be for the real Zendesk; the demo hands in its own client, which prints instead of calling.
    ZENDESK_SUBDOMAIN: DEMO_HELPDESK.subdomain,
    ZENDESK_EMAIL: 'pickup@acme.example',
    ZENDESK_API_TOKEN: 'demo-token-never-sent',
    DATA_DIR: dataDir,
    TIMEZONE: 'UTC',
  };
}

/**
 * The whole cycle on a fresh embedded database in a temp dir, with the real services and only Slack and the help
 * desk's API swapped for printers: intake → escalation → claim → pick → outcome → an admin changes the executives
 * and the schedule → the pick at its new time → the action reminded and done → the weekly digest → the advocacy
 * follow-up. Needs no Slack workspace. The story runs on its own clock (demo-clock.ts), in the week that contains
 * `now`.
 */
export async function runDemo(out: (line: string) => void, now: () => Date = systemClock): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pickup-demo-'));
  const logger = createLogger('silent');
  const clock = createDemoClock(now());
  const slack = createConsoleSlackPort(out, clock.now, Object.values(PEOPLE));
  const { source } = DEMO_HELPDESK;
  const threads = { [ESCALATED_TICKET.externalId]: escalatedThread(clock.at(0, '09:00')) };
  const helpdesks = { [source]: createPrintingHelpDesk(out, { source, label: helpDeskLabel(source) }, threads) };
  out(`Pickup demo: a fresh embedded database in ${dir}; Slack messages are printed, not sent.`);
  out(`The story starts this Monday, ${clock.label()} (UTC), and runs on the demo's own clock.`);
  const database = await openDatabase({ dataDir: dir, logger });
  const stops: (() => Promise<void>)[] = [() => database.close()];
  try {
    const { db } = database;
    await migrateToLatest(db);
    // As the bot keeps them: the environment's settings, with what an admin saves in Slack laid over them at once.
    const settings = await startLiveSettings({ db, env: demoEnv(dir), purpose: 'jobs', logger, teamId: DEMO_TEAM });
    stops.unshift(() => settings.stop());
    const { config } = settings;
    let steps = 0;
    const run: DemoRun = {
      db,
      config,
      settings,
      roles: createRoles(config, slack, logger),
      outgoing: createOutgoing({ config, helpdesks, profiles: createProfileDirectory(slack, logger) }),
      helpdesks,
      clock,
      logger,
      out,
      deliver: () => drainOutbox(db, { slack, helpdesks, webhook: undefined }, logger),
      step(moment, title) {
        clock.advanceTo(moment);
        steps += 1;
        const heading = `${steps}. ${title}`;
        out('');
        out(`━━ ${heading} ${'━'.repeat(Math.max(0, 70 - heading.length))}`);
        out(`   ${clock.label()}`);
      },
    };
    await receiveSamples(run);
    const complaintId = await escalateTicket(run);
    const claimId = await claimCall(run, complaintId);
    await drawDailyPick(run);
    await logCall(run, claimId);
    await adminChangesSettings(run);
    await pickOnTheNewSchedule(run);
    await closeTheLoop(run, complaintId);
    out('');
    out('That is the loop. Run `npm ci && npm start` with a Slack app (README.md) to do it for real.');
  } finally {
    for (const stop of stops) await stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function receiveSamples(run: DemoRun): Promise<void> {
  run.step(run.clock.at(0, '09:00'), 'Complaints arrive from the help desk');
  const rule = { priorities: run.config.majorPriorities, tags: run.config.majorTags };
  for (const sample of SAMPLES) {
    const input: ComplaintInput = fromGenericComplaint(genericComplaintSchema.parse(sample));
    // As the webhook route delivers it: one statement, no transaction.
    const result = await receiveComplaint(run.db, input, rule, 'webhook:zendesk', run.clock.now());
    run.out(`POST /webhooks/complaints ${input.externalId} (${input.priority}) → ${JSON.stringify(result)}`);
  }
}

/**
 * The escalated complaint's id. The lead escalates the Zendesk ticket itself (its source and id), so the notes go on
 * that ticket; a ticket link pasted into /escalate is stored as a Slack escalation, with no help desk to write to.
 */
async function escalateTicket(run: DemoRun): Promise<number> {
  const { lead } = PEOPLE;
  run.step(run.clock.at(0, '09:20'), `A support lead, @${lead.id}, escalates ticket #${ESCALATED_TICKET.externalId}`);
  const ticket = fromGenericComplaint(genericComplaintSchema.parse(ESCALATED_TICKET));
  const receivedAt = run.clock.now();
  const result = await run.db
    .transaction()
    .execute((trx) => escalateComplaint(trx, { ...ticket, escalatedBy: lead.id, receivedAt }, CHANNELS.exec));
  if (result.status !== 'created') throw new Error(`the demo's escalation was not created: ${JSON.stringify(result)}`);
  await run.deliver();
  return result.id;
}

/** The claim's id. */
async function claimCall(run: DemoRun, complaintId: number): Promise<number> {
  run.step(run.clock.at(0, '09:30'), `@${PEOPLE.cto.id} clicks "I'll call them" on the escalation`);
  const { outgoing, helpdesks, clock, logger } = run;
  const userId = PEOPLE.cto.id;
  // As the claim listener does: the claimer's name and title for the ticket's note, before the transaction; the
  // ticket's thread for the brief, after it.
  const claimer = await describeClaimer(outgoing, userId);
  const { claim } = await run.db
    .transaction()
    .execute((trx) => claimComplaint(trx, { complaintId, userId, now: clock.now(), outgoing, claimer, helpdesks }));
  await run.deliver();
  await completeBrief(run.db, { claimId: claim.id, helpdesks, now: clock.now, logger });
  run.out('(Only the claimer gets the brief with the phone number and email, as a DM.)');
  await run.deliver();
  return claim.id;
}

async function drawDailyPick(run: DemoRun): Promise<void> {
  run.step(run.clock.at(0, '10:00'), 'The daily pick draws from the rest of the pool');
  const pick = await runPickJob(
    { db: run.db, config: run.config, roles: run.roles, now: run.clock.now, outgoing: run.outgoing },
    { date: run.clock.date(0), trigger: 'cli', actor: 'demo' },
  );
  run.out(describePickResult(pick));
  await run.deliver();
}

async function logCall(run: DemoRun, claimId: number): Promise<void> {
  run.step(run.clock.at(0, '11:00'), 'After the call, the executive logs the outcome, and what should change');
  const { cto, product } = PEOPLE;
  await run.db.transaction().execute((trx) =>
    logAttempt(trx, {
      claimId,
      userId: cto.id,
      now: run.clock.now(),
      followupDays: run.config.followupDays,
      outgoing: run.outgoing,
      actionEvents: actionEventsOf(run.outgoing),
      supportChannel: run.config.supportChannel,
      attempt: {
        outcome: 'reached',
        notes: 'They felt nobody was listening. I apologised, we fixed it together, and they thanked us for calling.',
        followUpDate: undefined,
        assessment: 'advocate',
        okToQuote: true,
        action: {
          description: 'Test every printer driver update on the hospital print profile before it ships.',
          theme: 'product',
          ownerId: product.id,
          dueDate: run.clock.date(1),
        },
        thanks: { message: 'Jordan had already calmed things down: the customer told me so.' },
      },
    }),
  );
  await run.deliver();
}
