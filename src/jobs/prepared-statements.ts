import { createHash } from 'node:crypto';
import type { Db } from 'pg-boss';

/** Named (prepared) statements at most, per pool: each connection keeps a plan for each it ran. */
export const MAX_NAMED_STATEMENTS = 32;
/** Distinct texts counted at most; a text first seen after this stays unnamed. */
const MAX_COUNTED_TEXTS = 512;
/** A text is named from its second run on: a one-off (a migration, an operator's query) never is. */
const NAME_FROM_RUN = 2;

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
 * Bounded: a text is named from its second run, only if it is one statement (several in one text,
 * as the library's migrations and locked maintenance send, cannot be prepared), at most
 * `MAX_NAMED_STATEMENTS` texts; the name is a digest of the text, so one name never stands for two
 * texts. Statements in the library's transactions (a handle's own client) are not touched.
 */
export function prepareRepeatedStatements(db: Db): void {
  const target = db as unknown as { executeSql: ExecuteSql };
  const execute = target.executeSql.bind(target);
  const runs = new Map<string, number>();
  const names = new Map<string, string>();
  target.executeSql = (text, values, options) => {
    if (!oneStatement(text, values)) return execute(text, values, options);
    const name = nameFor(text, runs, names);
    if (!name) return execute(text, values, options);
    // pg normalizes `(config, values)` into one query: the values go with the named statement.
    return execute({ name, text } as unknown as string, values, options);
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

/**
 * Whether the text is one statement, which a named statement must be. With parameters it is (pg
 * sends those by the extended protocol already); without, pg would send it by the simple protocol,
 * which takes several: only a text without a `;` (but a trailing one) is taken as one.
 */
function oneStatement(text: string, values: unknown[] | undefined): boolean {
  if (values && values.length > 0) return true;
  return !text.trim().replace(/;$/, '').includes(';');
}

function nameFor(text: string, runs: Map<string, number>, names: Map<string, string>): string | undefined {
  const named = names.get(text);
  if (named) return named;
  const seen = runs.get(text);
  if (seen === undefined) {
    if (runs.size < MAX_COUNTED_TEXTS) runs.set(text, 1);
    return undefined;
  }
  if (seen + 1 < NAME_FROM_RUN || names.size >= MAX_NAMED_STATEMENTS) {
    runs.set(text, seen + 1);
    return undefined;
  }
  const name = `pgboss_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
  names.set(text, name);
  runs.delete(text);
  return name;
}
