import { assertMinorUnits } from '../money/money.js';

/** A line to post: the account's code and a signed amount (debit +, credit −). */
export interface LedgerLine {
  account: string;
  amount: number;
}

/** Stable account codes; one account per code and currency. */
export const accounts = {
  gatewayClearing: (currency: string) => `gateway_clearing:${currency}`,
  platformFees: (currency: string) => `platform_fees:${currency}`,
  /** What the platform sells itself (orders with no payee). */
  platformSales: (currency: string) => `platform_sales:${currency}`,
  payeePayable: (payeeId: string, currency: string) => `payee_payable:${payeeId}:${currency}`,
  /** A payee's share sent by a transfer Razorpay has not processed yet. */
  payeeInTransit: (payeeId: string, currency: string) => `payee_in_transit:${payeeId}:${currency}`,
  /** What the payee was paid (transfers processed, less reversals). */
  payeePaid: (payeeId: string, currency: string) => `payee_paid:${payeeId}:${currency}`,
  /** What a payee owes back: a refund's part Razorpay could not reverse from its balance. */
  payeeReceivable: (payeeId: string, currency: string) => `payee_receivable:${payeeId}:${currency}`,
  wallet: (userId: string, currency: string) => `wallet:${userId}:${currency}`,
  /** A top-up's refunded money, taken out of the wallet while its gateway refund is under way. */
  refundsPending: (currency: string) => `refunds_pending:${currency}`,
};

/** Where a captured payment's money came from. */
export type Funding = { source: 'gateway' } | { source: 'wallet'; walletUserId: string };

export interface CaptureFacts {
  purpose: 'ORDER' | 'CART' | 'WALLET_TOPUP';
  amount: number;
  currency: string;
  platformFee: number;
  payeeAmount: number;
  payeeId: string | null;
  payerId: string;
}

/**
 * The capture journal of a payment: the money source is debited with the whole amount; a
 * top-up credits the payer's wallet with all of it, anything else credits the platform's fee
 * and the payee's share (the split fixed at order creation). Always sums to zero.
 */
export function captureLines(payment: CaptureFacts, funding: Funding): LedgerLine[] {
  assertMinorUnits(payment.amount);
  if (payment.platformFee + payment.payeeAmount !== payment.amount) {
    throw new RangeError(`fee split ${payment.platformFee} + ${payment.payeeAmount} does not make ${payment.amount}`);
  }
  const { currency } = payment;
  const source = funding.source === 'gateway' ? accounts.gatewayClearing(currency) : accounts.wallet(funding.walletUserId, currency);
  if (payment.purpose === 'WALLET_TOPUP') {
    return [
      { account: source, amount: payment.amount },
      { account: accounts.wallet(payment.payerId, currency), amount: -payment.amount },
    ];
  }
  const payee = payment.payeeId ? accounts.payeePayable(payment.payeeId, currency) : accounts.platformSales(currency);
  return [
    { account: source, amount: payment.amount },
    { account: accounts.platformFees(currency), amount: -payment.platformFee },
    { account: payee, amount: -payment.payeeAmount },
  ].filter((line) => line.amount !== 0);
}

/** Throws unless the lines are integers that sum to zero: a journal is balanced or not posted. */
export function assertBalanced(lines: LedgerLine[]): void {
  if (lines.length < 2) throw new RangeError('a journal needs at least two lines');
  let sum = 0n;
  for (const line of lines) {
    assertMinorUnits(line.amount, `amount of ${line.account}`);
    sum += BigInt(line.amount);
  }
  if (sum !== 0n) throw new RangeError(`journal does not balance: its lines sum to ${sum}`);
}

/** Where a refund's money goes: back out through the gateway, or into a user's wallet. */
export type RefundTarget = { to: 'gateway' } | { to: 'wallet'; walletUserId: string };

export interface RefundJournal {
  lines: LedgerLine[];
  /** The platform fee this refund gives back (its share of `platformFee`). */
  platformFeePart: number;
  /** The payee's (or the platform's sales') share of this refund. */
  payeePart: number;
}

/**
 * The journal of one processed refund of `refundAmount`, after `refundedBefore` was already
 * refunded (processed refunds only). It reverses the capture's split cumulatively: the fee
 * given back so far is `round(platformFee × refundedTotal / amount)` (half up, in bigint, like
 * splitFee) and this refund's fee part is that minus what earlier refunds gave back. So after
 * any sequence of partial refunds adding up to `amount`, each account's reversals equal its
 * credit at capture exactly, and every part is ≥ 0. The money's target is credited: the
 * gateway's clearing account or a wallet. A top-up has no split: the money leaves the hold
 * its refund put it in (see refundHoldLines) for the gateway.
 */
