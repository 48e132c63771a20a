import { type ComplaintInput, fromGenericComplaint, genericComplaintSchema } from '../../src/complaints/complaint';
import { withoutContacts } from '../../src/complaints/complaint.format';
import { findComplaintByExternalId } from '../../src/complaints/complaint.repository';
import { receiveComplaint, toComplaint } from '../../src/complaints/complaint.service';
import { newComplaint } from '../helpers/factories';
import { createTestDb, type TestDb } from '../helpers/test-db';

const T0 = new Date('2026-11-23T10:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

function deliver(db: TestDb, input: ComplaintInput) {
  return db.db.transaction().execute((trx) => receiveComplaint(trx, input, 'always-major', 'webhook:test', T0));
}

async function storedAssignee(db: TestDb, input: ComplaintInput) {
  const row = await findComplaintByExternalId(db.db, input.source, input.externalId);
  if (!row) throw new Error(`complaint ${input.externalId} was not stored`);
  return toComplaint(row).assignee;
}

describe('the ticket’s assignee on a complaint', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await createTestDb();
  });
  afterAll(() => db.close());

  it('is stored with the complaint', async () => {
    const ticket = newComplaint({ assignee: { name: 'Sam Support', email: 'sam@shop.example' } });
    await deliver(db, ticket);
    expect(await storedAssignee(db, ticket)).toEqual({ name: 'Sam Support', email: 'sam@shop.example' });
  });

  it('is null on both fields for a source that names nobody', async () => {
    const ticket = newComplaint();
    await deliver(db, ticket);
    expect(await storedAssignee(db, ticket)).toEqual({ name: null, email: null });
  });

  it('stays when a later delivery names nobody, and is replaced whole when one names someone else', async () => {
    const ticket = newComplaint({ assignee: { name: 'Sam Support', email: 'sam@shop.example' } });
    await deliver(db, { ...ticket, sourceUpdatedAt: at(0) });
    await deliver(db, { ...ticket, assignee: undefined, sourceUpdatedAt: at(1) });
    expect(await storedAssignee(db, ticket)).toEqual({ name: 'Sam Support', email: 'sam@shop.example' });
    // Reassigned to someone whose email the desk does not share: the old email must not stick to the new name.
    await deliver(db, { ...ticket, assignee: { name: 'Ada Agent' }, sourceUpdatedAt: at(2) });
    expect(await storedAssignee(db, ticket)).toEqual({ name: 'Ada Agent', email: null });
  });

  it('is left as it was by a delivery older than the one applied', async () => {
    const ticket = newComplaint({ assignee: { name: 'Ada Agent' } });
    await deliver(db, { ...ticket, sourceUpdatedAt: at(5) });
    await deliver(db, { ...ticket, assignee: { name: 'Sam Support' }, sourceUpdatedAt: at(1) });
    expect(await storedAssignee(db, ticket)).toEqual({ name: 'Ada Agent', email: null });
  });

  it('loses its email, keeping the name, in what goes to a channel (withoutContacts)', async () => {
    const ticket = newComplaint({ assignee: { name: 'Sam Support', email: 'sam@shop.example' } });
    await deliver(db, ticket);
    const row = await findComplaintByExternalId(db.db, ticket.source, ticket.externalId);
    if (!row) throw new Error('not stored');
    expect(withoutContacts(toComplaint(row)).assignee).toEqual({ name: 'Sam Support', email: null });
  });
});

describe('the generic webhook’s assignee', () => {
  const body = {
    externalId: 'A-1',
    subject: 'Broken',
    priority: 'urgent',
    customer: { name: 'Jane' },
  };

  it('is optional, and taken with name and email (the email lowercased)', () => {
    expect(fromGenericComplaint(genericComplaintSchema.parse(body)).assignee).toBeUndefined();
    const parsed = genericComplaintSchema.parse({ ...body, assignee: { name: ' Sam ', email: 'Sam@Shop.Example' } });
    expect(fromGenericComplaint(parsed).assignee).toEqual({ name: 'Sam', email: 'sam@shop.example' });
  });

  it('refuses an assignee email that is not one, naming the field', () => {
    const result = genericComplaintSchema.safeParse({ ...body, assignee: { email: 'sam at shop' } });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['assignee', 'email']);
  });

  it('counts an empty assignee as none', () => {
    expect(fromGenericComplaint(genericComplaintSchema.parse({ ...body, assignee: { name: '' } })).assignee).toBe(
      undefined,
    );
  });
});
