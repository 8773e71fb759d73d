import type { EntityManager } from '@mikro-orm/postgresql';
import { fromKnex, PgBoss, type Db, type JobWithMetadata } from 'pg-boss';
import pLimit from 'p-limit';
import type { Logger } from '../logger.js';
import { planLifetime, prepareRepeatedStatements } from './prepared-statements.js';
import { queueSettings, type JobHandler, type JobQueueOptions } from './job-queue.js';
import { QueueStatistics, type QueueStatisticsOptions } from './queue-statistics.js';

export type { JobAttempt, JobHandler, JobQueueOptions } from './job-queue.js';

/** Jobs a page when listing a queue's waiting jobs (the library allows up to 100,000). */
const QUEUED_PAGE = 10_000;

export interface JobRunnerOptions {
  databaseUrl: string;
  /**
   * How long a started job may run before it counts as abandoned (its process was killed) and is
   * retried elsewhere (WORKER_LEASE_SECONDS). Checked by every instance's supervisor each second.
   */
  leaseSeconds: number;
  /** PostgreSQL schema of the library's tables (its migrator owns it, not ours). */
  schema?: string;
  /** How long one of the library's connections, and the plans it prepared, lives (default 10 s; see `planLifetime`). */
  planLifetimeSeconds?: number;
  /** When the job table is analysed as jobs are added (queue-statistics.ts; tests lower them). */
  statistics?: Omit<QueueStatisticsOptions, 'table'>;
  /**
   * Whether workers listen for their queues' NOTIFY on a connection of their own (JOB_LISTEN,
   * default true). False behind a pooler that cannot hold a LISTEN (PgBouncer in transaction
   * mode): workers then find jobs by polling only, every half second.
   */
  listen?: boolean;
}

/**
 * The one job runner: pg-boss on the service's PostgreSQL (why pg-boss: docs/operations.md, "Background
 * jobs"). Jobs are inserted in the caller's transaction (`enqueue(em, …)`), so a job exists exactly
 * when the event that causes it committed; a job whose process died is retried after the lease;
 * failures are retried with the library's backoff and are dead after the queue's last attempt.
 * The domain tables (webhook_event, outbox_delivery…) stay what operators list and replay.
 */
export class JobRunner {
  private readonly boss: PgBoss;
  private opened: Promise<void> | null = null;
  private readonly queues = new Map<string, JobQueueOptions>();
  private readonly workers: { name: string; handler: JobHandler<never>; options: JobQueueOptions }[] = [];
  private working = false;
  private readonly recurring: string[] = [];
  private readonly statistics: QueueStatistics;

  constructor(
    private readonly options: JobRunnerOptions,
    private readonly logger: Logger,
  ) {
    this.boss = new PgBoss({
      connectionString: options.databaseUrl,
      schema: options.schema ?? 'pgboss',
      // Abandoned jobs (their process was killed) are noticed within a second of their lease.
      superviseIntervalSeconds: 1,
      // Expiry of active jobs is part of the queue monitor, whose own throttle defaults to a minute.
      // The monitor also counts each queue's ready jobs, which workers read (below) to keep going.
      monitorIntervalSeconds: 1,
      // How often this instance rereads those counts (default a minute): a backlog is seen within ~2 s.
      queueCacheIntervalSeconds: 1,
      max: 4,
      // Workers of the queues declared with NOTIFY (`JobQueueOptions.notify`) listen for it: an idle
      // one starts a new job at once, and polls only every second (`notifyPollingIntervalSeconds`,
      // for retries and delayed jobs, which send none). The library's default is off, and then
      // the producers sent NOTIFY in their transactions with nobody listening (issue 11, fourteenth
      // round). The listener is one connection of its own, outside `max`.
      useListenNotify: options.listen ?? true,
      ...planLifetime(options.planLifetimeSeconds ?? 10),
      application_name: 'payments-jobs',
    });
    this.boss.on('error', (error: unknown) => this.logger.error({ err: error }, 'job runner error'));
    // Its fetches and completions are planned once per connection, not at every call (issue 11).
    prepareRepeatedStatements(this.boss.getDb());
    // The queues are created without a partition of their own: their jobs are in the common one.
    const db = this.boss.getDb();
    this.statistics = new QueueStatistics((sql) => db.executeSql(sql), logger, { ...options.statistics, table: `${options.schema ?? 'pgboss'}.job_common` });
  }

  /** Declares a queue; its jobs are run by `handler` once `startWorkers()` ran. */
  define<T>(name: string, options: JobQueueOptions, handler: JobHandler<T>): void {
    this.queues.set(name, options);
    this.workers.push({ name, handler: handler as JobHandler<never>, options });
  }

