import { type Expression, type RawBuilder, sql } from 'kysely';
import type { ActionRow, ComplaintRow, Db } from '../db/schema';
import { redactText } from '../privacy/redact';
import type { ActionFigures, ActionLine, ActionLines, FixCheck, ThemeCount } from './action-list';

/** An open action with what a list shows of its complaint, and the complaint's contacts to redact. */
export type OpenActionRow = Pick<
  ActionRow,
  'id' | 'description' | 'theme' | 'owner_id' | 'requested_by' | 'due_date' | 'complaint_id'
> &
  Pick<ComplaintRow, 'subject' | 'ticket_url' | 'customer_phone' | 'customer_email'>;

/** The SQL twin of action-list.ts's themeKey: lower case, runs of spaces, hyphens and underscores as one space. */
export function themeKeySql(text: Expression<string> | RawBuilder<string>): RawBuilder<string> {
  return sql<string>`lower(btrim(regexp_replace(${text}, '[[:space:]_-]+', ' ', 'g')))`;
}

/**
 * Open actions whose owner is (or is not) `owner.userId`, earliest due first (no due date last), then oldest: at
 * most `limit` of them, with their complaint, and how many match in all.
 */
async function listOpenActions(
  db: Db,
  owner: { userId: string; mine: boolean },
  limit: number,
): Promise<{ rows: OpenActionRow[]; total: number }> {
  const rows = await db
    .selectFrom('actions as a')
    .innerJoin('complaints as c', 'c.id', 'a.complaint_id')
    .select((eb) => [
      'a.id',
      'a.description',
      'a.theme',
      'a.owner_id',
      'a.requested_by',
      'a.due_date',
      'a.complaint_id',
      'c.subject',
      'c.ticket_url',
      // Only so that the list can redact them from the description; never shown.
      'c.customer_phone',
      'c.customer_email',
      eb.fn.countAll<number>().over().as('total'),
    ])
    .where('a.status', '=', 'open')
    .where('a.owner_id', owner.mine ? '=' : '<>', owner.userId)
    .orderBy('a.due_date', (ob) => ob.asc().nullsLast())
    .orderBy('a.created_at')
    .orderBy('a.id')
    .limit(limit)
    .execute();
  return { rows, total: Number(rows[0]?.total ?? 0) };
}

/** The open actions `userId` owns (at most `limit`), and how many they own in all. */
export async function listOpenActionsOwnedBy(db: Db, userId: string, limit: number) {
  return listOpenActions(db, { userId, mine: true }, limit);
}

/** Everyone else's open actions (at most `limit`), and how many there are in all. */
export async function listOpenActionsOwnedByOthers(db: Db, userId: string, limit: number) {
  return listOpenActions(db, { userId, mine: false }, limit);
}

/** What the digest's action figures measure over. */
export interface ActionWindow {
  from: Date;
  /** Exclusive. */
  to: Date;
  /** The moment "overdue" is judged at: the window's end, or now when the window is not over. */
  asOf: Date;
  /** The local date (YYYY-MM-DD, in TIMEZONE) of that moment: an action due before it is overdue. */
  overdueBefore: string;
}

const ts = (d: Date): RawBuilder<Date> => sql<Date>`${d.toISOString()}::timestamptz`;

/** Actions with the columns a digest line shows, their total, and the complaint's contacts to redact. */
function actionLines(db: Db) {
  return db
    .selectFrom('actions as a')
    .innerJoin('complaints as c', 'c.id', 'a.complaint_id')
    .select((eb) => [
      'a.id',
      'a.description',
      'a.theme',
      'a.owner_id',
      'a.due_date',
      'a.closed_at',
      'c.customer_phone',
      'c.customer_email',
      eb.fn.countAll<number>().over().as('total'),
    ]);
}

type ActionLineRow = Pick<
  ActionRow,
  'id' | 'description' | 'theme' | 'owner_id' | 'due_date' | 'closed_at' | 'complaint_id'
> &
  Pick<ComplaintRow, 'customer_phone' | 'customer_email'>;

/** A digest line: for a channel, so the description is always redacted. */
function toActionLine(r: Omit<ActionLineRow, 'complaint_id'>): ActionLine {
  return {
    id: r.id,
    description: redactText(r.description, { phone: r.customer_phone, email: r.customer_email }),
    theme: r.theme,
    owner: r.owner_id,
    dueDate: r.due_date,
    closedAt: r.closed_at === null ? null : new Date(r.closed_at).toISOString(),
  };
}

function toLines(rows: readonly (Omit<ActionLineRow, 'complaint_id'> & { total: number })[]): ActionLines {
  return { items: rows.map(toActionLine), total: Number(rows[0]?.total ?? 0) };
}

/** Actions opened in the window, oldest first (at most `limit`), and how many. */
export async function listActionsOpened(db: Db, window: ActionWindow, limit: number): Promise<ActionLines> {
  const rows = await actionLines(db)
    .where('a.created_at', '>=', window.from)
    .where('a.created_at', '<', window.to)
    .orderBy('a.created_at')
    .orderBy('a.id')
    .limit(limit)
    .execute();
  return toLines(rows);
}

/** Actions marked done in the window (and still done), oldest first (at most `limit`), and how many. */
export async function listActionsDone(db: Db, window: ActionWindow, limit: number): Promise<ActionLines> {
  const rows = await actionLines(db)
    .where('a.status', '=', 'done')
    .where('a.closed_at', '>=', window.from)
    .where('a.closed_at', '<', window.to)
    .orderBy('a.closed_at')
    .orderBy('a.id')
    .limit(limit)
    .execute();
  return toLines(rows);
}

