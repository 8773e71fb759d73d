import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { defineConfig, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import type { Logger } from '../logger.js';
import { ENTITIES } from './entities.js';
import { pinoOrmLogger } from './orm-logger.js';
import { preparedPool, type PreparedPoolOptions } from './orm-prepared.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** Running from TypeScript sources (vitest) rather than the tsc build in dist/. */
const runningFromSource = import.meta.url.endsWith('.ts');
/** The project root, whether this file runs from src/db or dist/src/db. */
export const PROJECT_ROOT = runningFromSource ? path.resolve(here, '../..') : path.resolve(here, '../../..');

export interface OrmOptions {
  clientUrl: string;
  debug?: boolean;
  poolMax?: number;
  /** Where MikroORM's own lines go (the migrator's "Applied …"): JSON through this logger. */
  logger?: Logger;
  /** Repeated statements sent as named (prepared) ones, and the connections' lifetime (`orm-prepared.ts`); schema tools turn it off. */
  preparedStatements?: PreparedPoolOptions;
}

/** MikroORM options shared by the server, the tests and the migration scripts. */
export function ormConfig({ clientUrl, debug = false, poolMax = 10, logger, preparedStatements }: OrmOptions): Options {
  return defineConfig({
    clientUrl,
    ...socketOf(clientUrl),
    // Never create a database behind the caller's back: openDatabase creates one and logs it.
    ensureDatabase: false,
    ...(logger ? { loggerFactory: pinoOrmLogger(logger), colors: false } : {}),
    entities: ENTITIES,
    extensions: [Migrator],
    debug,
    // Money columns are bigint; they are mapped explicitly per column, so nothing relies on
    // the driver's default of strings for int8.
    forceUtcTimezone: true,
    // knex's pool: its options beyond MikroORM's `PoolConfig` type (the lifetime) go through as they are.
    pool: { min: 0, max: poolMax, ...preparedPool(preparedStatements) },
    preferTs: runningFromSource,
    // ESM: MikroORM is CommonJS and would require() the migration files otherwise.
    dynamicImportProvider: (id: string) => import(id),
    discovery: { warnWhenNoEntities: true },
    allowGlobalContext: false,
    // No setters on the entities' prototypes (issue 11): with them, the first assignment of each
    // property of each new instance (the constructors' field initialisers) redefined it on the
    // instance with two new closures, ~60 µs for an order's three entities. An entity gets its
    // setters (change tracking, a ManyToOne's propagation to the inverse collection) when it is
    // persisted, read or assigned; before that a ManyToOne set on a new entity is not in the
    // other side's collection yet: add it to the collection instead (see orm-propagation.test.ts).
    propagationOnPrototype: false,
    migrations: {
      tableName: 'mikro_orm_migrations',
      path: path.join(PROJECT_ROOT, 'dist/migrations'),
      pathTs: path.join(PROJECT_ROOT, 'migrations'),
      glob: '!(*.d).{js,ts}',
      emit: 'ts',
      transactional: true,
      allOrNothing: true,
      // Diffs are taken against a database migrated from scratch, never a snapshot file,
      // so "entities and migrations disagree" is checked against the real schema.
      snapshot: false,
      disableForeignKeys: false,
    },
  });
}

/**
 * A `DATABASE_URL` naming PostgreSQL's Unix socket directory (`postgres://user@localhost/db?host=/var/run/postgresql`,
 * with `&port=` when not 5432), as pg reads it for the webhook inbox's and the job runner's pools.
 * MikroORM reads only the URL's host and port, so without this its pool would silently go over
 * TCP to localhost (issue 11: a statement's client-side CPU is lower over the socket).
 */
export function socketOf(clientUrl: string): { host: string; port: number } | Record<string, never> {
  const url = new URL(clientUrl);
  const host = url.searchParams.get('host');
  if (!host?.startsWith('/')) return {};
  const port = Number(url.searchParams.get('port') ?? (url.port || 5432));
  return { host, port };
}
