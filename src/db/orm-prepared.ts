import { StatementNames } from './statement-names.js';

/**
 * The ORM's pool (MikroORM 6 → knex → pg) sends its repeated statements as named (prepared)
 * statements (issue 11, ninth round): knex hands each pg client `{ text, values }`, parsed and
 * planned by PostgreSQL at every call; a name makes each connection parse and plan a text once.
 * Which texts get a name is `StatementNames`'s policy (shared with pg-boss's pool): from the
 * second run, one planned statement only (never `BEGIN`/`COMMIT`/`ROLLBACK`/`SAVEPOINT`, `SET`, DDL,
 * several statements in a text), a bounded number per pool.
 */
export interface PreparedPoolOptions {
  /** Whether repeated statements are named at all (default true). */
  enabled?: boolean;
  /**
   * How long a connection of the pool, and every plan it prepared, lives (knex's
   * `maxConnectionLifetimeMillis`; default 60 s, plus up to a sixth of it at random so that the pool's
   * connections are not replaced all at once). A generic plan chosen while a table was empty or
   * small is kept until PostgreSQL invalidates it (an ANALYZE, a schema change): the lifetime
   * bounds how long it can outlive the data it was chosen for (pg-boss's pool, eighth round).
   */
  lifetimeSeconds?: number;
  /** Named statements at most for the pool (each connection keeps a plan for each it ran). */
  maxNamed?: number;
}

type Callback = (error: Error | null, result?: unknown) => void;
type Query = (config: unknown, values?: unknown, callback?: unknown) => unknown;
interface QueryConfig { text?: unknown; name?: unknown; values?: unknown; submit?: unknown }

/** knex's pool options (MikroORM's `pool`) that name the pool's repeated statements and bound their plans' life. */
export function preparedPool(options: PreparedPoolOptions = {}): Record<string, unknown> {
  const { enabled = true, lifetimeSeconds = 60, maxNamed } = options;
  if (!enabled) return {};
  const names = new StatementNames({ prefix: 'orm', maxNamed });
  return {
    afterCreate: (connection: PgClient, done: (error: Error | null, connection: unknown) => void) => {
      nameStatements(connection, names);
      done(null, connection);
    },
    ...(lifetimeSeconds > 0 ? { maxConnectionLifetimeMillis: lifetimeSeconds * 1000, maxConnectionLifetimeJitterMillis: Math.round(lifetimeSeconds * 1000 / 6) } : {}),
  };
}

/** What `nameStatements` reads of pg's client: its `query`, and (when there) its protocol connection and whether it is between statements. */
interface PgClient {
  query: Query;
  readyForQuery?: boolean;
  connection?: { on?: (event: 'readyForQuery', listener: (message: { status?: string }) => void) => unknown };
}

/**
 * Wraps one pg client's `query`: a query config knex built (`{ text, values }`, no name, not a
 * stream) whose text the policy names gets the name. When PostgreSQL answers that a prepared
 * statement's result no longer fits the schema (a migration under a `select *`: `cached plan must
 * not change result type`), the policy renews every name, so each connection prepares its texts
 * afresh on their next run. The statement that met the change was refused before it ran: sent
 * outside a transaction (PostgreSQL's last ReadyForQuery said idle, `I`), it is sent again at once,
 * unnamed, and its caller never sees the error; inside one, the error aborted the transaction, so
 * it fails as any statement can (the transaction rolled back, the caller's own retry), once per
 * connection at most.
 */
export function nameStatements(client: PgClient, names: StatementNames): void {
  const query = client.query;
  // The transaction status of PostgreSQL's last ReadyForQuery on this connection (`I` idle, `T` in a
  // transaction, `E` in a failed one): read when a statement is sent, so it is the status before it.
  let status: string | undefined;
  client.connection?.on?.('readyForQuery', (message) => { status = message.status; });
  client.query = function named(this: unknown, config: unknown, values?: unknown, callback?: unknown): unknown {
    const given = config as QueryConfig | null;
    if (!given || typeof given !== 'object' || typeof given.text !== 'string' || given.name !== undefined || typeof given.submit === 'function') {
      return query.call(this, config, values, callback);
    }
    const params = Array.isArray(given.values) ? given.values : Array.isArray(values) ? values : undefined;
    const name = names.nameFor(given.text, params);
    if (!name) return query.call(this, config, values, callback);
    const renamed = { ...given, name };
    const autocommit = status === 'I' && client.readyForQuery === true;
    /** Whether the error is the schema change under the plan (then every name renewed) and the statement may simply be sent again. */
    const sendAgain = (error: unknown): boolean => {
      if (!StatementNames.planOutdated(error)) return false;
      names.forget();
      return autocommit;
    };
    if (typeof values === 'function' || typeof callback === 'function') {
      const done = (typeof values === 'function' ? values : callback) as Callback;
      const wrapped: Callback = (error, result) => {
        if (error && sendAgain(error)) {
          if (typeof values === 'function') query.call(this, config, done);
          else query.call(this, config, values, done);
          return;
        }
        done(error, result);
      };
      return typeof values === 'function' ? query.call(this, renamed, wrapped) : query.call(this, renamed, values, wrapped);
    }
    return (query.call(this, renamed, values) as Promise<unknown>).catch((error: unknown) => {
      if (sendAgain(error)) return query.call(this, config, values);
      throw error;
    });
  };
}
