import { Arg, Ctx, FieldResolver, Int, Query, Resolver, Root } from 'type-graphql';
import { requireUser, type Context } from '../graphql/context.js';
import { PaymentType } from '../payments/payment.types.js';
import { TransactionConnection, TransactionFilter, TransactionNode } from './transaction.types.js';

@Resolver(() => TransactionNode)
export class TransactionResolver {
  @Query(() => TransactionConnection, { description: 'Your money movements, newest first (admin/service: everyone’s).' })
  transactions(
    @Ctx() ctx: Context,
    @Arg('filter', () => TransactionFilter, { nullable: true }) filter?: TransactionFilter,
    @Arg('first', () => Int, { nullable: true, description: '1 to 100; default 20' }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    return ctx.services.transactionQueries.listTransactions(requireUser(ctx), filter, first, after);
  }

  @FieldResolver(() => PaymentType, { nullable: true })
  payment(@Root() transaction: TransactionNode, @Ctx() ctx: Context) {
    return transaction.paymentId ? ctx.loaders.paymentById.load(transaction.paymentId) : null;
  }
}
