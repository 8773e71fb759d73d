import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from './embedded-postgres.js';

/** The local PostgreSQL the node-svc machines run (trust auth). */
export const LOCAL_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface ScratchServer {
  /** A superuser URL on the `postgres` database: scratch databases are created from it. */
  adminUrl: string;
  kind: 'given' | 'local' | 'embedded';
  stop(): Promise<void>;
}

async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * A PostgreSQL server for throw-away databases (tests, migration generation): the one named by
 * `adminUrl` if given, else the machine's local one, else an embedded cluster in a temporary
 * folder (no fsync) that `stop()` removes.
 */
export async function openScratchServer(adminUrl?: string, options: { embedded?: boolean } = {}): Promise<ScratchServer> {
  if (adminUrl) return { adminUrl, kind: 'given', stop: async () => undefined };
  if (!options.embedded && (await reachable(LOCAL_ADMIN_URL))) return { adminUrl: LOCAL_ADMIN_URL, kind: 'local', stop: async () => undefined };
  const dir = await mkdtemp(path.join(tmpdir(), 'payments-pg-'));
  const embedded = await startEmbeddedPostgres({ dataDir: path.join(dir, 'data'), port: 0, ephemeral: true });
  return {
    adminUrl: embedded.url('postgres'),
    kind: 'embedded',
    stop: async () => {
      await embedded.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Runs SQL on the admin connection (CREATE/DROP DATABASE cannot run inside a transaction). */
export async function adminQuery(adminUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** The URL of `database` on the same server as `adminUrl`. */
export function databaseUrl(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}
