import { EVIDENCE_KINDS } from '../../src/calls/call';
import {
  buildBrief,
  buildEvidenceRequest,
  buildFollowUpReminder,
  buildNoAttemptReminder,
  buildOutcomeModal,
  buildReleaseModal,
} from '../../src/calls/claim.blocks';
import { ActionIds, CallbackIds, OutcomeBlocks, ReleaseBlocks } from '../../src/shared/ids';
import { slackProblems } from '../helpers/block-kit';
import {
  contactLeaks,
  EMAIL,
  hostileComplaint,
  INJECTION_ESCAPED,
  liveInjections,
  NOW,
  oversizedComplaint,
  PHONE,
  TEXT_WITH_CONTACTS,
} from '../helpers/customer-text';

const HOSTILE_SUBJECT = hostileComplaint().subject;
const LONG_SUBJECT = oversizedComplaint().subject;

/** The brief, the claimer's alone: the one builder whose output may carry the customer's phone and email. */
const briefs: [scenario: string, build: () => unknown][] = [
  ['the brief, hostile text everywhere', () => buildBrief(hostileComplaint(), 9, NOW)],
  ['the brief, every field 10,000 characters', () => buildBrief(oversizedComplaint(), 9, NOW)],
  [
    'the brief, no phone, email or known time zone',
    () =>
      buildBrief(
        hostileComplaint({
          customer: { name: null, company: null, phone: null, email: null, timezone: 'Mars/Olympus_Mons' },
        }),
        9,
        NOW,
      ),
  ],
];

/** Everything else this file builds: modals and DMs that show the complaint without contact details. */
const others: [scenario: string, build: () => unknown][] = [
  ['the outcome modal, hostile subject', () => buildOutcomeModal(9, HOSTILE_SUBJECT)],
  ['the outcome modal, 10,000-character subject', () => buildOutcomeModal(9, LONG_SUBJECT)],
  ['the release modal', () => buildReleaseModal(9)],
  ['the evidence request, hostile text', () => buildEvidenceRequest(hostileComplaint(), 14)],
  ['the evidence request, 10,000-character fields', () => buildEvidenceRequest(oversizedComplaint(), 14)],
  ['the no-attempt reminder, hostile subject', () => buildNoAttemptReminder(HOSTILE_SUBJECT, 9)],
  ['the no-attempt reminder, 10,000-character subject', () => buildNoAttemptReminder(LONG_SUBJECT, 9)],
  ['the follow-up reminder, hostile subject', () => buildFollowUpReminder(HOSTILE_SUBJECT, 9, '2026-12-01')],
  ['the follow-up reminder, 10,000-character subject', () => buildFollowUpReminder(LONG_SUBJECT, 9, '2026-12-01')],
];

describe('claim.blocks: every builder, every scenario', () => {
  it.each([...briefs, ...others])('%s: Slack takes it (limits, lengths, shapes)', (_scenario, build) => {
    expect(slackProblems(build())).toEqual([]);
  });

  it.each([...briefs, ...others])('%s: customer text cannot ping, mention or link', (_scenario, build) => {
    expect(liveInjections(build())).toEqual([]);
  });

  it.each(others)('%s: no phone or email, not even inside free text', (_scenario, build) => {
    expect(contactLeaks(build())).toEqual([]);
  });
});

describe('buildBrief', () => {
  it('gives the claimer the phone and email as links, and the customer’s words escaped in full', () => {
    const brief = JSON.stringify(buildBrief(hostileComplaint(), 9, NOW));
    expect(brief).toContain(`<tel:${PHONE}|${PHONE}>`);
    expect(brief).toContain(`<mailto:${EMAIL}|${EMAIL}>`);
    expect(brief).toContain(INJECTION_ESCAPED);
    expect(brief).toContain('Acme &amp; &lt;Sons&gt;');
  });

  it('says what is missing rather than leaving a blank', () => {
    const brief = JSON.stringify(
      buildBrief(
        hostileComplaint({
          customer: { name: 'Ada', company: null, phone: null, email: null, timezone: 'Mars/Olympus_Mons' },
        }),
        9,
        NOW,
      ),
    );
    expect(brief).toContain('*Phone*\\n_not given_');
    expect(brief).toContain('*Email*\\n_not given_');
    expect(brief).toContain('_unknown zone Mars/Olympus_Mons_');
  });

  it('carries Log outcome and Release for this claim', () => {
    const { blocks } = buildBrief(hostileComplaint(), 9, NOW);
    expect(blocks).toContainEqual(
      expect.objectContaining({
        type: 'actions',
        elements: [
          expect.objectContaining({ action_id: ActionIds.logOutcome, value: '9' }),
          expect.objectContaining({ action_id: ActionIds.releaseClaim, value: '9' }),
        ],
      }),
    );
  });
});

describe('buildOutcomeModal and buildReleaseModal', () => {
  it('use the contract’s callback_id and block_ids, and carry the claim in private_metadata', () => {
    const outcome = buildOutcomeModal(9, 'Billed twice');
    expect(outcome.callback_id).toBe(CallbackIds.outcomeModal);
    expect(JSON.parse(outcome.private_metadata ?? '')).toEqual({ claimId: 9 });
    expect(outcome.blocks.map((b) => b.block_id).filter(Boolean)).toEqual(Object.values(OutcomeBlocks));

    const release = buildReleaseModal(9);
    expect(release.callback_id).toBe(CallbackIds.releaseModal);
    expect(JSON.parse(release.private_metadata ?? '')).toEqual({ claimId: 9 });
    expect(release.blocks.map((b) => b.block_id).filter(Boolean)).toEqual([ReleaseBlocks.reason]);
  });

  it('shows the subject with contact details marked, the rest as written', () => {
    const modal = JSON.stringify(buildOutcomeModal(9, `Billed twice. ${TEXT_WITH_CONTACTS}`));
    expect(modal).toContain('Billed twice. Call me on [phone]');
    expect(modal).toContain('mail [email], cc [email]');
  });
});

describe('buildEvidenceRequest', () => {
  it('offers one button per kind of evidence, each naming the complaint and the kind', () => {
    const { blocks } = buildEvidenceRequest(hostileComplaint(), 14);
    const buttons = blocks.flatMap((b) => (b.type === 'actions' ? b.elements : []));
    expect(buttons.map((e) => (e.type === 'button' ? e.value : undefined))).toEqual(
      EVIDENCE_KINDS.map((kind) => `7:${kind}`),
    );
  });
});
