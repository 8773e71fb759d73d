/**
 * A DATABASE_URL naming PostgreSQL's Unix socket directory (`?host=/var/run/postgresql`), the form
 * for a PostgreSQL on the same host (issue 11: a statement costs the client less CPU than over TCP
 * loopback). pg reads the `host` parameter; MikroORM reads only the URL's host and port, so its
 * pool silently went over TCP to localhost while the inbox's and the job runner's used the socket.
 */
import 'reflect-metadata';
import type { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { socketOf } from '../../src/db/mikro-orm.config.js';
import { JobRunner } from '../../src/jobs/job-runner.js';
import { createLogger } from '../../src/logger.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

let db: TestDatabase;
const closes: (() => Promise<unknown>)[] = [];
beforeAll(async () => {
  db = await createTestDatabase();
}, 60_000);
afterAll(async () => {
  for (const close of closes.reverse()) await close();
  await db?.drop();
});

it('reads the socket directory and port from the URL; a TCP URL is left to MikroORM', () => {
  expect(socketOf('postgres://app@localhost/payments?host=/var/run/postgresql')).toEqual({ host: '/var/run/postgresql', port: 5432 });
  expect(socketOf('postgres://app@localhost:5433/payments?host=%2Ftmp')).toEqual({ host: '/tmp', port: 5433 });
  expect(socketOf('postgres://app@localhost/payments?host=/tmp&port=6543')).toEqual({ host: '/tmp', port: 6543 });
  expect(socketOf('postgres://app@127.0.0.1:5432/payments')).toEqual({});
  expect(socketOf('postgres://app@localhost/payments?host=db.internal')).toEqual({});
});

it("the ORM's pool, the webhook inbox's and the job runner's all connect through the socket", async () => {
  const tcp = new pg.Client({ connectionString: db.url });
  await tcp.connect();
  const directory = (await tcp.query<{ d: string }>('select current_setting(\'unix_socket_directories\') as d')).rows[0]!.d.split(',')[0]!.trim();
  const port = (await tcp.query<{ p: string }>('select current_setting(\'port\') as p')).rows[0]!.p;
  await tcp.end();
  expect(directory, 'the server listens on a Unix socket').not.toBe('');
  const url = new URL(db.url);
  url.hostname = 'localhost';
  url.port = '';
  url.searchParams.set('host', directory);
  url.searchParams.set('port', port);
  const socketUrl = url.toString();
  // What each connection answers: the server's address over TCP, null over a Unix socket.
  const serverAddress = 'select inet_server_addr() as a';

  const orm: MikroORM = await openDatabase(socketUrl, { poolMax: 2 });
  closes.push(() => orm.close());
  expect(await orm.em.getConnection().execute(serverAddress)).toEqual([{ a: null }]);
  // In a transaction too (knex acquires the connection its own way there).
  await orm.em.fork().transactional(async (tx) => {
    expect(await tx.getConnection().execute(serverAddress, [], 'all', tx.getTransactionContext())).toEqual([{ a: null }]);
  });

  // The inbox's pool is built from the ORM's URL (src/services.ts).
  const inbox = new pg.Pool({ connectionString: orm.config.get('clientUrl')!, max: 1 });
  closes.push(() => inbox.end());
  expect((await inbox.query(serverAddress)).rows).toEqual([{ a: null }]);

  const jobs = new JobRunner({ databaseUrl: socketUrl, leaseSeconds: 30 }, createLogger('silent'));
  closes.push(() => jobs.stop());
  jobs.define('test.socket', { maxAttempts: 1, retryDelaySeconds: 0, retryDelayMaxSeconds: 0 }, async () => undefined);
  await jobs.open();
  await jobs.enqueueNow('test.socket', {}, 'socket-1');
  const check = new pg.Client({ connectionString: db.url });
  await check.connect();
  try {
    const { rows } = await check.query<{ application_name: string; client_addr: string | null }>(
      `select application_name, client_addr from pg_stat_activity where datname = $1 and pid <> pg_backend_pid() and backend_type = 'client backend'`, [db.name]);
    const jobRows = rows.filter((row) => row.application_name === 'payments-jobs');
    expect(jobRows.length).toBeGreaterThan(0);
    expect(jobRows.map((row) => row.client_addr)).toEqual(jobRows.map(() => null));
  } finally {
    await check.end();
  }
}, 60_000);
