import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { recordFollowupEvidence } from '../calls/advocacy.service';
import { claimComplaint, logAttempt } from '../calls/claim.service';
import { queueDueReminders } from '../calls/reminder.service';
import {
  type ComplaintInput,
  customerSchema,
  fromGenericComplaint,
  genericComplaintSchema,
} from '../complaints/complaint';
import { escalateComplaint, receiveComplaint } from '../complaints/complaint.service';
import { type Config, loadConfig } from '../config';
import { openDatabase } from '../db/connection';
import { migrateToLatest } from '../db/migrate';
import type { Database } from '../db/schema';
import { describeDigestResult, runDigestJob, weekOf } from '../digest/digest.service';
import { createLogger } from '../logger';
import type { Roles } from '../people/roles';
import { describePickResult, runPickJob } from '../picks/pick.job';
import { drainOutbox } from '../scheduler/outbox.worker';
import { DAY_MS, dateInZone, systemClock } from '../shared/time';
import { createConsoleSlackPort } from './console-slack';

/** The people and channels of the demo workspace. */
export const DEMO = {
  ceo: 'UDEMOCEO1',
  cto: 'UDEMOCTO1',
  lead: 'UDEMOLEAD',
  execChannel: 'CEXECUTIVES',
  leadershipChannel: 'CLEADERSHIP',
  supportChannel: 'CSUPPORTTEAM',
} as const;

/** Sample deliveries, as a help desk would post them to POST /webhooks/complaints. */
const SAMPLES: unknown[] = [
  {
    externalId: 'ZD-1042',
    source: 'zendesk',
    subject: 'Charged three times for one order and nobody answers',
    description: 'I have written four times. My card was charged $1,290 three times. I want a human.',
    supportTried: 'Refund of one charge issued; the other two are stuck with the payment provider.',
    priority: 'urgent',
    customer: {
      name: 'Ada Lovelace',
      company: 'Analytical Engines Ltd',
      phone: '+44 20 7946 0958',
      email: 'ada@example.com',
      timezone: 'Europe/London',
    },
    url: 'https://support.example.com/tickets/1042',
    assignee: { name: 'Sam Rivera', email: 'sam.rivera@support.example' },
  },
  {
    externalId: 'ZD-1043',
    source: 'zendesk',
    subject: 'Outage lost a day of orders <!channel>',
    priority: 'high',
    customer: { name: 'Grace Hopper', company: 'Compiler Co', phone: '+1 202 555 0147', timezone: 'America/New_York' },
    assignee: { name: 'Priya Natarajan', email: 'priya.natarajan@support.example' },
  },
  {
    externalId: 'ZD-1044',
    source: 'zendesk',
    subject: 'Export button is slightly misaligned',
    priority: 'low',
    customer: { name: 'Alan Turing', company: 'Bletchley Analytics' },
  },
];

/** What every step of the demo works with. */
interface DemoRun {
  db: Kysely<Database>;
  config: Config;
  roles: Pick<Roles, 'listExecutives'>;
  now: () => Date;
  out: (line: string) => void;
  /** Delivers what the step queued, printing each Slack call. */
  deliver: () => Promise<unknown>;
}

/**
 * The whole cycle on a fresh embedded database in a temp dir, with the real services and only the Slack port
 * swapped for a printer: intake → pick → claim → brief → outcome → advocacy → digest. Needs no Slack workspace.
 * `now` is the demo's clock; the follow-up step runs the reminder job at a moment past the follow-up delay.
 */
