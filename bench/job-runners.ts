import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { Logger as GraphileLogger, run, runMigrations, type Runner } from 'graphile-worker';
import { PgBoss } from 'pg-boss';
import { adminQuery, databaseUrl, openScratchServer } from '../src/db/scratch.js';

/**
 * `npm run bench:job-runners`: graphile-worker against pg-boss on this machine, same run, same
 * database server. For each: pickup latency (our transaction commits → the handler starts,
 * p50/p99, jobs enqueued one per transaction every 10 ms), throughput (N jobs enqueued in one
 * transaction of ours, drained at concurrency 4 and 8), and crash recovery (a worker process
 * takes a job and is SIGKILLed; how long until a surviving worker runs it again).
 */
const LATENCY_JOBS = 200;
const THROUGHPUT_JOBS = 2_000;
/** What the service uses as WORKER_LEASE_SECONDS in the chaos run. */
const LEASE_SECONDS = 8;

type Library = 'graphile-worker' | 'pg-boss';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function waitUntil(check: () => boolean, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const started = Date.now();
    const tick = (): void => {
      if (check()) resolve(true);
      else if (Date.now() - started > timeoutMs) resolve(false);
      else setTimeout(tick, 5);
    };
    tick();
  });
}

/** A queue under test: start workers, enqueue inside a pg client's open transaction, stop. */
interface Harness {
  /** Installs what enqueueing needs (pg-boss: the instance and the queue). */
  open(): Promise<void>;
  start(concurrency: number, handler: (payload: { i: number; at: number }) => Promise<void>): Promise<void>;
  enqueue(client: pg.PoolClient, payloads: { i: number; at: number }[]): Promise<void>;
  stop(): Promise<void>;
}

function graphileHarness(url: string, queue: string): Harness {
  let runner: Runner | null = null;
  return {
    async open() {},
    async start(concurrency, handler) {
      runner = await run({
        connectionString: url,
        concurrency,
        noHandleSignals: true,
        pollInterval: 1_000,
        logger: silentGraphileLogger(),
        taskList: { [queue]: async (payload) => handler(payload as { i: number; at: number }) },
      });
    },
    async enqueue(client, payloads) {
      // add_jobs (batch) on OUR connection inside OUR transaction: the job exists iff we commit.
      await client.query(
        `select graphile_worker.add_jobs(array(select json_populate_recordset(null::graphile_worker.job_spec, $1::json)))`,
        [JSON.stringify(payloads.map((payload) => ({ identifier: queue, payload })))],
      );
    },
    async stop() {
      await runner?.stop();
    },
  };
}

function silentGraphileLogger() {
  // graphile-worker's Logger takes a factory; errors still reach stderr.
  return new GraphileLogger(() => (level: string, message: string) => {
    if (level === 'error') console.error(message);
  });
}

function bossHarness(url: string, queue: string): Harness {
  const boss = new PgBoss({ connectionString: url, superviseIntervalSeconds: 1, monitorIntervalSeconds: 1, max: 10 });
  boss.on('error', (error) => console.error('pg-boss', error));
  let started = false;
  return {
    async open() {
      if (started) return;
      started = true;
      await boss.start();
      await boss.createQueue(queue, { notify: true, expireInSeconds: LEASE_SECONDS, retryLimit: 5, retryDelay: 1 });
    },
    async start(concurrency, handler) {
      await this.open();
      // Its fastest shape: one fetch takes up to `concurrency` jobs and keeps fetching while batches
      // come back full; each job is settled on its own (one failure does not fail its batch).
      await boss.work(
        queue,
        { localConcurrency: 1, batchSize: concurrency, perJobResults: true, burstWhenBatchFull: true, pollingIntervalSeconds: 0.5, notifyPollingIntervalSeconds: 1 },
        async (jobs) => Promise.all(jobs.map(async (job) => {
          await handler(job.data as { i: number; at: number });
          return { id: job.id, status: 'completed' as const };
        })),
      );
    },
    async enqueue(client, payloads) {
      const db = { executeSql: (text: string, values?: unknown[]) => client.query(text, values) };
      await boss.insert(queue, payloads.map((data) => ({ data })), { db });
    },
    async stop() {
      await boss.stop({ graceful: true, timeout: 5_000 });
    },
  };
}

function harness(library: Library, url: string, queue: string): Harness {
  return library === 'graphile-worker' ? graphileHarness(url, queue) : bossHarness(url, queue);
}

async function inTransaction(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<void>): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    await work(client);
    await client.query('commit');
    return performance.now() + performance.timeOrigin;
  } finally {
    client.release();
  }
}

