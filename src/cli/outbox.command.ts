import type { RequeueSelection } from '../outbox/outbox.repository';
import {
  listUndeliveredMessages,
  type RetryResult,
  retryFailedMessages,
  type UndeliveredMessage,
} from '../outbox/outbox.service';
import { pickDateOfPostKey } from '../picks/pick.redelivery';
import { type Command, type CommandContext, deliverQueued, parseFlags, UsageError } from './support';

/** How many messages one listing prints; the rest are counted. */
const LIST_LIMIT = 100;

function when(d: Date): string {
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function describeMessage(m: UndeliveredMessage): string[] {
  const to = m.target ? ` to ${m.target}` : '';
  const tries = `${m.attempts} attempt${m.attempts === 1 ? '' : 's'}`;
  const lines = [`#${m.id}  ${m.status === 'failed' ? 'FAILED' : 'waiting'}  ${m.key}`];
  lines.push(`    ${m.kind}${to}, ${tries}, queued ${when(m.createdAt)}`);
  lines.push(`    reason: ${m.reason ?? 'none yet (not tried, or waiting for the post it refers to)'}`);
  lines.push(`    to do:  ${m.advice}`);
  if (m.status === 'failed') {
    const date = pickDateOfPostKey(m.key);
    const pickTip = date ? ` (or \`npm run cli -- pick --date ${date}\`, which posts to EXEC_CHANNEL as set now)` : '';
    lines.push(`    then:   npm run cli -- outbox retry ${m.id}${pickTip}`);
  }
  return lines;
}

async function list(ctx: CommandContext, failedOnly: boolean): Promise<number> {
  return ctx.withDatabase(async ({ db }) => {
    const result = await listUndeliveredMessages(db, { failedOnly, limit: LIST_LIMIT });
    const total = failedOnly ? result.failed : result.failed + result.pending;
    if (total === 0) {
      ctx.out(failedOnly ? 'No failed deliveries.' : 'The outbox is clear: nothing failed, nothing waiting.');
      return 0;
    }
    ctx.out(failedOnly ? `${result.failed} failed.` : `${result.failed} failed, ${result.pending} waiting.`);
    for (const m of result.items) ctx.out(['', ...describeMessage(m)].join('\n'));
    if (total > result.items.length) ctx.out(`\n…and ${total - result.items.length} more.`);
    return 0;
  });
}

function describeRetry(result: RetryResult): string[] {
  const lines = result.requeued.map((r) =>
    r.via ? `Re-queued #${r.id} (${r.dedupe_key}), which waits on ${r.via}.` : `Re-queued #${r.id} (${r.dedupe_key}).`,
  );
  for (const n of result.notFailed) {
    lines.push(
      n.status === 'sent'
        ? `#${n.id} was already delivered: nothing to do.`
        : `#${n.id} is already queued (not failed).`,
    );
  }
  for (const id of result.unknown) lines.push(`No outbox message #${id}.`);
  return lines;
}

function parseSelection(positionals: string[], allFailed: boolean): RequeueSelection {
  if (allFailed) {
    if (positionals.length > 0) throw new UsageError('give message ids or --all-failed, not both');
    return { allFailed: true };
  }
  if (positionals.length === 0) throw new UsageError('give the ids to retry (see `outbox --failed`), or --all-failed');
  const ids = positionals.map((p) => {
    if (!/^[1-9]\d{0,15}$/.test(p)) throw new UsageError(`"${p}" is not an outbox message id`);
    return Number(p);
  });
  return { ids: [...new Set(ids)] };
}

async function retry(ctx: CommandContext, selection: RequeueSelection): Promise<number> {
  return ctx.withDatabase(async ({ db }) => {
    const result = await retryFailedMessages(db, selection);
    const lines = describeRetry(result);
    ctx.out(lines.length > 0 ? lines.join('\n') : 'Nothing has failed: nothing to re-queue.');
    // A message another operator re-queued a moment ago is delivered here too: their run may have missed it while
    // this one still held its row lock.
    if (result.requeued.length > 0 || result.notFailed.some((n) => n.status === 'pending')) {
      await deliverQueued(ctx, db);
    }
    return result.unknown.length > 0 ? 1 : 0;
  });
}

/** `outbox [--failed]` lists what failed or waits, with what to do; `outbox retry ID… | --all-failed` re-queues. */
export const outboxCommand: Command = {
  summary:
    'list deliveries that failed or wait, each with its reason and what to do; `retry` re-queues failed ones, each once',
  usage: 'outbox [--failed] | outbox retry ID... | outbox retry --all-failed',
  purpose: 'database',
  async run(ctx) {
    const { values, positionals } = parseFlags(
      ctx.args,
      { failed: { type: 'boolean' }, 'all-failed': { type: 'boolean' } },
      true,
    );
    const [sub, ...rest] = positionals;
    if (sub === undefined) {
      if (values['all-failed']) throw new UsageError('--all-failed goes with `retry`');
      return list(ctx, values.failed === true);
    }
    if (sub !== 'retry') throw new UsageError(`unknown subcommand "${sub}"`);
    if (values.failed) throw new UsageError('--failed is for the listing; `retry` takes ids or --all-failed');
    return retry(ctx, parseSelection(rest, values['all-failed'] === true));
  },
};
