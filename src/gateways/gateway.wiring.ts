import type { Config } from '../config.js';
import type { Gateway } from './gateway.js';
import type { GatewayLocation } from './gateway.location.js';
import { GatewayRegistry } from './gateway.registry.js';
import type { PayoutGateway } from './payout-gateway.js';
import { PhonePeGateway } from './phonepe/phonepe.gateway.js';
import type { PhonePeLocation } from './phonepe/phonepe.location.js';
import { RazorpayGateway, type GatewayLogger } from './razorpay/razorpay.gateway.js';
import { RazorpayRouteGateway } from './razorpay/route/route.gateway.js';

/**
 * The configured gateways, for the service and the operator CLI alike: Razorpay (its API or the
 * sandbox, as `razorpay` locates it) and, where located, PhonePe; DEFAULT_GATEWAY is the
 * default when it is wired here (the CLI, which creates no orders, may run without PhonePe's
 * sandbox). A gateway passed in `override` (tests) replaces the configured one of the same name.
 */
export function createGatewayRegistry(
  config: Config,
  where: { razorpay: GatewayLocation; phonepe?: PhonePeLocation | null },
  logger: GatewayLogger,
  override?: Gateway,
): GatewayRegistry {
  const configured: Gateway[] = [
    new RazorpayGateway({
      keyId: config.razorpay.keyId,
      keySecret: config.razorpay.keySecret,
      webhookSecrets: config.razorpay.webhookSecrets,
      apiUrl: where.razorpay.apiUrl,
      name: where.razorpay.name,
      timeoutMs: config.razorpay.timeoutMs,
      logger,
    }),
  ];
  if (where.phonepe) {
    configured.push(new PhonePeGateway({
      clientId: config.phonepe.clientId,
      clientSecret: config.phonepe.clientSecret,
      clientVersion: config.phonepe.clientVersion,
      webhookUsername: config.phonepe.webhookUsername,
      webhookPassword: config.phonepe.webhookPassword,
      mode: config.phonepe.mode,
      ...(where.phonepe.apiUrl !== undefined && { apiUrl: where.phonepe.apiUrl }),
      redirectUrl: where.phonepe.redirectUrl,
      orderExpirySeconds: config.phonepe.orderExpirySeconds,
      timeoutMs: config.phonepe.timeoutMs,
      name: where.phonepe.name,
      logger,
    }));
  }
  const gateways = configured.map((gateway) => (override?.name === gateway.name ? override : gateway));
  const defaultName = gateways.some((gateway) => gateway.name === config.defaultGateway) ? config.defaultGateway : 'razorpay';
  return new GatewayRegistry(gateways, defaultName);
}

/** The payout gateway (Razorpay Route: linked accounts), at the same place as Razorpay's payment API. */
export function createPayoutGateway(config: Config, razorpay: GatewayLocation, logger: GatewayLogger): PayoutGateway {
  return new RazorpayRouteGateway({
    keyId: config.razorpay.keyId,
    keySecret: config.razorpay.keySecret,
    apiUrl: razorpay.apiUrl,
    name: razorpay.name,
    timeoutMs: config.razorpay.timeoutMs,
    logger,
  });
}
