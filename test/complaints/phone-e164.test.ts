import { importComplaintsCsv } from '../../src/complaints/complaint.import';
import { escalateComplaint, receiveComplaint } from '../../src/complaints/complaint.service';
import { EXEC_CHANNEL, LEAD_1 } from '../helpers/config';
import { type ComplaintOverrides, newComplaint } from '../helpers/factories';
import { createTestDb, type TestDb } from '../helpers/test-db';

const RULE = { priorities: ['urgent', 'high'], tags: [] };

/** The normalised phone stored beside the phone as given, on every path a complaint is written by. */
describe('customer_phone_e164 on every write path', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await createTestDb();
  });
  afterAll(() => db.close());

  const stored = (id: number) =>
    db.db
      .selectFrom('complaints')
      .select(['customer_phone', 'customer_phone_e164'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();

  const deliver = async (overrides: ComplaintOverrides) => {
    const result = await db.db
      .transaction()
      .execute((trx) => receiveComplaint(trx, newComplaint(overrides), RULE, 'webhook:api', new Date()));
    if (result.status === 'ignored') throw new Error('ignored');
    return result.id;
  };

  it('webhook intake (and every help-desk adapter, which share it)', async () => {
    const id = await deliver({ customer: { phone: '(202) 555-0177' } });
    expect(await stored(id)).toEqual({ customer_phone: '(202) 555-0177', customer_phone_e164: '+12025550177' });
    const uk = await deliver({ customer: { phone: '+44 20 7946 0958' } });
    expect((await stored(uk)).customer_phone_e164).toBe('+442079460958');
    const none = await deliver({ customer: { phone: undefined } });
    expect(await stored(none)).toEqual({ customer_phone: null, customer_phone_e164: null });
    const unreadable = await deliver({ customer: { phone: '12 34' } });
    expect(await stored(unreadable)).toEqual({ customer_phone: '12 34', customer_phone_e164: null });
  });

  it('/escalate', async () => {
    const result = await db.db
      .transaction()
      .execute((trx) =>
        escalateComplaint(
          trx,
          { ...newComplaint({ customer: { phone: '202.555.0199' } }), escalatedBy: LEAD_1, receivedAt: new Date() },
          EXEC_CHANNEL,
        ),
      );
    if (result.status !== 'created') throw new Error(result.status);
    expect((await stored(result.id)).customer_phone_e164).toBe('+12025550199');
  });

  it('CSV import', async () => {
    const csv = [
      'externalId,subject,priority,customer.name,customer.phone',
      'csv-e164-1,Broken,urgent,Ada,202-555-0123',
      'csv-e164-2,Broken too,urgent,Bob,',
    ].join('\n');
    const report = await importComplaintsCsv(db, { csv, rule: RULE, skipInvalid: false, now: new Date() });
    expect(report.created).toBe(2);
    const rows = await db.db
      .selectFrom('complaints')
      .select(['external_id', 'customer_phone_e164'])
      .where('external_id', 'in', ['csv-e164-1', 'csv-e164-2'])
      .orderBy('external_id')
      .execute();
    expect(rows).toEqual([
      { external_id: 'csv-e164-1', customer_phone_e164: '+12025550123' },
      { external_id: 'csv-e164-2', customer_phone_e164: null },
    ]);
  });

  it('a re-delivery: a new phone brings its own E.164, a delivery without one keeps both', async () => {
    const first = newComplaint({ customer: { phone: '202-555-0100' } });
    const again = (phone: string | undefined) =>
      db.db
        .transaction()
        .execute((trx) =>
          receiveComplaint(trx, { ...first, customer: { ...first.customer, phone } }, RULE, 'webhook:api', new Date()),
        );
    const created = await again('202-555-0100');
    if (created.status !== 'created') throw new Error(created.status);
    await again('+44 20 7946 0001');
    expect(await stored(created.id)).toEqual({
      customer_phone: '+44 20 7946 0001',
      customer_phone_e164: '+442079460001',
    });
    await again(undefined);
    expect((await stored(created.id)).customer_phone_e164).toBe('+442079460001');
    // A number that cannot be read replaces the old one, and so does its (missing) E.164: no stale match for forget.
    await again('12 34');
    expect(await stored(created.id)).toEqual({ customer_phone: '12 34', customer_phone_e164: null });
  });
});
