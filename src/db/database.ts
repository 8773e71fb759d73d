import { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import type { Logger } from '../logger.js';
import { databaseStartupError, describeDatabaseUrl } from './database.errors.js';
import { ormConfig } from './mikro-orm.config.js';

/** The development database inside the embedded cluster, and its superuser's password. */
export const EMBEDDED_DATABASE = 'payments';
export const EMBEDDED_PASSWORD = 'postgres';

/** Creates `database` on the server behind `adminUrl` unless it exists; true when it created it. */
export async function ensureDatabase(adminUrl: string, database: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (found.rowCount !== 0) return false;
    await client.query(`create database ${client.escapeIdentifier(database)} encoding 'UTF8' template template0`);
    return true;
  } finally {
    await client.end();
  }
}

/**
 * Checks that the database behind `clientUrl` answers. One that does not exist yet is created
 * (on the same server, through its `postgres` database) and the creation is logged: a typo in
 * the URL then shows up in the logs instead of as a silent, empty new database.
 */
async function prepareDatabase(clientUrl: string, setting: string, logger?: Logger): Promise<void> {
  const client = new pg.Client({ connectionString: clientUrl, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
    await client.query('select 1');
    return;
  } catch (error) {
    if ((error as { code?: string }).code !== '3D000') throw databaseStartupError(error, clientUrl, setting);
  } finally {
    await client.end().catch(() => undefined);
  }
  const name = decodeURIComponent(new URL(clientUrl).pathname.slice(1));
  try {
    const adminUrl = new URL(clientUrl);
    adminUrl.pathname = '/postgres';
    await ensureDatabase(adminUrl.toString(), name);
  } catch (error) {
    throw databaseStartupError(error, clientUrl, setting);
  }
  logger?.warn({ database: name, where: describeDatabaseUrl(clientUrl), setting }, `${setting} named database "${name}", which did not exist: created it; the migrations follow`);
}

/**
 * Connects MikroORM and applies every pending migration before anything serves traffic.
 * Connection failures become a StartupError naming `setting` (default `DATABASE_URL`).
 */
export async function openDatabase(
  clientUrl: string,
  options: { poolMax?: number; debug?: boolean; logger?: Logger; setting?: string } = {},
): Promise<MikroORM> {
  const { setting = 'DATABASE_URL', ...orm } = options;
  await prepareDatabase(clientUrl, setting, options.logger);
  const connected = await MikroORM.init(ormConfig({ clientUrl, ...orm }));
  await connected.getMigrator().up();
  return connected;
}
