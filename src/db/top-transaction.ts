import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * The top-level transaction `em` is in, or null outside one. MikroORM announces the commit of
 * that one only (a nested transaction is a savepoint that links to its parent through a symbol of its own).
 */
export function topTransaction(em: EntityManager): object | null {
  let transaction = em.getTransactionContext<Record<symbol, unknown>>();
  if (!transaction) return null;
  for (;;) {
    const parentKey = Object.getOwnPropertySymbols(transaction).find((key) => key.description === 'parentTransaction');
    if (!parentKey) return transaction;
    transaction = transaction[parentKey] as Record<symbol, unknown>;
  }
}
