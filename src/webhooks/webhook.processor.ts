import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from '../logger.js';
import type { GatewayEvent, GatewayName } from '../gateways/gateway.js';
import type { JobAttempt, JobRunner } from '../jobs/job-runner.js';
import type { HandlerResult, StoredEvent, WebhookDispatch } from './webhook.dispatch.js';
import { WebhookEvent, WebhookEventStatus } from './webhook-event.entity.js';
import { rawStatement } from '../db/raw-statement.js';
import type { DeferredUpdate } from '../db/insert-new-at-once.js';

/** The job that processes one stored event (keyed by the event row's id). */
export const WEBHOOK_PROCESS_JOB = 'webhook.process';
const MAX_RETRY_SECONDS = 60 * 60;
/** How long an operator's or the CLI's replay waits for the event's outcome before answering as it stands. */
const REPLAY_WAIT_MS = 30_000;
// The claim and the outcome written alone commit without waiting for their WAL flush
// (`synchronous_commit` off for their own implicit transaction only: `set_config(…, true)` is
// local to it, read by its commit, and reset after it). Nothing is lost that a crash of PostgreSQL
// could not already lose: each is followed by a synchronous commit that flushes the WAL up to and
// past it (the money's, or the job's completion on pg-boss's pool), and, lost with it, the event
// is PENDING again and its job runs again (an attempt uncounted; a repeat recorded anew). The
// money's own transaction and the acknowledgement's insert keep synchronous commits.
const ASYNC_COMMIT = `(select set_config('synchronous_commit', 'off', true)) as "async_commit"`;
// Returns what processing reads, as a plain row (no entity: hydrating the payload was ~3 % of processing's CPU).
const CLAIM = `update "webhook_event" set "attempts" = "attempts" + 1, "status" = 'PENDING'
  from ${ASYNC_COMMIT}
  where "id" = ? and "status" in ('PENDING', 'FAILED')
  returning "id", "gateway", "event_id", "event_type", "payload", "attempts", "next_attempt_at", "received_at"`;
/** The attempt's outcome (plain SQL: no query building for a fixed statement run once per event). */
const SETTLE = `update "webhook_event" set "status" = ?, "last_error" = ?, "processed_at" = ?, "next_attempt_at" = ? from ${ASYNC_COMMIT} where "id" = ?`;
/** PENDING or FAILED events whose first job was added (the others wait in the feeder's table), oldest first. */
const UNSETTLED_FED = `select "id" from "webhook_event" e where "status" in ('PENDING', 'FAILED')
  and not exists (select 1 from "webhook_event_unqueued" u where u."webhook_event_id" = e."id") order by "received_at"`;
/** The PROCESSED outcome a handler's transaction writes with its change (`EventOrigin.processedWithChange`). */
const PROCESSED_WITH_CHANGE = `update "webhook_event" set "status" = 'PROCESSED', "last_error" = null, "processed_at" = now() where "id" = ?`;

/** The event an attempt claimed: what its processing reads of the row. */
export interface ClaimedEvent extends StoredEvent {
  id: string;
  /** Attempts so far, this one included. */
  attempts: number;
  nextAttemptAt: Date;
  receivedAt: Date;
}

export interface WebhookProcessorOptions {
  /** WEBHOOK_MAX_ATTEMPTS: after this many failures the event is DEAD. */
  maxAttempts: number;
  /** WEBHOOK_RETRY_BASE_MS: the first retry's delay, doubling (the job runner's backoff), at most an hour. */
  retryBaseMs: number;
  /** Events processed at once on this instance. */
  concurrency?: number;
  /** WEBHOOK_FETCH_BATCH: jobs each of the two workers fetches (and completes) at once; at least its share of `concurrency`. */
  fetchBatch?: number;
  /** WEBHOOK_PROCESSING: false when this instance only stores and acknowledges (another one processes). */
  processing?: boolean;
}

/**
 * Processes stored webhook events through the same service methods the API uses, as jobs on the
 * job runner: the job is inserted in the transaction that stores the event, one job runs per event
 * at a time (the runner's key), a failure is recorded on the event and retried with the runner's
 * backoff, and after `maxAttempts` the event is DEAD for an operator to replay. `webhook_event`
 * stays the record operators list and replay from (status, attempts, last error).
 */
export class WebhookProcessor {
  private readonly settledListeners: ((event: ClaimedEvent, status: WebhookEventStatus) => void)[] = [];