/**
 * Actions overdue at the window's end (or now, if sooner): opened before then, due before `overdueBefore`, and
 * open then (still open, or closed only afterwards). Most overdue first (at most `limit`), and how many.
 */
export async function listActionsOverdue(db: Db, window: ActionWindow, limit: number): Promise<ActionLines> {
  const { asOf } = window;
  const rows = await actionLines(db)
    .where('a.created_at', '<', asOf)
    .where('a.due_date', '<', window.overdueBefore)
    .where((eb) => eb.or([eb('a.status', '=', 'open'), eb('a.closed_at', '>=', asOf)]))
    .orderBy('a.due_date')
    .orderBy('a.id')
    .limit(limit)
    .execute();
  return toLines(rows);
}

/** Opened, done and overdue in the window, each cut to `limit` with its exact count. */
export async function countActionFigures(db: Db, window: ActionWindow, limit: number): Promise<ActionFigures> {
  // One at a time, as the digest's other figures are read: a digest should not hold three pool connections.
  const opened = await listActionsOpened(db, window, limit);
  const done = await listActionsDone(db, window, limit);
  const overdue = await listActionsOverdue(db, window, limit);
  return { opened, done, overdue };
}

/**
 * The themes there are: the configured list (its spelling wins) and every theme an action has been given,
 * one row per theme key.
 */
function knownThemes(configured: readonly string[]) {
  return sql`
    SELECT t.key, (array_agg(t.label ORDER BY t.rank, t.label COLLATE "C"))[1] AS label
    FROM (
      SELECT ${themeKeySql(sql`c.label`)} AS key, c.label, 0 AS rank
      FROM unnest(${[...configured]}::text[]) AS c(label)
      UNION ALL
      SELECT DISTINCT ${themeKeySql(sql`a.theme`)}, a.theme, 1 FROM actions a
    ) t
    WHERE t.key <> ''
    GROUP BY t.key`;
}

/**
 * A complaint carries a theme when an action on it has that theme, or one of its help-desk tags is that theme
 * (compared by theme key). True for complaint alias `n` and the theme key expression given.
 */
function carriesTheme(key: RawBuilder<string>): RawBuilder<boolean> {
  return sql<boolean>`(
    EXISTS (SELECT 1 FROM unnest(n.tags) AS tag WHERE ${themeKeySql(sql`tag`)} = ${key})
    OR EXISTS (SELECT 1 FROM actions b WHERE b.complaint_id = n.id AND ${themeKeySql(sql`b.theme`)} = ${key}))`;
}

/** When a complaint became major (or arrived, for one that always was), as the eligibility index orders it. */
const majorSince = sql<Date>`coalesce(n.became_major_at, n.received_at)`;

/**
 * The themes carried by the most major complaints that became major in [from, to), busiest first (at most
 * `limit`), counting each complaint once per theme. `configured` is the outcome modal's list of themes.
 */
export async function countTopThemes(
  db: Db,
  window: { from: Date; to: Date },
  configured: readonly string[],
  limit: number,
): Promise<ThemeCount[]> {
  const { rows } = await sql<{ theme: string; complaints: number }>`
    WITH themes AS (${knownThemes(configured)}),
    recent AS (
      SELECT n.id, n.tags FROM complaints n
      WHERE n.is_major AND ${majorSince} >= ${ts(window.from)} AND ${majorSince} < ${ts(window.to)}
    ),
    carried AS (
      SELECT r.id, ${themeKeySql(sql`tag`)} AS key FROM recent r, unnest(r.tags) AS tag
      UNION
      SELECT r.id, ${themeKeySql(sql`a.theme`)} FROM actions a JOIN recent r ON r.id = a.complaint_id
    )
    SELECT t.label AS theme, count(*) AS complaints
    FROM carried c JOIN themes t ON t.key = c.key
    GROUP BY t.key, t.label
    ORDER BY count(*) DESC, t.key
    LIMIT ${limit}`.execute(db);
  return rows.map((r) => ({ theme: r.theme, complaints: Number(r.complaints) }));
}

/**
 * Actions marked done in [from, to) and still done, newest first (at most `limit`), each with how many major
 * complaints have carried its theme since it was done: complaints that became major after it, before `to`, other
 * than the action's own.
 */
export async function listFixChecks(db: Db, window: { from: Date; to: Date }, limit: number): Promise<FixCheck[]> {
  const { rows } = await sql<ActionLineRow & { new_complaints: number }>`
    SELECT a.id, a.description, a.theme, a.owner_id, a.due_date, a.closed_at, a.complaint_id,
           c.customer_phone, c.customer_email,
           (SELECT count(*) FROM complaints n
            WHERE n.is_major AND n.id <> a.complaint_id
              AND ${majorSince} > a.closed_at AND ${majorSince} < ${ts(window.to)}
              AND ${carriesTheme(themeKeySql(sql`a.theme`))}) AS new_complaints
    FROM actions a JOIN complaints c ON c.id = a.complaint_id
    WHERE a.status = 'done' AND a.closed_at >= ${ts(window.from)} AND a.closed_at < ${ts(window.to)}
    ORDER BY a.closed_at DESC, a.id DESC
    LIMIT ${limit}`.execute(db);
  return rows.map((r) => ({ action: toActionLine(r), newComplaints: Number(r.new_complaints) }));
}
