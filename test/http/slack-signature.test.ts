import { matchesAny } from '../../src/http/http';
import { isSslCheck, slackSignatureProblem } from '../../src/http/slack-signature';
import { signSlackRequest } from '../helpers/slack-requests';

const OLD = 'old-signing-secret-0123456789';
const NEW = 'new-signing-secret-0123456789';
const SECRETS = [OLD, NEW];
const NOW_MS = 1_764_000_000_000;
const NOW_S = NOW_MS / 1000;
const BODY = 'command=%2Fpickup&text=help';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

const check = (headers: Record<string, string>, body = BODY) =>
  slackSignatureProblem(Buffer.from(body), { ...FORM, ...headers }, SECRETS, NOW_MS);

describe('slackSignatureProblem', () => {
  it('accepts a request signed with any configured secret', () => {
    expect(check(signSlackRequest(BODY, OLD, NOW_S))).toBeUndefined();
    expect(check(signSlackRequest(BODY, NEW, NOW_S))).toBeUndefined();
  });

  it('refuses a request signed with a secret that is not configured', () => {
    expect(check(signSlackRequest(BODY, 'third-signing-secret-0123', NOW_S))).toBe('invalid signature');
  });

  it('refuses a body changed after signing', () => {
    expect(check(signSlackRequest(BODY, NEW, NOW_S), `${BODY}&x=1`)).toBe('invalid signature');
  });

  it('refuses any request when no secret is configured', () => {
    const headers = { ...FORM, ...signSlackRequest(BODY, NEW, NOW_S) };
    expect(slackSignatureProblem(Buffer.from(BODY), headers, [], NOW_MS)).toBe('invalid signature');
  });

  it.each([
    ['exactly 5 minutes old', NOW_S - 300, undefined],
    ['exactly 5 minutes ahead', NOW_S + 300, undefined],
    ['over 5 minutes old', NOW_S - 301, 'request timestamp is too old'],
    ['over 5 minutes ahead', NOW_S + 301, 'request timestamp is in the future'],
  ])('a timestamp %s → %s', (_label, ts, expected) => {
    expect(check(signSlackRequest(BODY, NEW, ts))).toBe(expected);
  });

  it('names a missing or malformed timestamp and a missing signature', () => {
    const signed = signSlackRequest(BODY, NEW, NOW_S);
    expect(check({ 'x-slack-signature': signed['x-slack-signature'] ?? '' })).toBe(
      'missing or malformed x-slack-request-timestamp',
    );
    expect(check({ ...signed, 'x-slack-request-timestamp': '1e9' })).toBe(
      'missing or malformed x-slack-request-timestamp',
    );
    expect(check({ 'x-slack-request-timestamp': String(NOW_S) })).toBe('missing x-slack-signature');
    expect(check({ ...signed, 'x-slack-signature': 'v0=short' })).toBe('invalid signature');
  });
});

describe('matchesAny', () => {
  it('tries every secret even after one matched, so the time taken does not say which one did', () => {
    const tried: string[] = [];
    const result = matchesAny(['a', 'b', 'c'], (s) => {
      tried.push(s);
      return s === 'a';
    });
    expect(result).toBe(true);
    expect(tried).toEqual(['a', 'b', 'c']);
    expect(matchesAny(['a', 'b'], () => false)).toBe(false);
    expect(matchesAny([], () => true)).toBe(false);
  });
});

describe('isSslCheck', () => {
  it("recognises Slack's form-encoded SSL check and nothing else", () => {
    expect(isSslCheck(Buffer.from('ssl_check=1&token=x'), FORM)).toBe(true);
    expect(isSslCheck(Buffer.from('ssl_check=0'), FORM)).toBe(false);
    expect(isSslCheck(Buffer.from('{"ssl_check":"1"}'), { 'content-type': 'application/json' })).toBe(false);
  });
});
