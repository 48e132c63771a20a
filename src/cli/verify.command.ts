import { migrateToLatest } from '../db/migrate';
import { drawMessage } from '../picks/draw';
import { type DateVerification, verifyDrawOfDate } from '../picks/draw.service';
import { isRealDate } from '../shared/time';
import { type Command, parseFlags, UsageError } from './support';

/** Exit codes of `verify`, as the contract gives them. */
export const VERIFY_EXIT = { verified: 0, failed: 1, unrevealed: 2 } as const;

/**
 * `verify --date YYYY-MM-DD`: re-checks that day's draw from what is stored (the pool ids, the index, the week's
 * seed against its published commitment) and says plainly whether it checks out. Exit 0 when it does, 1 when it
 * does not or cannot (no pick, or a pick from before verifiable draws), 2 while the seed is still secret.
 */
export const verifyCommand: Command = {
  summary:
    "re-check a day's draw against the stored pool and the week's committed seed (exit 0 checks out, 1 not, 2 seed not yet revealed)",
  usage: 'verify --date YYYY-MM-DD',
  purpose: 'database',
  async run(ctx) {
    const { values } = parseFlags(ctx.args, { date: { type: 'string' } });
    const date = values.date;
    if (date === undefined) throw new UsageError('give the date of the pick to verify with --date YYYY-MM-DD');
    if (!isRealDate(date)) throw new UsageError(`--date must be a real date as YYYY-MM-DD, not "${date}"`);
    return ctx.withDatabase(async ({ db }) => {
      // Migrating writes schema, never data; the draw columns must exist to be read.
      await migrateToLatest(db);
      const result = await verifyDrawOfDate(db, { date, now: ctx.now(), timezone: ctx.config.timezone });
      for (const line of describeVerification(result, ctx.config.timezone)) ctx.out(line);
      return exitCodeOf(result);
    });
  },
};

/** The exit code for what verification found. */
export function exitCodeOf(result: DateVerification): number {
  if (result.status === 'verified') return VERIFY_EXIT.verified;
  if (result.status === 'unrevealed') return VERIFY_EXIT.unrevealed;
  return VERIFY_EXIT.failed;
}

/** What verification found, in plain words, with the figures someone would need to redo it by hand. */
export function describeVerification(result: DateVerification, timeZone: string): string[] {
  switch (result.status) {
    case 'no_pick':
      return [`There is no pick for ${result.date}: nothing was drawn that day, so there is nothing to verify.`];
    case 'predates':
      return [
        `The pick of ${result.draw.date} predates verifiable draws: it stored only the pool size (${result.draw.poolSize}), ` +
          `the index (${result.draw.drawnIndex}) and a hash of the pool, not the pool ids nor a committed seed, so it ` +
          'cannot be re-checked.',
      ];
    case 'failed':
      return [`The draw of ${result.draw.date} does NOT check out:`, ...result.problems.map((p) => `  - ${p}`)];
    case 'unrevealed':
      return [
        `The draw of ${result.draw.date} cannot be fully checked yet: its seed (week of ${result.seedWeek}) stays ` +
          `secret until ${result.revealsAt.toISOString()} (midnight after that Sunday in ${timeZone}), when the week is over.`,
        `What can be checked without it does: the ${result.draw.poolSize} stored pool ids give the recorded pool ` +
          'hash and the picked complaint sits at the recorded index.',
        `Seed commitment: ${result.draw.seedCommitment}. Run this again after the week ends.`,
      ];
    case 'verified':
      return describeVerified(result);
  }
}

function describeVerified(result: Extract<DateVerification, { status: 'verified' }>): string[] {
  const { draw, seed, poolIds, index } = result;
  const lines = [
    `The draw of ${draw.date} checks out.`,
    `  pool: ${poolIds.length} eligible complaint(s), ids ascending: ${poolIds.join(',') || '(none)'}`,
    `  pool hash: SHA-256 of those ids joined by "," = ${draw.poolHash} (as recorded at the draw)`,
    `  seed (week of ${seed.weekStart}): ${seed.seed}`,
    `  commitment: SHA-256 of the seed's 32 bytes = ${seed.commitment} (as published with the pick)`,
  ];
  if (index === null) {
    lines.push('  index: none; the pool was empty, so nothing was drawn.');
    return lines;
  }
  const message = drawMessage(draw.date, draw.poolHash);
  lines.push(
    `  index: HMAC-SHA256(seed, "${message}") as a 256-bit integer, mod ${poolIds.length} = ${index}`,
    `  picked: complaint ${draw.complaintId}, the id at index ${index}`,
    'To redo it without Pickup:',
    `  printf '${poolIds.join(',')}' | sha256sum                 # the pool hash`,
    `  printf '${seed.seed}' | xxd -r -p | sha256sum   # the commitment`,
    `  python3 -c "import hmac,hashlib;print(int(hmac.new(bytes.fromhex('${seed.seed}'),b'${message}',hashlib.sha256).hexdigest(),16)%${poolIds.length})"   # the index`,
  );
  return lines;
}
