import 'reflect-metadata';
import path from 'node:path';
import v8 from 'node:v8';
import { loadConfig } from './config.js';
import { EMBEDDED_DATABASE, ensureDatabase, openDatabase } from './db/database.js';
import { EmbeddedPostgresError, resolveEmbeddedDataDir, startEmbeddedPostgres, type EmbeddedPostgresHandle } from './db/embedded-postgres.js';
import { PROJECT_ROOT } from './db/mikro-orm.config.js';
import { createLogger } from './logger.js';
import { startApp } from './app.js';
import { seedCatalog } from './catalog/catalog.seed.js';
import { announceStart, startupFailure, startupLogger } from './startup.js';
import { recordRunningService } from './service-record.js';

/**
 * The old generation may grow to 1.5× what the last full GC left (V8 lets it reach up to 4× when
 * GC is cheap): under the read load the live heap is ~60 MB but the heap grew to ~200 MB of mostly
 * garbage before its first full GC, and RSS to 260–340 MiB; with this, ~190 MiB (issue 11,
 * docs/performance/read-path.md). `node --heap-growing-percent=N dist/src/main.js` chooses another value.
 */
const HEAP_GROWING_PERCENT = 50;
if (!process.execArgv.some((arg) => arg.startsWith('--heap-growing-percent') || arg.startsWith('--heap_growing_percent'))) {
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}

/** Process entry: config → database → app → listen; a clean shutdown on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, undefined, config.logFormat);
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

  const orm = await openDatabase(databaseUrl, { logger, setting: embedded ? 'the embedded PostgreSQL' : 'DATABASE_URL' });
  if (config.env === 'development') await seedCatalog(orm, logger);
  const app = await startApp(config, { orm, logger });

  const gateway = config.razorpay.mode === 'sandbox' ? `Razorpay sandbox at ${app.url}/sandbox/razorpay` : 'Razorpay (live API)';
  announceStart(logger, { url: app.url, database, gateway, subscriptions: app.bus.kind });
  const forgetService = recordRunningService(app.url, undefined, (error) => logger.warn({ err: error }, 'could not write .data/service.json (the CLI will not find the sandbox)'));

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    // Whatever hangs (a client that never lets go, a closed log pipe), the process ends.
    setTimeout(() => process.exit(1), 20_000).unref();
    logger.info({ signal }, 'shutting down');
    try {
      await app.close();
      forgetService();
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
  process.exit(startupFailure(startupLogger(), error, [EmbeddedPostgresError]));
});
