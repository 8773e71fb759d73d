import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { keysetPage, type Page } from '../graphql/connection.js';
import type { Logger } from '../logger.js';
import { toOutboxDeliveryType, type OutboxDeliveryType } from './outbox.types.js';
import { backoffWithJitterMs } from '../common/backoff.js';
import { DeliveryStatus, OutboxAttempt, OutboxDelivery, OutboxMessage } from './outbox.entities.js';
import { EVENT_ID_HEADER, SIGNATURE_HEADER, signOutboxBody } from './outbox.signature.js';

export interface OutboxConfig {
  subscriberUrls: string[];
  secret: string;
  maxAttempts: number;
  timeoutMs: number;
  retryBaseMs: number;
  /** How long a claimed delivery stays claimed (a killed process's claim runs out after this). */
  leaseSeconds?: number;
}

const MAX_RETRY_MS = 6 * 60 * 60_000;
const MAX_ERROR_LENGTH = 500;

/**
 * Tells other services when money moves, at least once. `enqueue` writes the message (and one
 * delivery per subscriber) in the transaction of the event itself; `deliverDue` POSTs due
 * deliveries, signed, logging every attempt, retrying with exponential backoff and jitter,
 * and giving up (DEAD) after `maxAttempts`. The message id is stable across retries, so
 * receivers deduplicate on it.
 */
export class OutboxService {
  constructor(
    private readonly orm: MikroORM,
    private readonly config: OutboxConfig,
    private readonly logger: Logger,
  ) {}

  /** Records a message in `em`'s transaction; nothing is sent before that transaction commits. */
  enqueue(em: EntityManager, type: string, subjectId: string, payload: Record<string, unknown>): OutboxMessage {
    const message = Object.assign(new OutboxMessage(), { type, subjectId, payload });
    em.persist(message);
    for (const subscriberUrl of this.config.subscriberUrls) {
      em.persist(Object.assign(new OutboxDelivery(), { message, subscriberUrl }));
    }
    return message;
  }

  /** Delivers up to `limit` due deliveries, oldest first; returns how many were attempted. */
  async deliverDue(limit = 50): Promise<number> {
    const due = await this.orm.em.fork().find(
      OutboxDelivery,
      {
        status: DeliveryStatus.PENDING,
        nextAttemptAt: { $lte: new Date() },
        $or: [{ lockedUntil: null }, { lockedUntil: { $lt: new Date() } }],
      },
      { orderBy: { nextAttemptAt: 'asc' }, limit, fields: ['id'] },
    );
    let attempted = 0;
    for (const { id } of due) if (await this.deliver(id)) attempted += 1;
    return attempted;
  }

  /** One page of deliveries, newest first, optionally of one status (admin). */
  listDeliveries(status: DeliveryStatus | null, first?: number | null, after?: string | null): Promise<Page<OutboxDeliveryType>> {
    const where = status ? { status } : {};
    return keysetPage(this.orm.em.fork(), OutboxDelivery, where, { first, after }, toOutboxDeliveryType, { populate: ['message'] });
  }

  /** Puts a delivery back in the queue now (admin redelivery), whatever its status. */
  async redeliver(deliveryId: string): Promise<OutboxDelivery | null> {
    const em = this.orm.em.fork();
    const delivery = await em.findOne(OutboxDelivery, { id: deliveryId }, { populate: ['message'] });
    if (!delivery) return null;
    delivery.status = DeliveryStatus.PENDING;
    delivery.nextAttemptAt = new Date();
    delivery.lockedUntil = null;
    await em.flush();
    this.logger.info({ deliveryId, eventId: delivery.message.id }, 'outbox delivery queued again by an admin');
    return delivery;
  }

  /** Claims one delivery with a lease (so two workers never send it at once) and sends it. */
  private async deliver(id: string): Promise<boolean> {
    const claimed: { id: string }[] = await this.orm.em.fork().getConnection().execute(
      `update "outbox_delivery" set "locked_until" = now() + make_interval(secs => ?), "attempts" = "attempts" + 1
        where "id" = ? and "status" = 'PENDING' and "next_attempt_at" <= now()
          and ("locked_until" is null or "locked_until" < now())
        returning "id"`,
      [this.config.leaseSeconds ?? 60, id],
    );
    if (claimed.length === 0) return false;
    const em = this.orm.em.fork();
    const delivery = await em.findOneOrFail(OutboxDelivery, { id }, { populate: ['message'] });
    const { message } = delivery;
    const body = JSON.stringify({ id: message.id, type: message.type, createdAt: message.createdAt.toISOString(), data: message.payload });
    const started = Date.now();
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      const response = await fetch(delivery.subscriberUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [EVENT_ID_HEADER]: message.id,
          [SIGNATURE_HEADER]: signOutboxBody(this.config.secret, body, Math.floor(Date.now() / 1000)),
        },
        body,
        signal: AbortSignal.timeout(this.config.timeoutMs),
        redirect: 'error',
      });
      statusCode = response.status;
      await response.body?.cancel();
      if (!response.ok) error = `subscriber answered HTTP ${response.status}`;
    } catch (caught) {
      error = caught instanceof Error ? `${caught.name}: ${caught.message}` : String(caught);
    }
    const durationMs = Date.now() - started;
    em.persist(Object.assign(new OutboxAttempt(), { delivery, statusCode, error: error?.slice(0, MAX_ERROR_LENGTH) ?? null, durationMs }));
    delivery.lockedUntil = null;
    delivery.lastStatusCode = statusCode;
    delivery.lastError = error?.slice(0, MAX_ERROR_LENGTH) ?? null;
    const log = { deliveryId: delivery.id, eventId: message.id, type: message.type, url: delivery.subscriberUrl, attempt: delivery.attempts, statusCode, durationMs };
    if (!error) {
      delivery.status = DeliveryStatus.DELIVERED;
      delivery.deliveredAt = new Date();
      this.logger.info(log, 'outbox message delivered');
    } else if (delivery.attempts >= this.config.maxAttempts) {
      delivery.status = DeliveryStatus.DEAD;
      this.logger.error({ ...log, error }, 'outbox delivery gave up');
    } else {
      delivery.nextAttemptAt = new Date(Date.now() + backoffWithJitterMs(delivery.attempts, { baseMs: this.config.retryBaseMs, maxMs: MAX_RETRY_MS }));
      this.logger.warn({ ...log, error, nextAttemptAt: delivery.nextAttemptAt }, 'outbox delivery failed; will retry');
    }
    await em.flush();
    return true;
  }
}
