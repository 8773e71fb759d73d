/**
 * The transfer job's intent, committed before any call to Razorpay: which payout goes, by which
 * method (a transfer from its payment, or a direct transfer), how much (its share less the
 * payee's debt, netted once here), or why nothing goes now (done, accrued, held by the service).
 */
import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import type { DirectTransferRequest, TransferRequest } from '../gateways/payout-gateway.js';
import type { JobRunner } from '../jobs/job-runner.js';
import type { LedgerService } from '../ledger/ledger.service.js';
import type { OutboxService } from '../outbox/outbox.service.js';
import { PayeeAccount, PayeeAccountStatus } from '../payees/payee-account.entity.js';
import type { PaymentCore } from '../payments/payment.core.js';
import { Payout, PayoutMethod, PayoutStatus } from './payout.entity.js';
import { PAYOUT_TRANSFER_JOB } from './payout.jobs.js';
import { payoutPayload } from './payout.journals.js';
import { netPayeeDebt } from './payout.netting.js';
import { directHoldUntil, directTransferKey, heldUntilReleased, sentAmount } from './payout.rules.js';

export type TransferIntent =
  | { kind: 'done' | 'accrued' | 'gone' | 'held' }
  /** The payee's debt took the whole share: completed (PROCESSED) without a transfer. */
  | { kind: 'netted'; netted: number }
  | { kind: 'call'; method: PayoutMethod.PAYMENT; asked: boolean; gatewayPaymentId: string; request: TransferRequest }
  | { kind: 'call'; method: PayoutMethod.DIRECT; asked: boolean; request: DirectTransferRequest };

export interface IntentDeps {
  core: PaymentCore;
  ledger: LedgerService;
  outbox: OutboxService;
  jobs: JobRunner;
}

/**
 * In `em`'s transaction, under the payment's and the payout's row locks (the order every writer
 * takes): a payout still owed, whose payee is activated, becomes PENDING with one more attempt
 * and its request fixed. At its first ask: a payment with a refund started (Razorpay refuses a
 * transfer from it) switches to a direct transfer, and the payee's debt is netted. A direct
 * payout held by the service waits (its job comes back at the hold's end, or on release).
 */
export async function writeTransferIntent(em: EntityManager, deps: IntentDeps, payoutId: string): Promise<TransferIntent> {
  const unlocked = await em.findOne(Payout, { id: payoutId });
  if (!unlocked) return { kind: 'gone' };
  const payment = await deps.core.lock(em, { id: unlocked.payment.id });
  const payout = await em.findOneOrFail(Payout, { id: payoutId }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
  if (payout.razorpayTransferId || (payout.status !== PayoutStatus.PENDING && payout.status !== PayoutStatus.ACCRUED)) return { kind: 'done' };
  const account = await em.findOne(PayeeAccount, { payeeId: payout.payeeId });
  if (account?.status !== PayeeAccountStatus.ACTIVATED || !account.razorpayAccountId) {
    payout.status = PayoutStatus.ACCRUED;
    return { kind: 'accrued' };
  }
  if (payout.amount <= 0) {
    // Refunded in full before the transfer was asked for: nothing is owed.
    payout.status = PayoutStatus.REVERSED;
    payout.lastError = 'refunded before the transfer: nothing to transfer';
    return { kind: 'done' };
  }
  payout.status = PayoutStatus.PENDING;
  const asked = payout.transferRequestedAt !== null;
  if (!asked && payout.method === PayoutMethod.PAYMENT && (payment?.amountRefunded ?? 0) > 0) {
    // Razorpay refuses a transfer from a payment once a refund started: the rest goes directly.
    payout.method = PayoutMethod.DIRECT;
  }
  if (payout.method === PayoutMethod.DIRECT) {
    const now = new Date();
    const until = directHoldUntil(payout, now);
    if (until) {
      // Touched, so the reconciler's oldest-first pass of PENDING payouts moves on to others.
      payout.updatedAt = now;
    }
    if (until === 'released') {
      payout.onHold = true;
      return { kind: 'held' };
    }
    if (until) {
      await deps.jobs.enqueue(em, PAYOUT_TRANSFER_JOB, { payoutId }, payoutId, Math.ceil((until.getTime() - now.getTime()) / 1000));
      return { kind: 'held' };
    }
    payout.onHold = false;
  }
  if (!asked) await netPayeeDebt(em, deps.ledger, payout);
  payout.transferRequestedAt ??= new Date();
  payout.razorpayAccountId = account.razorpayAccountId;
  const amount = sentAmount(payout);
  if (amount <= 0) {
    payout.status = PayoutStatus.PROCESSED;
    payout.processedAt = new Date();
    payout.lastError = null;
    await deps.outbox.enqueue(em, 'payout.processed', payout.id, payoutPayload(payout));
    return { kind: 'netted', netted: payout.amountNetted };
  }
  payout.attempts += 1;
  if (payout.method === PayoutMethod.DIRECT) {
    return {
      kind: 'call',
      method: PayoutMethod.DIRECT,
      asked,
      request: { accountId: account.razorpayAccountId, amount, currency: 'INR', payoutId: payout.id, idempotencyKey: directTransferKey(payout.id, payout.failedTransfers) },
    };
  }
  if (!payment?.razorpayPaymentId) throw new Error(`payout ${payoutId}: its payment has no gateway payment id`);
  const onHold = heldUntilReleased(payout);
  return {
    kind: 'call',
    method: PayoutMethod.PAYMENT,
    asked,
    gatewayPaymentId: payment.razorpayPaymentId,
    request: { accountId: account.razorpayAccountId, amount, currency: 'INR', payoutId: payout.id, onHold, onHoldUntil: onHold ? null : payout.onHoldUntil },
  };
}
