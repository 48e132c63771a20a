import { sql } from 'kysely';
import { runCli } from '../../src/cli';
import { type CommandContext, UsageError } from '../../src/cli/support';
import { verifyCommand } from '../../src/cli/verify.command';
import { createLogger } from '../../src/logger';
import { type DailyPickInput, runDailyPick } from '../../src/picks/pick.service';
import { EXEC_1, EXEC_CHANNEL, testConfig, testEnv } from '../helpers/config';
import { insertComplaint } from '../helpers/factories';
import { createTestDb, type TestDb } from '../helpers/test-db';

// `verify` reads the real clock, so the draws here are made in weeks long over (2024) or far ahead (2099).
const PAST = new Date('2024-03-06T15:00:00Z');
const FUTURE = new Date('2099-03-04T15:00:00Z');

describe('npm run cli -- verify', () => {
  let db: TestDb;

  /** Runs the command as runCli would, on the test database (left open). */
  async function verify(args: string[]) {
    const lines: string[] = [];
    const ctx: CommandContext = {
      args,
      env: testEnv(),
      config: testConfig(),
      logger: createLogger('silent'),
      out: (line) => lines.push(line),
      now: () => new Date(),
      withDatabase: (fn) => fn(db),
    };
    const code = await verifyCommand.run(ctx);
    return { code, out: lines.join('\n') };
  }

  const pick = (date: string, now: Date) =>
    runDailyPick(db.db, {
      date,
      now,
      timezone: 'UTC',
      executives: [EXEC_1],
      eligibleDays: 30,
      cooldownDays: 90,
      trigger: 'cli',
      actor: 'cli',
      buildMessages: () => [{ operation: 'post', message: { channel: EXEC_CHANNEL, text: 'pick' } }],
    } satisfies DailyPickInput);

  async function seedOf(weekStart: string): Promise<string> {
    const row = await db.db
      .selectFrom('draw_seeds')
      .select('seed')
      .where('week_start', '=', weekStart)
      .executeTakeFirstOrThrow();
    return row.seed;
  }

  beforeAll(async () => {
    db = await createTestDb();
  });
  beforeEach(async () => {
    await sql`TRUNCATE audit_log, outbox, complaints, draw_seeds CASCADE`.execute(db.db);
  });
  afterAll(() => db.close());

  it('is listed in the help and refuses a missing or bad --date with a usage error', async () => {
    const out: string[] = [];
    expect(await runCli(['help'], testEnv(), (l) => out.push(l))).toBe(0);
    expect(out.join('\n')).toContain('verify --date YYYY-MM-DD');
    await expect(verify([])).rejects.toThrow(/give the date of the pick to verify with --date/);
    await expect(verify(['--date', '2026-02-30'])).rejects.toThrow(UsageError);
    await expect(verify(['--week', '2026-11-23'])).rejects.toThrow(UsageError);
  });

  it('exit 0: a draw whose week is over checks out, with the figures to redo it by hand', async () => {
    for (let i = 0; i < 4; i++) await insertComplaint(db.db, { receivedAt: new Date(PAST.getTime() - 86_400_000) });
    const result = await pick('2024-03-06', PAST);
    const seed = await seedOf('2024-03-04');
    const { code, out } = await verify(['--date', '2024-03-06']);
    expect(code).toBe(0);
    expect(out).toMatch(/^The draw of 2024-03-06 checks out\./);
    expect(out).toContain(`ids ascending: ${result.pick.poolIds?.join(',')}`);
    expect(out).toContain(`seed (week of 2024-03-04): ${seed}`);
    expect(out).toContain(`= ${result.pick.seedCommitment} (as published with the pick)`);
    expect(out).toContain(`mod 4 = ${result.pick.drawnIndex}`);
    expect(out).toContain(`picked: complaint ${result.pick.complaintId}, the id at index ${result.pick.drawnIndex}`);
    expect(out).toContain(`bytes.fromhex('${seed}'),b'2024-03-06:${result.pick.poolHash}'`);
  });

  it('exit 1, saying why, when the stored draw was tampered with', async () => {
    for (let i = 0; i < 4; i++) await insertComplaint(db.db, { receivedAt: new Date(PAST.getTime() - 86_400_000) });
    await pick('2024-03-06', PAST);
    await db.db
      .updateTable('draw_seeds')
      .set({ seed: 'ab'.repeat(32) })
      .execute();
    const { code, out } = await verify(['--date', '2024-03-06']);
    expect(code).toBe(1);
    expect(out).toBe(
      'The draw of 2024-03-06 does NOT check out:\n' +
        '  - the stored seed does not match the commitment published with the pick',
    );
  });

  it('exit 2 while the seed is still secret, without showing it', async () => {
    await insertComplaint(db.db, { receivedAt: new Date(FUTURE.getTime() - 86_400_000) });
    const result = await pick('2099-03-04', FUTURE);
    const seed = await seedOf('2099-03-02');
    const { code, out } = await verify(['--date', '2099-03-04']);
    expect(code).toBe(2);
    expect(out).toContain(
      'cannot be fully checked yet: its seed (week of 2099-03-02) stays secret until 2099-03-09T00:00:00.000Z',
    );
    expect(out).toContain(`Seed commitment: ${result.pick.seedCommitment}.`);
    expect(out).not.toContain(seed);
  });

  it('exit 1 when there is no pick for the date, and for a pick from before verifiable draws', async () => {
    const none = await verify(['--date', '2024-03-07']);
    expect(none).toEqual({
      code: 1,
      out: 'There is no pick for 2024-03-07: nothing was drawn that day, so there is nothing to verify.',
    });
    await db.db
      .insertInto('picks')
      .values({ pick_date: '2024-03-01', pool_size: 0, pool_hash: 'h', trigger: 'cli' })
      .execute();
    const old = await verify(['--date', '2024-03-01']);
    expect(old.code).toBe(1);
    expect(old.out).toMatch(/^The pick of 2024-03-01 predates verifiable draws: .* so it cannot be re-checked\.$/);
  });
});
