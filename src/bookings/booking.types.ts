import { Field, ID, Int, ObjectType } from 'type-graphql';
import type { Booking } from './booking.entity.js';

@ObjectType('BookingItem', { description: 'One booked product, priced as it was at checkout (paise).' })
export class BookingItemType {
  @Field(() => ID)
  productId!: string;

  @Field(() => String, { description: 'The product name at checkout.' })
  name!: string;

  @Field(() => Int)
  quantity!: number;

  @Field(() => Int)
  unitPrice!: number;

  @Field(() => Int)
  lineTotal!: number;
}

@ObjectType('Booking', { description: 'What a captured cart payment bought.' })
export class BookingType {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: 'Readable and unique, like BK-7F3A9C21.' })
  reference!: string;

  @Field(() => String, { description: 'CONFIRMED, or CANCELLED once its payment is refunded in full.' })
  status!: string;

  @Field(() => Int, { description: 'What was paid, in the smallest unit: the sum of the items.' })
  totalAmount!: number;

  @Field(() => String)
  currency!: string;

  @Field(() => [BookingItemType])
  items!: BookingItemType[];

  @Field(() => ID)
  cartId!: string;

  @Field(() => ID)
  userId!: string;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  cancelledAt!: Date | null;

  /** Resolved through a loader (booking.resolver.ts). */
  paymentId!: string;
}

/** The API shape of a booking whose items are loaded. */
export function toBookingType(booking: Booking): BookingType {
  return Object.assign(new BookingType(), {
    id: booking.id,
    reference: booking.reference,
    status: booking.status,
    totalAmount: booking.totalAmount,
    currency: booking.currency,
    items: booking.items.getItems().map((item) => Object.assign(new BookingItemType(), {
      productId: item.product.id,
      name: item.name,
      quantity: item.quantity,
      unitPrice: item.unitPrice,
      lineTotal: item.lineTotal,
    })),
    cartId: booking.cart.id,
    userId: booking.userId,
    createdAt: booking.createdAt,
    cancelledAt: booking.cancelledAt,
    paymentId: booking.payment.id,
  });
}
