import type { MikroORM } from '@mikro-orm/postgresql';
import { CartBookingHook } from './bookings/booking.hooks.js';
import { BookingFailureRefunds, refundServiceRefunder } from './bookings/booking.refunds.js';
import { BookingService } from './bookings/booking.service.js';
import { CartService } from './cart/cart.service.js';
import { CheckoutLifecycle } from './cart/checkout.lifecycle.js';
import { CheckoutService } from './cart/checkout.service.js';
import { ProductService } from './catalog/product.service.js';
import type { Config } from './config.js';
import { AfterCommit } from './db/after-commit.js';
import type { Gateway } from './gateways/gateway.js';
import type { MessageBus } from './graphql/pubsub.js';
import { CaptureJournalHook } from './ledger/ledger.hooks.js';
import { LedgerService } from './ledger/ledger.service.js';
import type { Logger } from './logger.js';
import { OutboxPaymentHook } from './outbox/outbox.hooks.js';
import { OutboxService } from './outbox/outbox.service.js';
import { OperatorService } from './operator/operator.service.js';
import { PaymentMethodService } from './payment-methods/payment-method.service.js';
import { PaymentFeed } from './payments/payment.feed.js';
import { PaymentPublisher } from './payments/payment.publisher.js';
import { PaymentQueries } from './payments/payment.queries.js';
import { PaymentService } from './payments/payment.service.js';
import { PaymentSettlement } from './payments/payment.settlement.js';
import { registerPaymentWebhooks } from './payments/payment.webhooks.js';
import { Reconciler } from './reconciliation/reconciler.js';
import { RefundService } from './refunds/refund.service.js';
import { RefundSettlement } from './refunds/refund.settlement.js';
import { registerRefundWebhooks } from './refunds/refund.webhooks.js';
import { TransactionQueries } from './transactions/transaction.queries.js';
import { ReportService } from './reports/report.service.js';
import { WalletTopUpHook } from './wallet/wallet.hooks.js';
import { WalletService } from './wallet/wallet.service.js';
import { WebhookInbox } from './webhooks/webhook.inbox.js';
import { WebhookProcessor } from './webhooks/webhook.processor.js';

export interface Services {
  payments: PaymentService;
  paymentQueries: PaymentQueries;
  transactionQueries: TransactionQueries;
  settlement: PaymentSettlement;
  feed: PaymentFeed;
  webhookInbox: WebhookInbox;
  webhookProcessor: WebhookProcessor;
  paymentMethods: PaymentMethodService;
  ledger: LedgerService;
  wallets: WalletService;
  refunds: RefundService;
  reports: ReportService;
  products: ProductService;
  carts: CartService;
  checkout: CheckoutService;
  bookings: BookingService;
  bookingRefunds: BookingFailureRefunds;
  outbox: OutboxService;
  reconciler: Reconciler;
  operator: OperatorService;
}

export interface ServiceDeps {
  orm: MikroORM;
  gateway: Gateway;
  bus: MessageBus;
  config: Config;
  logger: Logger;
}

/** Wires the services once per process; resolvers reach them through the context. */
export function createServices({ orm, gateway, bus, config, logger }: ServiceDeps): Services {
  const publisher = new PaymentPublisher(bus, logger);
  const settlement = new PaymentSettlement(orm, publisher, logger);
  const webhookProcessor = new WebhookProcessor(orm, logger, config.webhooks.maxAttempts);
  registerPaymentWebhooks(webhookProcessor, settlement);
  const payments = new PaymentService(orm, gateway, settlement, config, logger);
  const ledger = new LedgerService();
  const wallets = new WalletService(orm, payments, settlement, ledger, config, logger);
  // Work done in the same transaction as every capture: its journal, and a top-up's credit.
  settlement.addHook(new CaptureJournalHook(ledger));
  settlement.addHook(new WalletTopUpHook(wallets));
  // Other services hear of captures, failures and credits from messages written in the same transaction.
  const outbox = new OutboxService(orm, config.outbox, logger);
  settlement.addHook(new OutboxPaymentHook(outbox));
  const refundSettlement = new RefundSettlement(orm, settlement, ledger, wallets, outbox, logger);
  registerRefundWebhooks(webhookProcessor, refundSettlement);
  const refunds = new RefundService(orm, gateway, settlement, refundSettlement, wallets, logger);
  const carts = new CartService(orm, config, logger);
  const bookings = new BookingService(orm, outbox, logger);
  const checkouts = new CheckoutLifecycle(config, logger);
  // A booking that fails after its capture is refunded in full through the refunds feature, after the capture commits.
  const bookingRefunds = new BookingFailureRefunds(orm, new AfterCommit(orm), refundServiceRefunder(refunds), logger);
  // A cart payment's capture books it (or records why not), its failure releases the cart, its full refund cancels the booking.
  settlement.addHook(new CartBookingHook(checkouts, bookings, bookingRefunds, logger));
  const checkout = new CheckoutService(orm, payments, wallets, settlement, checkouts, carts, bookings, bookingRefunds, config, gateway.keyId, logger);
  return {
    payments,
    paymentQueries: new PaymentQueries(orm),
    transactionQueries: new TransactionQueries(orm),
    settlement,
    feed: new PaymentFeed(orm, bus),
    webhookInbox: new WebhookInbox(orm),
    webhookProcessor,
    paymentMethods: new PaymentMethodService(orm, logger),
    ledger,
    wallets,
    refunds,
    reports: new ReportService(orm),
    products: new ProductService(orm, config, logger),
    carts,
    checkout,
    bookings,
    bookingRefunds,
    outbox,
    reconciler: new Reconciler(orm, gateway, settlement, refunds, config.reconcile, logger),
    operator: new OperatorService(orm, webhookProcessor),
  };
}
