import { createLogger } from '../../src/logger';
import { type ChannelInfo, SlackDeliveryError } from '../../src/ports/slack.port';
import { channelProblem, checkChannels } from '../../src/settings/settings.channels';

const visible = (over: Partial<ChannelInfo> = {}): ChannelInfo => ({
  name: 'exec',
  isPrivate: false,
  isArchived: false,
  postError: undefined,
  ...over,
});

describe('channelProblem', () => {
  it.each([
    ['a channel Pickup can post to', visible(), undefined],
    ['a private channel Pickup cannot see', undefined, 'Invite @Pickup to this channel first (/invite @Pickup'],
    [
      'a private channel without Pickup',
      visible({ isPrivate: true, postError: 'channel_not_found' }),
      'Invite @Pickup to #exec first (/invite @Pickup',
    ],
    ['an archived channel', visible({ isArchived: true, postError: 'is_archived' }), '#exec is archived'],
    [
      'a public channel without chat:write.public',
      visible({ postError: 'not_in_channel' }),
      'Invite @Pickup to #exec first',
    ],
  ])('%s', (_case, info, expected) => {
    if (expected === undefined) expect(channelProblem(info)).toBeUndefined();
    else expect(channelProblem(info)).toContain(expected);
  });
});

describe('checkChannels', () => {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('warn', { write: (line: string) => lines.push(JSON.parse(line)) });
  beforeEach(() => {
    lines.length = 0;
  });

  it('asks Slack once per channel and puts each problem under its setting', async () => {
    const asked: string[] = [];
    const slack = {
      getChannelInfo: async (id: string) => {
        asked.push(id);
        return id === 'GPRIV' ? undefined : visible({ name: id.toLowerCase() });
      },
    };
    const errors = await checkChannels(
      slack,
      { EXEC_CHANNEL: 'C1', LEADERSHIP_CHANNEL: 'C1', SUPPORT_CHANNEL: 'GPRIV' },
      { logger },
    );
    expect(asked.sort()).toEqual(['C1', 'GPRIV']);
    expect(Object.keys(errors)).toEqual(['SUPPORT_CHANNEL']);
  });

  it('gives a channel the benefit of the doubt, with a warning, when Slack fails or is slow', async () => {
    const slack = {
      getChannelInfo: (id: string) =>
        id === 'CSLOW'
          ? new Promise<ChannelInfo>(() => {})
          : Promise.reject(new SlackDeliveryError('Slack refused the call: missing_scope', false)),
    };
    const started = Date.now();
    const errors = await checkChannels(
      slack,
      { EXEC_CHANNEL: 'CSLOW', LEADERSHIP_CHANNEL: 'CFAIL' },
      { logger, timeoutMs: 50 },
    );
    expect(errors).toEqual({});
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(lines.map((l) => l.setting).sort()).toEqual(['EXEC_CHANNEL', 'LEADERSHIP_CHANNEL']);
  });
});
