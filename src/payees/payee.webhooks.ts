/**
 * The webhook glue of payee accounts, and all of it: `product.route.*` events decoded by the
 * Razorpay Route mapper, applied by the payee account service. When webhook dispatch moves
 * behind the gateway boundary, this file is the one to move.
 */
import { decodeRouteProductEvent } from '../gateways/razorpay/route/route.mappers.js';
import { ROUTE_PRODUCT_EVENT_TYPES } from '../gateways/razorpay/route/route.wire.js';
import type { RazorpayWebhookEnvelope } from '../gateways/razorpay/razorpay.wire.js';
import type { HandlerResult, WebhookProcessor } from '../webhooks/webhook.processor.js';
import type { PayeeAccountService } from './payee-account.service.js';

export function registerPayeeWebhooks(processor: WebhookProcessor, accounts: PayeeAccountService): void {
  const handle = async (envelope: RazorpayWebhookEnvelope, source: string): Promise<HandlerResult> => {
    const event = decodeRouteProductEvent(envelope);
    if ('unusable' in event) return { outcome: 'ignored', reason: event.unusable };
    const outcome = await accounts.applyProductEvent(event, source);
    if (outcome.kind === 'unknown_product') return { outcome: 'ignored', reason: `${outcome.reason} (${event.productId})` };
    if (outcome.kind === 'unchanged' && outcome.reason) return { outcome: 'ignored', reason: outcome.reason };
    return { outcome: 'processed' };
  };
  for (const type of ROUTE_PRODUCT_EVENT_TYPES) processor.on(type, handle);
}