async function measureLatency(library: Library, url: string, pool: pg.Pool): Promise<{ p50: number; p99: number }> {
  const h = harness(library, url, `latency_${library.replace('-', '_')}`);
  const committed = new Map<number, number>();
  const latencies: number[] = [];
  await h.open();
  await h.start(4, async ({ i }) => {
    const now = performance.now() + performance.timeOrigin;
    // The handler may start before `inTransaction` returns; wait for the commit time to be known.
    await waitUntil(() => committed.has(i), 5_000);
    latencies.push(now - committed.get(i)!);
  });
  for (let i = 0; i < LATENCY_JOBS; i++) {
    committed.set(i, await inTransaction(pool, (client) => h.enqueue(client, [{ i, at: Date.now() }])));
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await waitUntil(() => latencies.length === LATENCY_JOBS, 60_000);
  await h.stop();
  latencies.sort((a, b) => a - b);
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

async function measureThroughput(library: Library, url: string, pool: pg.Pool, concurrency: number): Promise<number> {
  const queue = `throughput_${library.replace('-', '_')}_${concurrency}`;
  const h = harness(library, url, queue);
  let done = 0;
  await h.open();
  await inTransaction(pool, (client) => h.enqueue(client, Array.from({ length: THROUGHPUT_JOBS }, (_, i) => ({ i, at: Date.now() }))));
  const started = performance.now();
  // A handler that does a little I/O, like ours (one round trip to PostgreSQL).
  await h.start(concurrency, async () => {
    await pool.query('select 1');
    done += 1;
  });
  await waitUntil(() => done >= THROUGHPUT_JOBS, 300_000);
  const seconds = (performance.now() - started) / 1000;
  await h.stop();
  return THROUGHPUT_JOBS / seconds;
}

/**
 * A child process takes one job and hangs; it is SIGKILLed once the job has started; then a
 * fresh worker here waits for the job to run again. Returns seconds from the kill to the rerun
 * (capped at `capSeconds`: graphile-worker keeps a dead worker's lock for 4 hours).
 */
async function measureCrashRecovery(library: Library, url: string, pool: pg.Pool, capSeconds: number): Promise<number | null> {
  const queue = `crash_${library.replace('-', '_')}`;
  const h = harness(library, url, queue);
  await h.open();
  await inTransaction(pool, (client) => h.enqueue(client, [{ i: 1, at: Date.now() }]));
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--child', library, url, queue], { stdio: ['ignore', 'pipe', 'inherit'] });
  let childStarted = false;
  child.stdout.on('data', (chunk: Buffer) => {
    if (chunk.toString().includes('started')) childStarted = true;
  });
  if (!(await waitUntil(() => childStarted, 30_000))) throw new Error(`${library}: the child never started the job`);
  child.kill('SIGKILL');
  const killedAt = performance.now();
  let rerun = false;
  const h2 = harness(library, url, queue);
  await h2.start(1, async () => {
    rerun = true;
  });
  const ok = await waitUntil(() => rerun, capSeconds * 1000);
  return ok ? (performance.now() - killedAt) / 1000 : null;
}

async function child(library: Library, url: string, queue: string): Promise<void> {
  const h = harness(library, url, queue);
  await h.start(1, async () => {
    process.stdout.write('started\n');
    await new Promise(() => undefined);
  });
}

async function main(): Promise<void> {
  const server = await openScratchServer(process.env.DATABASE_ADMIN_URL);
  const name = `payments_jobs_${randomBytes(4).toString('hex')}`;
  await adminQuery(server.adminUrl, `create database "${name}"`);
  const url = databaseUrl(server.adminUrl, name);
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  try {
    await runMigrations({ connectionString: url, logger: silentGraphileLogger() });
    const results: Record<string, unknown>[] = [];
    for (const library of ['graphile-worker', 'pg-boss'] as const) {
      const latency = await measureLatency(library, url, pool);
      const c4 = await measureThroughput(library, url, pool, 4);
      const c8 = await measureThroughput(library, url, pool, 8);
      console.error(`${library}: pickup p50 ${latency.p50.toFixed(1)} ms, p99 ${latency.p99.toFixed(1)} ms; ${c4.toFixed(0)} jobs/s at 4, ${c8.toFixed(0)} at 8`);
      const crash = await measureCrashRecovery(library, url, pool, 30);
      results.push({
        library,
        'pickup p50 ms': latency.p50.toFixed(1),
        'pickup p99 ms': latency.p99.toFixed(1),
        'jobs/s c=4': c4.toFixed(0),
        'jobs/s c=8': c8.toFixed(0),
        'rerun after SIGKILL s': crash === null ? '> 30 (lock held 4 h)' : crash.toFixed(1),
      });
    }
    console.log(`job runners, ${LATENCY_JOBS} jobs for latency, ${THROUGHPUT_JOBS} for throughput, lease/expiry ${LEASE_SECONDS} s`);
    console.table(results);
  } finally {
    await pool.end();
    await adminQuery(server.adminUrl, `drop database "${name}" with (force)`);
    await server.stop();
  }
}

if (process.argv[2] === '--child') {
  void child(process.argv[3] as Library, process.argv[4]!, process.argv[5]!);
} else {
  main().then(() => process.exit(0), (error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
