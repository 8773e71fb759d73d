import 'reflect-metadata';
import path from 'node:path';
import { ConfigError, loadConfig } from './config.js';
import { EMBEDDED_DATABASE, ensureDatabase, openDatabase } from './db/database.js';
import { EmbeddedPostgresError, resolveEmbeddedDataDir, startEmbeddedPostgres, type EmbeddedPostgresHandle } from './db/embedded-postgres.js';
import { PROJECT_ROOT } from './db/mikro-orm.config.js';
import { createLogger } from './logger.js';
import { startApp } from './app.js';
import { seedCatalog } from './catalog/catalog.seed.js';

/** Process entry: config → database → app → listen; a clean shutdown on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  if (config.usingDevJwtSecret) logger.warn('JWT_SECRET is not set: using the development secret (refused in production)');

  let embedded: EmbeddedPostgresHandle | null = null;
  let databaseUrl: string;
  let database = 'PostgreSQL from DATABASE_URL';
  if ('url' in config.database) {
    databaseUrl = config.database.url;
  } else {
    const dataDir = resolveEmbeddedDataDir(config.database.embedded.dataDir, PROJECT_ROOT);
    const shown = dataDir.startsWith(process.cwd() + path.sep) ? path.relative(process.cwd(), dataDir) : dataDir;
    database = `embedded PostgreSQL (data in ${shown})`;
    logger.info({ dataDir }, 'starting embedded PostgreSQL');
    embedded = await startEmbeddedPostgres({ dataDir, port: config.database.embedded.port });
    await ensureDatabase(embedded.url('postgres'), EMBEDDED_DATABASE);
    databaseUrl = embedded.url(EMBEDDED_DATABASE);
  }

  const orm = await openDatabase(databaseUrl);
  if (config.env === 'development') await seedCatalog(orm, logger);
  const app = await startApp(config, { orm, logger });

  const gateway = config.razorpay.mode === 'sandbox' ? `Razorpay sandbox at ${app.url}/sandbox/razorpay` : 'Razorpay (live API)';
  console.log(
    `Payment service on ${app.url}/graphql — database: ${database}; gateway: ${gateway}; ` +
      `subscriptions: ${app.bus.kind}. Get a development token: npm run token -- --user alice [--role admin]`,
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    try {
      await app.close();
      logger.info('server closed');
      await orm.close();
      logger.info('database connections closed');
      if (embedded) {
        await embedded.stop();
        logger.info('embedded PostgreSQL stopped');
      }
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'unclean shutdown');
      process.exit(1);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  // A failure whose message already says why and what to do needs no stack trace.
  if (error instanceof EmbeddedPostgresError) {
    console.error(`The payment service could not start: ${error.message}`);
    process.exit(1);
  }
  console.error('The payment service could not start:', error);
  process.exit(1);
});
