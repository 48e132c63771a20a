import { receiveComplaint } from '../../src/complaints/complaint.service';
import { forgetCustomer } from '../../src/privacy/forget.service';
import { newComplaint } from '../helpers/factories';
import { createTestDb, type TestDb } from '../helpers/test-db';

const rule = { priorities: ['urgent', 'high'], tags: [] };

describe('a help-desk re-delivery after an erasure', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await createTestDb();
  });
  afterAll(() => db.close());

  it('updates the ticket but restores nothing the erasure removed', async () => {
    const input = newComplaint({
      externalId: 'ERASE-1',
      subject: 'Ada cannot log in',
      description: 'Ada says the app locks her out',
      supportTried: 'Reset her password',
      customer: {
        name: 'Ada',
        email: 'ada@example.com',
        phone: '+14155550100',
        company: 'Engines',
        timezone: 'Europe/London',
      },
    });
    await db.db.transaction().execute((trx) => receiveComplaint(trx, input, rule, 'test', new Date()));
    await db.db.transaction().execute((trx) => forgetCustomer(trx, { email: 'ada@example.com' }, 'test', new Date()));

    const again = await db.db
      .transaction()
      .execute((trx) => receiveComplaint(trx, { ...input, priority: 'high' }, rule, 'test', new Date()));
    expect(again.status).toBe('duplicate');
    const row = await db.db
      .selectFrom('complaints')
      .selectAll()
      .where('external_id', '=', 'ERASE-1')
      .executeTakeFirstOrThrow();
    expect(row.priority).toBe('high');
    expect(row).toMatchObject({
      subject: '[erased]',
      description: null,
      support_tried: null,
      customer_name: null,
      customer_email: null,
      customer_phone: null,
      customer_company: null,
      customer_timezone: null,
    });

    // A non-major re-delivery takes the other path, and must not restore the subject either.
    await db.db
      .transaction()
      .execute((trx) => receiveComplaint(trx, { ...input, priority: 'low' }, rule, 'test', new Date()));
    const after = await db.db
      .selectFrom('complaints')
      .select(['subject', 'is_major'])
      .where('external_id', '=', 'ERASE-1')
      .executeTakeFirstOrThrow();
    expect(after).toEqual({ subject: '[erased]', is_major: false });
  });
});
