import { createHash } from 'node:crypto';

/**
 * Which statements a pool sends as named (prepared) statements, so that PostgreSQL parses and
 * plans each once per connection instead of at every call (issue 11: pg-boss's pool in the eighth
 * round, the ORM's in the ninth). One policy, used by both (`src/jobs/prepared-statements.ts`
 * wraps pg-boss's `executeSql`, `src/db/orm-prepared.ts` the ORM's pg clients):
 *
 * - a text is named from its second run on: a one-off (a migration, a schema tool's query, an
 *   operator's script) never is;
 * - only one statement that PostgreSQL plans (`SELECT`, `INSERT`, `UPDATE`, `DELETE`, `WITH`,
 *   `VALUES`, `TABLE`, `MERGE`): never `BEGIN`/`COMMIT`/`ROLLBACK`/`SAVEPOINT`, `SET`, DDL or a text
 *   of several statements (the extended protocol a name needs takes one; without parameters, only a
 *   text with no `;` but a trailing one is taken as one);
 * - bounded: at most `maxNamed` names for the pool (a text past it stays unnamed: planned at each
 *   call, as without this; nothing fails) and `maxCounted` texts counted, the count started over
 *   when it is full;
 * - the name is a digest of the text, so one name never stands for two texts, and of a generation
 *   that `forget()` moves on: after a schema change under a prepared statement (PostgreSQL's
 *   `cached plan must not change result type`, SQLSTATE 0A000), every text gets a new name, which
 *   each connection prepares afresh on its next use instead of failing again.
 */
export interface StatementNameOptions {
  /** The names' prefix (`pgboss`, `orm`): tells one pool's statements from another's in `pg_prepared_statements`. */
  prefix: string;
  /** Named statements at most: each connection keeps a plan for each it ran. */
  maxNamed?: number;
  /** Distinct texts counted at most (then the count starts over). */
  maxCounted?: number;
}

export const DEFAULT_MAX_NAMED = 32;
const DEFAULT_MAX_COUNTED = 512;
/** A text is named from its second run on. */
const NAME_FROM_RUN = 2;
/** The statements PostgreSQL plans, by their first word. */
const PLANNED = /^\s*\(?\s*(select|insert|update|delete|with|values|table|merge)\b/i;

/** PostgreSQL's answer when a prepared statement's result columns changed under it (a migration). */
export const PLAN_RESULT_CHANGED = '0A000';

export class StatementNames {
  readonly maxNamed: number;
  private readonly maxCounted: number;
  private readonly runs = new Map<string, number>();
  private readonly names = new Map<string, string>();
  private generation = 0;

  constructor(private readonly options: StatementNameOptions) {
    this.maxNamed = options.maxNamed ?? DEFAULT_MAX_NAMED;
    this.maxCounted = options.maxCounted ?? DEFAULT_MAX_COUNTED;
  }

  /** The name to send `text` under, or undefined to send it unnamed. */
  nameFor(text: string, values: readonly unknown[] | undefined): string | undefined {
    const named = this.names.get(text);
    if (named) return named;
    if (!preparable(text, values)) return undefined;
    const seen = this.runs.get(text);
    if (seen === undefined) {
      // Counting starts over once `maxCounted` texts are counted: MikroORM writes the values of its
      // own queries into their text (each a one-off), and a text that repeats repeats within that window.
      if (this.runs.size >= this.maxCounted) this.runs.clear();
      this.runs.set(text, 1);
      return undefined;
    }
    if (seen + 1 < NAME_FROM_RUN || this.names.size >= this.maxNamed) {
      this.runs.set(text, seen + 1);
      return undefined;
    }
    const digest = createHash('sha1').update(`${this.generation}\0${text}`).digest('hex').slice(0, 20);
    const name = `${this.options.prefix}_${digest}`;
    this.names.set(text, name);
    this.runs.delete(text);
    return name;
  }

  /**
   * Every name given so far is dropped and the next ones differ from them: the statements are
   * named again from their next run, and prepared again on each connection under the new name.
   */
  forget(): void {
    this.generation += 1;
    this.names.clear();
    this.runs.clear();
  }

  /** Whether `error` says a named statement's plan no longer fits the schema (then `forget()`). */
  static planOutdated(error: unknown): boolean {
    const { code, routine, message } = (error ?? {}) as { code?: unknown; routine?: unknown; message?: unknown };
    if (code !== PLAN_RESULT_CHANGED) return false;
    // 0A000 is "feature not supported" in general: only the plan cache's own check (its routine,
    // which lc_messages does not translate, or its English message) means this.
    return routine === 'RevalidateCachedQuery' || String(message).includes('cached plan must not change result type');
  }
}

/**
 * One statement PostgreSQL plans. With parameters the text is one statement already (pg sends it by
 * the extended protocol, which takes one); without, pg would send it by the simple protocol, which
 * takes several: only a text without a `;` (but a trailing one) is taken as one.
 */
function preparable(text: string, values: readonly unknown[] | undefined): boolean {
  if (!PLANNED.test(text)) return false;
  if (values && values.length > 0) return true;
  return !text.trim().replace(/;$/, '').includes(';');
}
