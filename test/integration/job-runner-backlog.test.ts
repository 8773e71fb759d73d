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

it('a worker fetching more jobs than it runs at once (runAtOnce) runs them a few at a time and settles each on its own', async () => {
  const jobs = new JobRunner({ databaseUrl: db.url, leaseSeconds: 30 }, createLogger('silent'));
  runners.push(jobs);
  const queue = 'test.run-at-once';
  let running = 0;
  let most = 0;
  const order: number[] = [];
  const activeSeen: number[] = [];
  // Each job (by start) is held until the next one has started, the last of a batch of 8 excepted:
  // the runs overlap without a timed wait, and a job never waits for one its batch does not hold.
  const held = new Map<number, () => void>();
  jobs.define<{ n: number }>(queue, { maxAttempts: 1, retryDelaySeconds: 0, retryDelayMaxSeconds: 0, notify: false, concurrency: 1, batchSize: 8, runAtOnce: 2 }, async ({ n }) => {
    running += 1;
    most = Math.max(most, running);
    const started = order.push(n) - 1;
    for (const [earlier, release] of held) if (earlier < started) { held.delete(earlier); release(); }
    // What the library holds as taken while the first jobs run: the whole fetch, not just those running.
    if (order.length === 1) {
      const rows = await db.orm.em.getConnection().execute(`select count(*)::int as n from pgboss.job where name = ? and state = 'active'`, [queue]);
      activeSeen.push((rows[0] as { n: number }).n);
    }
    if (started % 8 !== 7 && order.length === started + 1) await new Promise<void>((resolve) => held.set(started, resolve));
    running -= 1;
    if (n === 5) throw new Error('job 5 fails alone');
  });
  await jobs.open();
  const total = 16;
  for (let i = 0; i < total; i += 1) await jobs.enqueueNow(queue, { n: i }, `run-at-once-${i}`);
  await jobs.startWorkers();
  const states = async () => (await db.orm.em.getConnection().execute(`select state, count(*)::int as n from pgboss.job where name = ? group by state order by state`, [queue])) as { state: string; n: number }[];
  await eventually(async () => {
    const now = await states();
    return now.reduce((sum, { n }) => sum + n, 0) === total && now.every(({ state }) => state === 'completed' || state === 'failed');
  }, 30_000, 'every job settled');
  expect(await states()).toEqual([{ state: 'completed', n: total - 1 }, { state: 'failed', n: 1 }]);
  // Fetched eight at a time (the oldest first), run two at a time; the second fetch only once the first is done (one worker).
  expect(activeSeen).toEqual([8]);
  expect(most).toBe(2);
  const sorted = (ns: number[]) => [...ns].sort((a, b) => a - b);
  expect(sorted(order.slice(0, 8)), order.join(' ')).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  expect(sorted(order.slice(8)), order.join(' ')).toEqual([8, 9, 10, 11, 12, 13, 14, 15]);
}, 60_000);
