import { randomBytes } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import { inject } from 'vitest';
import { ormConfig } from '../../src/db/mikro-orm.config.js';
import { adminQuery, databaseUrl } from '../../src/db/scratch.js';

export interface TestDatabase {
  orm: MikroORM;
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** A database of this test file's own, copied from the migrated template; `drop()` removes it. */
export async function createTestDatabase(options: { poolMax?: number } = {}): Promise<TestDatabase> {
  const adminUrl = inject('pgAdminUrl');
  const name = `payments_test_${randomBytes(6).toString('hex')}`;
  // Two files copying the template at the same instant can collide; a short retry settles it.
  for (let attempt = 1; ; attempt += 1) {
    try {
      await adminQuery(adminUrl, `create database "${name}" template "${inject('pgTemplate')}"`);
      break;
    } catch (error) {
      if (attempt >= 10 || !String(error).includes('being accessed by other users')) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
  const url = databaseUrl(adminUrl, name);
  const orm = await MikroORM.init(ormConfig({ clientUrl: url, poolMax: options.poolMax ?? 20 }));
  return {
    orm,
    url,
    name,
    async drop() {
      await orm.close();
      await adminQuery(adminUrl, `drop database if exists "${name}" with (force)`);
    },
  };
}
