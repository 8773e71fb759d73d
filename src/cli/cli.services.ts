import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../config.js';
import { locateGateway } from '../gateways/gateway.location.js';
import { locatePhonePe } from '../gateways/phonepe/phonepe.location.js';
import { createGatewayRegistry, createPayoutGateway } from '../gateways/gateway.wiring.js';
import { createInProcessBus, createRedisBus } from '../graphql/pubsub.js';
import { createLogger } from '../logger.js';
import { findRunningService, SERVICE_RECORD } from '../service-record.js';
import { createServices, type Services } from '../services.js';

/**
 * The service layer for an operator command, wired as the server wires it, so a command
 * changes money only through the same rules. The gateway is found by the service's own rule
 * (locateGateway): RAZORPAY_API_URL, Razorpay's API in live mode (no running service needed),
 * or in sandbox mode the sandbox inside the running service, found through the record it
 * writes (`.data/service.json`), never a guessed port. Subscribers hear of changes only
 * through a shared `REDIS_URL`.
 */
export async function cliServices(
  orm: MikroORM,
  config: Config,
  print: (line: string) => void,
  serviceRecord = SERVICE_RECORD,
): Promise<{ services: Services; close(): Promise<void> }> {
  const logger = createLogger(process.env.LOG_LEVEL ?? 'warn');
  const needsService = config.razorpay.mode === 'sandbox' && !config.razorpay.apiUrl;
  const serviceUrl = needsService ? await findRunningService(serviceRecord) : null;
  const location = locateGateway(config, serviceUrl);
  print(`gateway: ${location.description}`);
  const phonepe = locatePhonePe(config, serviceUrl);
  if (phonepe) print(`gateway: ${phonepe.description}`);
  const gateways = createGatewayRegistry(config, { razorpay: location, phonepe }, logger);
  const payoutGateway = createPayoutGateway(config, location, logger);
  const bus = config.redisUrl ? createRedisBus(config.redisUrl) : createInProcessBus();
  const services = createServices({ orm, gateways, payoutGateway, bus, config, logger });
  // The job runner opens only if a command enqueued (webhook replay); its pool must close for the CLI to exit.
  return { services, close: async () => { await services.jobs.stop(); await bus.close(); } };
}
