/**
 * Refunds with `reverse_all` (`POST /v1/payments/:pay/refund {amount, reverse_all: true}`): the
 * refund, plus reversals Razorpay makes internally from the payment's transfers, in the
 * refund's transaction (all or nothing). The service never sends it (docs/payouts.md); the
 * sandbox answers it as Razorpay documents it for clients that do:
 *
 * - a **full** refund (one that leaves nothing of the payment unrefunded) reverses what is left
 *   of every transfer of the payment;
 * - a **partial** refund is allowed only when the payment's transfers went to one linked
 *   account (the API page; the guide never mentions it): it reverses the refund's amount from
 *   them, oldest first, at most what is left of them. Transferred to several accounts, it is
 *   refused with a 400 on `reverse_all` ("cannot determine which transfer to reverse");
 * - each reversal is a `reversal` entity with `customer_refund_id` = the refund, listed by
 *   `GET /v1/transfers/:id/reversals`, no webhook (none is documented);
 * - failed transfers are skipped; a transfer still `pending` (not reversible yet) refuses the
 *   refund with a 400, as does the `refuseReversals` knob (the linked account lacks the balance):
 *   nothing is refunded or reversed then (Razorpay recovers the amount "before processing the
 *   refund"). A refund the `refundOutcome` knob fails at once reverses nothing.
 *
 * Unverified (docs/payouts.md): how Razorpay splits a partial refund over several transfers to
 * one account, and what it answers when a transfer is pending or a reversal is refused.
 */
import type { WirePayment, WireRefund } from '../../gateways/razorpay/razorpay.wire.js';
import type { WireTransfer } from '../../gateways/razorpay/route/route.wire.js';
import { SCHEMA, type Statement, type Tx } from './sandbox.db.js';
import { SandboxApiError } from './sandbox.errors.js';
import { newReversal } from './sandbox.transfers.model.js';

/** What may still be taken back from a transfer. */
const left = (transfer: WireTransfer): number => transfer.amount - (transfer.amount_reversed ?? 0);

/** How much to take from each transfer for `refund` (pure: the rules above). */
export function planReverseAll(payment: Pick<WirePayment, 'amount' | 'amount_refunded'>, refundAmount: number, transfers: WireTransfer[]): { transfer: WireTransfer; amount: number }[] {
  const live = transfers.filter((t) => t.status !== 'failed');
  const pending = live.find((t) => t.status !== 'processed' && t.status !== 'partially_reversed' && t.status !== 'reversed');
  if (pending) throw new SandboxApiError(400, `Reversal is not allowed for a transfer in ${pending.status} state`, 'reverse_all');
  const full = payment.amount_refunded + refundAmount === payment.amount;
  if (full) return live.filter((t) => left(t) > 0).map((transfer) => ({ transfer, amount: left(transfer) }));
  if (new Set(live.map((t) => t.recipient)).size > 1) {
    throw new SandboxApiError(400, 'reverse_all cannot be applied to a partial refund of a payment transferred to more than one linked account: reverse its transfers instead', 'reverse_all');
  }
  const plan: { transfer: WireTransfer; amount: number }[] = [];
  let wanted = refundAmount;
  for (const transfer of live) {
    const amount = Math.min(wanted, left(transfer));
    if (amount <= 0) continue;
    plan.push({ transfer, amount });
    wanted -= amount;
  }
  return plan;
}

/**
 * In the refund's transaction (the payment row locked): locks the payment's transfers, reverses
 * them per `planReverseAll` and answers the writes (transfers updated, reversals inserted) to
 * commit with the refund. `refused()` consumes one `refuseReversals` refusal when any is set.
 */
export async function reverseAllForRefund(tx: Tx, payment: WirePayment, refund: WireRefund, refused: () => boolean): Promise<Statement[]> {
  const { rows } = await tx.query<{ body: WireTransfer }>(
    `select body from ${SCHEMA}.route_transfers where payment_id = $1 order by seq for update`, [payment.id]);
  const plan = planReverseAll(payment, refund.amount, rows.map((row) => row.body));
  if (plan.length === 0) return [];
  if (refused()) throw new SandboxApiError(400, 'The linked account does not have sufficient balance to process reversal.', 'reverse_all');
  const writes: Statement[] = [];
  for (const { transfer, amount } of plan) {
    const reversal = { ...newReversal(transfer, amount, undefined), customer_refund_id: refund.id };
    transfer.amount_reversed = (transfer.amount_reversed ?? 0) + amount;
    transfer.status = transfer.amount_reversed === transfer.amount ? 'reversed' : 'partially_reversed';
    writes.push(
      { text: `update ${SCHEMA}.route_transfers set body = $2 where id = $1`, values: [transfer.id, JSON.stringify(transfer)] },
      { text: `insert into ${SCHEMA}.route_reversals (id, transfer_id, body) values ($1, $2, $3)`, values: [reversal.id, transfer.id, JSON.stringify(reversal)] },
    );
  }
  return writes;
}
