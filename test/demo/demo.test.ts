import { runDemo } from '../../src/demo/demo';

describe('npm run cli -- demo', () => {
  let output = '';

  beforeAll(async () => {
    const lines: string[] = [];
    await runDemo((l) => lines.push(l));
    output = lines.join('\n');
  }, 60_000);

  it('runs the whole cycle, step by step', () => {
    for (const step of [
      '1. Complaints arrive',
      '2. A support lead escalates',
      '3. The daily pick',
      '4. @UDEMOCTO1 clicks "I\'ll call them"',
      '5. After the call',
      '6. 14 days later',
      '7. The weekly digest',
    ]) {
      expect(output).toContain(step);
    }
    expect(output).toContain('"status":"created"');
    expect(output).toContain('"status":"ignored"');
    expect(output).toMatch(/Picked complaint \d+ for \d{4}-\d{2}-\d{2}: 1 of 3 eligible/);
    expect(output).toContain('Claimed by @UDEMOCTO1');
    expect(output).toContain('Logged: Reached the customer');
    expect(output).toContain('[ Referral ]');
    expect(output).toMatch(/Slack · #CLEADERSHIP/);
    expect(output).toMatch(/\.png: /);
    expect(output).toContain('https://app.slack.com/block-kit-builder#');
  });

  it('prints contact details only in the claimer’s DM', () => {
    const messages = output.split('┌─ Slack · ').slice(1);
    const phone = /\+\d{10,}/;
    const channelPosts = messages.filter((m) => m.startsWith('#'));
    const dms = messages.filter((m) => m.startsWith('DM to'));
    expect(channelPosts.length).toBeGreaterThanOrEqual(3);
    for (const post of channelPosts) {
      expect(post).not.toMatch(phone);
      expect(post).not.toContain('@example.com');
    }
    expect(dms.some((dm) => phone.test(dm) && dm.includes('How to run the call'))).toBe(true);
  });
});
