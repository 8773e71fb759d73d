import { randomUUID } from 'node:crypto';
import {
  BigIntType, Check, Collection, Entity, Enum, Index, ManyToOne, OneToMany, PrimaryKey, Property, Unique,
} from '@mikro-orm/postgresql';
import { Product } from '../catalog/product.entity.js';
import { Payment } from '../payments/payment.entity.js';

export enum CartStatus {
  /** Being filled; the only status in which it can be edited. */
  ACTIVE = 'ACTIVE',
  /** A checkout is waiting for its payment; back to ACTIVE if the payment fails or expires. */
  CHECKED_OUT = 'CHECKED_OUT',
  /** Paid and booked. */
  CONVERTED = 'CONVERTED',
  /** Paid, but the booking could not be made: the payment is refunded in full (see failureReason). */
  BOOKING_FAILED = 'BOOKING_FAILED',
}

/** A user has at most one open cart: the one they fill, or the one being paid for. */
export const OPEN_CART_STATUSES: readonly CartStatus[] = [CartStatus.ACTIVE, CartStatus.CHECKED_OUT];

export enum CartPaymentMethod {
  /** Through Razorpay Checkout: processCart answers with a CheckoutSession. */
  GATEWAY = 'GATEWAY',
  /** From the caller's wallet, debited and booked at once. */
  WALLET = 'WALLET',
}

export enum CheckoutStatus {
  /** Waiting for the payment. */
  PENDING = 'PENDING',
  /** Paid and booked. */
  PAID = 'PAID',
  /** The payment failed or expired and the cart was released; money arriving later still books. */
  RELEASED = 'RELEASED',
  /** Paid, but not bookable: the payment is owed a full refund (refundState). */
  BOOKING_FAILED = 'BOOKING_FAILED',
}

export enum BookingRefundState {
  /** Owed; a booking.refund job asks for it once the capture commits, then retries with backoff (refundNextAttemptAt). */
  PENDING = 'PENDING',
  /** Being asked for by its job (if that process died, the job runner retries it after the lease). */
  IN_PROGRESS = 'IN_PROGRESS',
  /** The refund service accepted it: the payment moves to REFUNDED as it settles. */
  REQUESTED = 'REQUESTED',
  /** Definitely refused (refundError says why): asking again cannot help, an operator must act. */
  REFUSED = 'REFUSED',
}

/** A line as it was when the cart was checked out: what the payment pays for. */
export interface CheckoutLine {
  productId: string;
  name: string;
  quantity: number;
  unitPrice: number;
  lineTotal: number;
}

/**
 * A user's cart. Its status is ACTIVE exactly when no checkout is attached (a check constraint
 * keeps it so); `checkout` and `payment` are the checkout under way or the one that ended it.
 */
@Entity({ tableName: 'cart' })
@Index({ name: 'cart_user_created_idx', properties: ['userId', 'createdAt', 'id'] })
@Index({
  name: 'cart_one_open_per_user',
  expression: `create unique index "cart_one_open_per_user" on "cart" ("user_id") where "status" in ('ACTIVE', 'CHECKED_OUT')`,
})
@Check({ name: 'cart_checkout_iff_not_active', expression: `("status" = 'ACTIVE') = ("checkout_id" is null)` })
export class Cart {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'string', length: 64 })
  userId!: string;

  @Enum({ items: () => CartStatus, type: 'string', length: 16 })
  status: CartStatus = CartStatus.ACTIVE;

  /** The currency of its products; null while it is empty. */
  @Property({ type: 'string', length: 3, nullable: true })
  currency: string | null = null;

  @OneToMany(() => CartLine, (line) => line.cart, { orderBy: { createdAt: 'asc', id: 'asc' } })
  lines = new Collection<CartLine>(this);

  @ManyToOne(() => CartCheckout, { nullable: true, deleteRule: 'set null' })
  checkout: CartCheckout | null = null;

  @ManyToOne(() => Payment, { nullable: true, deleteRule: 'set null' })
  payment: Payment | null = null;

  /** Why its last checkout did not end in a booking (payment failed, expired, booking failed). */
  @Property({ type: 'text', nullable: true })
  failureReason: string | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz(3)', nullable: true })
  checkedOutAt: Date | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz(3)' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz(3)' })
  updatedAt: Date = new Date();
}

