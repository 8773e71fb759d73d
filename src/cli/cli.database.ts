import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../config.js';
import { resolveEmbeddedDataDir, startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../db/embedded-postgres.js';
import { ormConfig, PROJECT_ROOT } from '../db/mikro-orm.config.js';
import { EMBEDDED_DATABASE, EMBEDDED_PASSWORD } from '../db/database.js';

export interface CliDatabase {
  orm: MikroORM;
  description: string;
  close(): Promise<void>;
}

/** The port of a running embedded cluster, read from its postmaster.pid (line 4), or null. */
function runningEmbeddedPort(dataDir: string): number | null {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return null;
  const [pid, , , port] = readFileSync(pidFile, 'utf8').split('\n');
  try {
    process.kill(Number(pid), 0);
  } catch {
    return null;
  }
  return Number(port) || null;
}

/** Refuses to work on a database whose schema is behind the code (start the service to migrate it). */
async function assertMigrated(orm: MikroORM): Promise<void> {
  const pending = await orm.getMigrator().getPendingMigrations();
  if (pending.length > 0) {
    await orm.close();
    throw new Error(`the database is missing ${pending.length} migration(s) (${pending.map((m) => m.name).join(', ')}): start the service once (it applies them), then retry`);
  }
}

/**
 * The database an operator command works on: DATABASE_URL; otherwise the development
 * embedded PostgreSQL, the running one if `npm start` is up, else started for the command.
 */
export async function openCliDatabase(config: Config): Promise<CliDatabase> {
  if ('url' in config.database) {
    const orm = await MikroORM.init(ormConfig({ clientUrl: config.database.url, poolMax: 4 }));
    await assertMigrated(orm);
    return { orm, description: 'DATABASE_URL', close: () => orm.close() };
  }
  const dataDir = resolveEmbeddedDataDir(config.database.embedded.dataDir, PROJECT_ROOT);
  let embedded: EmbeddedPostgresHandle | null = null;
  let port = runningEmbeddedPort(dataDir);
  if (port === null) {
    if (!existsSync(path.join(dataDir, 'PG_VERSION'))) throw new Error(`no database: set DATABASE_URL, or run npm start once to create ${dataDir}`);
    embedded = await startEmbeddedPostgres({ dataDir, port: 0 });
    port = embedded.port;
  }
  const orm = await MikroORM.init(ormConfig({ clientUrl: `postgres://postgres:${EMBEDDED_PASSWORD}@127.0.0.1:${port}/${EMBEDDED_DATABASE}`, poolMax: 4 }));
  try {
    await assertMigrated(orm);
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
  return {
    orm,
    description: `embedded PostgreSQL in ${path.relative(process.cwd(), dataDir) || dataDir}`,
    async close() {
      await orm.close();
      await embedded?.stop();
    },
  };
}
