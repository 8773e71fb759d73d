import type { MikroORM } from '@mikro-orm/postgresql';
import type { JobRunner } from '../jobs/job-runner.js';
import type { Logger } from '../logger.js';

// Takes up to `limit` stored events that wait for their job, oldest first, out of the queue table:
// their rows are deleted (and stay locked until the commit), so rows another feeder took are
// skipped, and a rollback puts them back. The event rows themselves are not written.
// They come back in arrival order, the order their jobs are inserted in.
const TAKE_UNQUEUED = `with taken as (select "seq" from "webhook_event_unqueued" order by "seq" limit ? for update skip locked),
  deleted as (delete from "webhook_event_unqueued" u using taken where u."seq" = taken."seq" returning u."webhook_event_id", u."seq")
  select "webhook_event_id" as "id" from deleted order by "seq"`;
// Whether any stored event waits for its job: an idle poll is this one statement on an empty
// table, with no transaction opened.
const ANY_UNQUEUED = `select 1 from "webhook_event_unqueued" limit 1`;

export interface WebhookFeederOptions {
  /** The queue of the processing jobs. */
  queue: string;
  /** Events given their jobs per transaction. */
  batch?: number;
  /** How long a wake-up waits to gather the deliveries that follow it into one batch. */
  gatherMs?: number;
  /** How often it looks without a wake-up (events stored by another instance, or before a restart). */
  pollMs?: number;
}

/**
 * Gives stored webhook events their processing jobs, off the acknowledgement path. The route
 * stores the row and its place in `webhook_event_unqueued` (one statement) and wakes the feeder;
 * the feeder takes a batch of those places and inserts their jobs in one transaction, so each
 * event gets its job exactly once, and an event stored by a process killed before its job was
 * added is found by the next pass of any instance (it also polls).
 */
export class WebhookFeeder {
  readonly #batch: number;
  readonly #gatherMs: number;
  readonly #pollMs: number;
  #gathering: NodeJS.Timeout | null = null;
  #polling: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  #again = false;
  #started = false;

  constructor(
    private readonly orm: MikroORM,
    private readonly jobs: JobRunner,
    private readonly logger: Logger,
    private readonly options: WebhookFeederOptions,
  ) {
    this.#batch = options.batch ?? 500;
    this.#gatherMs = options.gatherMs ?? 50;
    this.#pollMs = options.pollMs ?? 1_000;
  }

  /** Starts feeding: a pass at once (events left by a previous run), then on every wake-up and poll. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#polling = setInterval(() => this.#run(), this.#pollMs);
    this.#polling.unref();
    this.#run();
  }

  /** A new event was stored: feed it (with whatever else arrives in the next few milliseconds). */
  wake(): void {
    if (!this.#started || this.#gathering) return;
    this.#gathering = setTimeout(() => {
      this.#gathering = null;
      this.#run();
    }, this.#gatherMs);
  }

  /**
   * One batch: takes up to `batch` waiting events out of the queue table and adds their jobs, in
   * one transaction. Returns how many. The event rows are neither locked nor written, so a
   * duplicate delivery's `insert … on conflict` never waits for a feeder. When no event waits
   * (most polls), it opens no transaction.
   */
  async feedOnce(): Promise<number> {
    const waiting: unknown[] = await this.orm.em.getConnection().execute(ANY_UNQUEUED, [], 'all');
    if (waiting.length === 0) return 0;
    return this.orm.em.fork().transactional(async (em) => {
      const rows: { id: string }[] = await em.getConnection().execute(TAKE_UNQUEUED, [this.#batch], 'all', em.getTransactionContext());
      if (rows.length === 0) return 0;
      await this.jobs.enqueueMany(em, this.options.queue, rows.map(({ id }) => ({ data: { id }, key: id })));
      return rows.length;
    });
  }

  /** Stops feeding and waits for a pass under way; what is left is fed by the next start (any instance). */
  async stop(): Promise<void> {
    this.#started = false;
    if (this.#gathering) clearTimeout(this.#gathering);
    if (this.#polling) clearInterval(this.#polling);
    this.#gathering = this.#polling = null;
    await this.#running;
  }

  /** Feeds until nothing is left; one pass at a time (a wake-up during a pass runs another after it). */
  #run(): void {
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = (async () => {
      do {
        this.#again = false;
        while (this.#started && (await this.feedOnce()) === this.#batch);
      } while (this.#again && this.#started);
    })()
      .catch((error: unknown) => this.logger.error({ err: error }, 'webhook feeder: could not add processing jobs; retried at the next poll'))
      .finally(() => {
        this.#running = null;
      });
  }
}
