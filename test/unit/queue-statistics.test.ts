/**
 * When the job table is analysed as jobs are added (src/jobs/queue-statistics.ts): once enough
 * were added, never more often than the interval, never in the caller's turn, and a refusal for
 * lack of rights stops it (the database side is test/integration/queue-statistics.test.ts).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { QueueStatistics } from '../../src/jobs/queue-statistics.js';
import { createLogger } from '../../src/logger.js';

const logger = createLogger('silent');

describe('the job table statistics', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('analyses once enough jobs were added, after the caller\'s turn, and at most once an interval', async () => {
    const statements: string[] = [];
    const stats = new QueueStatistics(async (sql) => statements.push(sql), logger, { table: 'pgboss.job_common', minJobs: 100, minIntervalMs: 1_000, settleMs: 50 });
    stats.added(60);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(statements).toEqual([]);
    stats.added(40);
    // Not in the caller's turn: its transaction commits first.
    await vi.advanceTimersByTimeAsync(49);
    expect(statements).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(statements).toEqual(['analyze (skip_locked) pgboss.job_common']);
    // Enough again at once: the next waits for the interval.
    stats.added(500);
    await vi.advanceTimersByTimeAsync(999);
    expect(statements).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(statements).toHaveLength(2);
    // Added while one runs: the next follows it, the interval after it began.
    let calls = 0;
    let finish!: () => void;
    const slow = new QueueStatistics(() => new Promise<void>((resolve) => {
      calls += 1;
      finish = resolve;
    }), logger, { table: 't', minJobs: 10, minIntervalMs: 500, settleMs: 0 });
    slow.added(10);
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toBe(1);
    slow.added(10);
    await vi.advanceTimersByTimeAsync(100);
    finish();
    await vi.advanceTimersByTimeAsync(399);
    expect(calls).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toBe(2);
    finish();
    await slow.stop();
    // The count starts over after each.
    stats.added(99);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(statements).toHaveLength(2);
    await stats.stop();
  });

  it('stops trying when PostgreSQL refuses it for lack of rights, and tries again after any other failure', async () => {
    let calls = 0;
    let error: Error & { code?: string } = Object.assign(new Error('connection lost'), { code: '08006' });
    const stats = new QueueStatistics(async () => {
      calls += 1;
      throw error;
    }, logger, { table: 'pgboss.job_common', minJobs: 10, minIntervalMs: 100, settleMs: 0 });
    stats.added(10);
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toBe(1);
    error = Object.assign(new Error('must be owner of table job_common'), { code: '42501' });
    stats.added(10);
    await vi.advanceTimersByTimeAsync(100);
    expect(calls).toBe(2);
    stats.added(10);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calls).toBe(2);
    await stats.stop();
  });
});
