import { migrateToLatest } from '../db/migrate';
import { describeErasure, type ForgetSelector, forgetCustomer, phoneDigits } from '../privacy/forget.service';
import { type Command, parseFlags, UsageError } from './support';

/** Parses exactly one of --email, --phone, --complaint into a selector, or throws a UsageError saying why not. */
export function parseForgetSelector(args: string[]): ForgetSelector {
  const { values } = parseFlags(args, {
    email: { type: 'string' },
    phone: { type: 'string' },
    complaint: { type: 'string' },
  });
  const given = (['email', 'phone', 'complaint'] as const).filter((k) => values[k] !== undefined);
  if (given.length !== 1) {
    throw new UsageError(`give exactly one of --email, --phone or --complaint (got ${given.length})`);
  }
  if (values.email !== undefined) {
    if (!/^[^@\s]+@[^@\s]+$/.test(values.email.trim())) throw new UsageError('--email must be an email address');
    return { email: values.email };
  }
  if (values.phone !== undefined) {
    const digits = phoneDigits(values.phone).length;
    if (digits < 7 || digits > 15) throw new UsageError('--phone must be a phone number with 7 to 15 digits');
    return { phone: values.phone };
  }
  const id = values.complaint ?? '';
  if (!/^[1-9]\d{0,15}$/.test(id)) throw new UsageError(`--complaint must be a complaint id, not "${id}"`);
  return { complaintId: Number(id) };
}

/** `forget`'s exit code when no complaint matched: distinct from 1 (failed) and 2 (bad command line). */
export const FORGET_NOTHING_MATCHED = 3;

/**
 * `forget`: erases a customer's contact details and free text everywhere, in one transaction, and prints what it
 * erased. When nothing matches it says so and exits {@link FORGET_NOTHING_MATCHED}, so a script cannot take a
 * mistyped address (or one erased before) for an erasure.
 */
export const forgetCommand: Command = {
  summary: "erase a customer's contact details and free text everywhere (audited by id); exits 3 when nothing matches",
  usage: 'forget --email X | --phone X | --complaint ID',
  purpose: 'database',
  async run(ctx) {
    const selector = parseForgetSelector(ctx.args);
    return ctx.withDatabase(async ({ db }) => {
      await migrateToLatest(db);
      const report = await db.transaction().execute((trx) => forgetCustomer(trx, selector, 'cli', ctx.now()));
      ctx.out(describeErasure(report, selector));
      return report.complaintIds.length === 0 ? FORGET_NOTHING_MATCHED : 0;
    });
  },
};
