import { runDemo } from '../../src/demo/demo';
import { ESCALATED_TICKET, SAMPLES } from '../../src/demo/demo-workspace';

/** The printed output cut into pieces, each a Slack message or help-desk note with the plain lines after it. */
function piecesOf(output: string): string[] {
  return output.split(/\n(?=┌─ |╔═ )/);
}

/** Every way a customer's phone or email could show: as given, as digits (E.164, URL-encoded), URL-encoded. */
function contactForms(): string[] {
  const forms: string[] = [];
  for (const { phone, email } of [...SAMPLES, ESCALATED_TICKET].map((s) => s.customer)) {
    if (phone) forms.push(phone, phone.replace(/\D/g, ''));
    if (email) forms.push(email, encodeURIComponent(email));
  }
  return forms;
}

describe('npm run cli -- demo', () => {
  let output = '';
  let pieces: string[] = [];
  const piece = (start: string, ...containing: string[]) =>
    pieces.find((p) => p.startsWith(start) && containing.every((c) => p.includes(c)));

  beforeAll(async () => {
    const lines: string[] = [];
    await runDemo((l) => lines.push(l));
    output = lines.join('\n');
    pieces = piecesOf(output);
  }, 60_000);

  it('runs the whole cycle, step by step, on the story’s clock', () => {
    for (const step of [
      '1. Complaints arrive',
      '2. A support lead, @UDEMOLEAD, escalates ticket #2001',
      '3. @UDEMOCTO1 clicks "I\'ll call them" on the escalation',
      '4. The daily pick',
      '5. After the call',
      '6. An admin, @UDEMOADMIN, adds an executive and moves the daily pick',
      '7. The daily pick, at its new time',
      '8. The action is overdue',
      '9. @UDEMOPROD1 ships the fix and clicks "Done"',
      '10. Monday: the weekly digest',
      '11. Weeks later',
    ]) {
      expect(output).toContain(step);
    }
    expect(output).toMatch(/^ {3}Mon \w{3} \d{1,2}, 09:30$/m);
    expect(output).toContain('"status":"created"');
    expect(output).toContain('"status":"ignored"');
    expect(output).toMatch(/Picked complaint \d+ for \d{4}-\d{2}-\d{2}: 1 of 2 eligible/);
    expect(output).toContain('Logged: Reached the customer');
    expect(output).toContain('[ Referral ]');
    expect(output).toMatch(/\.png: /);
    expect(output).toContain('https://app.slack.com/block-kit-builder#');
  });

  it('shows an admin changing the executives and the schedule in Slack, applied at once', () => {
    expect(output).toMatch(/Before: @UDEMOCOO1 \(Ines Duarte, COO\) is not an executive: .* refused/);
    expect(output).toContain('@UDEMOADMIN saves the People modal (settings version 1):');
    expect(output).toMatch(
      /^ {2}EXECUTIVES: UDEMOCEO1,UDEMOCTO1 \(env\) → UDEMOCEO1,UDEMOCTO1,UDEMOCOO1 \(slack: set by <@UDEMOADMIN> on \d{4}-\d{2}-\d{2} 14:00 UTC\)$/m,
    );
    expect(output).toContain('@UDEMOADMIN saves the Schedule modal (settings version 2):');
    expect(output).toMatch(
      /^ {2}PICK_SCHEDULE: 0 10 \* \* 1-5 \(default\) → 30 8 \* \* 1,3,5 \(slack: set by <@UDEMOADMIN>/m,
    );
    expect(output).toContain('@UDEMOCOO1 may claim now');
    // From Monday afternoon: Tuesday 10:00 before, Wednesday 08:30 after (Mondays, Wednesdays and Fridays).
    expect(output).toMatch(/Picks: Mon–Fri at 10:00; the next Tue \w{3} \d{1,2}, 10:00\./);
    expect(output).toMatch(
      /Picks: Mon, Wed, Fri at 08:30\. The next pick moved from Tue \w{3} \d{1,2}, 10:00 to Wed \w{3} \d{1,2}, 08:30; then Fri /,
    );
    // The pick then runs at the new time, and the new list is what it suggests from.
    expect(output).toMatch(
      /^ {3}Wed \w{3} \d{1,2}, 08:30\nPicked complaint \d+ for \d{4}-\d{2}-\d{2}: 1 of 1 eligible/m,
    );
    const post = piece('┌─ Slack · #CEXECUTIVES\n', "TODAY'S PICK: 1 OF 1 ELIGIBLE");
    expect(post).toMatch(/Suggested: @(UDEMOCEO1|UDEMOCOO1), fewest claims/);
  });

  it('writes the claim and the outcome back to the Zendesk ticket, as internal notes an agent would see', () => {
    const note = (...containing: string[]) => piece('╔═ Zendesk · ticket #2001\n', 'Internal note', ...containing);
    expect(note('An executive will call: Sam Okafor, CTO.')).toBeDefined();
    expect(note('Outcome: Reached the customer', 'Tags added: exec-called')).toBeDefined();
    expect(piece('╔═ Zendesk · ticket #', 'picked this complaint for today')).toBeDefined();
  });

  it('tells the front line: the lead who escalated, the support channel, and the agent thanked where they read', () => {
    const lead = '┌─ Slack · DM to @UDEMOLEAD (Priya Shah, Support lead)\n';
    expect(piece(lead, '@UDEMOCTO1 claimed the complaint you escalated')).toBeDefined();
    expect(piece(lead, '@UDEMOCTO1 logged a call', 'Reached the customer', '*What they learned*')).toBeDefined();
    expect(piece('┌─ Slack · #CSUPPORT\n', '@UDEMOCTO1 called the customer on this ticket')).toBeDefined();
    // The agent's email, from the help desk's assignee, found their Slack user through users.lookupByEmail.
    expect(piece('┌─ Slack · #CSUPPORT\n', 'Thank you, @UDEMOAGENT!', 'Jordan had already calmed')).toBeDefined();
    expect(output).not.toContain(ESCALATED_TICKET.assignee.email);
  });

  it('reads the ticket’s thread into the claimer’s brief, as "In their words"', () => {
    expect(output).toContain('(Zendesk API: read the last 3 messages of ticket #2001, for the brief.)');
    const brief = piece('┌─ Slack · DM to @UDEMOCTO1', 'How to run the call');
    expect(brief).toContain('*In their words*');
    expect(brief).toContain('This is the third time an update broke printing. Call me.');
  });

  it('shows the action the call opened: its DM with buttons, the reminder, and done', () => {
    const owner = 'DM to @UDEMOPROD1 (Leo Martins, VP Product)';
    expect(piece(`┌─ Slack · ${owner}\n`, 'AN ACTION FOR YOU', "[ Done ]  [ Won't do ]  [ Reassign ]")).toBeDefined();
    expect(piece(`┌─ Slack · ${owner}\n`, 'Reminder: 1 action is due or overdue', 'overdue since')).toBeDefined();
    expect(piece(`┌─ Slack · ${owner}, message updated`, 'ACTION DONE', 'Done by @UDEMOPROD1')).toBeDefined();
    expect(piece('┌─ Slack · DM to @UDEMOCTO1', 'The action you asked of @UDEMOPROD1 is done.')).toBeDefined();
  });

  it('posts a digest with what was learned, the actions, whether the fixes held and the top themes', () => {
    const digest = piece('┌─ Slack · #CLEADERSHIP', 'PICKUP WEEKLY DIGEST');
    expect(digest).toBeDefined();
    for (const section of [
      '*What we learned*',
      '*Actions*: 1 opened · 1 done · 0 overdue',
      '*Did the fixes hold?*',
      'no new major complaint on this theme since',
      '*Top themes (90 days)*',
      'Product 1',
    ]) {
      expect(digest).toContain(section);
    }
  });

  it('prints customer contact details only in the claimer’s brief', () => {
    const isBrief = (p: string) => p.startsWith('┌─ Slack · DM to @UDEMOCTO1') && p.includes('How to run the call');
    const briefs = pieces.filter(isBrief);
    expect(briefs).toHaveLength(1);
    expect(briefs[0]).toContain('+442071887188');
    expect(briefs[0]).toContain(ESCALATED_TICKET.customer.email);
    const elsewhere = pieces.filter((p) => !isBrief(p)).join('\n');
    for (const contact of contactForms()) expect(elsewhere).not.toContain(contact);
  });
});
