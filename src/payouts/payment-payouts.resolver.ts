import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { isStaff } from '../auth/auth.js';
import { requireUser, type Context } from '../graphql/context.js';
import { PaymentType } from '../payments/payment.types.js';
import { PayoutType, toPayoutType } from './payout.types.js';

/** `Payment.payouts`: declared here so the payment core does not import this feature. */
@Resolver(() => PaymentType)
export class PaymentPayoutsResolver {
  @FieldResolver(() => [PayoutType], {
    description: "Its payee's share sent by transfer (one at most): staff see it; a customer only when it is the payee.",
  })
  async payouts(@Root() payment: PaymentType, @Ctx() ctx: Context) {
    const user = requireUser(ctx);
    const payouts = await ctx.loaders.payoutsByPaymentId.load(payment.id);
    return payouts.filter((payout) => isStaff(user) || payout.payeeId === user.id).map(toPayoutType);
  }
}
