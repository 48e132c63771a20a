import { type Kysely, sql } from 'kysely';

/**
 * The help-desk agent assigned to each complaint's ticket, as the vendor's webhook named them, so the support team can
 * be thanked by name after a call. Both nullable: most sources send no assignee, and older complaints have none.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE complaints ADD COLUMN assignee_name text, ADD COLUMN assignee_email text`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE complaints DROP COLUMN assignee_name, DROP COLUMN assignee_email`.execute(db);
}
