import type { Logger } from '../logger.js';

export interface QueueStatisticsOptions {
  /** The table to keep analysed (`pgboss.job_common`: the queues are created without their own partition). */
  table: string;
  /** Jobs added since the last ANALYZE before the next one (default 1,000). */
  minJobs?: number;
  /** The least time between two (default 10 s). */
  minIntervalMs?: number;
  /** How long after enough were added it runs, so the transactions that added them have committed (default 1 s). */
  settleMs?: number;
}

/**
 * Keeps PostgreSQL's statistics of pg-boss's job table current while a backlog builds (issue 11,
 * thirteenth round). A worker's fetch is planned from them: made while the queue was nearly empty
 * (a table analysed at startup, or not since autovacuum's last pass, a minute apart at most), they
 * say a handful of jobs wait, and the plan reads every waiting job, sorts them all and keeps 8,
 * instead of reading the 8 first off the fetch's index: 11-14 ms a fetch with 5,000 waiting in the
 * webhook bench's drain, ~1 ms once analysed, and pg-boss's share of PostgreSQL's CPU an event went
 * from ~1.4 to 0.5 ms. So once `minJobs` jobs were added since the last one, and at most every
 * `minIntervalMs`, it runs `ANALYZE (SKIP_LOCKED)` on the table (skipped, not waited for, while
 * autovacuum or another instance analyses it), which also makes every connection plan the fetch
 * again. An ANALYZE samples at most 30,000 rows whatever the table's size. A failure is logged and
 * the next batch of jobs tries again; refused for lack of rights (the service's user does not own
 * pg-boss's tables), it stops trying.
 */
export class QueueStatistics {
  readonly #minJobs: number;
  readonly #minIntervalMs: number;
  readonly #settleMs: number;
  #added = 0;
  #lastAt = 0;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  #stopped = false;

  constructor(
    /** Runs one statement on the library's pool. */
    private readonly execute: (sql: string) => Promise<unknown>,
    private readonly logger: Logger,
    private readonly options: QueueStatisticsOptions,
  ) {
    this.#minJobs = options.minJobs ?? 1_000;
    this.#minIntervalMs = options.minIntervalMs ?? 10_000;
    this.#settleMs = options.settleMs ?? 1_000;
  }

  /** `count` jobs were inserted (committed or about to be): analyses the table once enough were. */
  added(count: number): void {
    this.#added += count;
    this.#schedule();
  }

  /** Stops analysing; waits for an ANALYZE under way. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#running;
  }

  #schedule(): void {
    if (this.#stopped || this.#timer || this.#running || this.#added < this.#minJobs) return;
    // Not at once: the transactions that added them commit first, and their rows are then sampled.
    const wait = Math.max(this.#settleMs, this.#lastAt + this.#minIntervalMs - Date.now());
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#running = this.#analyze().finally(() => {
        this.#running = null;
        // Jobs added meanwhile count towards the next one.
        this.#schedule();
      });
    }, wait);
    this.#timer.unref();
  }

  async #analyze(): Promise<void> {
    const added = this.#added;
    this.#added = 0;
    this.#lastAt = Date.now();
    try {
      await this.execute(`analyze (skip_locked) ${this.options.table}`);
      if (this.logger.isLevelEnabled('debug')) this.logger.debug({ table: this.options.table, jobsAdded: added }, 'job table analysed');
    } catch (error) {
      // 42501: insufficient privilege (not the table's owner).
      const refused = typeof error === 'object' && error !== null && 'code' in error && error.code === '42501';
      if (refused) this.#stopped = true;
      this.logger.warn({ err: error, table: this.options.table, stopped: refused }, 'could not analyse the job table; its fetches may be planned from stale statistics');
    }
  }
}
