import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import type { TestProject } from 'vitest/node';
import { ormConfig } from '../../src/db/mikro-orm.config.js';
import { adminQuery, databaseUrl, openScratchServer } from '../../src/db/scratch.js';
import { createLogger } from '../../src/logger.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgTemplate: string;
  }
}

/**
 * Once per run: finds a PostgreSQL (TEST_DATABASE_ADMIN_URL, the machine's local one, or an
 * embedded cluster) and builds a migrated template database that each test file copies.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // TEST_POSTGRES=embedded runs the suite as on a machine without PostgreSQL.
  const server = await openScratchServer(process.env.TEST_DATABASE_ADMIN_URL, { embedded: process.env.TEST_POSTGRES === 'embedded' });
  console.warn(`tests use PostgreSQL: ${server.kind}`);
  const template = `payments_template_${randomBytes(4).toString('hex')}`;
  await adminQuery(server.adminUrl, `create database "${template}"`);
  const orm = await MikroORM.init(ormConfig({ clientUrl: databaseUrl(server.adminUrl, template), poolMax: 1, logger: createLogger('warn'), preparedStatements: { enabled: false } }));
  try {
    await orm.getMigrator().up();
  } finally {
    await orm.close();
  }
  project.provide('pgAdminUrl', server.adminUrl);
  project.provide('pgTemplate', template);
  return async () => {
    await adminQuery(server.adminUrl, `drop database if exists "${template}" with (force)`);
    await server.stop();
  };
}
