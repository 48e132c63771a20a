import { type ClaimForm, openClaimForm } from '../../src/calls/claim.service';
import { DomainError } from '../../src/shared/errors';
import { EXEC_1, EXEC_2, OUTSIDER } from '../helpers/config';
import { insertComplaint } from '../helpers/factories';
import { createTestDb, type TestDb } from '../helpers/test-db';

// openClaimForm: the release and outcome buttons open their form for the claim's holder only.
describe('openClaimForm', () => {
  let db: TestDb;
  let claimId: number;
  let releasedId: number;

  beforeAll(async () => {
    db = await createTestDb();
    const complaint = await insertComplaint(db.db, { subject: 'Invoices vanished' });
    const claim = await db.db
      .insertInto('claims')
      .values({ complaint_id: complaint, claimed_by: EXEC_1 })
      .returning('id')
      .executeTakeFirstOrThrow();
    claimId = claim.id;
    const other = await insertComplaint(db.db, { subject: 'Released one' });
    const released = await db.db
      .insertInto('claims')
      .values({ complaint_id: other, claimed_by: EXEC_1, status: 'released', release_reason: 'Travelling' })
      .returning('id')
      .executeTakeFirstOrThrow();
    releasedId = released.id;
  });
  afterAll(() => db.close());

  const scenarios: {
    name: string;
    form: ClaimForm;
    userId: string;
    claim: () => number;
    opens?: string;
    refusal?: { code: string; message: RegExp };
  }[] = [
    {
      name: 'the holder opens the release form',
      form: 'release',
      userId: EXEC_1,
      claim: () => claimId,
      opens: 'Invoices vanished',
    },
    {
      name: 'the holder opens the outcome form',
      form: 'outcome',
      userId: EXEC_1,
      claim: () => claimId,
      opens: 'Invoices vanished',
    },
    {
      name: 'another executive is refused the release form',
      form: 'release',
      userId: EXEC_2,
      claim: () => claimId,
      refusal: { code: 'not_your_claim', message: /^Only the executive who claimed this call can release it\.$/ },
    },
    {
      name: 'an outsider is refused the outcome form',
      form: 'outcome',
      userId: OUTSIDER,
      claim: () => claimId,
      refusal: { code: 'not_your_claim', message: /^Only the executive who claimed this call can log it\.$/ },
    },
    {
      name: 'a claim that does not exist',
      form: 'outcome',
      userId: EXEC_1,
      claim: () => claimId + 1000,
      refusal: { code: 'not_found', message: /no longer exists/ },
    },
    // Whether the claim is still open is the submission's check (releaseClaim, logAttempt), as before.
    {
      name: 'a released claim still opens for its holder',
      form: 'release',
      userId: EXEC_1,
      claim: () => releasedId,
      opens: 'Released one',
    },
  ];

  it.each(scenarios.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
    const opening = openClaimForm(db.db, { claimId: scenario.claim(), userId: scenario.userId, form: scenario.form });
    if (scenario.refusal) {
      await expect(opening).rejects.toBeInstanceOf(DomainError);
      await expect(opening).rejects.toMatchObject({
        code: scenario.refusal.code,
        userMessage: expect.stringMatching(scenario.refusal.message),
      });
    } else {
      await expect(opening).resolves.toEqual({ claimId: scenario.claim(), subject: scenario.opens });
    }
  });
});
