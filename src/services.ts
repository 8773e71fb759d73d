import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from './config.js';
import type { Gateway } from './gateways/gateway.js';
import type { MessageBus } from './graphql/pubsub.js';
import type { Logger } from './logger.js';
import { PaymentMethodService } from './payment-methods/payment-method.service.js';
import { PaymentFeed } from './payments/payment.feed.js';
import { PaymentPublisher } from './payments/payment.publisher.js';
import { PaymentQueries } from './payments/payment.queries.js';
import { PaymentService } from './payments/payment.service.js';
import { PaymentSettlement } from './payments/payment.settlement.js';
import { registerPaymentWebhooks } from './payments/payment.webhooks.js';
import { TransactionQueries } from './transactions/transaction.queries.js';
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
  return {
    payments: new PaymentService(orm, gateway, settlement, config, logger),
    paymentQueries: new PaymentQueries(orm),
    transactionQueries: new TransactionQueries(orm),
    settlement,
    feed: new PaymentFeed(orm, bus),
    webhookInbox: new WebhookInbox(orm),
    webhookProcessor,
    paymentMethods: new PaymentMethodService(orm, logger),
  };
}
