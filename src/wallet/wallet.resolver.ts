import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { requireRole, requireUser, type Context } from '../graphql/context.js';
import { CheckoutSession, PaymentType, toCheckoutSession, toPaymentType } from '../payments/payment.types.js';
import { TransactionConnection } from '../transactions/transaction.types.js';
import { AddWalletBalanceInput, FreezeWalletInput, PayWithWalletInput, toWalletType, WalletType } from './wallet.types.js';

@Resolver(() => WalletType)
export class WalletResolver {
  @Query(() => WalletType, { description: 'Your wallet (INR), created on first use.' })
  async wallet(@Ctx() ctx: Context) {
    return toWalletType(await ctx.services.wallets.getWallet(requireUser(ctx)));
  }

  @Mutation(() => CheckoutSession, { description: 'Opens a Razorpay order whose capture credits your wallet, once.' })
  async addWalletBalance(@Arg('input', () => AddWalletBalanceInput) input: AddWalletBalanceInput, @Ctx() ctx: Context) {
    return toCheckoutSession(await ctx.services.wallets.topUp(requireUser(ctx), input.amount, input.idempotencyKey ?? null, input.gateway ?? null));
  }

  @Mutation(() => PaymentType, { description: 'Pays one of your CREATED orders from your wallet; it is CAPTURED at once.' })
  async payWithWallet(@Arg('input', () => PayWithWalletInput) input: PayWithWalletInput, @Ctx() ctx: Context) {
    return toPaymentType(await ctx.services.wallets.payOrder(requireUser(ctx), input.paymentId, input.idempotencyKey ?? null));
  }

  @Authorized(['admin'])
  @Mutation(() => WalletType, { description: 'Admin: no top-ups, no spending until unfrozen.' })
  async freezeWallet(@Arg('input', () => FreezeWalletInput) input: FreezeWalletInput, @Ctx() ctx: Context) {
    requireRole(ctx, ['admin']);
    return toWalletType(await ctx.services.wallets.setFrozen(input.userId, true, input.reason));
  }

  @Authorized(['admin'])
  @Mutation(() => WalletType, { description: 'Admin.' })
  async unfreezeWallet(@Arg('userId', () => ID) userId: string, @Ctx() ctx: Context) {
    requireRole(ctx, ['admin']);
    return toWalletType(await ctx.services.wallets.setFrozen(userId, false, null));
  }

  @FieldResolver(() => TransactionConnection, { description: 'Credits and debits of this wallet, newest first.' })
  transactions(
    @Root() wallet: WalletType,
    @Ctx() ctx: Context,
    @Arg('first', () => Int, { nullable: true, description: '1 to 100; default 20' }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    return ctx.services.transactionQueries.listWalletTransactions(wallet.id, first, after);
  }
}
