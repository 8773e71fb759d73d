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

export interface Queryable {
  query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

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
export function combine(statements: Statement[]): Statement | null {
  if (statements.length <= 1) return statements[0] ?? null;
  const values: unknown[] = [];
  const parts = statements.map((statement, i) => {
    const offset = values.length;
    values.push(...statement.values);
    return `w${i} as (${statement.text.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`)})`;
  });
  return { text: `with ${parts.join(', ')} select 1`, values };
}

/** A value as an SQL literal (strings through the driver's escaping), for the simple protocol. */
function literal(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error('not a finite number');
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Date) return pg.escapeLiteral(value.toISOString());
  return pg.escapeLiteral(String(value));
}

/** `statement` with its parameters written in as literals (one pass, so values are never rescanned). */
function inline({ text, values }: Statement): string {
  return text.replace(/\$(\d+)/g, (_, n: string) => literal(values[Number(n) - 1]));
}

/**
 * A transaction that costs two round trips however it is used: `begin` travels with its first
 * query, and its writes with `commit` (several statements in one simple-protocol message, their
 * values escaped by the driver). Row locks are held from the first query's answer to the
 * commit, so refunds racing on one payment wait as little as possible.
 */
export class Tx implements Queryable {
  #begun = false;
  #committed = false;

  constructor(private readonly client: pg.PoolClient) {}

  get begun(): boolean {
    return this.#begun;
  }

  get committed(): boolean {
    return this.#committed;
  }

  async query<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<pg.QueryResult<R>> {
    if (this.#begun) return this.client.query<R>(text, values);
    this.#begun = true;
    const results = (await this.client.query(`begin; ${inline({ text, values })}`)) as unknown as pg.QueryResult<R>[];
    return results[1]!;
  }

  /** Runs `statements` (as one, see `combine`) and commits, in one round trip. */
  async commitWith(statements: Statement[]): Promise<void> {
    const write = combine(statements);
    const sql = [this.#begun ? null : 'begin', write ? inline(write) : null, 'commit'].filter((part) => part !== null);
    this.#begun = true;
    await this.client.query(sql.join('; '));
    this.#committed = true;
  }
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
  owner text not null,
  held boolean not null default false
);
-- Added after the table: checked first, so a sandbox that has it takes no table lock here.
do $$ begin
  if not exists (select 1 from information_schema.columns
                  where table_schema = '${SCHEMA}' and table_name = 'webhooks' and column_name = 'held') then
    alter table ${SCHEMA}.webhooks add column held boolean not null default false;
  end if;
end $$;
create index if not exists webhooks_pending_idx on ${SCHEMA}.webhooks (owner, batch_id, position) where outcome = 'pending';
`;

export class SandboxDb {
  readonly pool: pg.Pool;

  constructor(databaseUrl: string, onError: (error: Error) => void) {
    // Small: requests racing on one payment or order queue in-process first (KeyedSerial), each
    // operation holds one connection at a time, and idle ones are let go (the PostgreSQL the
    // tests share has a connection limit).
    this.pool = new pg.Pool({ connectionString: databaseUrl, max: 4, idleTimeoutMillis: 10_000 });
    // An idle connection closed by the server (database dropped, restart) must not crash the process.
    this.pool.on('error', onError);
  }

  /** Creates the schema once; concurrent first uses wait for each other on an advisory lock. */
  async migrate(extraDdl = ''): Promise<void> {
    await this.transaction(async (tx) => {
      await tx.query('select pg_advisory_xact_lock($1, hashtext($2))', [LOCK_SPACE, 'ddl']);
      await tx.query(DDL + extraDdl);
    });
  }

  query<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<pg.QueryResult<R>> {
    return this.pool.query<R>(text, values);
  }

  /** Runs `work` in one transaction (see Tx) on one connection; rolled back if it throws. */
  async transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    const tx = new Tx(client);
    try {
      const result = await work(tx);
      if (!tx.committed) await tx.commitWith([]);
      return result;
    } catch (error) {
      if (tx.begun) await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
