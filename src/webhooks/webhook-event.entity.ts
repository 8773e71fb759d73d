import { randomUUID } from 'node:crypto';
import { Entity, Enum, Index, PrimaryKey, Property, Unique } from '@mikro-orm/postgresql';
import type { GatewayName } from '../gateways/gateway.js';

export enum WebhookEventStatus {
  PENDING = 'PENDING',
  PROCESSED = 'PROCESSED',
  /** Stored and acknowledged, but nothing to do: unknown event type or unknown order. */
  IGNORED = 'IGNORED',
  /** Processing failed; its job is retried with backoff, at `nextAttemptAt` at the latest. */
  FAILED = 'FAILED',
  /** Failed `WEBHOOK_MAX_ATTEMPTS` times; an operator replays it. */
  DEAD = 'DEAD',
  /**
   * Signed, but its bytes could not be stored as they are (invalid UTF-8, `\u0000`, a lone
   * surrogate): kept raw in `rawBody` beside a sanitised `payload`, never processed (no money
   * moves on a copy that may differ from what Razorpay sent); reconciliation, which asks
   * Razorpay itself, settles the payment; `lastError` says why.
   */
  QUARANTINED = 'QUARANTINED',
}

/** The webhook inbox: every verified delivery, stored before it is acknowledged. */
@Entity({ tableName: 'webhook_event' })
@Index({ name: 'webhook_event_due_idx', properties: ['status', 'nextAttemptAt'] })
@Unique({ name: 'webhook_event_gateway_event_id_unique', properties: ['gateway', 'eventId'] })
export class WebhookEvent {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  /** The gateway that sent it (its route, `/webhooks/<gateway>`); its adapter decodes the payload. */
  @Property({ type: 'text', default: 'razorpay' })
  gateway: GatewayName = 'razorpay';

  /** The gateway's id of the event (Razorpay: `X-Razorpay-Event-Id`): duplicates of one delivery share it. */
  @Property({ type: 'string', length: 100 })
  eventId!: string;

  @Property({ type: 'string', length: 64 })
  eventType!: string;

  @Property({ type: 'json' })
  payload!: Record<string, unknown>;

  /** The exact bytes received, base64, for a QUARANTINED event only (null otherwise). */
  @Property({ type: 'text', nullable: true })
  rawBody: string | null = null;

  @Enum({ items: () => WebhookEventStatus, type: 'string', length: 16 })
  status: WebhookEventStatus = WebhookEventStatus.PENDING;

  @Property({ type: 'integer', default: 0 })
  attempts: number = 0;

  @Property({ type: 'datetime', columnType: 'timestamptz(3)' })
  nextAttemptAt: Date = new Date();

  @Property({ type: 'text', nullable: true })
  lastError: string | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz(3)' })
  receivedAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz(3)', nullable: true })
  processedAt: Date | null = null;
}

/**
 * A stored event still waiting for its processing job: the acknowledgement's statement inserts
 * one row here with the event (a PENDING one; a QUARANTINED event needs no job), and the feeder
 * (webhook.feeder.ts) deletes a batch of them and adds their jobs in one transaction, so a process
 * killed in between loses nothing. A narrow table of its own rather than a flag on the event
 * (issue 11, thirteenth round): setting a flag wrote a whole new version of the wide event row,
 * its payload and every index entry with it, for every event.
 */
@Entity({ tableName: 'webhook_event_unqueued' })
export class WebhookEventUnqueued {
  /** Insertion order: the feeder gives the oldest their jobs first. */
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  seq!: string;

  /** The `webhook_event` row's id (no foreign key: a job for an event gone finds nothing to claim). */
  @Property({ type: 'uuid' })
  webhookEventId!: string;
}
