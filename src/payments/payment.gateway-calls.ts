import { badInput, gatewayError } from '../common/errors.js';
import { GatewayError, type GatewayName } from '../gateways/gateway.js';
import type { Logger } from '../logger.js';

/** How errors name each gateway to a client. */
const GATEWAY_LABELS: Record<GatewayName, string> = { razorpay: 'Razorpay', phonepe: 'PhonePe' };

/** Runs a gateway call, turning its failure into the domain error a client is shown (see {@link gatewayFailure}). */
export async function callGateway<T>(logger: Logger, call: () => Promise<T>, field: string, gateway: GatewayName): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw gatewayFailure(logger, error, field, gateway);
  }
}

/**
 * A gateway's refusal as a domain error, logged: a record the gateway does not have is a bad
 * `field`; anything else a GATEWAY_ERROR naming the gateway (retryable when it was unavailable).
 * Any other error is returned as it is.
 */
export function gatewayFailure(logger: Logger, error: unknown, field: string, gateway: GatewayName): Error {
  if (!(error instanceof GatewayError)) return error instanceof Error ? error : new Error(String(error));
  logger.warn({ gateway, kind: error.kind, httpStatus: error.httpStatus, gatewayCode: error.gatewayCode, msg: error.message }, 'gateway call failed');
  if (error.kind === 'not_found') return badInput(field, `the gateway has no such record: ${error.message}`);
  const label = GATEWAY_LABELS[gateway];
  return gatewayError(error.message.startsWith(label) ? error.message : `${label}: ${error.message}`, error.kind === 'unavailable');
}
