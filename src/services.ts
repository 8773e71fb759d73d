import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from './config.js';
import type { Gateway } from './gateways/gateway.js';
import type { MessageBus } from './graphql/pubsub.js';
import { CaptureJournalHook } from './ledger/ledger.hooks.js';
import { LedgerService } from './ledger/ledger.service.js';
import type { Logger } from './logger.js';
import { PaymentMethodService } from './payment-methods/payment-method.service.js';
import { PaymentFeed } from './payments/payment.feed.js';
import { PaymentPublisher } from './payments/payment.publisher.js';
import { PaymentQueries } from './payments/payment.queries.js';
import { PaymentService } from './payments/payment.service.js';
import { PaymentSettlement } from './payments/payment.settlement.js';
import { registerPaymentWebhooks } from './payments/payment.webhooks.js';
import { TransactionQueries } from './transactions/transaction.queries.js';
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
  };
}
