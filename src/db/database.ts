import { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { ormConfig } from './mikro-orm.config.js';

/** The development database inside the embedded cluster, and its superuser's password. */
export const EMBEDDED_DATABASE = 'payments';
export const EMBEDDED_PASSWORD = 'postgres';

/** Creates `database` on the server behind `adminUrl` unless it exists. */
export async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`create database ${client.escapeIdentifier(database)} encoding 'UTF8' template template0`);
  } finally {
    await client.end();
  }
}

/** Connects MikroORM and applies every pending migration before anything serves traffic. */
export async function openDatabase(clientUrl: string, options: { poolMax?: number; debug?: boolean } = {}): Promise<MikroORM> {
  const orm = await MikroORM.init(ormConfig({ clientUrl, ...options }));
  await orm.getMigrator().up();
  return orm;
}
