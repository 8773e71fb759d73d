import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import { ormConfig } from '../src/db/mikro-orm.config.js';
import { adminQuery, databaseUrl, openScratchServer } from '../src/db/scratch.js';

/**
 * `npm run migration:create [-- --check]`: migrates a scratch database from scratch with the
 * committed migrations, then diffs the entities against it. Without --check it writes the
 * difference as a new migration in migrations/; with --check it exits 1 if one is needed.
 */
async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const server = await openScratchServer(process.env.DATABASE_ADMIN_URL);
  const name = `payments_migration_${randomBytes(4).toString('hex')}`;
  await adminQuery(server.adminUrl, `create database "${name}"`);
  const orm = await MikroORM.init(ormConfig({ clientUrl: databaseUrl(server.adminUrl, name), preparedStatements: { enabled: false } }));
  try {
    const migrator = orm.getMigrator();
    await migrator.up();
    if (check) {
      const needed = await migrator.checkMigrationNeeded();
      if (needed) {
        const diff = await orm.getSchemaGenerator().getUpdateSchemaSQL({ wrap: false });
        console.error(`The entities need a migration that is not committed:\n${diff}\nRun: npm run migration:create`);
        process.exitCode = 1;
      } else {
        console.log('Migrations match the entities.');
      }
    } else {
      const result = await migrator.createMigration(undefined, false, false);
      console.log(result.fileName ? `Wrote migrations/${result.fileName}` : 'No changes: the migrations match the entities.');
    }
  } finally {
    await orm.close();
    await adminQuery(server.adminUrl, `drop database "${name}" with (force)`);
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
