import type { Db } from 'pg-boss';
import { DEFAULT_MAX_NAMED, StatementNames } from '../db/statement-names.js';

/** Named (prepared) statements at most, per pool: each connection keeps a plan for each it ran. */
export const MAX_NAMED_STATEMENTS = DEFAULT_MAX_NAMED;

type ExecuteSql = (text: string, values?: unknown[], options?: object) => Promise<{ rows: unknown[] }>;

/**
 * Makes pg-boss's own pool send its repeated statements as named (prepared) statements, so that
 * PostgreSQL plans each once per connection instead of at every call (issue 11, eighth round:
 * the worker's fetch, its completion and the idle queues' empty polls were mostly planning,
 * ~0.5-0.8 ms each against the 16 indexes of pg-boss's shared job table).
 *
 * pg-boss builds a statement's text from the queue's name and table (and, for the fetch, its
 * batch size and states), the rest passed as parameters, so a queue's fetch or completion is one text, run thousands of times. The library's
 * own `Db` (its pool, transactions, `signal`/`retire` on a statement, session statements,
 * LISTEN/NOTIFY, the `_pgbdb` checks) is kept as it is: only its `executeSql` is wrapped, and it
 * hands `pg` a query config (`{ name, text }`, the values as before) instead of the bare text,
 * which `pg` accepts wherever it accepts a text (`pool.query` and `client.query`, both used there).
 *
 * A statement without parameters (the worker's fetch: pg-boss writes its queue name, states and
 * batch size into the text) has a single plan, so once prepared it is planned again only when
 * PostgreSQL invalidates it (an ANALYZE of the table, a schema change); one with parameters gets
 * PostgreSQL's usual choice (custom plans first, the generic one after five if it costs no more).
 * Which texts are named, and how many, is `StatementNames`'s policy (`src/db/statement-names.ts`,
 * shared with the ORM's pool): from the second run, one planned statement only (pg-boss's
 * `locked(…)` texts, several statements in one, never), at most `MAX_NAMED_STATEMENTS`. A schema
 * change under a prepared statement (a pg-boss upgrade's migration run by another instance): pg's
 * pool drops the connection that failed, the names are renewed, and the refused statement, which did not run and is never in a transaction
 * here, is sent again at once without a name; its caller does not see the error. Statements in the library's
 * transactions (a handle's own client) are not touched.
 */
export function prepareRepeatedStatements(db: Db): void {
  const target = db as unknown as { executeSql: ExecuteSql };
  const execute = target.executeSql.bind(target);
  const names = new StatementNames({ prefix: 'pgboss' });
  target.executeSql = async (text, values, options) => {
    const name = names.nameFor(text, values);
    if (!name) return execute(text, values, options);
    // pg normalizes `(config, values)` into one query: the values go with the named statement.
    try {
      return await execute({ name, text } as unknown as string, values, options);
    } catch (error) {
      if (!StatementNames.planOutdated(error)) throw error;
      // Refused before it ran, outside any transaction (`pool.query`): sent again at once, unnamed,
      // as the ORM's pool does (`src/db/orm-prepared.ts`).
      names.forget();
      return execute(text, values, options);
    }
  };
}

/**
 * The library's pool option that bounds how long a prepared plan lives: each connection, and the
 * plans it prepared, is replaced after `seconds` (pg's `maxLifetimeSeconds`; pg-boss hands its
 * options to `pg.Pool`, its types leave this one out). A queue's fetch has no parameters, so its one
 * plan is kept until an invalidation: prepared at startup on an empty queue, it read every job of the
 * queue at each fetch once thousands waited (the in-process webhook bench: pg-boss's PostgreSQL CPU
 * an event tripled). A new connection prepares it against the table as it is then.
 */
export function planLifetime(seconds: number): { maxLifetimeSeconds: number } {
  return { maxLifetimeSeconds: seconds };
}
