import { Arg, ID, Resolver, Root, Subscription } from 'type-graphql';
import { requireUser, type Context } from '../graphql/context.js';
import { PaymentType } from './payment.types.js';

interface SubscribeData<Args = Record<string, never>> {
  args: Args;
  context: Context;
}

@Resolver()
export class PaymentSubscriptionResolver {
  @Subscription(() => PaymentType, {
    description: 'One payment (payer or admin/service only): its current state first, then every change.',
    subscribe: ({ args, context }: SubscribeData<{ paymentId: string }>) =>
      context.services.feed.followPayment(requireUser(context), args.paymentId),
  })
  paymentStatusChanged(@Root() payment: PaymentType, @Arg('paymentId', () => ID) _paymentId: string): PaymentType {
    return payment;
  }

  @Subscription(() => PaymentType, {
    description: 'Every change to any payment you pay, from the moment you subscribe.',
    subscribe: ({ context }: SubscribeData) => context.services.feed.followMine(requireUser(context)),
  })
  myPaymentUpdates(@Root() payment: PaymentType): PaymentType {
    return payment;
  }

  @Subscription(() => PaymentType, {
    description: 'Admin/service: every change to any payment, from the moment you subscribe (the operator console).',
    subscribe: ({ context }: SubscribeData) => context.services.feed.followAll(requireUser(context)),
  })
  paymentUpdates(@Root() payment: PaymentType): PaymentType {
    return payment;
  }
}
