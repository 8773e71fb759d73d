import { randomUUID } from 'node:crypto';
import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property, Unique } from '@mikro-orm/postgresql';

/**
 * A message for other services, written in the same transaction as the money event it
 * announces (transactional outbox): it exists if and only if the event committed. Its id is
 * the stable event id receivers deduplicate on.
 */
@Entity({ tableName: 'outbox_message' })
@Index({ name: 'outbox_message_created_idx', properties: ['createdAt'] })
export class OutboxMessage {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  /** `payment.captured`, `payment.failed`, `refund.processed`, `booking.created`, `wallet.credited`… */
  @Property({ type: 'string', length: 64 })
  type!: string;

  /** What it is about (a payment, refund, booking or wallet id). */
  @Property({ type: 'string', length: 64 })
  subjectId!: string;

  @Property({ type: 'json' })
  payload!: Record<string, unknown>;

  @Property({ type: 'datetime', columnType: 'timestamptz(3)' })
  createdAt: Date = new Date();
}

export enum DeliveryStatus {
  PENDING = 'PENDING',
  DELIVERED = 'DELIVERED',
  /** Gave up after the maximum attempts; an admin redelivers it. */
  DEAD = 'DEAD',
}

/** One message to one subscriber URL, retried until delivered. */
@Entity({ tableName: 'outbox_delivery' })
@Unique({ name: 'outbox_delivery_message_subscriber_unique', properties: ['message', 'subscriberUrl'] })
@Index({ name: 'outbox_delivery_due_idx', properties: ['status', 'nextAttemptAt'] })
export class OutboxDelivery {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => OutboxMessage, { deleteRule: 'cascade' })
  message!: OutboxMessage;

  @Property({ type: 'string', length: 500 })
  subscriberUrl!: string;

  @Enum({ items: () => DeliveryStatus, type: 'string', length: 16 })
  status: DeliveryStatus = DeliveryStatus.PENDING;

  @Property({ type: 'integer', default: 0 })
  attempts: number = 0;

  /** When it is tried next (pending), as the job runner scheduled it, jitter aside. */
  @Property({ type: 'datetime', columnType: 'timestamptz(3)' })
  nextAttemptAt: Date = new Date();

  @Property({ type: 'integer', nullable: true })
  lastStatusCode: number | null = null;

  @Property({ type: 'text', nullable: true })
  lastError: string | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz(3)', nullable: true })
  deliveredAt: Date | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz(3)' })
  createdAt: Date = new Date();
}

/** The delivery log: every attempt, with what the subscriber answered. */
@Entity({ tableName: 'outbox_attempt' })
@Index({ name: 'outbox_attempt_delivery_idx', properties: ['delivery', 'attemptedAt'] })
export class OutboxAttempt {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => OutboxDelivery, { deleteRule: 'cascade' })
  delivery!: OutboxDelivery;

  @Property({ type: 'datetime', columnType: 'timestamptz(3)' })
  attemptedAt: Date = new Date();

  @Property({ type: 'integer', nullable: true })
  statusCode: number | null = null;

  @Property({ type: 'text', nullable: true })
  error: string | null = null;

  @Property({ type: 'integer' })
  durationMs!: number;
}
