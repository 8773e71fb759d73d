import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { Context } from '../graphql/context.js';
import { PaymentType } from '../payments/payment.types.js';
import { TransactionNode } from './transaction.types.js';

/** `Payment.transactions`: declared here so the payment core does not import this feature. */
@Resolver(() => PaymentType)
export class PaymentTransactionsResolver {
  @FieldResolver(() => [TransactionNode])
  transactions(@Root() payment: PaymentType, @Ctx() ctx: Context) {
    return ctx.loaders.transactionsByPaymentId.load(payment.id);
  }
}
