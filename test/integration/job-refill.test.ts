/**
 * A refilling queue (JobQueueOptions.refill; the webhook processing queue): up to `capacity` jobs
 * at once, fetched again as soon as `refillAt` slots are free and completed together as they
 * finish, on pg-boss's own fetch, complete and fail. A held job keeps only its own slot; a failure
 * is retried by the library; stopping waits for the jobs under way and settles them.
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
  for (const runner of runners) await runner.stop(1000).catch(() => undefined);
  await db?.drop();
});

function runner(): JobRunner {
  const jobs = new JobRunner({ databaseUrl: db.url, leaseSeconds: 30 }, createLogger('silent'));
  runners.push(jobs);
  return jobs;
}

it('a held job keeps only its own slot: every other job runs and is completed meanwhile, the ones fetched with it included', async () => {
  const jobs = runner();
  const queue = 'test.refill.held';
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const ran: number[] = [];
  jobs.define<{ n: number }>(queue, { maxAttempts: 1, retryDelaySeconds: 0, retryDelayMaxSeconds: 0, notify: false, refill: { capacity: 4, refillAt: 2 } }, async ({ n }) => {
    if (n === 0) await held;
    ran.push(n);
  });
  await jobs.open();
  // The held job first, so that the first fetch takes it with three others.
  for (let n = 0; n < 20; n += 1) await jobs.enqueueNow(queue, { n }, `held-${n}`);
  await jobs.startWorkers();
  const states = async () => Promise.all(Array.from({ length: 20 }, async (_, n) => (await jobs.jobsFor(queue, `held-${n}`))[0]?.state));
  await eventually(async () => (await states()).slice(1).every((state) => state === 'completed'), 20_000, 'every job but the held one completed');
  expect((await states())[0]).toBe('active');
  expect(ran).not.toContain(0);
  release();
  await eventually(async () => (await states())[0] === 'completed', 10_000, 'the held job completed once released');
  expect(ran.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, n) => n));
}, 60_000);

it('a job that throws is failed on its own and retried by the library; the others of its fetch complete', async () => {
  const jobs = runner();
  const queue = 'test.refill.retry';
  const attempts: Record<number, number[]> = {};
  jobs.define<{ n: number }>(queue, { maxAttempts: 3, retryDelaySeconds: 0, retryDelayMaxSeconds: 0, notify: false, refill: { capacity: 4, refillAt: 2 } }, async ({ n }, attempt) => {
    (attempts[n] ??= []).push(attempt.attempt);
    if (n === 1 && attempt.attempt === 1) throw new Error('first attempt fails');
  });
  await jobs.open();
  for (let n = 0; n < 4; n += 1) await jobs.enqueueNow(queue, { n }, `retry-${n}`);
  await jobs.startWorkers();
  await eventually(async () => (await Promise.all([0, 1, 2, 3].map(async (n) => (await jobs.jobsFor(queue, `retry-${n}`))[0]?.state))).every((state) => state === 'completed'), 20_000, 'every job completed');
  expect(attempts).toEqual({ 0: [1], 1: [1, 2], 2: [1], 3: [1] });
  expect((await jobs.jobsFor(queue, 'retry-1'))[0]?.retryCount).toBe(1);
}, 60_000);

it('stopping waits for the jobs under way and completes them before the pool closes', async () => {
  const jobs = runner();
  const queue = 'test.refill.stop';
  let started = 0;
  let finished = 0;
  jobs.define<{ n: number }>(queue, { maxAttempts: 1, retryDelaySeconds: 0, retryDelayMaxSeconds: 0, notify: false, refill: { capacity: 2, refillAt: 1 } }, async () => {
    started += 1;
    await new Promise((resolve) => setTimeout(resolve, 300));
    finished += 1;
  });
  await jobs.open();
  for (let n = 0; n < 2; n += 1) await jobs.enqueueNow(queue, { n }, `stop-${n}`);
  await jobs.startWorkers();
  await eventually(() => started === 2, 10_000, 'both jobs started');
  await jobs.stop(5_000);
  expect(finished).toBe(2);
  const again = runner();
  again.define(queue, { maxAttempts: 1, retryDelaySeconds: 0, retryDelayMaxSeconds: 0, notify: false, work: false }, async () => undefined);
  expect((await Promise.all([0, 1].map(async (n) => (await again.jobsFor(queue, `stop-${n}`))[0]?.state)))).toEqual(['completed', 'completed']);
}, 60_000);
