import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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
import { loadConfig } from '../config';
import { openDatabase } from '../db/connection';
import { migrateToLatest } from '../db/migrate';
import { describeDigestResult, runDigestJob, weekOf } from '../digest/digest.service';
import { createLogger } from '../logger';
import { describePickResult, runPickJob } from '../picks/pick.job';
import { drainOutbox } from '../scheduler/outbox.worker';
import { DAY_MS, dateInZone } from '../shared/time';
import { createConsoleSlackPort } from './console-slack';

/** The people and channels of the demo workspace. */
export const DEMO = {
  ceo: 'UDEMOCEO1',
  cto: 'UDEMOCTO1',
  lead: 'UDEMOLEAD',
  execChannel: 'CEXECUTIVES',
  leadershipChannel: 'CLEADERSHIP',
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
  },
  {
    externalId: 'ZD-1043',
    source: 'zendesk',
    subject: 'Outage lost a day of orders <!channel>',
    priority: 'high',
    customer: { name: 'Grace Hopper', company: 'Compiler Co', phone: '+1 202 555 0147', timezone: 'America/New_York' },
  },
  {
    externalId: 'ZD-1044',
    source: 'zendesk',
    subject: 'Export button is slightly misaligned',
    priority: 'low',
    customer: { name: 'Alan Turing', company: 'Bletchley Analytics' },
  },
];

/**
 * The whole cycle on a fresh embedded database in a temp dir, with the real services and only the Slack port
 * swapped for a printer: intake → pick → claim → brief → outcome → advocacy → digest. Needs no Slack workspace.
 */
export async function runDemo(out: (line: string) => void): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pickup-demo-'));
  const logger = createLogger('silent');
  const config = loadConfig(
    {
      EXEC_CHANNEL: DEMO.execChannel,
      LEADERSHIP_CHANNEL: DEMO.leadershipChannel,
      EXECUTIVES: `${DEMO.ceo},${DEMO.cto}`,
      SUPPORT_LEADS: DEMO.lead,
      DATA_DIR: dir,
      TIMEZONE: 'UTC',
    },
    'jobs',
  );
  const slack = createConsoleSlackPort(out);
  const step = (n: number, title: string) => {
    out('');
    out(`━━ ${n}. ${title} ${'━'.repeat(Math.max(0, 60 - title.length))}`);
  };
  out(`Pickup demo: a fresh embedded database in ${dir}; Slack messages are printed, not sent.`);
  const database = await openDatabase({ dataDir: dir, logger });
  try {
    const { db } = database;
    await migrateToLatest(db);
    const deliver = () => drainOutbox(db, slack, logger);
    const rule = { priorities: config.majorPriorities, tags: config.majorTags };
    const now = () => new Date();

    step(1, 'Complaints arrive from the help desk');
    for (const sample of SAMPLES) {
      const input: ComplaintInput = fromGenericComplaint(genericComplaintSchema.parse(sample));
      const result = await db.transaction().execute((trx) => receiveComplaint(trx, input, rule, 'webhook:zendesk'));
      out(`POST /webhooks/complaints ${input.externalId} (${input.priority}) → ${JSON.stringify(result)}`);
    }

    step(2, 'A support lead escalates from Slack with /escalate');
    await db.transaction().execute((trx) =>
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
          receivedAt: now(),
          escalatedBy: DEMO.lead,
        },
        config.execChannel,
      ),
    );
    await deliver();

    step(3, 'The daily pick (the same job as the 10:00 schedule and `npm run cli -- pick`)');
    const roles = { listExecutives: async () => [...config.executives] };
    const pick = await runPickJob(
      { db, config, roles, now },
      { date: dateInZone(now(), config.timezone), trigger: 'cli', actor: 'demo' },
    );
    out(describePickResult(pick));
    await deliver();
    const complaintId = pick.pick.complaintId;
    if (complaintId === null) throw new Error('the demo pool was empty');

    step(4, `@${DEMO.cto} clicks "I'll call them"`);
    const { claim } = await db
      .transaction()
      .execute((trx) => claimComplaint(trx, { complaintId, userId: DEMO.cto, now: now() }));
    out('(Only the claimer gets the brief with the phone number and email, as a DM.)');
    await deliver();

    step(5, 'After the call, the executive logs the outcome');
    await db.transaction().execute((trx) =>
      logAttempt(trx, {
        claimId: claim.id,
        userId: DEMO.cto,
        now: now(),
        followupDays: config.followupDays,
        attempt: {
          outcome: 'reached',
          notes: 'They felt nobody was listening. I apologised, we fixed it together, and they thanked us for calling.',
          followUpDate: undefined,
          assessment: 'advocate',
          okToQuote: true,
        },
      }),
    );
    await deliver();

    step(6, `${config.followupDays} days later: Pickup asks whether the customer became an advocate`);
    // The real reminder job, run at a business-hours moment past the follow-up delay.
    const later = new Date(Date.now() + (config.followupDays + 1) * DAY_MS);
    while (later.getUTCDay() === 0 || later.getUTCDay() === 6) later.setUTCDate(later.getUTCDate() + 1);
    later.setUTCHours(12, 0, 0, 0);
    await queueDueReminders(db, config, later);
    await deliver();
    await db
      .transaction()
      .execute((trx) => recordFollowupEvidence(trx, { complaintId, kind: 'referral', userId: DEMO.cto }));
    out('@UDEMOCTO1 clicked "Referral": recorded as advocacy evidence.');

    step(7, 'The weekly digest for leadership (this week so far)');
    const digest = await runDigestJob(
      { db, config, roles, now },
      { weekStart: weekOf(dateInZone(now(), config.timezone)).start, dryRun: false },
    );
    out(describeDigestResult(digest));
    await deliver();

    out('');
    out('That is the loop. Run `npm ci && npm start` with a Slack app (README.md) to do it for real.');
  } finally {
    await database.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
