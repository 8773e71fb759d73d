import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { keysetPage, type Page } from '../common/paging.js';
import type { Logger } from '../logger.js';
import type { JobAttempt, JobRunner } from '../jobs/job-runner.js';
import { DeliveryStatus, OutboxAttempt, OutboxDelivery, OutboxMessage } from './outbox.entities.js';
import { EVENT_ID_HEADER, SIGNATURE_HEADER, signOutboxBody } from './outbox.signature.js';

export interface OutboxConfig {
  subscriberUrls: string[];
  secret: string;
  maxAttempts: number;
  timeoutMs: number;
  retryBaseMs: number;
}

/** The job that sends one delivery; the job runner retries it with backoff and gives up after `maxAttempts`. */
export const OUTBOX_DELIVERY_JOB = 'outbox.deliver';
const MAX_RETRY_SECONDS = 6 * 60 * 60;
const MAX_ERROR_LENGTH = 500;

/**
 * Tells other services when money moves, at least once. `enqueue` writes the message, one
 * delivery per subscriber and one delivery job each, in the transaction of the event itself;
 * the job POSTs the delivery, signed, logging every attempt, and fails (so the job runner
 * retries it with exponential backoff) until the subscriber accepts; after `maxAttempts` the
 * delivery is DEAD. The message id is stable across retries, so receivers deduplicate on it.
 * `outbox_delivery` stays the record operators list and redeliver from.
 */
export class OutboxService {
  constructor(
    private readonly orm: MikroORM,
    private readonly config: OutboxConfig,
    private readonly logger: Logger,
    private readonly jobs: JobRunner,
  ) {
    jobs.define<{ deliveryId: string }>(
      OUTBOX_DELIVERY_JOB,
      {
        maxAttempts: config.maxAttempts,
        // The library counts in whole seconds: a base under half a second retries at once (tests).
        retryDelaySeconds: Math.round(config.retryBaseMs / 1000),
        retryDelayMaxSeconds: MAX_RETRY_SECONDS,
        concurrency: 4,
      },
      (data, attempt) => this.deliver(data.deliveryId, attempt),
    );
  }

  /** Records a message and its delivery jobs in `em`'s transaction; nothing is sent before that transaction commits. */
  async enqueue(em: EntityManager, type: string, subjectId: string, payload: Record<string, unknown>): Promise<OutboxMessage> {
    const message = Object.assign(new OutboxMessage(), { type, subjectId, payload });
    em.persist(message);
    for (const subscriberUrl of this.config.subscriberUrls) {
      const delivery = Object.assign(new OutboxDelivery(), { message, subscriberUrl });
      em.persist(delivery);
      await this.jobs.enqueue(em, OUTBOX_DELIVERY_JOB, { deliveryId: delivery.id }, delivery.id);
    }
    return message;
  }

  /**
   * Gives every PENDING delivery a job unless it has one waiting (deliveries written before the
   * job runner existed; a job's key folds the copies): run when the workers start. Receivers
   * deduplicate on the event id, so a delivery sent once more is harmless.
   */
  async requeuePending(): Promise<number> {
    const pending = await this.orm.em.fork().find(OutboxDelivery, { status: DeliveryStatus.PENDING }, { fields: ['id'] });
    for (const { id } of pending) await this.jobs.enqueueNow(OUTBOX_DELIVERY_JOB, { deliveryId: id }, id);
    return pending.length;
  }

  /** One page of deliveries, newest first, optionally of one status (admin). */
  listDeliveries(status: DeliveryStatus | null, first?: number | null, after?: string | null): Promise<Page<OutboxDelivery>> {
    const where = status ? { status } : {};
    return keysetPage(this.orm.em.fork(), OutboxDelivery, where, { first, after }, (delivery) => delivery, { populate: ['message'] });
  }

  /** Puts a delivery back in the queue now (admin redelivery), whatever its status: a new delivery job. */
  async redeliver(deliveryId: string): Promise<OutboxDelivery | null> {
    const em = this.orm.em.fork();
    const delivery = await em.transactional(async (tx) => {
      const found = await tx.findOne(OutboxDelivery, { id: deliveryId }, { populate: ['message'] });
      if (!found) return null;
      found.status = DeliveryStatus.PENDING;
      found.nextAttemptAt = new Date();
      // A waiting job for it (if any) absorbs this one: one queued job per delivery.
      await this.jobs.enqueue(tx, OUTBOX_DELIVERY_JOB, { deliveryId }, deliveryId);
      return found;
    });
    if (delivery) this.logger.info({ deliveryId, eventId: delivery.message.id }, 'outbox delivery queued again by an admin');
    return delivery;
  }

  /**
   * Sends one delivery (a job: the runner holds it, so no other worker sends it meanwhile).
   * Throws when the subscriber did not accept it, so the runner retries; the last attempt's
   * failure makes it DEAD.
   */
  private async deliver(id: string, job: JobAttempt): Promise<void> {
    const em = this.orm.em.fork();
    const delivery = await em.findOne(OutboxDelivery, { id }, { populate: ['message'] });
    // Delivered already (a redelivery job that found it done is still a redelivery: only PENDING is sent).
    if (!delivery || delivery.status !== DeliveryStatus.PENDING) return;
    // Counted before sending, so an attempt cut short by a crash still shows.
    delivery.attempts += 1;
    await em.flush();
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
    delivery.lastStatusCode = statusCode;
    delivery.lastError = error?.slice(0, MAX_ERROR_LENGTH) ?? null;
    const log = { deliveryId: delivery.id, eventId: message.id, type: message.type, url: delivery.subscriberUrl, attempt: delivery.attempts, jobAttempt: job.attempt, statusCode, durationMs };
    if (!error) {
      delivery.status = DeliveryStatus.DELIVERED;
      delivery.deliveredAt = new Date();
      this.logger.info(log, 'outbox message delivered');
    } else if (job.lastAttempt) {
      delivery.status = DeliveryStatus.DEAD;
      this.logger.error({ ...log, error }, 'outbox delivery gave up');
    } else {
      this.logger.warn({ ...log, error }, 'outbox delivery failed; will retry');
    }
    await em.flush();
    if (error && !job.lastAttempt) throw new Error(`outbox delivery ${delivery.id}: ${error}`);
  }
}
