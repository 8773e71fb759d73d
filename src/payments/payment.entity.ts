import { randomUUID } from 'node:crypto';
import { BigIntType, Entity, Enum, Index, PrimaryKey, Property, Unique } from '@mikro-orm/postgresql';
import type { GatewayName } from '../gateways/gateway.js';
import { PaymentStatus } from './payment.state.js';

export enum PaymentPurpose {
  ORDER = 'ORDER',
  CART = 'CART',
  WALLET_TOPUP = 'WALLET_TOPUP',
}

/** Where a captured payment's money came from; null until the money arrives. */
export enum PaymentFunding {
  GATEWAY = 'GATEWAY',
  WALLET = 'WALLET',
}

/** How the customer paid, as the gateway reported it. */
export interface PaymentMethodSnapshot {
  method: string;
  cardNetwork: string | null;
  cardLast4: string | null;
  vpa: string | null;
  bank: string | null;
  wallet: string | null;
}

/**
 * One payment: our record of a gateway order and whichever of its attempts settled it.
 * Money columns are bigint minor units mapped to safe-integer numbers.
 */
@Entity({ tableName: 'payment' })
@Index({ name: 'payment_payer_created_idx', properties: ['payerId', 'createdAt', 'id'] })
@Index({ name: 'payment_payee_created_idx', properties: ['payeeId', 'createdAt', 'id'] })
@Index({ name: 'payment_created_idx', properties: ['createdAt', 'id'] })
@Index({ name: 'payment_status_updated_idx', properties: ['status', 'updatedAt'] })
@Index({ name: 'payment_reconcile_due_idx', properties: ['status', 'nextReconcileAt'] })
@Unique({ name: 'payment_payer_idempotency_key_unique', properties: ['payerId', 'idempotencyKey'] })
export class Payment {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Enum({ items: () => PaymentStatus, type: 'string', length: 24 })
  status: PaymentStatus = PaymentStatus.CREATED;

  @Enum({ items: () => PaymentPurpose, type: 'string', length: 24 })
  purpose!: PaymentPurpose;

  @Property({ type: new BigIntType('number') })
  amount!: number;

  @Property({ type: 'string', length: 3 })
  currency!: string;

  /** Fee rate fixed when the order was created, so later config changes do not alter it. */
  @Property({ type: 'integer' })
  feeBps!: number;

  @Property({ type: new BigIntType('number') })
  platformFee!: number;

  @Property({ type: new BigIntType('number') })
  payeeAmount!: number;

  @Property({ type: new BigIntType('number'), default: 0 })
  amountRefunded: number = 0;

  @Property({ type: 'string', length: 64 })
  payerId!: string;

  @Property({ type: 'string', length: 64, nullable: true })
  payeeId: string | null = null;

  @Property({ type: 'string', length: 100, nullable: true })
  reference: string | null = null;

  @Property({ type: 'string', length: 255, nullable: true })
  description: string | null = null;

  @Property({ type: 'json', nullable: true })
  notes: Record<string, string> | null = null;

  /** The gateway the payment goes through, chosen when it is created; every later call about it goes there. */
  @Property({ type: 'text', default: 'razorpay' })
  gateway: GatewayName = 'razorpay';

  /** Null only between recording the intent and the gateway answering (see createOrder). */
  @Property({ type: 'string', length: 40, nullable: true, unique: 'payment_razorpay_order_id_unique' })
  razorpayOrderId: string | null = null;

  /**
   * A redirecting gateway's page for this order (PhonePe's pay answer), kept so a replay with the
   * same idempotency key answers the same session. Null for Razorpay (Checkout opens in the page).
   */
  @Property({ type: 'text', nullable: true })
  redirectUrl: string | null = null;

  /** The attempt that decided the current status. */
  // 100: PhonePe's payment ids are `<merchantOrderId>:<transactionId>` (src/gateways/phonepe/phonepe.ids.ts).
  @Property({ type: 'string', length: 100, nullable: true, unique: 'payment_razorpay_payment_id_unique' })
  razorpayPaymentId: string | null = null;

  @Property({ type: 'json', nullable: true })
  method: PaymentMethodSnapshot | null = null;

  /** Set by the capture, never changed after: refunds and the wallet read it instead of guessing. */
  @Enum({ items: () => PaymentFunding, type: 'string', length: 16, nullable: true })
  funding: PaymentFunding | null = null;

  @Property({ type: 'text', nullable: true })
  failureReason: string | null = null;

  @Property({ type: 'string', length: 100, nullable: true })
  idempotencyKey: string | null = null;

  /** Bumped on every applied change; subscribers use it to drop stale or repeated messages. */
  @Property({ type: 'integer', default: 1 })
  version: number = 1;

  @Property({ type: 'datetime', columnType: 'timestamptz(3)' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz(3)', onUpdate: () => new Date() })
  updatedAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz(3)', nullable: true })
  paidAt: Date | null = null;

  /** How often reconciliation asked the gateway about this payment (its backoff grows with it). */
  @Property({ type: 'integer', default: 0 })
  reconcileAttempts: number = 0;

  /** Reconciliation leaves the payment alone until then (null: never asked yet). */
  @Property({ type: 'datetime', columnType: 'timestamptz(3)', nullable: true })
  nextReconcileAt: Date | null = null;
}
