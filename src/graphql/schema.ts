import { buildSchema } from 'type-graphql';
import { OutboxResolver } from '../outbox/outbox.resolver.js';
import type { GraphQLSchema } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { BookingResolver } from '../bookings/booking.resolver.js';
import { CartResolver } from '../cart/cart.resolver.js';
import { ProductResolver } from '../catalog/product.resolver.js';
import { PaymentResolver } from '../payments/payment.resolver.js';
import { PaymentSubscriptionResolver } from '../payments/payment.subscriptions.js';
import { TransactionResolver } from '../transactions/transaction.resolver.js';
import { PaymentMethodResolver } from '../payment-methods/payment-method.resolver.js';
import { RefundResolver } from '../refunds/refund.resolver.js';
import { WalletResolver } from '../wallet/wallet.resolver.js';
import { ReportResolver } from '../reports/report.resolver.js';
import { PaymentTransactionsResolver } from '../transactions/payment-transactions.resolver.js';
import { PaymentRefundsResolver } from '../refunds/payment-refunds.resolver.js';
import { PaymentBookingResolver } from '../bookings/payment-booking.resolver.js';
import { OperatorResolver } from '../operator/operator.resolver.js';
import { PayeeAccountResolver } from '../payees/payee-account.resolver.js';
import { PayoutResolver } from '../payouts/payout.resolver.js';
import { PayoutReadResolver } from '../payouts/payout-read.resolver.js';
import { PaymentPayoutsResolver } from '../payouts/payment-payouts.resolver.js';
import type { Role } from '../auth/auth.js';
import { requireRole, type Context } from './context.js';
import { typeGraphqlPubSub, type MessageBus } from './pubsub.js';

export const RESOLVERS = [PaymentResolver, PaymentTransactionsResolver, PaymentRefundsResolver, PaymentBookingResolver, PaymentSubscriptionResolver, TransactionResolver, PaymentMethodResolver, WalletResolver, RefundResolver, ReportResolver,
  ProductResolver, CartResolver, BookingResolver, OutboxResolver, OperatorResolver, PayeeAccountResolver, PayoutResolver,
  PayoutReadResolver, PaymentPayoutsResolver] as const;

/** Builds the executable schema from the resolvers (schema.graphql is printed from this). */
export function buildAppSchema(bus: MessageBus): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: RESOLVERS,
    scalarsMap: [{ type: Date, scalar: DateTimeResolver }],
    pubSub: typeGraphqlPubSub(bus),
    // `@Authorized(roles)` runs as a middleware, before type-graphql validates the arguments:
    // a customer calling a staff-only operation learns FORBIDDEN, not the input rules.
    authChecker: ({ context }: { context: Context }, roles: string[]) => {
      requireRole(context, roles as Role[]);
      return true;
    },
    validate: {
      forbidUnknownValues: false,
      // Errors name the field and the rule; the rejected value is never echoed back. The target
      // (the input object) stays so the formatter can tell `filter` from `input`; it never leaves.
      validationError: { target: true, value: false },
    },
  });
}