  /**
   * Starts the library (its migrator creates or upgrades its schema) and creates the declared
   * queues; idempotent. Enqueueing needs it, so `enqueue` opens on demand (the CLI runs no workers).
   */
  open(): Promise<void> {
    this.opened ??= (async () => {
      await this.boss.start();
      for (const [name, options] of this.queues) {
        const queue = queueSettings(options, this.options.leaseSeconds);
        // A queue's policy is fixed when it is created; its retry settings follow the configuration.
        const { policy: _policy, ...settings } = queue;
        if (await this.boss.getQueue(name)) await this.boss.updateQueue(name, settings);
        else await this.boss.createQueue(name, queue);
      }
    })();
    return this.opened;
  }

  /**
   * A recurring pass (reconciliation, the cart sweep): one job at a time across every instance,
   * each run enqueueing the next `intervalMs` later. Every instance enqueues the first one when
   * its workers start (one key: the copies fold into one), so the chain survives any instance;
   * a pass whose process was killed is retried after the lease. A failed pass is logged, and the
   * next one still comes.
   */
  every(name: string, intervalMs: number, pass: () => Promise<unknown>): void {
    const key = name;
    this.recurring.push(name);
    this.define<Record<string, never>>(name, { maxAttempts: 2, retryDelaySeconds: 0, retryDelayMaxSeconds: 0, concurrency: 1 }, async () => {
      try {
        await pass();
      } catch (error) {
        this.logger.error({ err: error, job: name }, `${name} failed`);
      } finally {
        await this.enqueueNow(name, {}, key, intervalMs / 1000).catch((error: unknown) => this.logger.error({ err: error, job: name }, `${name}: could not schedule the next pass`));
      }
    });
  }

  /**
   * Runs the declared queues' jobs on this instance; `only`: just those queues (the webhook
   * processing thread runs its queue and no other, and no recurring pass).
   */
  async startWorkers(only?: readonly string[]): Promise<void> {
    await this.open();
    if (this.working) return;
    this.working = true;
    for (const { name, handler, options } of this.workers) {
      if (options.work === false || (only && !only.includes(name))) continue;
      // `concurrency` workers, each running the jobs of its fetch at once and fetching again when they
      // are all done: at once while the fetches come back full and the queue has jobs ready, else
      // at the next poll. Left to polls alone, a one-job worker waits a poll (half a second, a
      // second while NOTIFY is on) after every job, whatever the backlog: `burstWhenReadyExceeds`
      // (the library's least, 1) goes on while its count of ready jobs (the monitor's, reread
      // every second) shows more than one, and
      // `burstWhenBatchFull` (ignored by the library at batch size 1) keeps batches going between
      // two counts. An empty or short fetch always falls back to polling, so an idle queue never
      // spins. Each job is settled on its own: a throw fails (retries) that job only.
      const batchSize = options.batchSize ?? 1;
      await this.boss.work<unknown>(
        name,
        {
          localConcurrency: options.concurrency ?? 2, batchSize, perJobResults: true, includeMetadata: true,
          burstWhenBatchFull: batchSize > 1, burstWhenReadyExceeds: 1, pollingIntervalSeconds: 0.5, notifyPollingIntervalSeconds: 1,
        },
        async (jobs) => {
          // At most `runAtOnce` of the fetch's jobs at a time, the rest in fetch order as places free up.
          const limit = pLimit(options.runAtOnce ?? Infinity);
          return Promise.all(jobs.map((job) => limit(async () => {
            const meta = job as JobWithMetadata<never>;
            try {
              await handler(meta.data, { jobId: meta.id, attempt: meta.retryCount + 1, lastAttempt: meta.retryCount >= meta.retryLimit });
              return { id: meta.id, status: 'completed' as const };
            } catch (error) {
              return { id: meta.id, status: 'failed' as const, output: { message: error instanceof Error ? error.message : String(error) } };
            }
          })));
        },
      );
    }
    for (const name of this.recurring) if (!only || only.includes(name)) await this.enqueueNow(name, {}, name);
  }

  /**
   * Adds a job in `em`'s open transaction: it is visible to workers when that transaction commits,
   * and never if it rolls back. `key` makes it unique among queued jobs of its queue; `startAfterSeconds` delays it.
   */
  async enqueue(em: EntityManager, name: string, data: object, key?: string, startAfterSeconds?: number): Promise<void> {
    const trx = em.getTransactionContext();
    if (!trx) throw new Error(`job ${name}: enqueue needs an open transaction (the job must commit with what causes it)`);
    await this.enqueueWith(fromKnex(trx), name, data, key, startAfterSeconds);
  }

