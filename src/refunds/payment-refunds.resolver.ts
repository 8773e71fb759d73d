import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { Context } from '../graphql/context.js';
import { PaymentType } from '../payments/payment.types.js';
import { RefundType } from './refund.types.js';

/** `Payment.refunds`: declared here so the payment core does not import this feature. */
@Resolver(() => PaymentType)
export class PaymentRefundsResolver {
  @FieldResolver(() => [RefundType], { description: 'Its refunds, oldest first.' })
  refunds(@Root() payment: PaymentType, @Ctx() ctx: Context) {
    return ctx.loaders.refundsByPaymentId.load(payment.id);
  }
}
