import { toGatewayPayment } from '../gateways/razorpay/razorpay.mappers.js';
import type { RazorpayWebhookEnvelope } from '../gateways/razorpay/razorpay.wire.js';
import type { PaymentSettlement } from '../payments/payment.settlement.js';
import type { HandlerResult, WebhookProcessor } from './webhook.processor.js';

/** Payment events Razorpay sends; each carries a snapshot of the attempt at event time. */
export const PAYMENT_EVENT_TYPES = ['payment.authorized', 'payment.captured', 'payment.failed', 'order.paid'] as const;

/**
 * Routes payment webhooks into the same settlement verifyPayment uses, so whichever arrives
 * first does the work and the others find it done.
 */
export function registerPaymentWebhooks(processor: WebhookProcessor, settlement: PaymentSettlement): void {
  const handle = async (envelope: RazorpayWebhookEnvelope, source: string): Promise<HandlerResult> => {
    const wire = envelope.payload.payment?.entity;
    if (!wire) return { outcome: 'ignored', reason: `${envelope.event} carries no payment entity` };
    // Payment links and QR codes on the same account pay without an order: not ours.
    if (!wire.order_id) return { outcome: 'ignored', reason: `payment ${wire.id} has no order` };
    const outcome = await settlement.applyGatewayPayment(toGatewayPayment(wire), { source });
    if (outcome.kind === 'unknown_order') {
      return { outcome: 'ignored', reason: `no payment here for order ${outcome.orderId}` };
    }
    return { outcome: 'processed' };
  };
  for (const type of PAYMENT_EVENT_TYPES) processor.on(type, handle);
}
