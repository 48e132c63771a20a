import { type Kysely, sql } from 'kysely';

/**
 * The customer's history in the brief matches earlier complaints by email whatever its case (Ada@Example.com is
 * ada@example.com), as it matches companies; this index lets that lookup stay an index scan on a large table, like
 * the existing ones on the E.164 phone and lower(company).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX complaints_email_lower_idx ON complaints (lower(customer_email)) WHERE customer_email IS NOT NULL`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX complaints_email_lower_idx`.execute(db);
}
