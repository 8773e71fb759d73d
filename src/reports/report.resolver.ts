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
  @Field(() => GraphQLSafeInt, { description: 'Captured amount, gross of refunds.' })
  revenue!: number;

  @Field(() => GraphQLSafeInt, { description: "The platform's fees on captured payments." })
  fees!: number;

  @Field(() => GraphQLSafeInt, { description: "Payees' shares of captured payments." })
  payouts!: number;

  @Field(() => GraphQLSafeInt, { description: 'Refunded on those payments.' })
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
