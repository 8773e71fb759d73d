import type { MikroORM } from '@mikro-orm/postgresql';
import { backoffWithJitterMs } from '../common/backoff.js';
import type { Logger } from '../logger.js';
import type { GatewayEvent } from '../gateways/gateway.js';
import type { HandlerResult, WebhookDispatch } from './webhook.dispatch.js';
import { WebhookEvent, WebhookEventStatus } from './webhook-event.entity.js';

const BASE_BACKOFF_MS = 5_000;
const MAX_BACKOFF_MS = 60 * 60_000;

/** Exponential backoff with full jitter: attempt 1 waits up to 5 s, doubling, at most 1 h. */
export function retryDelayMs(attempts: number, random: () => number = Math.random): number {
  return backoffWithJitterMs(attempts, { baseMs: BASE_BACKOFF_MS, maxMs: MAX_BACKOFF_MS }, random);
}

/**
 * Processes stored webhook events through the same service methods the API uses. An event
 * is claimed with a lease (a conditional UPDATE), so two workers or instances never process
 * the same event at once; a failure is recorded on the event and retried with backoff, and
 * after `maxAttempts` it is DEAD for an operator to replay.
 */
export class WebhookProcessor {
  private readonly settledListeners: ((event: WebhookEvent, status: WebhookEventStatus) => void)[] = [];

  constructor(
    private readonly orm: MikroORM,
    /** Decodes an event through its gateway and routes it to the handler of its kind. */
    private readonly dispatch: WebhookDispatch,
    private readonly logger: Logger,
    private readonly maxAttempts: number,
    /** How long a claim holds: a process killed mid-event leaves it, and the event is taken over after this. */
    private readonly leaseSeconds = 60,
  ) {}

  /** Observes every processing outcome (metrics: lag and outcome). */
  onSettled(listener: (event: WebhookEvent, status: WebhookEventStatus) => void): void {
    this.settledListeners.push(listener);
  }

  /** Processes one event if it is due and nobody else holds it. */
  async processEvent(id: string): Promise<WebhookEventStatus | null> {
    const claimed = await this.claim(id);
    if (!claimed) return null;
    const log = this.logger.child({ webhookEventId: claimed.eventId, eventType: claimed.eventType, attempt: claimed.attempts });
    let note: string | null = null;
    let event: GatewayEvent | null = null;
    try {
      event = this.dispatch.decode(claimed);
    } catch (error) {
      // A malformed event stays malformed: retrying cannot help; an operator replays it once the code copes.
      note = `malformed event: ${error instanceof Error ? error.message : String(error)}`;
      log.error({ note }, 'webhook event is malformed');
    }
    const outcome = event ? await this.handle(event, claimed, log) : { status: WebhookEventStatus.DEAD, note };
    const failed = outcome.status === WebhookEventStatus.FAILED;
    const dead = outcome.status === WebhookEventStatus.DEAD;
    await this.orm.em.fork().nativeUpdate(
      WebhookEvent,
      { id: claimed.id },
      {
        status: outcome.status,
        lastError: outcome.note,
        lockedUntil: null,
        processedAt: failed || dead ? null : new Date(),
        nextAttemptAt: failed ? new Date(Date.now() + retryDelayMs(claimed.attempts)) : claimed.nextAttemptAt,
      },
    );
    for (const listener of this.settledListeners) listener(claimed, outcome.status);
    return outcome.status;
  }

  /** Runs the event's handler; a throw means "retry later", up to `maxAttempts`. */
  private async handle(
    event: GatewayEvent,
    claimed: WebhookEvent,
    log: Logger,
  ): Promise<{ status: WebhookEventStatus; note: string | null }> {
    try {
      const result: HandlerResult = await this.dispatch.dispatch(claimed, event);
      const status = result.outcome === 'processed' ? WebhookEventStatus.PROCESSED : WebhookEventStatus.IGNORED;
      const note = result.outcome === 'ignored' ? result.reason : null;
      log.info({ status, note }, 'webhook event handled');
      return { status, note };
    } catch (error) {
      const status = claimed.attempts >= this.maxAttempts ? WebhookEventStatus.DEAD : WebhookEventStatus.FAILED;
      log.error({ err: error, status }, 'webhook event failed');
      return { status, note: error instanceof Error ? error.message : String(error) };
    }
  }

  /** Processes up to `limit` due events (PENDING or FAILED past their retry time), oldest first. */
  async processDue(limit = 50): Promise<number> {
    const due = await this.orm.em.fork().find(
      WebhookEvent,
      {
        status: { $in: [WebhookEventStatus.PENDING, WebhookEventStatus.FAILED] },
        nextAttemptAt: { $lte: new Date() },
        $or: [{ lockedUntil: null }, { lockedUntil: { $lt: new Date() } }],
      },
      { orderBy: { receivedAt: 'asc' }, limit, fields: ['id'] },
    );
    let processed = 0;
    for (const event of due) if ((await this.processEvent(event.id)) !== null) processed += 1;
    return processed;
  }

  /**
   * Puts a PROCESSED/IGNORED/DEAD event back in the queue (operator replay). Not while a
   * worker holds it: clearing its lease would let a second worker process it at the same time.
   * Never a QUARANTINED one: its payload is a sanitised copy, not what the gateway sent.
   */
  async replay(eventId: string): Promise<boolean> {
    const updated = await this.orm.em.fork().nativeUpdate(
      WebhookEvent,
      {
        eventId,
        status: { $ne: WebhookEventStatus.QUARANTINED },
        $or: [{ lockedUntil: null }, { lockedUntil: { $lt: new Date() } }],
      },
      { status: WebhookEventStatus.PENDING, nextAttemptAt: new Date(), lockedUntil: null, attempts: 0 },
    );
    return updated > 0;
  }

  private async claim(id: string): Promise<WebhookEvent | null> {
    // Due by this process's clock, the one that wrote `next_attempt_at`: an event that failed
    // after processDue listed it waits for its backoff instead of being retried at once.
    const rows: Record<string, unknown>[] = await this.orm.em.fork().getConnection().execute(
      `update "webhook_event"
          set "locked_until" = now() + make_interval(secs => ?), "attempts" = "attempts" + 1
        where "id" = ? and "status" in ('PENDING', 'FAILED') and "next_attempt_at" <= ?
          and ("locked_until" is null or "locked_until" < now())
        returning *`,
      [this.leaseSeconds, id, new Date()],
    );
    if (rows.length === 0) return null;
    return this.orm.em.fork().map(WebhookEvent, rows[0]!);
  }
}
