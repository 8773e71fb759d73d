import type { Gateway, GatewayLookup, GatewayName } from './gateway.js';

/** Every gateway name this service knows, configured or not. */
export const GATEWAY_NAMES: readonly GatewayName[] = ['razorpay', 'phonepe'];

export function isGatewayName(value: string): value is GatewayName {
  return (GATEWAY_NAMES as readonly string[]).includes(value);
}

/** Asked for a gateway that is unknown, or known but not configured in this process. */
export class UnknownGatewayError extends Error {
  override name = 'UnknownGatewayError';
}

/**
 * The gateways this process is wired to, by name. A payment records the gateway it went
 * through, and every later call about it (verification, refunds, reconciliation, webhooks)
 * goes to that gateway; a new payment goes to the default one.
 */
export class GatewayRegistry implements GatewayLookup {
  readonly #gateways = new Map<GatewayName, Gateway>();
  readonly #default: Gateway;

  constructor(gateways: readonly Gateway[], defaultName: GatewayName) {
    for (const gateway of gateways) {
      if (this.#gateways.has(gateway.name)) throw new Error(`gateway ${gateway.name} is registered twice`);
      this.#gateways.set(gateway.name, gateway);
    }
    const fallback = this.#gateways.get(defaultName);
    if (!fallback) throw new UnknownGatewayError(`the default gateway ${defaultName} is not among the configured ones (${this.names().join(', ') || 'none'})`);
    this.#default = fallback;
  }

  /** The gateway new payments go through. */
  get default(): Gateway {
    return this.#default;
  }

  /** The gateway called `name`; throws naming the configured ones when it is unknown or not configured. */
  get(name: string): Gateway {
    const gateway = this.find(name);
    if (gateway) return gateway;
    const configured = this.names().join(', ');
    if (isGatewayName(name)) throw new UnknownGatewayError(`gateway ${name} is not configured here (configured: ${configured})`);
    throw new UnknownGatewayError(`unknown gateway ${JSON.stringify(name.slice(0, 40))}: the gateways are ${GATEWAY_NAMES.join(', ')} (configured: ${configured})`);
  }

  /** The gateway called `name`, or undefined when it is unknown or not configured. */
  find(name: string): Gateway | undefined {
    return isGatewayName(name) ? this.#gateways.get(name) : undefined;
  }

  all(): Gateway[] {
    return [...this.#gateways.values()];
  }

  names(): GatewayName[] {
    return [...this.#gateways.keys()];
  }
}
