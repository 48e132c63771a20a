import { createHash, randomBytes } from 'node:crypto';
import { type PostgresPoolClient, sql } from 'kysely';
import type pg from 'pg';

const MARKER = '/* prepared */';

/**
 * Ends a statement that should be sent as a named prepared statement (`.modifyEnd(PREPARED)`): parsed and planned
 * once per connection instead of on every call. For statements of one fixed text that run very often (intake's, one
 * per webhook delivery), so each connection keeps only as many as the code marks.
 */
export const PREPARED = sql.raw(MARKER);

/** A name per pg client: on PGlite every connection shares one session, where two could not prepare one name. */
const connectionNames = new WeakMap<pg.ClientBase, string>();

function connectionName(client: pg.ClientBase): string {
  let name = connectionNames.get(client);
  if (name === undefined) {
    name = randomBytes(4).toString('hex');
    connectionNames.set(client, name);
  }
  return name;
}

/**
 * A pooled client's `query` that sends marked statements as named prepared statements. A name is the statement text's
 * hash (node-postgres refuses one name for two texts, and a hash never gives one) plus the connection's own tag: on
 * PostgreSQL a prepared statement lives in its connection anyway, but on the embedded database all connections share
 * PGlite's one session, and a second connection preparing the same name would fail. Everything else passes through.
 */
export function preparingQuery(client: pg.ClientBase): PostgresPoolClient['query'] {
  const query = (text: unknown, values?: readonly unknown[]) => {
    if (typeof text === 'string' && text.endsWith(MARKER)) {
      const hash = createHash('sha1').update(text).digest('hex').slice(0, 20);
      const name = `pickup_${hash}_${connectionName(client)}`;
      return client.query({ name, text, values: values === undefined ? undefined : [...values] });
    }
    return (client.query as (t: unknown, v?: readonly unknown[]) => unknown)(text, values);
  };
  return query as PostgresPoolClient['query'];
}

/** A pool whose clients send marked statements prepared (see {@link preparingQuery}). */
export function preparingPool(pool: { connect(): Promise<pg.PoolClient>; end(): Promise<void> }) {
  return {
    async connect(): Promise<PostgresPoolClient> {
      const client = await pool.connect();
      return { query: preparingQuery(client), release: () => client.release() };
    },
    end: () => pool.end(),
  };
}
