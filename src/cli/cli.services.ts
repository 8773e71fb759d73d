import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../config.js';
import { RazorpayGateway } from '../gateways/razorpay/razorpay.gateway.js';
import { createInProcessBus, createRedisBus } from '../graphql/pubsub.js';
import { createLogger } from '../logger.js';
import { createServices, type Services } from '../services.js';

/**
 * The service layer for an operator command, wired as the server wires it, so a command
 * changes money only through the same rules. In sandbox mode the gateway is the running
 * server's sandbox (`PORT`); subscribers hear of changes only through a shared `REDIS_URL`.
 */
export function cliServices(orm: MikroORM, config: Config): { services: Services; close(): Promise<void> } {
  const logger = createLogger(process.env.LOG_LEVEL ?? 'warn');
  const gateway = new RazorpayGateway({
    keyId: config.razorpay.keyId,
    keySecret: config.razorpay.keySecret,
    webhookSecrets: config.razorpay.webhookSecrets,
    apiUrl: config.razorpay.apiUrl ?? (config.razorpay.mode === 'sandbox' ? `http://127.0.0.1:${config.port}/sandbox/razorpay` : undefined),
    timeoutMs: config.razorpay.timeoutMs,
    logger,
  });
  const bus = config.redisUrl ? createRedisBus(config.redisUrl) : createInProcessBus();
  return { services: createServices({ orm, gateway, bus, config, logger }), close: () => bus.close() };
}
