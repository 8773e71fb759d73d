/**
 * The webhook glue of payee accounts, and all of it: the gateway decodes `product.route.*`
 * into a neutral `payee_account` event (gateways/razorpay/razorpay.webhooks.ts, with the Route
 * mapper); the payee account service applies it.
 */
import type { HandlerResult, WebhookDispatch } from '../webhooks/webhook.dispatch.js';
import type { PayeeAccountService } from './payee-account.service.js';

export function registerPayeeWebhooks(dispatch: WebhookDispatch, accounts: PayeeAccountService): void {
  dispatch.on('payee_account', async (event, { source }): Promise<HandlerResult> => {
    // An unsigned event changes nothing by itself: the product's state is asked of the payout gateway instead.
    const outcome = event.trusted ? await accounts.applyProductEvent(event.product, source) : await accounts.confirmProductEvent(event.product, source);
    if (outcome.kind === 'unknown_product') return { outcome: 'ignored', reason: `${outcome.reason} (${event.product.productId})` };
    if (outcome.kind === 'unchanged' && outcome.reason) return { outcome: 'ignored', reason: outcome.reason };
    return { outcome: 'processed' };
  });
}