  constructor(
    private readonly orm: MikroORM,
    /** Decodes an event through its gateway and routes it to the handler of its kind. */
    private readonly dispatch: WebhookDispatch,
    private readonly logger: Logger,
    private readonly jobs: JobRunner,
    private readonly options: WebhookProcessorOptions,
  ) {
    const workers = Math.min(2, options.concurrency ?? 4);
    const runAtOnce = Math.ceil((options.concurrency ?? 4) / workers);
    jobs.define<{ id: string }>(
      WEBHOOK_PROCESS_JOB,
      {
        maxAttempts: options.maxAttempts,
        // The library counts in whole seconds: a base under half a second retries at once (tests).
        retryDelaySeconds: Math.round(options.retryBaseMs / 1000),
        retryDelayMaxSeconds: MAX_RETRY_SECONDS,
        // WEBHOOK_CONCURRENCY events at once, as two workers fetching batches: a worker taking one
        // job per fetch waits for the next poll after each (half a second), eight events a second
        // in all under any backlog; batches fetch again at once while the backlog lasts. A worker
        // fetches WEBHOOK_FETCH_BATCH jobs (at least its share of the concurrency) and runs its
        // share of them at a time: pg-boss's fetch and completion, a statement each a batch, are
        // spread over more events than run at once (tenth round).
        concurrency: workers,
        batchSize: Math.max(runAtOnce, options.fetchBatch ?? runAtOnce),
        runAtOnce,
        // Fed from the acknowledgement path: no NOTIFY (its commit lock would serialise the acks); workers poll.
        notify: false,
        work: options.processing ?? true,
      },
      async (data, attempt) => {
        const status = await this.process(data.id, attempt);
        if (status === WebhookEventStatus.FAILED) throw new Error(`webhook event ${data.id} failed; retried with backoff`);
      },
    );
  }

  /** Observes every processing outcome (metrics: lag and outcome). */
  onSettled(listener: (event: ClaimedEvent, status: WebhookEventStatus) => void): void {
    this.settledListeners.push(listener);
  }

  /**
   * Gives every PENDING or FAILED event a job unless it has one waiting, retrying or running
   * (events stored before the job runner processed them): run when the workers start. A FAILED
   * event's waiting retry keeps its backoff. Events whose first job was never added are the
   * feeder's. Returns how many jobs it added.
   */
  async requeueUnsettled(): Promise<number> {
    const events: { id: string }[] = await this.orm.em.getConnection().execute(UNSETTLED_FED, [], 'all');
    if (events.length === 0) return 0;
    // Those whose job waits are left at once (one listing); the others are asked one by one
    // (a job may be running or retrying), as before.
    const queued = await this.jobs.queuedKeys(WEBHOOK_PROCESS_JOB);
    let added = 0;
    for (const { id } of events) if (!queued.has(id) && await this.jobs.enqueueUnlessPending(WEBHOOK_PROCESS_JOB, { id }, id)) added += 1;
    return added;
  }

  /**
   * One attempt at an event (the job handler; the runner runs one job per event at a time).
   * Returns the status it left, or null when there was nothing to do (settled, quarantined).
   */
  async process(id: string, job: JobAttempt): Promise<WebhookEventStatus | null> {
    // Yields to the route before each event: the acknowledgements whose bytes or rows have arrived
    // run first (I/O callbacks run before `setImmediate`), so a backlog of events never makes a
    // delivery wait for more than the event under way.
    await new Promise<void>((resolve) => setImmediate(resolve));
    const claimed = await this.claim(id);
    if (!claimed) return null;
    // The event's own logger only when it logs (LOG_LEVEL=warn logs only failures): no child per event.
    const log = (): Logger => this.logger.child({ webhookEventId: claimed.eventId, eventType: claimed.eventType, attempt: claimed.attempts, jobAttempt: job.attempt });
    let note: string | null = null;
    let event: GatewayEvent | null = null;
    try {
      event = this.dispatch.decode(claimed);
    } catch (error) {
      // A malformed event stays malformed: retrying cannot help; an operator replays it once the code copes.
      note = `malformed event: ${error instanceof Error ? error.message : String(error)}`;
      log().error({ note }, 'webhook event is malformed');
    }
    const lastAttempt = job.lastAttempt || claimed.attempts >= this.options.maxAttempts;
    // The handler's transaction may write the PROCESSED outcome with its change (one statement fewer);
    // `ran` says its statement ran, and the handler answering `processed` that its transaction committed.
    let ran = false;
    const processedWithChange: DeferredUpdate = {
      sql: PROCESSED_WITH_CHANGE,
      bindings: [claimed.id],
      check: (rows) => {
        if (rows !== 1) throw new Error(`webhook event ${claimed.id}: its outcome changed ${rows} rows, not 1`);
        ran = true;
      },
    };
    const outcome = event ? await this.handle(event, claimed, lastAttempt, log, processedWithChange) : { status: WebhookEventStatus.DEAD, note };
    const failed = outcome.status === WebhookEventStatus.FAILED;
    const dead = outcome.status === WebhookEventStatus.DEAD;
    for (const listener of this.settledListeners) listener(claimed, outcome.status);
    if (ran && outcome.status === WebhookEventStatus.PROCESSED) return outcome.status;
    await rawStatement(this.orm.em, SETTLE, [
      outcome.status,
      outcome.note,
      failed || dead ? null : new Date(),
      // When the runner retries it, at the latest (its backoff: the base doubling per attempt).
      failed ? new Date(Date.now() + Math.min(MAX_RETRY_SECONDS * 1000, this.options.retryBaseMs * 2 ** claimed.attempts)) : claimed.nextAttemptAt,
      claimed.id,
    ]);
    return outcome.status;
  }