/** One product in a cart. `unitPrice`/`lineTotal` are fixed at checkout and null while ACTIVE. */
@Entity({ tableName: 'cart_line' })
@Unique({ name: 'cart_line_cart_product_unique', properties: ['cart', 'product'] })
@Check({ name: 'cart_line_quantity_range', expression: 'quantity >= 1 and quantity <= 99' })
export class CartLine {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Cart, { deleteRule: 'cascade' })
  cart!: Cart;

  @ManyToOne(() => Product, { deleteRule: 'restrict' })
  product!: Product;

  @Property({ type: 'integer' })
  quantity!: number;

  @Property({ type: new BigIntType('number'), nullable: true })
  unitPrice: number | null = null;

  @Property({ type: new BigIntType('number'), nullable: true })
  lineTotal: number | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz(3)' })
  createdAt: Date = new Date();
}

/**
 * One processCart: the total and lines as priced at that moment (never changed afterwards),
 * its payment, and how it ended. The booking is made from these lines, whatever happened to
 * the cart since. A checkout whose booking failed owes its payment a full refund.
 */
@Entity({ tableName: 'cart_checkout' })
@Index({ name: 'cart_checkout_cart_idx', properties: ['cart'] })
@Index({ name: 'cart_checkout_status_created_idx', properties: ['status', 'createdAt'] })
@Index({ name: 'cart_checkout_refund_due_idx', properties: ['refundState', 'refundNextAttemptAt'] })
@Unique({ name: 'cart_checkout_payment_unique', properties: ['payment'] })
@Unique({ name: 'cart_checkout_user_idempotency_key_unique', properties: ['userId', 'idempotencyKey'] })
@Check({ name: 'cart_checkout_total_positive', expression: 'total > 0' })
export class CartCheckout {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Cart, { deleteRule: 'restrict' })
  cart!: Cart;

  @Property({ type: 'string', length: 64 })
  userId!: string;

  @Enum({ items: () => CartPaymentMethod, type: 'string', length: 16 })
  method!: CartPaymentMethod;

  @Enum({ items: () => CheckoutStatus, type: 'string', length: 16 })
  status: CheckoutStatus = CheckoutStatus.PENDING;

  @Property({ type: 'string', length: 100, nullable: true })
  idempotencyKey: string | null = null;

  @Property({ type: new BigIntType('number') })
  total!: number;

  @Property({ type: 'string', length: 3 })
  currency!: string;

  /** Immutable snapshot; amounts are safe integers in the smallest unit (checked when written). */
  @Property({ type: 'json' })
  lines!: CheckoutLine[];

  /** Null only while its gateway order is being created. */
  @ManyToOne(() => Payment, { nullable: true, deleteRule: 'set null' })
  payment: Payment | null = null;

  @Property({ type: 'text', nullable: true })
  failureReason: string | null = null;

  @Enum({ items: () => BookingRefundState, type: 'string', length: 16, nullable: true })
  refundState: BookingRefundState | null = null;

  @Property({ type: 'integer', default: 0 })
  refundAttempts: number = 0;

  @Property({ type: 'datetime', columnType: 'timestamptz(3)', nullable: true })
  refundNextAttemptAt: Date | null = null;

  @Property({ type: 'text', nullable: true })
  refundError: string | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz(3)' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz(3)', nullable: true })
  closedAt: Date | null = null;
}

/** The key of the payment a checkout creates: one payment per checkout, found again by it. */
export function checkoutPaymentKey(checkoutId: string): string {
  return `cart-checkout:${checkoutId}`;
}

/** The checkout id in a payment's key, if the payment was made by a checkout. */
export function checkoutIdFromPaymentKey(idempotencyKey: string | null): string | null {
  const match = /^cart-checkout:([0-9a-f-]{36})$/.exec(idempotencyKey ?? '');
  return match ? match[1]! : null;
}