export async function runDemo(out: (line: string) => void, now: () => Date = systemClock): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pickup-demo-'));
  const logger = createLogger('silent');
  const config = loadConfig(
    {
      EXEC_CHANNEL: DEMO.execChannel,
      LEADERSHIP_CHANNEL: DEMO.leadershipChannel,
      EXECUTIVES: `${DEMO.ceo},${DEMO.cto}`,
      SUPPORT_LEADS: DEMO.lead,
      SUPPORT_CHANNEL: DEMO.supportChannel,
      DATA_DIR: dir,
      TIMEZONE: 'UTC',
    },
    'jobs',
  );
  const slack = createConsoleSlackPort(out, now);
  out(`Pickup demo: a fresh embedded database in ${dir}; Slack messages are printed, not sent.`);
  const database = await openDatabase({ dataDir: dir, logger });
  try {
    const { db } = database;
    await migrateToLatest(db);
    const run: DemoRun = {
      db,
      config,
      roles: { listExecutives: async () => [...config.executives] },
      now,
      out,
      deliver: () => drainOutbox(db, slack, logger),
    };
    await receiveSamples(run);
    await escalateFromSlack(run);
    const complaintId = await drawDailyPick(run);
    const claimId = await claimCall(run, complaintId);
    await logCall(run, claimId);
    await followUp(run, complaintId);
    await postDigest(run);
    out('');
    out('That is the loop. Run `npm ci && npm start` with a Slack app (README.md) to do it for real.');
  } finally {
    await database.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Prints a step's heading. */
function step(run: DemoRun, n: number, title: string): void {
  run.out('');
  run.out(`━━ ${n}. ${title} ${'━'.repeat(Math.max(0, 60 - title.length))}`);
}

async function receiveSamples(run: DemoRun): Promise<void> {
  step(run, 1, 'Complaints arrive from the help desk');
  const rule = { priorities: run.config.majorPriorities, tags: run.config.majorTags };
  for (const sample of SAMPLES) {
    const input: ComplaintInput = fromGenericComplaint(genericComplaintSchema.parse(sample));
    const result = await run.db
      .transaction()
      .execute((trx) => receiveComplaint(trx, input, rule, 'webhook:zendesk', run.now()));
    run.out(`POST /webhooks/complaints ${input.externalId} (${input.priority}) → ${JSON.stringify(result)}`);
  }
}

async function escalateFromSlack(run: DemoRun): Promise<void> {
  step(run, 2, 'A support lead escalates from Slack with /escalate');
  await run.db.transaction().execute((trx) =>
    escalateComplaint(
      trx,
      {
        source: 'slack',
        externalId: 'ticket:https://support.example.com/tickets/2001',
        subject: 'Hospital cannot print discharge papers since the update',
        supportTried: 'Rolled back the print driver on two machines; still failing on the rest.',
        priority: 'urgent',
        tags: ['escalated'],
        // Through the same schema the escalate modal uses, so the phone is stored normalised.
        customer: customerSchema.parse({
          name: 'Dr. Mary Seacole',
          company: 'St. Thomas Clinic',
          phone: '+44 20 7188 7188',
        }),
        url: 'https://support.example.com/tickets/2001',
        receivedAt: run.now(),
        escalatedBy: DEMO.lead,
      },
      run.config.execChannel,
    ),
  );
  await run.deliver();
}

/** The pick, and the complaint it drew. */
async function drawDailyPick(run: DemoRun): Promise<number> {
  step(run, 3, 'The daily pick (the same job as the 10:00 schedule and `npm run cli -- pick`)');
  const pick = await runPickJob(
    { db: run.db, config: run.config, roles: run.roles, now: run.now },
    { date: dateInZone(run.now(), run.config.timezone), trigger: 'cli', actor: 'demo' },
  );
  run.out(describePickResult(pick));
  await run.deliver();
  const complaintId = pick.pick.complaintId;
  if (complaintId === null) throw new Error('the demo pool was empty');
  return complaintId;
}

/** The claim, and its id. */
async function claimCall(run: DemoRun, complaintId: number): Promise<number> {
  step(run, 4, `@${DEMO.cto} clicks "I'll call them"`);
  const { claim } = await run.db
    .transaction()
    .execute((trx) => claimComplaint(trx, { complaintId, userId: DEMO.cto, now: run.now() }));
  run.out('(Only the claimer gets the brief with the phone number and email, as a DM.)');
  await run.deliver();
  return claim.id;
}

async function logCall(run: DemoRun, claimId: number): Promise<void> {
  step(run, 5, 'After the call, the executive logs the outcome');
  await run.db.transaction().execute((trx) =>
    logAttempt(trx, {
      claimId,
      userId: DEMO.cto,
      now: run.now(),
      followupDays: run.config.followupDays,
      supportChannel: run.config.supportChannel,
      attempt: {
        outcome: 'reached',
        notes: 'They felt nobody was listening. I apologised, we fixed it together, and they thanked us for calling.',
        followUpDate: undefined,
        assessment: 'advocate',
        okToQuote: true,
        thanks: { message: 'Your notes on the ticket told me exactly what had gone wrong. Thank you.' },
      },
    }),
  );
  await run.deliver();
}

async function followUp(run: DemoRun, complaintId: number): Promise<void> {
  const { config } = run;
  step(run, 6, `${config.followupDays} days later: Pickup asks whether the customer became an advocate`);
  // The real reminder job, run at a business-hours moment past the follow-up delay.
  const later = new Date(run.now().getTime() + (config.followupDays + 1) * DAY_MS);
  while (later.getUTCDay() === 0 || later.getUTCDay() === 6) later.setUTCDate(later.getUTCDate() + 1);
  later.setUTCHours(12, 0, 0, 0);
  await queueDueReminders(run.db, config, later);
  await run.deliver();
  await run.db
    .transaction()
    .execute((trx) => recordFollowupEvidence(trx, { complaintId, kind: 'referral', userId: DEMO.cto, now: run.now() }));
  run.out('@UDEMOCTO1 clicked "Referral": recorded as advocacy evidence.');
}

async function postDigest(run: DemoRun): Promise<void> {
  step(run, 7, 'The weekly digest for leadership (this week so far)');
  const digest = await runDigestJob(
    { db: run.db, config: run.config, roles: run.roles, now: run.now },
    { weekStart: weekOf(dateInZone(run.now(), run.config.timezone)).start, dryRun: false },
  );
  run.out(describeDigestResult(digest));
  await run.deliver();
}
