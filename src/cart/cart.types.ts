import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { BookingType, toBookingType } from '../bookings/booking.types.js';
import { ProductType, toProductType } from '../catalog/product.types.js';
import { CheckoutSession, PaymentType, toCheckoutSession, toPaymentType } from '../payments/payment.types.js';
import { CartPaymentMethod, CartStatus } from './cart.entity.js';
import type { CartView } from './cart.view.js';
import type { ProcessedCart } from './checkout.result.js';

registerEnumType(CartStatus, { name: 'CartStatus' });
registerEnumType(CartPaymentMethod, { name: 'CartPaymentMethod' });

@ObjectType('CartLine', { description: 'One product in a cart. Amounts in the smallest unit (paise).' })
export class CartLineType {
  @Field(() => ProductType)
  product!: ProductType;

  @Field(() => Int, { description: '1 to 99.' })
  quantity!: number;

  @Field(() => Int, { description: "ACTIVE cart: the catalog's current price. Once checked out: the price fixed at checkout, the one charged." })
  unitPrice!: number;

  @Field(() => Int, { description: 'quantity × unitPrice' })
  lineTotal!: number;
}

@ObjectType('Cart', { description: 'Your cart: ACTIVE while you fill it, CHECKED_OUT while its payment is pending, then CONVERTED (booked) or BOOKING_FAILED (refunded).' })
export class CartType {
  @Field(() => ID)
  id!: string;

  @Field(() => CartStatus)
  status!: CartStatus;

  @Field(() => String, { nullable: true, description: 'The currency of its products; null while empty. One currency per cart.' })
  currency!: string | null;

  @Field(() => [CartLineType], { description: 'In the order they were added.' })
  lines!: CartLineType[];

  @Field(() => Int, { description: 'Sum of the quantities.' })
  itemCount!: number;

  @Field(() => Int, { description: 'Sum of the line totals: at current prices while ACTIVE; once checked out, the amount charged.' })
  total!: number;

  @Field(() => String, { nullable: true, description: 'Why its last checkout did not end in a booking: the payment failed or expired, or the booking could not be made (then the payment is refunded in full).' })
  failureReason!: string | null;

  @Field(() => Date, { nullable: true })
  checkedOutAt!: Date | null;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date)
  updatedAt!: Date;

  /** The checkout's payment; resolved through a loader (cart.resolver.ts). */
  paymentId!: string | null;
}

@ObjectType({ description: 'What processCart did: the payment; for GATEWAY the Checkout to open; for WALLET the booking (or, if it could not be made, the cart saying why).' })
export class ProcessCartResult {
  @Field(() => PaymentType)
  payment!: PaymentType;

  @Field(() => CheckoutSession, { nullable: true, description: 'GATEWAY: open Razorpay Checkout with it. Null for WALLET.' })
  checkout!: CheckoutSession | null;

  @Field(() => BookingType, { nullable: true, description: 'Set once the payment is captured: at once for WALLET.' })
  booking!: BookingType | null;

  @Field(() => CartType, { description: 'The cart after checkout, its lines at the prices charged.' })
  cart!: CartType;
}

/** The API shape of a cart and its lines (each with its product loaded). */
export function toCartType({ cart, lines }: CartView): CartType {
  const priced = lines.map((line) => {
    // An ACTIVE cart shows today's prices; after checkout, the fixed ones.
    const unitPrice = cart.status === CartStatus.ACTIVE || line.unitPrice === null ? line.product.price : line.unitPrice;
    return Object.assign(new CartLineType(), {
      product: toProductType(line.product),
      quantity: line.quantity,
      unitPrice,
      lineTotal: cart.status === CartStatus.ACTIVE || line.lineTotal === null ? unitPrice * line.quantity : line.lineTotal,
    });
  });
  return Object.assign(new CartType(), {
    id: cart.id,
    status: cart.status,
    currency: cart.currency,
    lines: priced,
    itemCount: priced.reduce((sum, line) => sum + line.quantity, 0),
    total: priced.reduce((sum, line) => sum + line.lineTotal, 0),
    failureReason: cart.failureReason,
    checkedOutAt: cart.checkedOutAt,
    createdAt: cart.createdAt,
    updatedAt: cart.updatedAt,
    paymentId: cart.payment?.id ?? null,
  });
}

/** The API shape of what processCart did. */
export function toProcessCartResult(result: ProcessedCart): ProcessCartResult {
  return Object.assign(new ProcessCartResult(), {
    payment: toPaymentType(result.payment),
    checkout: result.checkout ? toCheckoutSession(result.checkout) : null,
    booking: result.booking ? toBookingType(result.booking) : null,
    cart: toCartType(result.cart),
  });
}
