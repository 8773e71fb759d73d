import type { JobWithMetadata, PgBoss } from 'pg-boss';

/** How a refilling worker keeps its jobs going (see {@link RefillWorker}). */
export interface RefillOptions {
  /** Jobs run at once at most. */
  capacity: number;
  /** Fetches again as soon as this many of its slots are free. */
  refillAt: number;
  /** How long it waits after a fetch that found fewer jobs than it had room for. */
  pollMs: number;
  /**
   * How long a finished job may wait for others to be completed with it; sooner once `refillAt`
   * have finished. Its slot is free at once: only its `completed` state waits.
   */
  gatherMs: number;
}

/** What running one job came to: nothing (done) or the failure to record (the library retries it). */
export type RunJob = (job: JobWithMetadata<never>) => Promise<{ failed?: { message: string } }>;

/**
 * Runs a queue's jobs, up to `capacity` at once, on the library's own `fetch`, `complete` and
 * `fail`: it fetches again as soon as `refillAt` slots are free, never waiting for the slowest job
 * of a fetch (a held job keeps only its own slot), and settles the jobs that finished together:
 * one completion statement once `refillAt` are done, or `gatherMs` after the first of them. The library's
 * `work()` settles a batch when its last job is done and only then fetches again, so a bigger batch
 * (fewer fetch and completion statements a job) would let one held job stop the rest of its batch.
 * Each settlement is fenced to the attempt fetched (the library's `{ id, retryCount }` form), so a
 * run whose lease ran out (its job already retried elsewhere) settles nothing. A settlement that
 * fails leaves its jobs active: they are retried after their lease like a killed process's.
 */
export class RefillWorker {
  #running = 0;
  #stopping = false;
  #loop: Promise<void> | null = null;
  #done: JobWithMetadata<never>[] = [];
  #failed: { job: JobWithMetadata<never>; output: { message: string } }[] = [];
  #settling: Promise<void> | null = null;
  #gathering: NodeJS.Timeout | null = null;
  /** Wakes the loop waiting for a free slot (a job finished) or for its poll (stop). */
  #wake: (() => void) | null = null;
  #idle: (() => void)[] = [];

  constructor(
    private readonly boss: PgBoss,
    private readonly name: string,
    private readonly run: RunJob,
    private readonly options: RefillOptions,
    private readonly onError: (error: unknown) => void,
  ) {}

  start(): void {
    this.#loop ??= this.#fill();
  }

  /** Stops fetching, waits (up to `timeoutMs`) for the jobs under way and their settlement. */
  async stop(timeoutMs: number): Promise<void> {
    this.#stopping = true;
    this.#wake?.();
    await this.#loop;
    let timer: NodeJS.Timeout | undefined;
    const idle = this.#running === 0 ? Promise.resolve() : new Promise<void>((resolve) => this.#idle.push(resolve));
    await Promise.race([idle, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
    this.#settle();
    await this.#settling;
  }

  async #fill(): Promise<void> {
    while (!this.#stopping) {
      const room = this.options.capacity - this.#running;
      if (room < this.options.refillAt) {
        await this.#pause(null);
        continue;
      }
      let jobs: JobWithMetadata<never>[] = [];
      try {
        jobs = await this.boss.fetch<never>(this.name, { batchSize: room, includeMetadata: true });
      } catch (error) {
        this.onError(error);
      }
      for (const job of jobs) this.#start(job);
      // Fewer than it had room for: the queue has nothing more ready now; look again at the next poll.
      if (jobs.length < room) await this.#pause(this.options.pollMs);
    }
  }

  /** Until a job finishes (`ms` null) or `ms` passed; either way until `stop()`. */
  async #pause(ms: number | null): Promise<void> {
    if (this.#stopping) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        if (this.#wake === wake) this.#wake = null;
        resolve();
      };
      const wake = ms === null ? done : () => (this.#stopping ? done() : undefined);
      const timer = ms === null ? undefined : setTimeout(done, ms);
      this.#wake = wake;
    });
  }

  #start(job: JobWithMetadata<never>): void {
    this.#running += 1;
    void this.run(job)
      .then((result) => (result.failed ? this.#failed.push({ job, output: result.failed }) : this.#done.push(job)))
      .catch((error: unknown) => this.#failed.push({ job, output: { message: error instanceof Error ? error.message : String(error) } }))
      .finally(() => {
        this.#running -= 1;
        if (this.#stopping || this.#done.length + this.#failed.length >= this.options.refillAt) this.#settle();
        else this.#gathering ??= setTimeout(() => this.#settle(), this.options.gatherMs);
        this.#wake?.();
        if (this.#running === 0) for (const resolve of this.#idle.splice(0)) resolve();
      });
  }

  /** Sends what finished: the done ones in one statement, each failure on its own; one send at a time. */
  #settle(): void {
    if (this.#gathering) clearTimeout(this.#gathering);
    this.#gathering = null;
    if (this.#settling) return;
    this.#settling = (async () => {
      do {
        const done = this.#done.splice(0);
        const failed = this.#failed.splice(0);
        try {
          if (done.length) await this.boss.complete(this.name, done.map(({ id, retryCount }) => ({ id, retryCount })));
          for (const { job, output } of failed) await this.boss.fail(this.name, { id: job.id, retryCount: job.retryCount }, output);
        } catch (error) {
          this.onError(error);
        }
        // What finished meanwhile goes at once if enough (or stopping), else after its gathering time.
      } while (this.#stopping ? this.#done.length + this.#failed.length > 0 : this.#done.length + this.#failed.length >= this.options.refillAt);
    })().finally(() => {
      this.#settling = null;
      if (this.#done.length + this.#failed.length > 0) this.#gathering ??= setTimeout(() => this.#settle(), this.options.gatherMs);
    });
  }
}
