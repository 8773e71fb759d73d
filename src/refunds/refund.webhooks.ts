import { toGatewayRefund } from '../gateways/razorpay/razorpay.mappers.js';
import type { RazorpayWebhookEnvelope } from '../gateways/razorpay/razorpay.wire.js';
import type { HandlerResult, WebhookProcessor } from '../webhooks/webhook.processor.js';
import type { RefundSettlement } from './refund.settlement.js';

/** Refund events Razorpay sends; each carries a snapshot of the refund at event time. */
export const REFUND_EVENT_TYPES = ['refund.created', 'refund.processed', 'refund.failed'] as const;

/**
 * Routes refund webhooks into the same settlement the refund mutation uses, under the payment's
 * row lock: whichever of the API answer and the webhook arrives first settles the refund, the
 * other finds it done. `refund.created` only records the gateway id of a refund we know (its
 * snapshot is applied like any other: a settled refund never changes). Refunds that are not
 * ours (made in the dashboard, say) are ignored.
 */
export function registerRefundWebhooks(processor: WebhookProcessor, refunds: RefundSettlement): void {
  const handle = async (envelope: RazorpayWebhookEnvelope, source: string): Promise<HandlerResult> => {
    const wire = envelope.payload.refund?.entity;
    if (!wire) return { outcome: 'ignored', reason: `${envelope.event} carries no refund entity` };
    const outcome = await refunds.applyGatewayRefund(toGatewayRefund(wire), { source });
    if (outcome.kind === 'unknown_refund') return { outcome: 'ignored', reason: outcome.reason };
    return { outcome: 'processed' };
  };
  for (const type of REFUND_EVENT_TYPES) processor.on(type, handle);
}
