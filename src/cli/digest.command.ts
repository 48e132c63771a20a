import { migrateToLatest } from '../db/migrate';
import { renderDigestText } from '../digest/digest.blocks';
import { describeDigestResult, runDigestJob } from '../digest/digest.service';
import { blockKitBuilderUrl } from '../shared/blocks';
import { isRealDate } from '../shared/time';
import { type Command, deliverQueued, parseFlags, rolesFor, UsageError } from './support';

/** `digest`'s flags: the week asked for (a real date in it), and whether to print instead of posting. */
function parseDigestFlags(args: string[]): { week: string | undefined; dryRun: boolean } {
  const { values } = parseFlags(args, { week: { type: 'string' }, 'dry-run': { type: 'boolean' } });
  if (values.week !== undefined && !isRealDate(values.week)) {
    throw new UsageError(`--week must be a real date as YYYY-MM-DD, not "${values.week}"`);
  }
  return { week: values.week, dryRun: values['dry-run'] === true };
}

/**
 * `digest [--week YYYY-MM-DD] [--dry-run]`: the week (Monday to Sunday in TIMEZONE) containing that date, by default
 * the last complete one. Posts once; a dry run prints the text, the Block Kit JSON and a Builder link instead.
 */
export const digestCommand: Command = {
  summary: 'post the weekly leadership digest once (default: last complete week; --dry-run prints it instead)',
  usage: 'digest [--week YYYY-MM-DD] [--dry-run]',
  purpose: 'jobs',
  checkArgs: parseDigestFlags,
  async run(ctx) {
    const { week, dryRun } = parseDigestFlags(ctx.args);
    return ctx.withDatabase(async ({ db }) => {
      // Migrating writes schema, never data, and a dry run on a fresh database needs the tables to read.
      await migrateToLatest(db);
      const result = await runDigestJob(
        { db, config: ctx.config, roles: rolesFor(ctx), now: ctx.now },
        { weekStart: week, dryRun },
      );
      if (dryRun) {
        ctx.out(renderDigestText(result.model));
        ctx.out('');
        ctx.out('Block Kit JSON:');
        ctx.out(JSON.stringify({ text: result.text, blocks: result.blocks }, null, 2));
        ctx.out('');
        ctx.out(`Preview in Block Kit Builder: ${blockKitBuilderUrl(result.blocks)}`);
        ctx.out('');
      }
      ctx.out(describeDigestResult(result));
      if (result.status === 'posted') await deliverQueued(ctx, db);
      return 0;
    });
  },
};
