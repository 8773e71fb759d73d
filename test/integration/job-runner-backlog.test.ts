/**
 * A backlog on a queue of one-job workers (outbox deliveries, payout transfers and reversals,
 * booking refunds) is run job after job, not one job per poll: left to polls, each worker waited
 * half a second (a second with NOTIFY on) after every job, so a backlog drained at about two jobs
 * a second a worker whatever its size.
 */
import 'reflect-metadata';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { JobRunner } from '../../src/jobs/job-runner.js';
import { createLogger } from '../../src/logger.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { eventually } from '../helpers/server.js';

let db: TestDatabase;
const runners: JobRunner[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
}, 60_000);

afterAll(async () => {
  for (const runner of runners) await runner.stop();
  await db?.drop();
});

it.each([{ notify: false }, { notify: true }])('one-job workers (NOTIFY $notify) run a backlog back to back, not a poll after each job', async ({ notify }) => {
  const jobs = new JobRunner({ databaseUrl: db.url, leaseSeconds: 30 }, createLogger('silent'));
  runners.push(jobs);
  const queue = `test.backlog.${notify ? 'notify' : 'poll'}`;
  const runs: { started: number; ended: number }[] = [];
  jobs.define<{ n: number }>(queue, { maxAttempts: 1, retryDelaySeconds: 0, retryDelayMaxSeconds: 0, notify, concurrency: 1 }, async () => {
    const run = { started: Date.now(), ended: 0 };
    runs.push(run);
    await new Promise((resolve) => setTimeout(resolve, 10));
    run.ended = Date.now();
  });
  await jobs.open();
  const total = 60;
  for (let i = 0; i < total; i += 1) await jobs.enqueueNow(queue, { n: i }, `backlog-${i}`);
  await jobs.startWorkers();
  await eventually(() => runs.length === total && runs.every((run) => run.ended > 0), 60_000, `all ${total} jobs run`);
  // The gap from one job's end to the next one's start. Until the library's count of ready jobs
  // first shows the backlog (its monitor counts every second, the worker rereads every second),
  // a worker still polls: a few gaps may be a poll long (up to 10 of 59 allowed; before the burst, all 59 were); after that, none.
  const gaps = runs.slice(1).map((run, i) => run.started - runs[i]!.ended);
  // A poll waits half a second (measured: 355–634 ms between jobs without the burst); back to back is a few ms.
  const pollLong = gaps.filter((gap) => gap >= 300);
  expect(pollLong.length, `gaps ${gaps.join(', ')} ms`).toBeLessThanOrEqual(10);
}, 90_000);
