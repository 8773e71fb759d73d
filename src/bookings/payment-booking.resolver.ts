import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { Context } from '../graphql/context.js';
import { PaymentPurpose } from '../payments/payment.entity.js';
import { PaymentType } from '../payments/payment.types.js';
import { BookingType } from './booking.types.js';

/** A cart payment's booking, on `Payment`: declared here so the payment core does not import this feature. */
@Resolver(() => PaymentType)
export class PaymentBookingResolver {
  @FieldResolver(() => BookingType, { nullable: true, description: 'Cart payments: the booking made when it was captured.' })
  booking(@Root() payment: PaymentType, @Ctx() ctx: Context) {
    return payment.purpose === PaymentPurpose.CART ? ctx.loaders.bookingByPaymentId.load(payment.id) : null;
  }

  @FieldResolver(() => String, { nullable: true, description: 'Cart payments: why no booking could be made although it was captured (it is then refunded in full).' })
  bookingFailureReason(@Root() payment: PaymentType, @Ctx() ctx: Context) {
    return payment.purpose === PaymentPurpose.CART ? ctx.loaders.bookingFailureByPaymentId.load(payment.id) : null;
  }
}
