import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { requireUser, type Context } from '../graphql/context.js';
import { CreateOrderInput, PaymentFilter, VerifyPaymentInput } from './payment.inputs.js';
import { CheckoutSession, PaymentConnection, PaymentType, toCheckoutSession, toPaymentType } from './payment.types.js';

@Resolver(() => PaymentType)
export class PaymentResolver {
  @Query(() => PaymentType, { nullable: true, description: 'One payment: your own, or any for admin/service.' })
  async payment(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return toPaymentType(await ctx.services.payments.getPayment(requireUser(ctx), id));
  }

  @Query(() => PaymentConnection, { description: 'Your payments, newest first (admin/service: everyone’s).' })
  payments(
    @Ctx() ctx: Context,
    @Arg('filter', () => PaymentFilter, { nullable: true }) filter?: PaymentFilter,
    @Arg('first', () => Int, { nullable: true, description: '1 to 100; default 20' }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    return ctx.services.paymentQueries.listPayments(requireUser(ctx), filter, first, after);
  }

  @Mutation(() => CheckoutSession, { description: "Creates a payment and its gateway order: open Razorpay Checkout, or send the browser to PhonePe's redirectUrl (see CheckoutSession.gateway)." })
  async createOrder(@Arg('input', () => CreateOrderInput) input: CreateOrderInput, @Ctx() ctx: Context) {
    const { payments } = ctx.services;
    return toCheckoutSession(await payments.createOrder(requireUser(ctx), payments.orderRequest(input)));
  }

  @Mutation(() => PaymentType, {
    description: "Asks the payment's gateway about it and applies the answer: call it when the customer is back from PhonePe's page (the return proves nothing). Works for any gateway.",
  })
  async confirmPayment(@Arg('paymentId', () => ID) paymentId: string, @Ctx() ctx: Context) {
    return toPaymentType(await ctx.services.payments.confirmPayment(requireUser(ctx), paymentId));
  }

  @Mutation(() => PaymentType, { description: 'Confirms what Checkout returned; the status comes from Razorpay, not the client.' })
  async verifyPayment(@Arg('input', () => VerifyPaymentInput) input: VerifyPaymentInput, @Ctx() ctx: Context) {
    return toPaymentType(await ctx.services.payments.verifyPayment(requireUser(ctx), input));
  }
}
