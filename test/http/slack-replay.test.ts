import { createReplayGuard } from '../../src/http/slack-replay';

const T = 1_795_000_000; // a request timestamp, in seconds
const AT = T * 1000; // and the moment it arrives, in milliseconds

describe('createReplayGuard', () => {
  it('accepts a signature once and refuses it again while its timestamp is acceptable', () => {
    const guard = createReplayGuard({ toleranceS: 300 });
    expect(guard.firstSeen('v0=a', T, AT)).toBe(true);
    expect(guard.firstSeen('v0=a', T, AT + 1_000)).toBe(false);
    expect(guard.firstSeen('v0=a', T, AT + 299_000)).toBe(false);
    expect(guard.firstSeen('v0=b', T, AT)).toBe(true);
  });

  it('lets a signature go once its timestamp is stale (the staleness check refuses it from then on)', () => {
    const guard = createReplayGuard({ toleranceS: 300 });
    expect(guard.firstSeen('v0=a', T, AT)).toBe(true);
    expect(guard.firstSeen('v0=a', T, AT + 300_000)).toBe(true);
  });

  it('keeps a future-dated signature until its own timestamp goes stale', () => {
    const guard = createReplayGuard({ toleranceS: 300 });
    expect(guard.firstSeen('v0=f', T + 250, AT)).toBe(true);
    expect(guard.firstSeen('v0=f', T + 250, AT + 500_000)).toBe(false);
  });

  it('forgets a signature on request, so a refused request does not occupy memory', () => {
    const guard = createReplayGuard({ toleranceS: 300 });
    guard.firstSeen('v0=junk', T, AT);
    guard.forget('v0=junk');
    expect(guard.firstSeen('v0=junk', T, AT)).toBe(true);
  });

  it('holds at most maxEntries, dropping expired entries first and then the oldest', () => {
    const guard = createReplayGuard({ toleranceS: 300, maxEntries: 3 });
    guard.firstSeen('old', T - 1_000, AT); // already stale: the first to go
    guard.firstSeen('s1', T, AT);
    guard.firstSeen('s2', T, AT);
    guard.firstSeen('s3', T, AT); // full: 'old' is swept
    expect(guard.firstSeen('s1', T, AT)).toBe(false);
    guard.firstSeen('s4', T, AT); // full again, nothing expired: the oldest, s1, goes
    expect(guard.firstSeen('s2', T, AT)).toBe(false);
    expect(guard.firstSeen('s1', T, AT)).toBe(true);
  });
});