export function refundLines(payment: CaptureFacts, refundedBefore: number, refundAmount: number, target: RefundTarget): RefundJournal {
  assertMinorUnits(refundedBefore, 'refundedBefore');
  assertMinorUnits(refundAmount, 'refund amount');
  if (payment.platformFee + payment.payeeAmount !== payment.amount) {
    throw new RangeError(`fee split ${payment.platformFee} + ${payment.payeeAmount} does not make ${payment.amount}`);
  }
  if (refundAmount <= 0) throw new RangeError(`a refund must be positive, got ${refundAmount}`);
  if (refundedBefore < 0 || refundedBefore + refundAmount > payment.amount) {
    throw new RangeError(`refunding ${refundAmount} after ${refundedBefore} exceeds the payment's ${payment.amount}`);
  }
  const { currency } = payment;
  const credit = target.to === 'gateway' ? accounts.gatewayClearing(currency) : accounts.wallet(target.walletUserId, currency);
  if (payment.purpose === 'WALLET_TOPUP') {
    if (target.to !== 'gateway') throw new RangeError('a top-up is refunded through the gateway only');
    return {
      lines: [
        { account: accounts.refundsPending(currency), amount: refundAmount },
        { account: credit, amount: -refundAmount },
      ],
      platformFeePart: 0,
      payeePart: refundAmount,
    };
  }
  const feeBefore = proportionalFee(payment.platformFee, refundedBefore, payment.amount);
  const feeAfter = proportionalFee(payment.platformFee, refundedBefore + refundAmount, payment.amount);
  const platformFeePart = feeAfter - feeBefore;
  const payeePart = refundAmount - platformFeePart;
  const payee = payment.payeeId ? accounts.payeePayable(payment.payeeId, currency) : accounts.platformSales(currency);
  const lines = [
    { account: accounts.platformFees(currency), amount: platformFeePart },
    { account: payee, amount: payeePart },
    { account: credit, amount: -refundAmount },
  ].filter((line) => line.amount !== 0);
  return { lines, platformFeePart, payeePart };
}

/**
 * A top-up refund's hold: the amount leaves the payer's wallet (so it cannot be spent while
 * the gateway refunds it) for the pending-refunds account. Reversed (`release`) if the
 * gateway refund fails.
 */
export function refundHoldLines(payerId: string, currency: string, amount: number, direction: 'hold' | 'release'): LedgerLine[] {
  assertMinorUnits(amount);
  const sign = direction === 'hold' ? 1 : -1;
  return [
    { account: accounts.wallet(payerId, currency), amount: sign * amount },
    { account: accounts.refundsPending(currency), amount: -sign * amount },
  ];
}

/** `round(fee × part / whole)`, half up, in bigint: the fee share of `part` of the payment. */
function proportionalFee(fee: number, part: number, whole: number): number {
  const numerator = BigInt(fee) * BigInt(part);
  const denominator = BigInt(whole);
  return Number((numerator * 2n + denominator) / (denominator * 2n));
}

/** The stages of a payout in the books; each moves `amount` of the payee's share between its accounts. */
export type PayoutMove = 'transfer' | 'processed' | 'failed' | 'reversed' | 'receivable' | 'netted';

/**
 * A payout journal's lines. transfer: payable → in transit; processed: in transit → paid;
 * failed: in transit → payable; reversed: paid → payable (a refund's payee part, which the
 * REFUND journal took from payable, comes back from the payee); receivable: the payee owes it
 * (a refused reversal), payable cleared against payee_receivable; netted: the debt settled from a
 * later share (payable → receivable settled), the reverse of receivable.
 */
export function payoutLines(payeeId: string, currency: string, amount: number, move: PayoutMove): LedgerLine[] {
  assertMinorUnits(amount);
  if (amount <= 0) throw new RangeError(`a payout movement must be positive, got ${amount}`);
  const payable = accounts.payeePayable(payeeId, currency);
  const transit = accounts.payeeInTransit(payeeId, currency);
  const paid = accounts.payeePaid(payeeId, currency);
  const [debit, credit] = {
    transfer: [payable, transit],
    processed: [transit, paid],
    failed: [transit, payable],
    reversed: [paid, payable],
    receivable: [accounts.payeeReceivable(payeeId, currency), payable],
    netted: [payable, accounts.payeeReceivable(payeeId, currency)],
  }[move];
  return [
    { account: debit!, amount },
    { account: credit!, amount: -amount },
  ];
}

/** The payee's part of one refund: the refund less its cumulative fee part (see refundLines). */
export function refundPayeePart(payment: CaptureFacts, refundedBefore: number, refundAmount: number): number {
  return refundLines(payment, refundedBefore, refundAmount, { to: 'gateway' }).payeePart;
}
