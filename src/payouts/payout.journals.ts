import type { EntityManager } from '@mikro-orm/postgresql';
import type { JournalKind } from '../ledger/ledger.entities.js';
import { payoutLines, type PayoutMove } from '../ledger/ledger.lines.js';
import type { LedgerService } from '../ledger/ledger.service.js';
import type { Payout, PayoutReversal } from './payout.entity.js';

/** The payout as other services hear of it (outbox `payout.*`). */
export function payoutPayload(payout: Payout): Record<string, unknown> {
  return {
    payoutId: payout.id,
    paymentId: payout.payment.id,
    payeeId: payout.payeeId,
    status: payout.status,
    method: payout.method,
    amount: payout.amount,
    amountNetted: payout.amountNetted,
    amountReversed: payout.amountReversed,
    amountReceivable: payout.amountReceivable,
    currency: payout.currency,
    razorpayTransferId: payout.razorpayTransferId,
    lastError: payout.lastError,
  };
}

/**
 * Posts one payout journal in `em`'s transaction: one per payout, kind and reference (the
 * transfer's `trf_…`, or `netted`), or one per reversal (unique indexes).
 */
export function postPayoutJournal(
  ledger: LedgerService, em: EntityManager, payout: Payout, move: PayoutMove, kind: JournalKind, amount: number,
  on: { reference: string } | { reversal: PayoutReversal },
) {
  return ledger.post(em, {
    kind,
    payout,
    payoutReversal: 'reversal' in on ? on.reversal : null,
    reference: 'reference' in on ? on.reference : null,
    payment: payout.payment,
    currency: payout.currency,
    description: `payout ${payout.id} of payee ${payout.payeeId}: ${move} ${amount}`,
    lines: payoutLines(payout.payeeId, payout.currency, amount, move),
  });
}
