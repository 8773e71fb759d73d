/**
 * The webhook glue of payouts, and all of it: the gateway decodes `transfer.processed`,
 * `transfer.failed` and `settlement.processed` into a neutral `transfer` event; the transfers
 * engine applies it under the payout's row lock, as it applies the job's answer and the
 * reconciler's fetch (whichever comes first books the step, the others find it done).
 */
import type { TransferGateway } from '../gateways/payout-gateway.js';
import type { HandlerResult, WebhookDispatch } from '../webhooks/webhook.dispatch.js';
import type { PayoutTransfers } from './payout.transfers.js';

export function registerPayoutWebhooks(dispatch: WebhookDispatch, transfers: PayoutTransfers, gateway: TransferGateway): void {
  dispatch.on('transfer', async (event, { source }): Promise<HandlerResult> => {
    const news = event.event;
    if (news.type === 'settlement.processed') {
      // The event names only the settlement: its transfers are asked of the gateway (matched by recipient_settlement_id).
      const settledTransfers = await gateway.listSettlementTransfers(news.settlementId);
      const settled = await transfers.applySettlement(news.settlementId, settledTransfers.map((t) => t.id), news.occurredAt);
      return settled > 0 ? { outcome: 'processed' } : { outcome: 'ignored', reason: `no payout is known to be in settlement ${news.settlementId}` };
    }
    // An unsigned event changes nothing by itself: the transfer is asked of the gateway instead.
    const transfer = event.trusted ? news.transfer : await gateway.fetchTransfer(news.transfer.id);
    const outcome = await transfers.applyTransfer(transfer, source);
    if (outcome.kind === 'unknown') return { outcome: 'ignored', reason: outcome.reason };
    if (!outcome.changed && outcome.reason) return { outcome: 'ignored', reason: outcome.reason };
    return { outcome: 'processed' };
  });
}
