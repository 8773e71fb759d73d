import { randomUUID } from 'node:crypto';
import { BigIntType, Entity, Enum, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/postgresql';
import { Payment } from '../payments/payment.entity.js';

/**
 * Where a payout (a payee's share of one payment, sent by a Razorpay Route transfer) stands.
 *
 * ACCRUED: owed, waiting for the payee's linked account to be ACTIVATED. PENDING: the transfer
 * is being made or Razorpay is processing it. ON_HOLD: processed but held at Razorpay
 * (`PAYOUT_HOLD=released`) until an operator releases it. PROCESSED: the payee has the money.
 * FAILED: Razorpay refused the transfer, or failed it PAYOUT_MAX_ATTEMPTS times; the share is owed
 * again (payable) and an operator must look. A transfer that fails before that is made again.
 * PARTIALLY_REVERSED / REVERSED: refunds took part or all of it back.
 */
export enum PayoutStatus {
  ACCRUED = 'ACCRUED',
  PENDING = 'PENDING',
  ON_HOLD = 'ON_HOLD',
  PROCESSED = 'PROCESSED',
  FAILED = 'FAILED',
  PARTIALLY_REVERSED = 'PARTIALLY_REVERSED',
  REVERSED = 'REVERSED',
}

/**
 * How a payout's share reaches the payee. PAYMENT: a transfer from its captured Razorpay payment
 * (`POST /v1/payments/:id/transfers`). DIRECT: a direct transfer from the platform's balance
 * (`POST /v1/transfers`), for a share with no Razorpay payment to transfer from (paid from the
 * wallet or through PhonePe) or whose payment was refunded before its transfer was asked for.
 */
export enum PayoutMethod {
  PAYMENT = 'PAYMENT',
  DIRECT = 'DIRECT',
}

/** How a new payout's transfer is held at Razorpay (`PAYOUT_HOLD`). */
export enum PayoutHold {
  NONE = 'NONE',
  /** `on_hold_until` = creation + PAYOUT_HOLD_DELAY_SECONDS. */
  DELAY = 'DELAY',
  /** `on_hold: true` until `releasePayout`. */
  RELEASED = 'RELEASED',
}

/**
 * A payee's share of one captured payment, and its transfer to the payee's linked account.
 * One per payment (unique). `amount` is the payee's share: the payment's payee share less the
 * payee's part of refunds processed before the transfer was asked for; the transfer sends
 * `amount − amountNetted` (the rest settled the payee's debt).
 */
@Entity({ tableName: 'payout' })
@Index({ name: 'payout_created_idx', properties: ['createdAt', 'id'] })
@Index({ name: 'payout_payee_created_idx', properties: ['payeeId', 'createdAt', 'id'] })
@Index({ name: 'payout_status_updated_idx', properties: ['status', 'updatedAt'] })
export class Payout {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Payment, { deleteRule: 'restrict', unique: 'payout_payment_unique' })
  payment!: Payment;

  @Property({ type: 'string', length: 64 })
  payeeId!: string;

  @Enum({ items: () => PayoutStatus, type: 'string', length: 24 })
  status: PayoutStatus = PayoutStatus.ACCRUED;

  @Property({ type: new BigIntType('number') })
  amount!: number;

  /** Taken back from the payee by processed transfer reversals. */
  @Property({ type: new BigIntType('number'), default: 0 })
  amountReversed: number = 0;

  /** Reversals Razorpay refused for the linked account's balance: what the payee owes (payee_receivable). */
  @Property({ type: new BigIntType('number'), default: 0 })
  amountReceivable: number = 0;

  /**
   * The payee's debt (receivables of its earlier payouts) kept back from this payout's share when
   * its transfer was first asked for: the transfer sends `amount − amountNetted`. Fixed once.
   */
  @Property({ type: new BigIntType('number'), default: 0 })
  amountNetted: number = 0;

  @Enum({ items: () => PayoutMethod, type: 'string', length: 16, default: PayoutMethod.PAYMENT })
  method: PayoutMethod = PayoutMethod.PAYMENT;

  @Property({ type: 'string', length: 3 })
  currency!: string;

  /** `trf_…`, recorded as soon as Razorpay's answer (or a listing after a lost answer) names it. */
  @Property({ type: 'string', length: 40, nullable: true, unique: 'payout_razorpay_transfer_unique' })
  razorpayTransferId: string | null = null;

  /** The linked account the transfer went to (`acc_…`). */
  @Property({ type: 'string', length: 40, nullable: true })
  razorpayAccountId: string | null = null;

  @Enum({ items: () => PayoutHold, type: 'string', length: 16 })
  hold: PayoutHold = PayoutHold.NONE;

  /** Held at Razorpay now (`on_hold`). */
  @Property({ type: 'boolean', default: false })
  onHold: boolean = false;

  @Property({ type: 'timestamptz', nullable: true })
  onHoldUntil: Date | null = null;

  /** When an operator released the hold (`releasePayout`). */
  @Property({ type: 'timestamptz', nullable: true })
  releasedAt: Date | null = null;

  @Property({ type: 'string', length: 64, nullable: true })
  releasedBy: string | null = null;

  /** Transfer calls asked (each after an intent was committed). */
  @Property({ type: 'integer', default: 0 })
  attempts: number = 0;

  /** Transfers Razorpay made and then failed (`transfer.failed`): each is retried with a new transfer until PAYOUT_MAX_ATTEMPTS. */
  @Property({ type: 'integer', default: 0 })
  failedTransfers: number = 0;

  /** Set when the first transfer call is about to be made: from then on a retry lists the payment's transfers first. */
  @Property({ type: 'timestamptz', nullable: true })
  transferRequestedAt: Date | null = null;

  @Property({ type: 'text', nullable: true })
  lastError: string | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  processedAt: Date | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  failedAt: Date | null = null;

  /** Razorpay's settlement of the payee's balance to its bank (`recipient_settlement_id`). */
  @Property({ type: 'string', length: 40, nullable: true })
  recipientSettlementId: string | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  settledAt: Date | null = null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}

export enum PayoutReversalStatus {
  /** To be asked of Razorpay (a job). */
  PENDING = 'PENDING',
  PROCESSED = 'PROCESSED',
  /** Razorpay refused it for the linked account's balance: the payee's debt (payee_receivable). */
  REFUSED = 'REFUSED',
  /** Nothing to take back: the transfer failed or was never made. */
  CANCELLED = 'CANCELLED',
}

/** Taking a refund's payee part back from a payout already transferred. One per refund. */
@Entity({ tableName: 'payout_reversal' })
@Index({ name: 'payout_reversal_payout_idx', properties: ['payout'] })
@Index({ name: 'payout_reversal_status_idx', properties: ['status', 'updatedAt'] })
export class PayoutReversal {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Payout, { deleteRule: 'restrict' })
  payout!: Payout;

  /** The refund whose payee part this takes back. */
  @Property({ type: 'uuid', unique: 'payout_reversal_refund_unique' })
  refundId!: string;

  @Property({ type: new BigIntType('number') })
  amount!: number;

  @Enum({ items: () => PayoutReversalStatus, type: 'string', length: 16 })
  status: PayoutReversalStatus = PayoutReversalStatus.PENDING;

  /** `rvrsl_…` */
  @Property({ type: 'string', length: 40, nullable: true, unique: 'payout_reversal_razorpay_unique' })
  razorpayReversalId: string | null = null;

  @Property({ type: 'integer', default: 0 })
  attempts: number = 0;

  @Property({ type: 'text', nullable: true })
  lastError: string | null = null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
