import type { Queue } from 'pg-boss';

/** How a queue retries: the library's backoff (delay doubling from `retryDelaySeconds`, capped). */
export interface JobQueueOptions {
  /** Attempts in all, the first included; after the last one fails the job is dead (state `failed`). */
  maxAttempts: number;
  retryDelaySeconds: number;
  retryDelayMaxSeconds: number;
  /** Workers on this instance (each running its batch at once). */
  concurrency?: number;
  /**
   * Jobs each worker fetches at once (default 1), run at once. A worker whose fetch came back
   * full fetches again at once while the queue has jobs ready (see `startWorkers`), else at the next poll.
   */
  batchSize?: number;
  /**
   * Jobs of a fetch that run at once (default: all of them); the others wait for a free place in
   * fetch order. Lets a worker fetch (and complete) more jobs a statement than it runs at a time.
   */
  runAtOnce?: number;
  /**
   * Whether enqueueing wakes idle workers at once (PostgreSQL NOTIFY, the default) or they find
   * the job at their next poll (half a second). A NOTIFY makes its transaction's commit take a
   * database-wide lock: for a queue fed hundreds of times a second from a request path (the
   * webhook inbox) the commits would queue behind each other, so that queue polls instead.
   */
  notify?: boolean;
  /** False: this instance enqueues the queue's jobs but runs none of them (another instance does). */
  work?: boolean;
}

/** The attempt a handler is running: the job's own id, which try (1-based), and whether it is the last. */
export interface JobAttempt {
  jobId: string;
  attempt: number;
  lastAttempt: boolean;
}

export type JobHandler<T> = (data: T, attempt: JobAttempt) => Promise<void>;

/** A queue's settings in pg-boss's terms: its policy, its retries and backoff, the lease of a started job. */
export function queueSettings(options: JobQueueOptions, leaseSeconds: number): Omit<Queue, 'name'> {
  return {
    // Per key, one job waiting and one running at most: the same work enqueued twice while it waits
    // adds nothing, and two workers never run it at once.
    policy: 'stately',
    retryLimit: options.maxAttempts - 1,
    retryDelay: options.retryDelaySeconds,
    // Exponential with jitter from the base; a base of 0 (tests) retries at once.
    ...(options.retryDelaySeconds > 0 ? { retryBackoff: true, retryDelayMax: options.retryDelayMaxSeconds } : { retryBackoff: false }),
    expireInSeconds: leaseSeconds,
    notify: options.notify ?? true,
  };
}
