import { Arg, Authorized, Ctx, Field, Int, ObjectType, Query, Resolver } from 'type-graphql';
import { GraphQLSafeInt } from 'graphql-scalars';
import { requireRole, type Context } from '../graphql/context.js';

@ObjectType({ description: 'One currency over a period; amounts in the smallest unit.' })
export class CurrencyStatsType {
  @Field(() => String)
  currency!: string;

  @Field(() => Int, { description: 'Payments created in the period.' })
  count!: number;

  @Field(() => Int)
  succeeded!: number;

  @Field(() => Int)
  failed!: number;

  // Period totals can exceed a 32-bit Int: SafeInt is an integer up to 2^53 − 1, never a float.
  // collected + walletSpends = topUps + revenue + payouts: each captured payment counted once.
  @Field(() => GraphQLSafeInt, { description: 'Captured through the gateway: new money in (orders, carts and wallet top-ups).' })
  collected!: number;

  @Field(() => GraphQLSafeInt, { description: 'Captured wallet top-ups: owed to the wallet holders, neither revenue nor payouts.' })
  topUps!: number;

  @Field(() => GraphQLSafeInt, { description: 'Orders and carts paid from a wallet: money collected earlier as top-ups, not new money.' })
  walletSpends!: number;

  @Field(() => GraphQLSafeInt, { description: "The platform's fees on captured orders and carts." })
  fees!: number;

  @Field(() => GraphQLSafeInt, { description: "The platform's own sales: captured orders and carts with no payee, net of the fee." })
  sales!: number;

  @Field(() => GraphQLSafeInt, { description: 'What the platform earned: fees + sales, gross of refunds.' })
  revenue!: number;

  @Field(() => GraphQLSafeInt, { description: "Payees' shares of captured orders and carts (owed or paid), gross of refunds." })
  payouts!: number;

  @Field(() => GraphQLSafeInt, {
    description: "What reached payees for the period's payments: their processed Route transfers less reversals (not part of the identity: payouts are owed whether or not transferred yet).",
  })
  payoutsTransferred!: number;

  @Field(() => GraphQLSafeInt, { description: "Refunded so far on the period's payments." })
  refunds!: number;
}

@Resolver()
export class ReportResolver {
  @Authorized(['admin', 'service'])
  @Query(() => [CurrencyStatsType], { description: 'Admin/service: figures per currency for payments created in [from, to).' })
  paymentStats(@Arg('from', () => Date) from: Date, @Arg('to', () => Date) to: Date, @Ctx() ctx: Context) {
    requireRole(ctx, ['admin', 'service']);
    return ctx.services.reports.paymentStats(from, to);
  }
}
