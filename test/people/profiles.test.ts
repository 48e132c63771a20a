import { createLogger } from '../../src/logger';
import { createProfileDirectory, DEFAULT_PROFILE_OPTIONS, zonesOf } from '../../src/people/profiles';
import type { UserProfile } from '../../src/ports/slack.port';

const logger = createLogger('silent');

/** A users.info stand-in: answers from `people`, counts calls, and can fail or never answer. */
function fakeSlack(people: Record<string, UserProfile>) {
  const calls: string[] = [];
  let mode: 'answer' | 'fail' | 'hang' = 'answer';
  return {
    calls,
    setMode(m: typeof mode) {
      mode = m;
    },
    async getUserProfile(userId: string): Promise<UserProfile> {
      calls.push(userId);
      if (mode === 'fail') throw new Error('user_not_found');
      if (mode === 'hang') return new Promise<UserProfile>(() => {});
      return people[userId] ?? { name: null, title: null };
    },
  };
}

describe('executive profiles (users.info, cached)', () => {
  const GRACE = { name: 'Grace Hopper', title: 'COO' };
  let clock = 0;
  const options = { ...DEFAULT_PROFILE_OPTIONS, ttlMs: 1_000, failureTtlMs: 100, timeoutMs: 50, now: () => clock };

  beforeEach(() => {
    clock = 0;
  });

  it('asks Slack once per person per TTL, sharing one call between concurrent callers', async () => {
    const slack = fakeSlack({ U1: GRACE });
    const directory = createProfileDirectory(slack, logger, options);
    expect(await Promise.all([directory.describe('U1'), directory.describe('U1')])).toEqual([GRACE, GRACE]);
    clock = 999;
    expect(await directory.describe('U1')).toEqual(GRACE);
    expect(slack.calls).toEqual(['U1']);
    clock = 1_001;
    await directory.describe('U1');
    expect(slack.calls).toEqual(['U1', 'U1']);
  });

  it('falls back (undefined) when Slack fails, and asks again only after the failure TTL', async () => {
    const slack = fakeSlack({ U1: GRACE });
    slack.setMode('fail');
    const directory = createProfileDirectory(slack, logger, options);
    expect(await directory.describe('U1')).toBeUndefined();
    slack.setMode('answer');
    expect(await directory.describe('U1')).toBeUndefined();
    clock = 101;
    expect(await directory.describe('U1')).toEqual(GRACE);
    expect(slack.calls).toHaveLength(2);
  });

  it('does not wait past its time-out for a slow Slack', async () => {
    const slack = fakeSlack({ U1: GRACE });
    slack.setMode('hang');
    const directory = createProfileDirectory(slack, logger, options);
    const started = Date.now();
    expect(await directory.describe('U1')).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});

describe("each person's time zone (users.info tz, through the same cache)", () => {
  const options = { ...DEFAULT_PROFILE_OPTIONS, timeoutMs: 50 };

  it('gives the zone Slack has for them, once per person, and undefined when unknown, invalid or failing', async () => {
    const slack = fakeSlack({
      UTOKYO: { name: 'Ken', title: null, timezone: 'Asia/Tokyo' },
      UNONE: { name: 'No zone', title: null, timezone: null },
      UODD: { name: 'Odd zone', title: null, timezone: 'Mars/Olympus_Mons' },
    });
    const zoneOf = zonesOf(createProfileDirectory(slack, logger, options));
    expect(await zoneOf('UTOKYO')).toBe('Asia/Tokyo');
    expect(await zoneOf('UTOKYO')).toBe('Asia/Tokyo');
    expect(await zoneOf('UNONE')).toBeUndefined();
    expect(await zoneOf('UODD')).toBeUndefined();
    expect(slack.calls).toEqual(['UTOKYO', 'UNONE', 'UODD']);
    slack.setMode('fail');
    expect(await zoneOf('ULATER')).toBeUndefined();
  });
});
