import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { currentRequestId } from '../../src/observability/request-context.js';

/**
 * The SQL statements one HTTP request ran. `work` sends the request with the given
 * `X-Request-Id`; only statements issued inside that request's context count. The background
 * jobs (webhook feeder, cart sweep, reconciler, workers) share the pool and may run a statement
 * at any moment of the request, and a filter on table names cannot tell theirs from the request's.
 */
export async function statementsOfRequest(orm: MikroORM, work: (headers: Record<string, string>) => Promise<unknown>): Promise<string[]> {
  const knex = orm.em.getConnection().getKnex();
  const requestId = `counted-${randomUUID()}`;
  const seen: string[] = [];
  const listener = (query: { sql: string }) => {
    if (currentRequestId() === requestId) seen.push(query.sql);
  };
  knex.on('query', listener);
  try {
    await work({ 'x-request-id': requestId });
  } finally {
    knex.removeListener('query', listener);
  }
  return seen;
}

/**
 * Records every SQL statement the ORM's pool sends between `start()` and `stop()`, each as
 * `shorten` gives it, into `seen`: for code that starts counting in the middle of a transaction
 * and stops after its commit. Nothing else may run on the pool meanwhile.
 */
export function statementRecorder(orm: MikroORM, shorten: (sql: string) => string = (sql) => sql): { seen: string[]; start(): void; stop(): void } {
  const knex = orm.em.getConnection().getKnex();
  const seen: string[] = [];
  const listener = (query: { sql: string }) => seen.push(shorten(query.sql));
  return {
    seen,
    start: () => void knex.on('query', listener),
    stop: () => void knex.removeListener('query', listener),
  };
}

/** Every SQL statement the ORM's pool sends while `work` runs (for code run directly, with nothing else running). */
export async function statementsDuring(orm: MikroORM, work: () => Promise<unknown>): Promise<string[]> {
  const recorder = statementRecorder(orm);
  recorder.start();
  try {
    await work();
  } finally {
    recorder.stop();
  }
  return recorder.seen;
}
