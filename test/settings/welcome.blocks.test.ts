import { buildWelcome, WELCOME_MAX_EXECUTIVES, type WelcomeModel } from '../../src/settings/welcome.blocks';
import { messageProblems } from '../helpers/block-kit';

// Tuesday 8 December 2026, 10:00 in Paris (09:00 UTC).
const FIRST_PICK = new Date('2026-12-08T09:00:00Z');

const model: WelcomeModel = {
  leadershipChannel: 'CLEADS001',
  executives: ['UEXEC0001', 'SEXECS001'],
  firstPick: FIRST_PICK,
  timezone: 'Europe/Paris',
  pickSchedule: '0 10 * * 1-5',
};

const textOf = (m: { text: string; blocks: unknown[] }) => `${m.text}\n${JSON.stringify(m.blocks)}`;

describe('buildWelcome', () => {
  it.each<[string, Partial<WelcomeModel>]>([
    ['the usual welcome', {}],
    ['no pick to come', { firstPick: undefined }],
    ['no executives named (a list of only groups, emptied)', { executives: [] }],
    ['many executives', { executives: Array.from({ length: 60 }, (_, i) => `U${String(i).padStart(8, '0')}`) }],
  ])('is valid Block Kit: %s', (_, overrides) => {
    expect(messageProblems(buildWelcome({ ...model, ...overrides }))).toEqual([]);
  });

  it('says what Pickup does, where the digest goes, and names who calls (users and user groups)', () => {
    const text = textOf(buildWelcome(model));
    expect(text).toContain('Pickup is set up');
    expect(text).toContain('one major customer complaint at random');
    expect(text).toContain('<#CLEADS001>');
    expect(text).toContain('<@UEXEC0001>');
    expect(text).toContain('<!subteam^SEXECS001>');
  });

  it("gives the first pick as a Slack date (each reader's own time) with the schedule's zone as the fallback", () => {
    const text = textOf(buildWelcome(model));
    expect(text).toContain(`<!date^${FIRST_PICK.getTime() / 1000}^{date_long_pretty} at {time}|`);
    expect(text).toContain('Tuesday 8 December at 10:00 (Europe/Paris)');
    expect(text).toContain('`0 10 * * 1-5` in Europe/Paris');
  });

  it('says when no pick is coming, and where to change the schedule', () => {
    const text = textOf(buildWelcome({ ...model, firstPick: undefined }));
    expect(text).toContain('none is coming');
    expect(text).not.toContain('<!date^');
    expect(text).toContain('App Home');
  });

  it('names at most a handful of executives and counts the rest', () => {
    const executives = Array.from({ length: WELCOME_MAX_EXECUTIVES + 5 }, (_, i) => `U${String(i).padStart(8, '0')}`);
    const text = textOf(buildWelcome({ ...model, executives }));
    expect(text.match(/<@U/g)?.length).toBe(WELCOME_MAX_EXECUTIVES);
    expect(text).toContain('and 5 more');
  });

  it('leaves "who calls" out when no executive is listed', () => {
    expect(textOf(buildWelcome({ ...model, executives: [] }))).not.toContain('Who calls');
  });

  it('escapes what a person typed (the schedule), so it cannot ping or link', () => {
    const text = textOf(buildWelcome({ ...model, pickSchedule: '<!channel> 0 10 * * 1-5', firstPick: undefined }));
    expect(text).not.toContain('<!channel>');
    expect(text).toContain('&lt;!channel&gt;');
  });
});
