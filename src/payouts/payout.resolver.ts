import { Arg, Authorized, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import { requireRole, type Context } from '../graphql/context.js';
import { PayoutType, toPayoutType } from './payout.types.js';

@Resolver(() => PayoutType)
export class PayoutResolver {
  @Authorized(['admin'])
  @Mutation(() => PayoutType, {
    description: 'Admin: releases a payout held until released (PAYOUT_HOLD=released): its transfer is un-held at Razorpay, or goes out unheld if not made yet. Idempotent.',
  })
  async releasePayout(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return toPayoutType(await ctx.services.payouts.release(requireRole(ctx, ['admin']), id));
  }
}
