import { closeAction } from '../actions/action.service';
import { listActionsFor } from '../actions/action-list.service';
import { queueActionReminders } from '../actions/action-reminder.service';
import { recordFollowupEvidence } from '../calls/advocacy.service';
import { actionEventsOf } from '../calls/outgoing';
import { queueDueReminders } from '../calls/reminder.service';
import { describeDigestResult, runDigestJob } from '../digest/digest.service';
import type { DemoRun } from './demo-run';
import { PEOPLE } from './demo-workspace';

/**
 * The loop closing, after the call: the action it opened is reminded when overdue and marked done (the executive
 * who asked hears of it), the week's digest shows what was learned and changed, and the follow-up asks whether the
 * customer became an advocate. Each step runs the job or service production runs, at a later moment of the story.
 */
export async function closeTheLoop(run: DemoRun, complaintId: number): Promise<void> {
  await remindActionOwner(run);
  await markActionDone(run);
  await postDigest(run);
  await followUp(run, complaintId);
}

async function remindActionOwner(run: DemoRun): Promise<void> {
  run.step(run.clock.at(2, '10:00'), 'The action is overdue: the reminder job nudges its owner');
  const report = await queueActionReminders(run.db, run.config, run.clock.now());
  run.out(`Action reminders: ${report.reminders} queued, ${report.fixChecks} fix checks.`);
  await run.deliver();
}

async function markActionDone(run: DemoRun): Promise<void> {
  const owner = PEOPLE.product.id;
  run.step(run.clock.at(2, '11:30'), `@${owner} ships the fix and clicks "Done"`);
  // The id the Done button carries: the owner's one open action.
  const today = run.clock.date(2);
  const listing = await listActionsFor(run.db, { viewer: owner, isExecutive: false, today });
  const action = listing.mine.items[0];
  if (!action) throw new Error('the demo call opened no action');
  const deps = { roles: run.roles, events: actionEventsOf(run.outgoing) };
  const input = { actionId: action.id, userId: owner, status: 'done' as const, now: run.clock.now() };
  await run.db.transaction().execute((trx) => closeAction(trx, deps, input));
  run.out(`(The DM loses its buttons, and @${PEOPLE.cto.id}, who asked for the change, is told.)`);
  await run.deliver();
}

async function postDigest(run: DemoRun): Promise<void> {
  run.step(run.clock.at(7, '09:00'), 'Monday: the weekly digest for leadership, on last week');
  const digest = await runDigestJob(
    { db: run.db, config: run.config, roles: run.roles, now: run.clock.now },
    { dryRun: false },
  );
  run.out(describeDigestResult(digest));
  await run.deliver();
}

async function followUp(run: DemoRun, complaintId: number): Promise<void> {
  const { config } = run;
  // FOLLOWUP_DAYS after the week of the call, so after the call's real time too; a Monday, in business hours.
  const later = run.clock.at(7 + config.followupDays, '10:00');
  run.step(later, 'Weeks later: Pickup asks whether the customer became an advocate');
  await queueDueReminders(run.db, config, run.clock.now());
  await run.deliver();
  const evidence = {
    complaintId,
    kind: 'referral' as const,
    userId: PEOPLE.cto.id,
    now: run.clock.now(),
    outgoing: run.outgoing,
  };
  await run.db.transaction().execute((trx) => recordFollowupEvidence(trx, evidence));
  run.out(`@${PEOPLE.cto.id} clicked "Referral": recorded as advocacy evidence.`);
}
