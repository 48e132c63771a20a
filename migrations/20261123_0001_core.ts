import { type Kysely, sql } from 'kysely';

/**
 * The core schema for the whole loop: complaints → picks → claims → call attempts → advocacy → digests,
 * plus the outbox and the audit log. Exactly-once rules are constraints here, not hopes in code.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE complaints (
      id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      source            text NOT NULL,
      external_id       text NOT NULL,
      subject           text NOT NULL,
      description       text,
      support_tried     text,
      priority          text NOT NULL CHECK (priority IN ('urgent', 'high', 'normal', 'low')),
      tags              text[] NOT NULL DEFAULT '{}',
      is_major          boolean NOT NULL,
      do_not_call       boolean NOT NULL DEFAULT false,
      customer_name     text,
      customer_company  text,
      customer_phone    text,
      customer_email    text,
      customer_timezone text,
      ticket_url        text,
      escalated_by      text,
      received_at       timestamptz NOT NULL,
      created_at        timestamptz NOT NULL DEFAULT now(),
      updated_at        timestamptz NOT NULL DEFAULT now(),
      closed_at         timestamptz,
      pii_erased_at     timestamptz,
      CONSTRAINT complaints_source_external_id_key UNIQUE (source, external_id)
    )`.execute(db);
  // The eligible pool: major, callable, unpicked, recent. Partial so it stays small at a million rows.
  await sql`
    CREATE INDEX complaints_eligible_idx ON complaints (received_at DESC, id)
    WHERE is_major AND NOT do_not_call AND closed_at IS NULL`.execute(db);
  await sql`CREATE INDEX complaints_email_idx ON complaints (customer_email) WHERE customer_email IS NOT NULL`.execute(
    db,
  );
  await sql`CREATE INDEX complaints_phone_idx ON complaints (customer_phone) WHERE customer_phone IS NOT NULL`.execute(
    db,
  );
  await sql`CREATE INDEX complaints_company_idx ON complaints (lower(customer_company)) WHERE customer_company IS NOT NULL`.execute(
    db,
  );
  await sql`CREATE INDEX complaints_created_at_idx ON complaints (created_at)`.execute(db);

  await sql`
    CREATE TABLE picks (
      id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      pick_date        date NOT NULL,
      complaint_id     bigint REFERENCES complaints (id),
      pool_size        integer NOT NULL CHECK (pool_size >= 0),
      drawn_index      integer CHECK (drawn_index >= 0 AND drawn_index < pool_size),
      pool_hash        text NOT NULL,
      suggested_exec   text,
      trigger          text NOT NULL,
      created_at       timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT picks_pick_date_key UNIQUE (pick_date),
      CONSTRAINT picks_complaint_id_key UNIQUE (complaint_id),
      CONSTRAINT picks_empty_pool CHECK ((complaint_id IS NULL) = (pool_size = 0))
    )`.execute(db);

  await sql`
    CREATE TABLE claims (
      id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      complaint_id    bigint NOT NULL REFERENCES complaints (id),
      claimed_by      text NOT NULL,
      status          text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'released', 'closed')),
      claimed_at      timestamptz NOT NULL DEFAULT now(),
      released_at     timestamptz,
      release_reason  text,
      closed_at       timestamptz
    )`.execute(db);
  // One open claim per complaint: the first click wins, every other insert conflicts.
  await sql`CREATE UNIQUE INDEX claims_one_open_per_complaint ON claims (complaint_id) WHERE status = 'open'`.execute(
    db,
  );
  await sql`CREATE INDEX claims_claimed_by_idx ON claims (claimed_by, claimed_at)`.execute(db);
  await sql`CREATE INDEX claims_claimed_at_idx ON claims (claimed_at)`.execute(db);

  await sql`
    CREATE TABLE call_attempts (
      id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      claim_id             bigint NOT NULL REFERENCES claims (id),
      complaint_id         bigint NOT NULL REFERENCES complaints (id),
      executive            text NOT NULL,
      outcome              text NOT NULL CHECK (outcome IN ('reached', 'voicemail', 'no_answer', 'wrong_number', 'declined', 'rescheduled')),
      notes                text,
      follow_up_date       date,
      advocate_assessment  text CHECK (advocate_assessment IN ('advocate', 'neutral', 'still_unhappy', 'too_early')),
      ok_to_quote          boolean NOT NULL DEFAULT false,
      created_at           timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX call_attempts_complaint_idx ON call_attempts (complaint_id)`.execute(db);
  await sql`CREATE INDEX call_attempts_claim_idx ON call_attempts (claim_id)`.execute(db);
  await sql`CREATE INDEX call_attempts_created_at_idx ON call_attempts (created_at)`.execute(db);
  await sql`CREATE INDEX call_attempts_follow_up_idx ON call_attempts (follow_up_date) WHERE follow_up_date IS NOT NULL`.execute(
    db,
  );

  await sql`
    CREATE TABLE advocacy_evidence (
      id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      complaint_id  bigint NOT NULL REFERENCES complaints (id),
      kind          text NOT NULL CHECK (kind IN ('executive_assessment', 'positive_review', 'referral', 'renewal_expansion',
                                                  'public_praise', 'testimonial', 'none_yet', 'survey_promoter',
                                                  'survey_passive', 'survey_detractor')),
      is_advocacy   boolean NOT NULL,
      source        text NOT NULL CHECK (source IN ('executive', 'followup', 'survey')),
      recorded_by   text,
      score         integer CHECK (score BETWEEN 0 AND 10),
      note          text,
      created_at    timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX advocacy_evidence_complaint_idx ON advocacy_evidence (complaint_id)`.execute(db);
  await sql`CREATE INDEX advocacy_evidence_created_at_idx ON advocacy_evidence (created_at)`.execute(db);

  await sql`
    CREATE TABLE digests (
      id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      week_start  date NOT NULL,
      partial     boolean NOT NULL DEFAULT false,
      metrics     jsonb NOT NULL,
      created_at  timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT digests_week_start_key UNIQUE (week_start)
    )`.execute(db);

  await sql`
    CREATE TABLE executive_away (
      id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      user_id     text NOT NULL,
      start_date  date NOT NULL,
      end_date    date NOT NULL CHECK (end_date >= start_date),
      created_at  timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX executive_away_user_idx ON executive_away (user_id, end_date)`.execute(db);

  // Every message that matters leaves through here, written in the same transaction as its cause.
  await sql`
    CREATE TABLE outbox (
      id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      dedupe_key       text NOT NULL,
      operation        text NOT NULL,
      payload          jsonb NOT NULL,
      depends_on       text,
      status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
      attempts         integer NOT NULL DEFAULT 0,
      next_attempt_at  timestamptz NOT NULL DEFAULT now(),
      leased_until     timestamptz,
      last_error       text,
      result_channel   text,
      result_ts        text,
      created_at       timestamptz NOT NULL DEFAULT now(),
      sent_at          timestamptz,
      CONSTRAINT outbox_dedupe_key_key UNIQUE (dedupe_key)
    )`.execute(db);
  await sql`CREATE INDEX outbox_due_idx ON outbox (next_attempt_at, id) WHERE status = 'pending'`.execute(db);

  await sql`
    CREATE TABLE audit_log (
      id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      at            timestamptz NOT NULL DEFAULT now(),
      actor         text NOT NULL,
      action        text NOT NULL,
      complaint_id  bigint,
      details       jsonb NOT NULL DEFAULT '{}'
    )`.execute(db);
  await sql`CREATE INDEX audit_log_complaint_idx ON audit_log (complaint_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'audit_log',
    'outbox',
    'executive_away',
    'digests',
    'advocacy_evidence',
    'call_attempts',
    'claims',
    'picks',
    'complaints',
  ]) {
    await sql`DROP TABLE IF EXISTS ${sql.table(table)}`.execute(db);
  }
}
