import { BigIntType, Entity, Enum, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/postgresql';
import { Payment } from './payment.entity.js';
import { currentRequestId } from '../observability/request-context.js';
import { PaymentStatus } from './payment.state.js';

export enum PaymentEventType {
  CREATED = 'CREATED',
  STATUS_CHANGED = 'STATUS_CHANGED',
  /** A move the state machine refused (late, duplicate or backwards); recorded, not applied. */
  TRANSITION_IGNORED = 'TRANSITION_IGNORED',
  /** Something an operator must look at: a second captured attempt, an amount mismatch. */
  ANOMALY = 'ANOMALY',
}

/** The audit trail: every change to a payment, and every change refused, with its source. */
@Entity({ tableName: 'payment_event' })
@Index({ name: 'payment_event_payment_idx', properties: ['payment', 'id'] })
export class PaymentEvent {
  @PrimaryKey({ type: new BigIntType('number'), autoincrement: true })
  id!: number;

  @ManyToOne(() => Payment, { deleteRule: 'cascade' })
  payment!: Payment;

  @Enum({ items: () => PaymentEventType, type: 'string', length: 32 })
  type!: PaymentEventType;

  @Enum({ items: () => PaymentStatus, type: 'string', length: 24, nullable: true })
  fromStatus: PaymentStatus | null = null;

  @Enum({ items: () => PaymentStatus, type: 'string', length: 24, nullable: true })
  toStatus: PaymentStatus | null = null;

  /** What caused it: `api:verifyPayment`, `webhook:<event id>`, `reconciliation`… */
  @Property({ type: 'string', length: 120 })
  source!: string;

  /** The user behind it, when a person or service asked for it. */
  @Property({ type: 'string', length: 64, nullable: true })
  actorId: string | null = null;

  @Property({ type: 'string', length: 100, nullable: true })
  gatewayPaymentId: string | null = null;

  /** The HTTP request (X-Request-Id) that caused it, to follow it through the logs. */
  @Property({ type: 'string', length: 100, nullable: true })
  requestId: string | null = currentRequestId();

  @Property({ type: 'json', nullable: true })
  detail: Record<string, unknown> | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz(3)' })
  createdAt: Date = new Date();
}
