import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '../../src/logger';
import { checkSlackChannels, predictPostError } from '../../src/slack/preflight';
import { createWebClient } from '../../src/slack/slack.client';
import { EXEC_CHANNEL, LEADERSHIP_CHANNEL } from '../helpers/config';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack';

const ALL_SCOPES = ['chat:write', 'chat:write.public', 'channels:read', 'groups:read'];
const NO_PUBLIC = ['chat:write', 'channels:read', 'groups:read'];

describe('predictPostError: the error a post would get, from conversations.info and the scopes', () => {
  it.each([
    [{ is_member: true }, NO_PUBLIC, undefined],
    [{ is_member: true, is_private: true }, NO_PUBLIC, undefined],
    [{ is_member: false }, ALL_SCOPES, undefined],
    [{ is_member: false }, NO_PUBLIC, 'not_in_channel'],
    [{ is_member: false }, undefined, undefined],
    [{ is_member: false, is_private: true }, ALL_SCOPES, 'channel_not_found'],
    [{ is_member: true, is_archived: true }, ALL_SCOPES, 'is_archived'],
  ])('%j with %j → %s', (facts, scopes, expected) => {
    expect(predictPostError(facts, scopes)).toBe(expected);
  });
});

/** A logger whose lines the test reads back, as objects. */
function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('info', { write: (line: string) => lines.push(JSON.parse(line)) });
  const warnings = () => lines.filter((l) => l.level === 40);
  return { logger, lines, warnings };
}

describe('the start-up preflight against the fake Slack', () => {
  let slack: FakeSlack;
  const config = { execChannel: EXEC_CHANNEL, leadershipChannel: LEADERSHIP_CHANNEL };
  const run = async (timeoutMs?: number) => {
    const log = capturedLogger();
    const client = createWebClient('xoxb-test', slack.url, createLogger('silent'));
    await checkSlackChannels(client, config, log.logger, timeoutMs);
    return log;
  };

  beforeEach(async () => {
    slack = await startFakeSlack();
  });
  afterEach(() => slack.close());

  it('says nothing alarming when Pickup can post to both channels', async () => {
    const { warnings, lines } = await run();
    expect(warnings()).toEqual([]);
    expect(lines.map((l) => l.msg)).toContain('Slack preflight: Pickup can post to its channels');
    expect(
      slack
        .callsTo('conversations.info')
        .map((c) => c.args.channel)
        .sort(),
    ).toEqual([EXEC_CHANNEL, LEADERSHIP_CHANNEL].sort());
  });

  it('checks nothing, and claims nothing, on a first run with no channel set yet', async () => {
    const log = capturedLogger();
    const client = createWebClient('xoxb-test', slack.url, createLogger('silent'));
    await checkSlackChannels(client, { execChannel: '', leadershipChannel: '' }, log.logger);
    expect(log.lines).toEqual([]);
    expect(slack.calls).toEqual([]);
  });

  it('checks only the channels set so far', async () => {
    const log = capturedLogger();
    const client = createWebClient('xoxb-test', slack.url, createLogger('silent'));
    await checkSlackChannels(client, { execChannel: EXEC_CHANNEL, leadershipChannel: '' }, log.logger);
    expect(log.warnings()).toEqual([]);
    expect(slack.callsTo('conversations.info').map((c) => c.args.channel)).toEqual([EXEC_CHANNEL]);
  });

  it('checks SUPPORT_CHANNEL too when it is set', async () => {
    slack.setChannel('CSUPPORT01', { is_archived: true });
    const log = capturedLogger();
    const client = createWebClient('xoxb-test', slack.url, createLogger('silent'));
    await checkSlackChannels(client, { ...config, supportChannel: 'CSUPPORT01' }, log.logger);
    expect(log.warnings()).toEqual([
      expect.objectContaining({ setting: 'SUPPORT_CHANNEL', channel: 'CSUPPORT01', code: 'is_archived' }),
    ]);
  });

  it('warns once, with the fix, about a channel that does not exist', async () => {
    slack.setChannel(EXEC_CHANNEL, null);
    const [warning, ...more] = (await run()).warnings();
    expect(more).toEqual([]);
    expect(warning).toMatchObject({ setting: 'EXEC_CHANNEL', channel: EXEC_CHANNEL, code: 'channel_not_found' });
    expect(warning?.msg).toMatch(
      /^Pickup cannot post to EXEC_CHANNEL \(CEXECS001\): Slack knows no such channel that Pickup can see\. Fix: Channel CEXECS001 does not exist, or it is private and @Pickup is not in it\. Check the channel ID.*invite @Pickup/,
    );
    expect(warning?.msg).toContain('Pickup keeps running');
  });

  it('warns about a private channel the bot is not in', async () => {
    slack.setChannel(LEADERSHIP_CHANNEL, { is_private: true, is_member: false });
    const [warning, ...more] = (await run()).warnings();
    expect(more).toEqual([]);
    expect(warning).toMatchObject({ setting: 'LEADERSHIP_CHANNEL', code: 'channel_not_found' });
    expect(warning?.msg).toMatch(/invite @Pickup to the channel \(\/invite @Pickup\)/);
  });

  it('warns about a public channel the bot is not in when the app lacks chat:write.public, and not when it has it', async () => {
    slack.setChannel(EXEC_CHANNEL, { is_member: false });
    expect((await run()).warnings()).toEqual([]);
    slack.setScopes(NO_PUBLIC);
    const [warning, ...more] = (await run()).warnings();
    expect(more).toEqual([]);
    expect(warning).toMatchObject({ setting: 'EXEC_CHANNEL', code: 'not_in_channel' });
    expect(warning?.msg).toMatch(
      /@Pickup is not a member and the app lacks chat:write\.public.*Fix: @Pickup is not a member of channel CEXECS001\. Invite @Pickup/,
    );
  });

  it('warns about an archived channel', async () => {
    slack.setChannel(LEADERSHIP_CHANNEL, { is_archived: true });
    const [warning] = (await run()).warnings();
    expect(warning).toMatchObject({ setting: 'LEADERSHIP_CHANNEL', code: 'is_archived' });
    expect(warning?.msg).toContain('Unarchive it');
  });

  it('gives one warning naming both channels for a token Slack refuses, and does not throw', async () => {
    slack.failNext('conversations.info', 2, { error: 'invalid_auth' });
    const [warning, ...more] = (await run()).warnings();
    expect(more).toEqual([]);
    expect(warning?.msg).toMatch(
      /EXEC_CHANNEL \(CEXECS001\) and LEADERSHIP_CHANNEL \(CLEADS001\): Slack answered invalid_auth.*Reinstall the app/,
    );
  });

  it('warns when the app lacks the scopes the preflight needs', async () => {
    slack.failNext('conversations.info', 2, { error: 'missing_scope' });
    const [warning] = (await run()).warnings();
    expect(warning?.msg).toContain('the app lacks channels:read / groups:read');
  });

  it('survives Slack failing, and gives up after its timeout when Slack does not answer', async () => {
    slack.failNext('conversations.info', 2, { status: 500 });
    expect((await run()).warnings()[0]?.msg).toMatch(/could not be checked \(Slack answered HTTP 500\)/);

    // A server that accepts the call and never answers: the preflight must not hold start-up.
    const silent: Server = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/api/`;
    const log = capturedLogger();
    const started = Date.now();
    await checkSlackChannels(createWebClient('xoxb-test', url, createLogger('silent')), config, log.logger, 300);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(log.warnings()[0]?.msg).toMatch(/^Slack did not answer within 300 ms/);
    silent.closeAllConnections();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });
});
