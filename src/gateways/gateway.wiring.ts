import type { Config } from '../config.js';
import type { Gateway } from './gateway.js';
import type { GatewayLocation } from './gateway.location.js';
import { GatewayRegistry } from './gateway.registry.js';
import { RazorpayGateway, type GatewayLogger } from './razorpay/razorpay.gateway.js';

/**
 * The configured gateways, for the service and the operator CLI alike: Razorpay (its API or the
 * sandbox, as `razorpay` locates it) is the default. A gateway passed in `override` (tests)
 * replaces the configured one of the same name.
 */
export function createGatewayRegistry(
  config: Config,
  where: { razorpay: GatewayLocation },
  logger: GatewayLogger,
  override?: Gateway,
): GatewayRegistry {
  const razorpay = new RazorpayGateway({
    keyId: config.razorpay.keyId,
    keySecret: config.razorpay.keySecret,
    webhookSecrets: config.razorpay.webhookSecrets,
    apiUrl: where.razorpay.apiUrl,
    name: where.razorpay.name,
    timeoutMs: config.razorpay.timeoutMs,
    logger,
  });
  const gateways: Gateway[] = [razorpay].map((gateway) => (override?.name === gateway.name ? override : gateway));
  return new GatewayRegistry(gateways, 'razorpay');
}
