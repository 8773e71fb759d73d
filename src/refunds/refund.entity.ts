import { randomUUID } from 'node:crypto';
import { BigIntType, Entity, Enum, Index, ManyToOne, PrimaryKey, Property, Unique } from '@mikro-orm/postgresql';
import { Payment } from '../payments/payment.entity.js';
import { Transaction } from '../transactions/transaction.entity.js';

export enum RefundStatus {
  /** Reserved: counts against what may still be refunded until it is PROCESSED or FAILED. */
  PENDING = 'PENDING',
  PROCESSED = 'PROCESSED',
  /** Released: its amount may be refunded again. */
  FAILED = 'FAILED',
}

export enum RefundDestination {
  /** Back the way the money came: the card, UPI, bank… through Razorpay (the wallet, for a payment made from it). */
  SOURCE = 'SOURCE',
  /** Into the payer's wallet, at once, without the gateway. */
  WALLET = 'WALLET',
}

export enum RefundSpeed {
  NORMAL = 'NORMAL',
  /** Razorpay's instant refund where the bank supports it, normal otherwise. */
  OPTIMUM = 'OPTIMUM',
}

/**
 * One refund of (part of) a payment. Written PENDING under the payment's row lock before the
 * gateway is called, so concurrent refunds see each other's reservations; settled once, under
 * the same lock, by whichever of the API call, a webhook or reconciliation learns the outcome.
 */
@Entity({ tableName: 'refund' })
@Index({ name: 'refund_payment_idx', properties: ['payment', 'createdAt'] })
@Index({ name: 'refund_status_created_idx', properties: ['status', 'createdAt'] })
@Unique({ name: 'refund_requested_by_idempotency_key_unique', properties: ['requestedBy', 'idempotencyKey'] })
export class Refund {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Payment, { deleteRule: 'restrict' })
  payment!: Payment;

  @Property({ type: new BigIntType('number') })
  amount!: number;

  @Property({ type: 'string', length: 3 })
  currency!: string;

  @Enum({ items: () => RefundStatus, type: 'string', length: 16 })
  status: RefundStatus = RefundStatus.PENDING;

  /** Where the money actually goes (a SOURCE refund of a payment made from the wallet is WALLET). */
  @Enum({ items: () => RefundDestination, type: 'string', length: 16 })
  destination!: RefundDestination;

  /** Only for refunds through the gateway. */
  @Enum({ items: () => RefundSpeed, type: 'string', length: 16, nullable: true })
  speed: RefundSpeed | null = null;

  @Property({ type: 'string', length: 255, nullable: true })
  reason: string | null = null;

  /** The gateway's `rfnd_…`, once it has answered (or a webhook told us first). */
  @Property({ type: 'string', length: 40, nullable: true, unique: 'refund_razorpay_refund_id_unique' })
  razorpayRefundId: string | null = null;

  /** The admin or service that asked for it. */
  @Property({ type: 'string', length: 64 })
  requestedBy!: string;

  /** The caller's key: the same key from the same caller returns this refund. */
  @Property({ type: 'string', length: 100, nullable: true })
  idempotencyKey: string | null = null;

  /** The payer's REFUND transaction, PENDING until this refund is settled. */
  @ManyToOne(() => Transaction, { deleteRule: 'restrict', unique: 'refund_transaction_unique' })
  transaction!: Transaction;

  /** Why a FAILED refund failed. */
  @Property({ type: 'text', nullable: true })
  failureReason: string | null = null;

  /** The last gateway error whose outcome was unknown (timeout, 5xx): the refund stays PENDING until settled. */
  @Property({ type: 'text', nullable: true })
  lastGatewayError: string | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz(3)' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz(3)' })
  updatedAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz(3)', nullable: true })
  processedAt: Date | null = null;
}

/** The key sent as `X-Refund-Idempotency` for this refund row: a retry can never refund twice. */
export function gatewayIdempotencyKey(refund: Pick<Refund, 'id'>): string {
  return `rfd_${refund.id}`;
}
