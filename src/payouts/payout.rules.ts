/**
 * The rules of a payout as pure functions: which captured payments owe a payee a transfer,
 * how a new transfer is held, and what Razorpay's news of a transfer does to a payout.
 */
import type { TransferStatus } from '../gateways/payout-gateway.js';
import { PayoutHold, PayoutMethod, PayoutStatus } from './payout.entity.js';

/** The payment facts that decide whether its capture owes a transfer. */
export interface CaptureForPayout {
  purpose: string;
  payeeId: string | null;
  payeeAmount: number;
  currency: string;
  gateway: string;
  funding: string | null;
}

/**
 * How a captured payment's payee share is paid, or null when it owes no transfer (a top-up, no
 * payee or no share, not INR: Route is INR only). A Razorpay payment funded by the gateway is
 * transferred from (PAYMENT); a share with no Razorpay payment behind it (paid from the wallet
 * or through PhonePe) goes by a direct transfer from the platform's balance (DIRECT).
 */
export function payoutMethodFor(payment: CaptureForPayout): PayoutMethod | null {
  if (payment.purpose === 'WALLET_TOPUP' || payment.payeeId === null || payment.payeeAmount <= 0 || payment.currency !== 'INR') return null;
  return payment.gateway === 'razorpay' && payment.funding === 'GATEWAY' ? PayoutMethod.PAYMENT : PayoutMethod.DIRECT;
}

/** Whether a capture owes its payee a transfer (by either method). */
export function owesTransfer(payment: CaptureForPayout): boolean {
  return payoutMethodFor(payment) !== null;
}

/**
 * The `X-Transfer-Idempotency` key of a payout's direct transfer: the payout id (a UUID, 36
 * characters: Razorpay takes 4–36 of `[A-Za-z0-9 _-]`) for its first transfer. A transfer
 * Razorpay made and then failed is made again, and the same key would answer the failed one:
 * after `failedTransfers` failures the key is the UUID's 32 hex digits, `-`, and that count
 * (at most 36 characters below 1000 failures; PAYOUT_MAX_ATTEMPTS is far below).
 */
export function directTransferKey(payoutId: string, failedTransfers: number): string {
  if (failedTransfers === 0) return payoutId;
  return `${payoutId.replaceAll('-', '')}-${failedTransfers}`;
}

/** What the payee's debt takes from a share: all of the debt the share covers, never below zero. */
export function nettable(debt: number, share: number): number {
  return Math.max(0, Math.min(debt, share));
}

/** What a payout's transfer sends: its share less what settled the payee's debt. */
export function sentAmount(payout: { amount: number; amountNetted: number }): number {
  return payout.amount - payout.amountNetted;
}

/**
 * Until when a direct payout waits before its transfer is made, or null if it may go now.
 * Route's direct transfers take no `on_hold`, so the service holds them itself: held until
 * released (`'released'`: until `releasePayout`), or until `onHoldUntil` (a delay).
 */
export function directHoldUntil(payout: { hold: PayoutHold; releasedAt: Date | null; onHoldUntil: Date | null }, now: Date): Date | 'released' | null {
  if (heldUntilReleased(payout)) return 'released';
  if (payout.hold === PayoutHold.DELAY && payout.onHoldUntil && payout.onHoldUntil > now) return payout.onHoldUntil;
  return null;
}

export type HoldSetting = 'none' | 'delay' | 'released';

/** How a payout created now is held (PAYOUT_HOLD), and until when for a delay. */
export function holdFor(setting: HoldSetting, delaySeconds: number, now: Date): { hold: PayoutHold; onHoldUntil: Date | null } {
  if (setting === 'delay') return { hold: PayoutHold.DELAY, onHoldUntil: new Date(Math.ceil(now.getTime() / 1000) * 1000 + delaySeconds * 1000) };
  if (setting === 'released') return { hold: PayoutHold.RELEASED, onHoldUntil: null };
  return { hold: PayoutHold.NONE, onHoldUntil: null };
}

/** Whether the transfer is asked for `on_hold` (until released): PAYOUT_HOLD=released and not released yet. */
export function heldUntilReleased(payout: { hold: PayoutHold; releasedAt: Date | null }): boolean {
  return payout.hold === PayoutHold.RELEASED && payout.releasedAt === null;
}

/** Statuses in which the payee has the transfer's money (a PAYOUT_PROCESSED journal exists). */
export const PAID_STATUSES: readonly PayoutStatus[] = [PayoutStatus.PROCESSED, PayoutStatus.ON_HOLD, PayoutStatus.PARTIALLY_REVERSED, PayoutStatus.REVERSED];

/** What news of a transfer does to its payout. */
export type TransferDecision =
  | { kind: 'processed'; status: PayoutStatus.PROCESSED | PayoutStatus.ON_HOLD }
  | { kind: 'failed' }
  | { kind: 'none' }
  | { kind: 'contradiction'; reason: string };

/**
 * A transfer's status applied to its payout. Only a PENDING payout moves: to PROCESSED (or
 * ON_HOLD while held until released), or to FAILED. Razorpay's `partially_reversed|reversed`
 * imply it was processed. News for a payout already settled changes nothing; a failure
 * reported after it was processed (or the reverse) is a contradiction an operator must see.
 */
export function decideTransfer(
  payout: { status: PayoutStatus; hold: PayoutHold; releasedAt: Date | null },
  transfer: { status: TransferStatus; onHold: boolean },
): TransferDecision {
  const processed = transfer.status === 'processed' || transfer.status === 'partially_reversed' || transfer.status === 'reversed';
  if (payout.status === PayoutStatus.PENDING) {
    if (processed) {
      const held = heldUntilReleased(payout) && transfer.onHold;
      return { kind: 'processed', status: held ? PayoutStatus.ON_HOLD : PayoutStatus.PROCESSED };
    }
    if (transfer.status === 'failed') return { kind: 'failed' };
    return { kind: 'none' };
  }
  if (payout.status === PayoutStatus.FAILED && processed) return { kind: 'contradiction', reason: `transfer is ${transfer.status} but the payout FAILED` };
  if (PAID_STATUSES.includes(payout.status) && transfer.status === 'failed') return { kind: 'contradiction', reason: `transfer failed but the payout is ${payout.status}` };
  return { kind: 'none' };
}

/** The status after `amountReversed` of `amount` (what was sent) was taken back. */
export function statusAfterReversal(amount: number, amountReversed: number): PayoutStatus {
  return amountReversed >= amount ? PayoutStatus.REVERSED : PayoutStatus.PARTIALLY_REVERSED;
}