  /**
   * Adds several jobs of one queue in `em`'s open transaction, in one statement (the webhook
   * feeder's batches). A key that already has a job waiting adds nothing (the queue's policy).
   */
  async enqueueMany(em: EntityManager, name: string, jobs: { data: object; key: string }[]): Promise<void> {
    const trx = em.getTransactionContext();
    if (!trx) throw new Error(`job ${name}: enqueueMany needs an open transaction (the jobs must commit with what causes them)`);
    if (!this.queues.has(name)) throw new Error(`job ${name}: no such queue was defined`);
    if (jobs.length === 0) return;
    await this.open();
    await this.boss.insert(name, jobs.map((job) => ({ data: job.data, singletonKey: job.key })), { db: fromKnex(trx) });
    this.statistics.added(jobs.length);
  }

  /**
   * Replaces the job waiting under `key` (if any, its backoff and attempt count with it) by a fresh
   * one that runs now, in `em`'s open transaction (operator replay). A job already running under
   * the key is not touched: the fresh one waits until it is done (one runs at a time per key).
   */
  async enqueueAgain(em: EntityManager, name: string, data: object, key: string): Promise<void> {
    const trx = em.getTransactionContext();
    if (!trx) throw new Error(`job ${name}: enqueueAgain needs an open transaction`);
    if (!this.queues.has(name)) throw new Error(`job ${name}: no such queue was defined`);
    await this.open();
    const db = fromKnex(trx);
    const waiting = await this.boss.findJobs(name, { key, queued: true, db });
    if (waiting.length > 0) await this.boss.deleteJob(name, waiting.map((job) => job.id), { db });
    await this.enqueueWith(db, name, data, key);
  }

  /**
   * Adds a job now unless one under `key` waits, waits for its retry or runs (a waiting retry keeps
   * its backoff; the library's `stately` policy would let a fresh job run beside a retry). Returns whether it added one.
   */
  async enqueueUnlessPending(name: string, data: object, key: string): Promise<boolean> {
    const pending = (await this.jobsFor(name, key)).some((job) => ['created', 'retry', 'active'].includes(job.state));
    if (pending) return false;
    await this.enqueueNow(name, data, key);
    return true;
  }

  /**
   * Keys of a queue's jobs waiting or waiting for a retry, read in pages of the library's
   * `findJobs` (one statement a page on its index of queued keys; issue 11: asking per key
   * scanned the job table once per key, ~3 ms each, 35 s of PostgreSQL's CPU for a restart
   * with 11,250 events waiting). A page continues after the previous page's last job; if that job
   * was deleted meanwhile (an operator's replay replaces a waiting job), the library refuses the
   * page and the keys read so far are returned: the set may then miss waiting keys, never holds
   * one that was not waiting when read, so a caller asks about the keys it lacks one by one.
   */
  async queuedKeys(name: string, pageSize = QUEUED_PAGE): Promise<Set<string>> {
    await this.open();
    const keys = new Set<string>();
    for (let after: string | undefined; ;) {
      let page: JobWithMetadata<unknown>[];
      try {
        page = await this.boss.findJobs(name, { queued: true, limit: pageSize, ...(after ? { after } : {}) });
      } catch (error) {
        if (!after) throw error;
        this.logger.warn({ err: error, job: name, keys: keys.size }, 'listing waiting jobs stopped early; the rest are asked about one by one');
        return keys;
      }
      for (const job of page) if (job.singletonKey) keys.add(job.singletonKey);
      if (page.length < pageSize) return keys;
      after = page[page.length - 1]!.id;
    }
  }

  /** The jobs of a queue under `key`, any state (operators, tests): what waits, runs, retries or died. */
  async jobsFor(name: string, key: string): Promise<{ id: string; state: string; retryCount: number; startAfter: Date }[]> {
    await this.open();
    const jobs = await this.boss.findJobs(name, { key });
    return jobs.map((job) => ({ id: job.id, state: job.state, retryCount: job.retryCount, startAfter: job.startAfter }));
  }

  /** Adds a job now, outside any transaction (operator replay, recurring passes). */
  async enqueueNow(name: string, data: object, key?: string, startAfterSeconds?: number): Promise<void> {
    await this.enqueueWith(undefined, name, data, key, startAfterSeconds);
  }

  private async enqueueWith(db: Db | undefined, name: string, data: object, key?: string, startAfterSeconds?: number): Promise<void> {
    if (!this.queues.has(name)) throw new Error(`job ${name}: no such queue was defined`);
    await this.open();
    const startAfter = startAfterSeconds ? new Date(Date.now() + startAfterSeconds * 1000) : undefined;
    await this.boss.send(name, data, { ...(db ? { db } : {}), ...(key ? { singletonKey: key } : {}), ...(startAfter ? { startAfter } : {}) });
    this.statistics.added(1);
  }

  /** Stops taking jobs, waits for the running ones (up to `timeoutMs`), closes the library's pool. */
  async stop(timeoutMs = 10_000): Promise<void> {
    await this.statistics.stop();
    if (!this.opened) return;
    await this.opened.catch(() => undefined);
    await this.boss.stop({ graceful: true, timeout: timeoutMs, close: true });
  }
}
