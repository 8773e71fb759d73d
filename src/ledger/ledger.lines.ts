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
  wallet: (userId: string, currency: string) => `wallet:${userId}:${currency}`,
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