  /** Runs the event's handler; a throw means "retry later", until the last attempt. */
  private async handle(
    event: GatewayEvent,
    claimed: ClaimedEvent,
    lastAttempt: boolean,
    log: () => Logger,
    processedWithChange: DeferredUpdate,
  ): Promise<{ status: WebhookEventStatus; note: string | null }> {
    try {
      const result: HandlerResult = await this.dispatch.dispatch(claimed, event, processedWithChange);
      const status = result.outcome === 'processed' ? WebhookEventStatus.PROCESSED : WebhookEventStatus.IGNORED;
      const note = result.outcome === 'ignored' ? result.reason : null;
      if (this.logger.isLevelEnabled('info')) log().info({ status, note }, 'webhook event handled');
      return { status, note };
    } catch (error) {
      const status = lastAttempt ? WebhookEventStatus.DEAD : WebhookEventStatus.FAILED;
      log().error({ err: error, status }, 'webhook event failed');
      return { status, note: error instanceof Error ? error.message : String(error) };
    }
  }

  /**
   * Puts a PROCESSED/IGNORED/FAILED/DEAD event back in the queue with a fresh count (operator
   * replay): a job that runs now, replacing a waiting retry. Not a PENDING one (its job is queued
   * or running: a second run beside it would process it twice at once), never a QUARANTINED one
   * (its payload is a sanitised copy, not what the gateway sent).
   */
  async replay(eventId: string): Promise<boolean> {
    return this.orm.em.fork().transactional(async (tx) => {
      const rows: { id: string }[] = await tx.getConnection().execute(
        `update "webhook_event" set "status" = 'PENDING', "attempts" = 0, "next_attempt_at" = now()
          where "event_id" = ? and "status" in ('PROCESSED', 'IGNORED', 'FAILED', 'DEAD')
          returning "id"`,
        [eventId],
        'all',
        tx.getTransactionContext(),
      );
      if (rows.length === 0) return false;
      await this.jobs.enqueueAgain(tx, WEBHOOK_PROCESS_JOB, { id: rows[0]!.id }, rows[0]!.id);
      return true;
    });
  }

  /**
   * Replays the event and waits (up to 30 s) for the job's outcome: the row as it then stands.
   * Null when the event does not exist or could not be replayed (pending, quarantined).
   */
  async replayAndWait(eventId: string, timeoutMs = REPLAY_WAIT_MS): Promise<WebhookEvent | null> {
    if (!(await this.replay(eventId))) return null;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const row = await this.orm.em.fork().findOneOrFail(WebhookEvent, { eventId });
      if (row.status !== WebhookEventStatus.PENDING || Date.now() >= deadline) return row;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /**
   * Takes the event for this attempt: counts it and shows it PENDING while it runs (so a replay
   * leaves it to this run). The runner's key already keeps a second run of it from starting.
   */
  private async claim(id: string): Promise<ClaimedEvent | null> {
    const { rows } = await rawStatement<{ rows: ClaimedRow[] }>(this.orm.em, CLAIM, [id]);
    const row = rows[0];
    if (!row) return null;
    // The ORM's connection leaves timestamps as PostgreSQL's text; its platform parses them as hydration does.
    const platform = this.orm.em.getPlatform();
    return {
      id: row.id, gateway: row.gateway, eventId: row.event_id, eventType: row.event_type, payload: row.payload,
      attempts: row.attempts, nextAttemptAt: platform.parseDate(row.next_attempt_at), receivedAt: platform.parseDate(row.received_at),
    };
  }
}

/** The claim's row as the ORM's connection returns it (json parsed, timestamps as text). */
interface ClaimedRow {
  id: string;
  gateway: GatewayName;
  event_id: string;
  event_type: string;
  payload: Record<string, unknown>;
  attempts: number;
  next_attempt_at: string;
  received_at: string;
}
