import { GatewayError, type Gateway, type GatewayRefund } from '../gateways/gateway.js';
import type { HandlerResult, WebhookDispatch } from '../webhooks/webhook.dispatch.js';
import type { RefundSettlement } from './refund.settlement.js';

/**
 * Routes refund events, from any gateway, into the same settlement the refund mutation uses,
 * under the payment's row lock: whichever of the API answer and the webhook arrives first
 * settles the refund, the other finds it done. A snapshot that only reports the refund was
 * created records its gateway id (a settled refund never changes). Refunds that are not ours
 * (made in the dashboard, say) are ignored. An untrusted event is confirmed first: the refund is
 * fetched from the gateway and that answer applied instead.
 */
export function registerRefundWebhooks(dispatch: WebhookDispatch, refunds: RefundSettlement): void {
  dispatch.on('refund', async (event, { gateway, source }): Promise<HandlerResult> => {
    const snapshot = event.trusted ? event.refund : await confirmRefund(gateway, event.refund);
    if (!snapshot) return { outcome: 'ignored', reason: `${gateway.name} does not confirm refund ${event.refund.id} of payment ${event.refund.paymentId}` };
    const outcome = await refunds.applyGatewayRefund(snapshot, { source });
    if (outcome.kind === 'unknown_refund') return { outcome: 'ignored', reason: outcome.reason };
    return { outcome: 'processed' };
  });
}

/** The gateway's own account of the refund an unverified event names; null when it has none. */
export async function confirmRefund(gateway: Gateway, claimed: GatewayRefund): Promise<GatewayRefund | null> {
  try {
    const refund = await gateway.fetchRefund(claimed.paymentId, claimed.id);
    // The adapter found it through claimed.paymentId (a refund of another payment is not found);
    // its answer may name the payment more exactly (PhonePe's callbacks name only the order), and
    // the settlement checks that payment and the amount against our own refund row.
    return refund.id === claimed.id ? refund : null;
  } catch (error) {
    if (error instanceof GatewayError && error.kind === 'not_found') return null;
    throw error;
  }
}
