import type { EssentialSetting } from '../../src/settings/settings';
import { DomainError } from '../../src/shared/errors';
import { requireSetup } from '../../src/slack/setup.middleware';

describe('requireSetup', () => {
  const run = async (missing: EssentialSetting[]) => {
    const calls: string[] = [];
    const middleware = requireSetup({ missingEssentials: () => missing });
    const outcome = await middleware({
      ack: async () => {
        calls.push('ack');
      },
      next: async () => {
        calls.push('next');
      },
    }).then(
      () => undefined,
      (err: unknown) => err,
    );
    return { calls, outcome };
  };

  it('lets the listener run once the essentials are set', async () => {
    expect(await run([])).toEqual({ calls: ['next'], outcome: undefined });
  });

  it('acks and refuses with not_set_up, naming what is missing, until then', async () => {
    const { calls, outcome } = await run(['EXEC_CHANNEL', 'SUPPORT_LEADS']);
    expect(calls).toEqual(['ack']);
    expect(outcome).toBeInstanceOf(DomainError);
    expect(outcome).toMatchObject({ code: 'not_set_up' });
    expect((outcome as DomainError).userMessage).toMatch(
      /^Pickup is not set up yet: Executives' channel, Support leads still missing; an admin can finish setup in Pickup's App Home\.$/,
    );
  });
});
