/**
 * Queues declared with NOTIFY (`JobQueueOptions.notify`, the default) have their idle workers
 * woken through PostgreSQL's LISTEN (issue 11, fourteenth round): pg-boss's listener is off by
 * default, and the producers' NOTIFYs reached nobody, so their workers polled every half second.
 */
import 'reflect-metadata';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { JobRunner } from '../../src/jobs/job-runner.js';
import { createLogger } from '../../src/logger.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { eventually } from '../helpers/server.js';

let db: TestDatabase;
let client: pg.Client;
const runners: JobRunner[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
}, 60_000);

afterAll(async () => {
  for (const runner of runners) await runner.stop();
  await client?.end();
  await db?.drop();
});

/** The job runner's connections that listen for a channel (their last statement its LISTEN or the listener's heartbeat). */
async function listeners(): Promise<number> {
  const { rows } = await client.query<{ n: number }>(`
    select count(*)::int as n from pg_stat_activity
    where datname = current_database() and application_name = 'payments-jobs'
      and (query ilike 'listen %' or query like '%pg_listening_channels()%')`);
  return rows[0]!.n;
}

it('the job runner listens for its queues\' NOTIFY on a connection of its own, and stops listening when stopped', async () => {
  const jobs = new JobRunner({ databaseUrl: db.url, leaseSeconds: 30 }, createLogger('silent'));
  runners.push(jobs);
  const ran: number[] = [];
  jobs.define<{ n: number }>('test.notify', { maxAttempts: 1, retryDelaySeconds: 0, retryDelayMaxSeconds: 0, concurrency: 1 }, async ({ n }) => {
    ran.push(n);
  });
  await jobs.startWorkers();
  await eventually(async () => (await listeners()) === 1, 10_000, 'one connection of the job runner listening');
  const { rows: [queue] } = await client.query<{ notify: boolean }>(`select notify from pgboss.queue where name = 'test.notify'`);
  expect(queue!.notify).toBe(true);
  await jobs.enqueueNow('test.notify', { n: 1 }, 'notify-1');
  await eventually(() => ran.includes(1), 10_000, 'the job run');
  await jobs.stop();
  await eventually(async () => (await listeners()) === 0, 10_000, 'the listener closed');
}, 60_000);

it('with listen off (JOB_LISTEN=false, behind a transaction pooler) nothing listens, and jobs still run by polling', async () => {
  const jobs = new JobRunner({ databaseUrl: db.url, leaseSeconds: 30, listen: false }, createLogger('silent'));
  runners.push(jobs);
  const ran: number[] = [];
  jobs.define<{ n: number }>('test.notify.polled', { maxAttempts: 1, retryDelaySeconds: 0, retryDelayMaxSeconds: 0, concurrency: 1 }, async ({ n }) => {
    ran.push(n);
  });
  await jobs.startWorkers();
  await jobs.enqueueNow('test.notify.polled', { n: 2 }, 'polled-2');
  await eventually(() => ran.includes(2), 10_000, 'the job run');
  expect(await listeners()).toBe(0);
}, 60_000);
