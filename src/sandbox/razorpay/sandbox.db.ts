/**
 * The sandbox's own PostgreSQL storage: a schema `sandbox_razorpay` apart from the service's
 * tables, created on first use with plain SQL (never in the service's migrations, so a
 * production database never gets it), reached through a small pool of its own so the sandbox
 * behaves like a remote gateway and never competes for the service's connections.
 */
import pg from 'pg';

export const SCHEMA = 'sandbox_razorpay';

/**
 * First key of every advisory lock the sandbox takes (`pg_advisory_lock(LOCK_SPACE, hashtext(name))`);
 * two-key locks never meet the service's one-key ones.
 */
export const LOCK_SPACE = 727_001;

export type Queryable = Pick<pg.ClientBase, 'query'>;

/** One parameterised write, numbered from `$1`. */
export interface Statement {
  text: string;
  values: unknown[];
}

/**
 * Runs several inserts and updates in one round trip, as data-modifying CTEs of one statement
 * (so a transaction holding a row lock holds it for one round trip, not one per write). They
 * run on the same snapshot, so none may depend on another's effect except through foreign
 * keys, which PostgreSQL checks at the end of the statement.
 */
export async function writeAll(db: Queryable, statements: Statement[]): Promise<void> {
  if (statements.length === 0) return;
  if (statements.length === 1) {
    await db.query(statements[0]!.text, statements[0]!.values);
    return;
  }
  const values: unknown[] = [];
  const parts = statements.map((statement, i) => {
    const offset = values.length;
    values.push(...statement.values);
    return `w${i} as (${statement.text.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`)})`;
  });
  await db.query(`with ${parts.join(', ')} select 1`, values);
}

const DDL = `
create schema if not exists ${SCHEMA};
create table if not exists ${SCHEMA}.settings (
  name text primary key,
  value text not null
);
create table if not exists ${SCHEMA}.orders (
  id text primary key,
  seq bigserial not null unique,
  auto_capture boolean not null,
  body json not null
);
create table if not exists ${SCHEMA}.payments (
  id text primary key,
  seq bigserial not null unique,
  order_id text not null references ${SCHEMA}.orders (id),
  body json not null
);
create index if not exists payments_order_id_idx on ${SCHEMA}.payments (order_id, seq);
create table if not exists ${SCHEMA}.refunds (
  id text primary key,
  seq bigserial not null unique,
  payment_id text not null references ${SCHEMA}.payments (id),
  body json not null
);
create table if not exists ${SCHEMA}.refund_keys (
  idempotency_key text primary key,
  fingerprint text not null,
  refund_id text not null references ${SCHEMA}.refunds (id)
);
create table if not exists ${SCHEMA}.webhooks (
  event_id text primary key,
  seq bigserial not null unique,
  batch_id uuid not null,
  position integer not null,
  event text not null,
  body text not null,
  outcome text not null check (outcome in ('pending', 'delivered', 'failed', 'dropped')),
  attempts integer not null default 0,
  copies integer not null check (copies >= 1),
  due_at timestamptz not null,
  owner text not null
);
create index if not exists webhooks_pending_idx on ${SCHEMA}.webhooks (owner, batch_id, position) where outcome = 'pending';
`;

export class SandboxDb {
  readonly pool: pg.Pool;

  constructor(databaseUrl: string, onError: (error: Error) => void) {
    // Enough for the concurrency tests throw at it; each operation holds one connection at a time.
    this.pool = new pg.Pool({ connectionString: databaseUrl, max: 6, idleTimeoutMillis: 60_000 });
    // An idle connection closed by the server (database dropped, restart) must not crash the process.
    this.pool.on('error', onError);
  }

  /** Creates the schema once; concurrent first uses wait for each other on an advisory lock. */
  async migrate(): Promise<void> {
    await this.transaction(async (client) => {
      await client.query('select pg_advisory_xact_lock($1, hashtext($2))', [LOCK_SPACE, 'ddl']);
      await client.query(DDL);
    });
  }

  query<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<pg.QueryResult<R>> {
    return this.pool.query<R>(text, values);
  }

  /** Runs `work` in one transaction on one connection; rolled back if it throws. */
  async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('begin');
      const result = await work(client);
      await client.query('commit');
      return result;
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
