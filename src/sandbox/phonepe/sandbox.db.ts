/**
 * The PhonePe sandbox's own PostgreSQL storage: a schema `sandbox_phonepe` apart from the
 * service's tables, created on first use with plain SQL (never in the service's migrations, so
 * a production database never gets it), through a small pool of its own — as the Razorpay
 * sandbox does (src/sandbox/razorpay/sandbox.db.ts).
 */
import pg from 'pg';

export const SCHEMA = 'sandbox_phonepe';
/** First key of the sandbox's advisory locks; distinct from the Razorpay sandbox's 727_001. */
const LOCK_SPACE = 727_002;

const DDL = `
create schema if not exists ${SCHEMA};
create table if not exists ${SCHEMA}.tokens (
  access_token text primary key,
  client_id text not null,
  issued_at timestamptz not null,
  expires_at timestamptz not null
);
create table if not exists ${SCHEMA}.orders (
  merchant_order_id text primary key,
  order_id text not null unique,
  amount bigint not null check (amount >= 100),
  state text not null check (state in ('PENDING', 'COMPLETED', 'FAILED')),
  expire_at timestamptz not null,
  meta_info json not null,
  redirect_url text not null,
  created_at timestamptz not null
);
create table if not exists ${SCHEMA}.transactions (
  transaction_id text primary key,
  seq bigserial not null unique,
  merchant_order_id text not null references ${SCHEMA}.orders (merchant_order_id),
  amount bigint not null,
  state text not null check (state in ('PENDING', 'COMPLETED', 'FAILED')),
  payment_mode text not null,
  error_code text,
  detailed_error_code text,
  created_at timestamptz not null
);
create index if not exists transactions_order_idx on ${SCHEMA}.transactions (merchant_order_id, seq);
create table if not exists ${SCHEMA}.refunds (
  merchant_refund_id text primary key,
  refund_id text not null unique,
  original_merchant_order_id text not null references ${SCHEMA}.orders (merchant_order_id),
  amount bigint not null check (amount >= 100),
  state text not null check (state in ('PENDING', 'CONFIRMED', 'COMPLETED', 'FAILED')),
  error_code text,
  created_at timestamptz not null
);
create table if not exists ${SCHEMA}.callbacks (
  seq bigserial primary key,
  event text not null,
  body text not null,
  status text not null check (status in ('held', 'pending', 'delivered', 'failed', 'dropped')),
  copies integer not null default 1 check (copies >= 1),
  attempts integer not null default 0,
  -- Delivery order: by rank, then seq. Releasing held callbacks in reverse gives them ranks.
  release_rank bigint not null default 0
);
`;

export interface Queryable {
  query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

export class SandboxDb implements Queryable {
  readonly pool: pg.Pool;

  constructor(databaseUrl: string, onError: (error: Error) => void) {
    this.pool = new pg.Pool({ connectionString: databaseUrl, max: 4, idleTimeoutMillis: 10_000 });
    this.pool.on('error', onError);
  }

  /** Creates the schema once; concurrent first uses wait for each other on an advisory lock. */
  async migrate(): Promise<void> {
    await this.transaction(async (tx) => {
      await tx.query('select pg_advisory_xact_lock($1, hashtext($2))', [LOCK_SPACE, 'ddl']);
      await tx.query(DDL);
    });
  }

  query<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<pg.QueryResult<R>> {
    return this.pool.query<R>(text, values);
  }

  /** Runs `work` in one transaction on one connection; rolled back if it throws. */
  async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
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
