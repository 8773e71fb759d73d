import { GatewayError, type Gateway, type GatewayPayment } from '../gateways/gateway.js';
import type { PaymentSettlement } from '../payments/payment.settlement.js';
import type { HandlerResult, WebhookDispatch } from './webhook.dispatch.js';

/**
 * Routes payment events, from any gateway, into the same settlement verifyPayment uses, so
 * whichever arrives first does the work and the others find it done. An untrusted event (its
 * body was not signed) changes nothing by itself: the attempt is read back from the gateway's
 * API and that answer is applied instead.
 */
export function registerPaymentWebhooks(dispatch: WebhookDispatch, settlement: PaymentSettlement): void {
  dispatch.on('payment', async (event, { gateway, source, processedWithChange }): Promise<HandlerResult> => {
    const snapshot = event.trusted ? event.payment : await confirmPayment(gateway, event.payment);
    if (!snapshot) {
      return { outcome: 'ignored', reason: `${gateway.name} does not confirm attempt ${event.payment.id} on order ${event.payment.orderId}` };
    }
    // The event's outcome commits with the settlement's change when it makes one (every outcome below but an unknown order is `processed`).
    const outcome = await settlement.applyGatewayPayment(snapshot, { source }, processedWithChange);
    if (outcome.kind === 'unknown_order') {
      return { outcome: 'ignored', reason: `no payment here for order ${outcome.orderId}` };
    }
    return { outcome: 'processed' };
  });
}

/**
 * The gateway's own account of the attempt an unverified event names: found among its order's
 * attempts (every gateway can list them), so a forged or stale claim is replaced by what the
 * gateway says now. Null when the gateway knows no such attempt on that order; a failure to ask
 * throws, and the event is retried.
 */
export async function confirmPayment(gateway: Gateway, claimed: GatewayPayment): Promise<GatewayPayment | null> {
  let attempts: GatewayPayment[];
  try {
    attempts = await gateway.listOrderPayments(claimed.orderId);
  } catch (error) {
    if (error instanceof GatewayError && error.kind === 'not_found') return null;
    throw error;
  }
  return attempts.find((attempt) => attempt.id === claimed.id && attempt.orderId === claimed.orderId) ?? null;
}
