import { type Kysely, sql } from 'kysely';
import { parsePhoneNumberFromString } from 'libphonenumber-js';

/**
 * Phones stored normalised (E.164) beside the number as given, so `forget --phone 202-555-0177` finds a complaint
 * stored as "+1 (202) 555-0177" with an index lookup. Existing rows are backfilled here, reading a number without
 * "+" as a United States number: Pickup has no workspace country setting, and src/privacy/redact.ts
 * (DEFAULT_PHONE_COUNTRY) reads new ones the same way. This file keeps its own copy of that rule so the migration
 * means the same thing whatever the code later does. A number that cannot be read stays NULL there, and `forget`
 * matches it by its digits through the second, partial index.
 */
const BACKFILL_COUNTRY = 'US';
const BATCH = 5000;

function toE164(phone: string): string | null {
  const parsed = parsePhoneNumberFromString(phone.trim(), BACKFILL_COUNTRY);
  return parsed?.isPossible() ? parsed.number : null;
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE complaints ADD COLUMN customer_phone_e164 text`.execute(db);
  let afterId = 0;
  for (;;) {
    const { rows } = await sql<{ id: string | number; customer_phone: string }>`
      SELECT id, customer_phone FROM complaints
      WHERE customer_phone IS NOT NULL AND id > ${afterId}
      ORDER BY id LIMIT ${BATCH}`.execute(db);
    if (rows.length === 0) break;
    const ids: number[] = [];
    const phones: string[] = [];
    for (const r of rows) {
      const e164 = toE164(r.customer_phone);
      if (e164 === null) continue;
      ids.push(Number(r.id));
      phones.push(e164);
    }
    if (ids.length > 0) {
      await sql`
        UPDATE complaints c SET customer_phone_e164 = v.e164
        FROM unnest(${ids}::bigint[], ${phones}::text[]) AS v(id, e164)
        WHERE c.id = v.id`.execute(db);
    }
    afterId = Number(rows[rows.length - 1]?.id);
  }
  await sql`
    CREATE INDEX complaints_phone_e164_idx ON complaints (customer_phone_e164)
    WHERE customer_phone_e164 IS NOT NULL`.execute(db);
  // Numbers that could not be read: few, and found by their digits, as forget did before this column.
  await sql`
    CREATE INDEX complaints_phone_digits_idx ON complaints ((regexp_replace(customer_phone, '[^0-9]', '', 'g')))
    WHERE customer_phone_e164 IS NULL AND customer_phone IS NOT NULL`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX IF EXISTS complaints_phone_digits_idx`.execute(db);
  await sql`DROP INDEX IF EXISTS complaints_phone_e164_idx`.execute(db);
  await sql`ALTER TABLE complaints DROP COLUMN IF EXISTS customer_phone_e164`.execute(db);
}
