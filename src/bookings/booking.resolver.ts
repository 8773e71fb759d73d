import { Arg, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import { requireUser, type Context } from '../graphql/context.js';
import { PaymentType } from '../payments/payment.types.js';
import { BookingType, toBookingType } from './booking.types.js';

@Resolver(() => BookingType)
export class BookingResolver {
  @Query(() => BookingType, { nullable: true, description: 'One booking: your own, or any for admin/service.' })
  async booking(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return toBookingType(await ctx.services.bookings.getBooking(requireUser(ctx), id));
  }

  @FieldResolver(() => PaymentType, { description: 'The payment that paid for it.' })
  async payment(@Root() booking: BookingType, @Ctx() ctx: Context) {
    return ctx.loaders.paymentById.load(booking.paymentId);
  }
}
