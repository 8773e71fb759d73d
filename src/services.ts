import type { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { CartBookingHandler } from './bookings/booking.handlers.js';
import { BookingFailureRefunds, refundServiceRefunder } from './bookings/booking.refunds.js';
import { BookingService } from './bookings/booking.service.js';
import { CartService } from './cart/cart.service.js';
import { CheckoutLifecycle } from './cart/checkout.lifecycle.js';
import { CheckoutService } from './cart/checkout.service.js';
import { ProductService } from './catalog/product.service.js';
import type { Config } from './config.js';
import type { GatewayRegistry } from './gateways/gateway.registry.js';
import type { PayoutGateway } from './gateways/payout-gateway.js';
import type { MessageBus } from './graphql/pubsub.js';
import { CaptureJournalHandler } from './ledger/ledger.handlers.js';
import { LedgerService } from './ledger/ledger.service.js';
import type { Logger } from './logger.js';
import { JobRunner } from './jobs/job-runner.js';
import { OutboxPaymentHandler } from './outbox/outbox.handlers.js';
import { OutboxService } from './outbox/outbox.service.js';
import { OperatorService } from './operator/operator.service.js';
import { PayeeAccountService } from './payees/payee-account.service.js';
import { registerPayeeWebhooks } from './payees/payee.webhooks.js';
import { PayoutPaymentHandler } from './payouts/payout.handlers.js';
import { PayoutReconciler } from './payouts/payout.reconciler.js';
import { PayoutReversals } from './payouts/payout.reversals.js';
import { PayoutService } from './payouts/payout.service.js';
import { PayoutQueries } from './payouts/payout.queries.js';
import { PayoutTransfers } from './payouts/payout.transfers.js';
import { registerPayoutWebhooks } from './payouts/payout.webhooks.js';
import { PaymentMethodService } from './payment-methods/payment-method.service.js';
import { PaymentCore } from './payments/payment.core.js';
import { PaymentPurpose } from './payments/payment.entity.js';
import { PaymentFeed } from './payments/payment.feed.js';
import { PaymentPublisher } from './payments/payment.publisher.js';
import { PaymentQueries } from './payments/payment.queries.js';
import { PaymentService } from './payments/payment.service.js';
import { PaymentSettlement } from './payments/payment.settlement.js';
import { Reconciler } from './reconciliation/reconciler.js';
import { RefundService } from './refunds/refund.service.js';
import { RefundSettlement } from './refunds/refund.settlement.js';
import { registerRefundWebhooks } from './refunds/refund.webhooks.js';
import { ChargeTransactionHandler } from './transactions/transaction.handlers.js';
import { TransactionQueries } from './transactions/transaction.queries.js';
import { ReportService } from './reports/report.service.js';
import { WalletTopUpHandler } from './wallet/wallet.handlers.js';
import { TOP_UP_RULES, WalletService } from './wallet/wallet.service.js';
import { registerPaymentWebhooks } from './webhooks/payment.webhooks.js';
import { WebhookDispatch } from './webhooks/webhook.dispatch.js';
import { WebhookFeeder } from './webhooks/webhook.feeder.js';
import { WebhookInbox } from './webhooks/webhook.inbox.js';
import { WEBHOOK_PROCESS_JOB, WebhookProcessor } from './webhooks/webhook.processor.js';

export interface Services {
  payments: PaymentService;
  paymentQueries: PaymentQueries;
  transactionQueries: TransactionQueries;
  /** The one way a payment changes; features subscribe to its events. */
  paymentCore: PaymentCore;
  settlement: PaymentSettlement;
  feed: PaymentFeed;
  webhookInbox: WebhookInbox;
  /** Adds the processing jobs of stored events, off the acknowledgement path (started with the workers). */
  webhookFeeder: WebhookFeeder;
  /** Stored events → their gateway's decoding → the handler of their kind. */
  webhookDispatch: WebhookDispatch;
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
  /** Background work (pg-boss): queues are declared by the services, workers started by the app. */
  jobs: JobRunner;
  reconciler: Reconciler;
  operator: OperatorService;
  /** Payees' Razorpay Route linked accounts. */
  payeeAccounts: PayeeAccountService;
  /** Payees' shares sent by Razorpay Route transfers: creation, holds, reads. */
  payouts: PayoutService;
  /** Reads of payouts: the `payouts` list, the operator's list and export. */
  payoutQueries: PayoutQueries;
  /** The transfer job and every path that applies news of a transfer. */
  payoutTransfers: PayoutTransfers;
  /** The reversal job (refunds after a transfer). */
  payoutReversals: PayoutReversals;
  /** Transfers left pending, stalled jobs, missed activations. */
  payoutReconciler: PayoutReconciler;
}

export interface ServiceDeps {
  orm: MikroORM;
  /** The configured gateways; a payment uses the one it records, a new payment the default. */
  gateways: GatewayRegistry;
  /** Linked accounts and transfers (Razorpay Route), apart from the payment gateways. */
  payoutGateway: PayoutGateway;
  bus: MessageBus;
  config: Config;
  logger: Logger;
}

/** Wires the services once per process; resolvers reach them through the context. */
export function createServices({ orm, gateways, payoutGateway, bus, config, logger }: ServiceDeps): Services {
  const jobs = new JobRunner({ databaseUrl: orm.config.get('clientUrl')!, leaseSeconds: config.jobs.leaseSeconds, listen: config.jobs.listen }, logger);
  const core = new PaymentCore(orm, new PaymentPublisher(bus, logger));
  const settlement = new PaymentSettlement(orm, core, logger);
  const webhookDispatch = new WebhookDispatch(gateways);
  const webhookProcessor = new WebhookProcessor(orm, webhookDispatch, logger, jobs, { maxAttempts: config.webhooks.maxAttempts, retryBaseMs: config.webhooks.retryBaseMs, concurrency: config.webhooks.concurrency, fetchBatch: config.webhooks.fetchBatch,
    // With WEBHOOK_PROCESSING_THREAD the queue is declared here (the feeder and replays enqueue its jobs) and run by the thread.
    processing: config.webhooks.processing && !config.webhooks.thread,
  });
  registerPaymentWebhooks(webhookDispatch, settlement);
  const webhookFeeder = new WebhookFeeder(orm, jobs, logger, { queue: WEBHOOK_PROCESS_JOB });
  const inboxPool = new pg.Pool({ connectionString: orm.config.get('clientUrl')!, max: config.webhooks.storePoolMax, application_name: 'payments-webhook-inbox' });
  // An idle connection the server dropped: the pool replaces it; without a listener it would end the process.
  inboxPool.on('error', (error) => logger.warn({ err: error }, 'webhook inbox: an idle database connection failed'));
  const payments = new PaymentService(orm, gateways, core, settlement, config, logger);
  payments.registerPurpose(PaymentPurpose.WALLET_TOPUP, TOP_UP_RULES);
  const ledger = new LedgerService();
  const wallets = new WalletService(orm, payments, core, ledger, config, logger);
  const outbox = new OutboxService(orm, config.outbox, logger, jobs);
  // Each feature's reaction to a payment's events, in the transaction of the change (in this order):
  // the payer's CHARGE transaction, the capture journal, messages to other services, a top-up's credit.
  core.subscribe(new ChargeTransactionHandler());
  core.subscribe(new CaptureJournalHandler(ledger));
  core.subscribe(new OutboxPaymentHandler(outbox));
  core.subscribe(new WalletTopUpHandler(wallets, outbox));
  // A capture with a payee owes it a transfer (a payout and its job); a refund takes the payee's part back.
  const payouts = new PayoutService(orm, payoutGateway, jobs, config.payouts, logger);
  core.subscribe(new PayoutPaymentHandler(payouts));
  const payoutTransfers = new PayoutTransfers(orm, core, payoutGateway, ledger, outbox, jobs, config.payouts, logger);
  const payoutReversals = new PayoutReversals(orm, core, payoutGateway, ledger, outbox, jobs, config.payouts, logger);
  registerPayoutWebhooks(webhookDispatch, payoutTransfers, payoutGateway);
  const refundSettlement = new RefundSettlement(orm, core, ledger, wallets, outbox, logger);
  registerRefundWebhooks(webhookDispatch, refundSettlement);
  const refunds = new RefundService(orm, gateways, core, refundSettlement, wallets, logger);
  const carts = new CartService(orm, config, logger);
  const bookings = new BookingService(orm, outbox, logger);
  const checkouts = new CheckoutLifecycle(config, logger);
  // A booking that fails after its capture is refunded in full through the refunds feature, by a job enqueued with the capture.
  const bookingRefunds = new BookingFailureRefunds(orm, refundServiceRefunder(refunds), logger, jobs);
  // A cart payment's capture books it (or records why not), its failure releases the cart, its full refund cancels the booking.
  core.subscribe(new CartBookingHandler(checkouts, bookings, bookingRefunds, logger));
  const payeeAccounts = new PayeeAccountService(orm, payoutGateway, logger);
  registerPayeeWebhooks(webhookDispatch, payeeAccounts);
  // An activation sends the payee's accrued payouts, in its own transaction.
  payeeAccounts.onActivated((em, payeeId) => payouts.onPayeeActivated(em, payeeId));
  const checkout = new CheckoutService(orm, payments, wallets, checkouts, carts, bookings, bookingRefunds, config, logger);
  return {
    payments,
    paymentCore: core,
    paymentQueries: new PaymentQueries(orm),
    transactionQueries: new TransactionQueries(orm),
    settlement,
    feed: new PaymentFeed(orm, bus),
    // Acknowledgements store through a pool of their own: processing (MikroORM's pool) never holds what they wait for.
    // The row alone, one statement; the feeder, woken here, adds its job.
    webhookInbox: new WebhookInbox(inboxPool, () => webhookFeeder.wake(), { concurrency: config.webhooks.storePoolMax }),
    webhookFeeder,
    webhookDispatch,
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
    jobs,
    reconciler: new Reconciler(orm, gateways, settlement, refunds, config.reconcile, logger),
    operator: new OperatorService(orm, webhookProcessor),
    payeeAccounts,
    payouts,
    payoutQueries: new PayoutQueries(orm),
    payoutTransfers,
    payoutReversals,
    payoutReconciler: new PayoutReconciler(orm, payoutGateway, payoutTransfers, jobs, { afterMs: config.reconcile.afterMs, batch: config.reconcile.batch }, logger),
  };
}
