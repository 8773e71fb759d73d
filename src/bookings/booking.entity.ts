import { randomBytes, randomUUID } from 'node:crypto';
import {
  BigIntType, Check, Collection, Entity, Enum, Index, ManyToOne, OneToMany, PrimaryKey, Property, Unique,
} from '@mikro-orm/postgresql';
import { Cart } from '../cart/cart.entity.js';
import { Product } from '../catalog/product.entity.js';
import { Payment } from '../payments/payment.entity.js';

export enum BookingStatus {
  CONFIRMED = 'CONFIRMED',
  /** Its payment was refunded in full. */
  CANCELLED = 'CANCELLED',
}

/**
 * What a captured cart payment bought: made in the capture's transaction, at most one per
 * payment (a unique index keeps it so whatever arrives twice), its items and amounts copied
 * from the checkout-time lines the payment paid for.
 */
@Entity({ tableName: 'booking' })
@Index({ name: 'booking_user_created_idx', properties: ['userId', 'createdAt', 'id'] })
@Index({ name: 'booking_cart_idx', properties: ['cart'] })
@Unique({ name: 'booking_payment_unique', properties: ['payment'] })
@Check({ name: 'booking_total_positive', expression: 'total_amount > 0' })
export class Booking {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  /** What people read out on the phone: `BK-` and 8 hex digits. */
  @Property({ type: 'string', length: 16, unique: 'booking_reference_unique' })
  reference: string = newBookingReference();

  @Property({ type: 'string', length: 64 })
  userId!: string;

  @Enum({ items: () => BookingStatus, type: 'string', length: 16 })
  status: BookingStatus = BookingStatus.CONFIRMED;

  @ManyToOne(() => Payment, { deleteRule: 'restrict' })
  payment!: Payment;

  @ManyToOne(() => Cart, { deleteRule: 'restrict' })
  cart!: Cart;

  @Property({ type: new BigIntType('number') })
  totalAmount!: number;

  @Property({ type: 'string', length: 3 })
  currency!: string;

  @OneToMany(() => BookingItem, (item) => item.booking, { orderBy: { position: 'asc' } })
  items = new Collection<BookingItem>(this);

  @Property({ type: 'datetime', columnType: 'timestamptz(3)' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz(3)', nullable: true })
  cancelledAt: Date | null = null;
}

/** One booked product, priced as it was at checkout. */
@Entity({ tableName: 'booking_item' })
@Unique({ name: 'booking_item_booking_position_unique', properties: ['booking', 'position'] })
@Check({ name: 'booking_item_amounts', expression: 'quantity >= 1 and quantity <= 99 and unit_price > 0 and line_total = quantity * unit_price' })
export class BookingItem {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Booking, { deleteRule: 'cascade' })
  booking!: Booking;

  /** Order of the lines in the cart at checkout. */
  @Property({ type: 'smallint' })
  position!: number;

  @ManyToOne(() => Product, { deleteRule: 'restrict' })
  product!: Product;

  @Property({ type: 'string', length: 120 })
  name!: string;

  @Property({ type: 'integer' })
  quantity!: number;

  @Property({ type: new BigIntType('number') })
  unitPrice!: number;

  @Property({ type: new BigIntType('number') })
  lineTotal!: number;
}

export function newBookingReference(): string {
  return `BK-${randomBytes(4).toString('hex').toUpperCase()}`;
}
