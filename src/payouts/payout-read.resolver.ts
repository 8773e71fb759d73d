import { Arg, Ctx, Int, Query, Resolver } from 'type-graphql';
import { decodeCursor, pageSize, toPage } from '../graphql/connection.js';
import { requireUser, type Context } from '../graphql/context.js';
import { PayoutConnection, PayoutFilterInput } from './payout.inputs.js';
import { PayoutType, toPayoutType } from './payout.types.js';

/** Reads of payouts (the mutation `releasePayout` is in payout.resolver.ts). */
@Resolver(() => PayoutType)
export class PayoutReadResolver {
  @Query(() => PayoutConnection, {
    description: "Payouts, newest first: staff any; a customer only those whose payee it is (its user id is the payeeId), others' never (an empty page).",
  })
  async payouts(
    @Ctx() ctx: Context,
    @Arg('filter', () => PayoutFilterInput, { nullable: true }) filter?: PayoutFilterInput,
    @Arg('first', () => Int, { nullable: true, description: '1 to 100; default 20' }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    const user = requireUser(ctx);
    const limit = pageSize(first);
    const { rows, totalCount } = await ctx.services.payoutQueries.list(
      user,
      filter ? { statuses: filter.statuses, payeeId: filter.payeeId, paymentId: filter.paymentId, from: filter.createdFrom, to: filter.createdTo } : null,
      decodeCursor(after),
      limit + 1,
    );
    return toPage(rows, limit, totalCount, toPayoutType);
  }
}
