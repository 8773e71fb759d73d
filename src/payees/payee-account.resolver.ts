import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { decodeCursor, pageSize, toPage } from '../graphql/connection.js';
import { requireRole, requireUser, type Context } from '../graphql/context.js';
import { PayeeAccountFilterInput, RegisterPayeeAccountInput } from './payee-account.inputs.js';
import { PayeeAccountConnection, PayeeAccountType, toPayeeAccountType } from './payee-account.types.js';

@Resolver(() => PayeeAccountType)
export class PayeeAccountResolver {
  @Authorized(['admin', 'service'])
  @Mutation(() => PayeeAccountType, {
    description: 'Admin/service: registers a payee as a Razorpay Route linked account (idempotent per payee; again continues an unfinished registration).',
  })
  async registerPayeeAccount(@Arg('input', () => RegisterPayeeAccountInput) input: RegisterPayeeAccountInput, @Ctx() ctx: Context) {
    return toPayeeAccountType(await ctx.services.payeeAccounts.register(requireRole(ctx, ['admin', 'service']), input));
  }

  @Query(() => PayeeAccountType, { description: "A payee's linked account: staff any, a customer only its own (its user id is the payeeId)." })
  async payeeAccount(@Arg('payeeId', () => ID) payeeId: string, @Ctx() ctx: Context) {
    return toPayeeAccountType(await ctx.services.payeeAccounts.payeeAccount(requireUser(ctx), payeeId));
  }

  @Authorized(['admin', 'service'])
  @Query(() => PayeeAccountConnection, { description: 'Admin/service: payee accounts, newest first.' })
  async payeeAccounts(
    @Ctx() ctx: Context,
    @Arg('first', () => Int, { nullable: true, description: '1 to 100; default 20' }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
    @Arg('filter', () => PayeeAccountFilterInput, { nullable: true }) filter?: PayeeAccountFilterInput,
  ) {
    const limit = pageSize(first);
    const { rows, totalCount } = await ctx.services.payeeAccounts.listAccounts(requireRole(ctx, ['admin', 'service']), filter ?? null, decodeCursor(after), limit + 1);
    return toPage(rows, limit, totalCount, toPayeeAccountType);
  }
}
