import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * One plain statement of fixed text through knex (no fork, no query builder: issue 11), in
 * `transaction` when given; on failure the exception classes a flush raises (a unique violation,
 * say), so callers catch the same errors whichever way a row was written.
 */
export async function rawStatement<T>(em: EntityManager, sql: string, bindings: readonly unknown[], transaction?: unknown): Promise<T> {
  try {
    const query = em.getKnex().raw(sql, bindings as never);
    return (await (transaction ? query.transacting(transaction as never) : query)) as T;
  } catch (error) {
    throw em.getDriver().convertException(error as Error);
  }
}
