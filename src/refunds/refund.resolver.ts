import { Arg, Authorized, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { requireRole, type Context } from '../graphql/context.js';
import { PaymentType } from '../payments/payment.types.js';
import { RefundInput } from './refund.inputs.js';
import { RefundType, toRefundType } from './refund.types.js';

@Resolver(() => RefundType)
export class RefundResolver {
  @Authorized(['admin', 'service'])
  @Mutation(() => RefundType, {
    description: 'Admin and service: refunds (part of) a captured payment, never more than remains; the same idempotencyKey returns the same refund.',
  })
  async refund(@Arg('input', () => RefundInput) input: RefundInput, @Ctx() ctx: Context) {
    const user = requireRole(ctx, ['admin', 'service']);
    const { refunds } = ctx.services;
    return toRefundType(await refunds.refund(user, refunds.refundRequest(input)));
  }

  @FieldResolver(() => PaymentType)
  async payment(@Root() refund: RefundType, @Ctx() ctx: Context) {
    const payment = await ctx.loaders.paymentById.load(refund.paymentId);
    if (!payment) throw new Error(`refund ${refund.id} has no payment ${refund.paymentId}`);
    return payment;
  }
}
