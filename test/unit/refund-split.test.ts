import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertBalanced, captureLines, refundHoldLines, refundLines, type CaptureFacts, type RefundTarget } from '../../src/ledger/ledger.lines.js';
import { splitFee } from '../../src/money/money.js';

const sum = (lines: { amount: number }[]) => lines.reduce((total, line) => total + BigInt(line.amount), 0n);

/** Cuts `amount` into `cuts.length + 1` positive parts at the given (deduplicated) points. */
function partition(amount: number, cuts: number[]): number[] {
  const points = [...new Set(cuts.map((c) => 1 + (c % (amount - 1))))].sort((a, b) => a - b);
  const parts: number[] = [];
  let previous = 0;
  for (const point of [...points, amount]) {
    parts.push(point - previous);
    previous = point;
  }
  return parts;
}

/** Net amount per account over a list of journals. */
function balances(journals: { account: string; amount: number }[][]): Map<string, bigint> {
  const totals = new Map<string, bigint>();
  for (const line of journals.flat()) totals.set(line.account, (totals.get(line.account) ?? 0n) + BigInt(line.amount));
  return totals;
}

const payeeOrNone = fc.option(fc.constantFrom('cleaner-1', 'freelancer-2'), { nil: null });
const target = fc.constantFrom<RefundTarget>({ to: 'gateway' }, { to: 'wallet', walletUserId: 'alice' });

describe('refund journals (property)', () => {
  it('any sequence of partial refunds adding up to the amount reverses the split exactly, with non-negative parts and balanced journals', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 2_147_483_647 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        payeeOrNone,
        target,
        fc.constantFrom<CaptureFacts['purpose']>('ORDER', 'CART'),
        (amount, bps, cuts, payeeId, to, purpose) => {
          const payment: CaptureFacts = { purpose, amount, currency: 'INR', payeeId, payerId: 'alice', ...splitFee(amount, bps) };
          const parts = partition(amount, cuts);
          let refunded = 0;
          let feeBack = 0;
          let payeeBack = 0;
          const journals = parts.map((part) => {
            const journal = refundLines(payment, refunded, part, to);
            refunded += part;
            expect(journal.platformFeePart).toBeGreaterThanOrEqual(0);
            expect(journal.payeePart).toBeGreaterThanOrEqual(0);
            expect(journal.platformFeePart + journal.payeePart).toBe(part);
            expect(() => assertBalanced(journal.lines)).not.toThrow();
            expect(journal.lines.every((l) => Number.isSafeInteger(l.amount) && l.amount !== 0)).toBe(true);
            feeBack += journal.platformFeePart;
            payeeBack += journal.payeePart;
            return journal.lines;
          });
          expect(refunded).toBe(amount);
          expect(feeBack).toBe(payment.platformFee);
          expect(payeeBack).toBe(payment.payeeAmount);
          // Capture and all its refunds together: every account back to zero except the money's
          // round trip from the clearing account to the refund's target.
          const net = balances([captureLines(payment, { source: 'gateway' }), ...journals]);
          const credited = to.to === 'gateway' ? 'gateway_clearing:INR' : 'wallet:alice:INR';
          for (const [account, total] of net) {
            if (to.to === 'wallet' && account === 'gateway_clearing:INR') expect(total).toBe(BigInt(amount));
            else if (account === credited && to.to === 'wallet') expect(total).toBe(-BigInt(amount));
            else expect(total).toBe(0n);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('the fee given back so far is round-half-up of the refunded share, like splitFee', () => {
    const payment: CaptureFacts = { purpose: 'ORDER', amount: 1001, currency: 'INR', payeeId: 'p', payerId: 'a', ...splitFee(1001, 1500) };
    expect(payment.platformFee).toBe(150); // 150.15
    const first = refundLines(payment, 0, 1, { to: 'gateway' }); // 0.1499… → 0
    expect(first).toMatchObject({ platformFeePart: 0, payeePart: 1 });
    expect(first.lines).toEqual([
      { account: 'payee_payable:p:INR', amount: 1 },
      { account: 'gateway_clearing:INR', amount: -1 },
    ]);
    const second = refundLines(payment, 1, 3, { to: 'gateway' }); // 4 × 150 / 1001 = 0.599… → 1
    expect(second).toMatchObject({ platformFeePart: 1, payeePart: 2 });
    const rest = refundLines(payment, 4, 997, { to: 'wallet', walletUserId: 'a' });
    expect(rest).toMatchObject({ platformFeePart: 149, payeePart: 848 });
    expect(rest.lines).toContainEqual({ account: 'wallet:a:INR', amount: -997 });
  });

  it('a payment with no payee debits the platform sales; a top-up leaves its hold for the gateway', () => {
    const sale: CaptureFacts = { purpose: 'CART', amount: 10_000, currency: 'INR', payeeId: null, payerId: 'a', ...splitFee(10_000, 1500) };
    expect(refundLines(sale, 0, 10_000, { to: 'gateway' }).lines).toEqual([
      { account: 'platform_fees:INR', amount: 1500 },
      { account: 'platform_sales:INR', amount: 8500 },
      { account: 'gateway_clearing:INR', amount: -10_000 },
    ]);
    const topUp: CaptureFacts = { purpose: 'WALLET_TOPUP', amount: 5_000, currency: 'INR', payeeId: null, payerId: 'a', platformFee: 0, payeeAmount: 5_000 };
    const hold = refundHoldLines('a', 'INR', 2_000, 'hold');
    const refund = refundLines(topUp, 0, 2_000, { to: 'gateway' }).lines;
    const net = balances([captureLines(topUp, { source: 'gateway' }), hold, refund]);
    expect(Object.fromEntries(net)).toEqual({ 'gateway_clearing:INR': 3_000n, 'wallet:a:INR': -3_000n, 'refunds_pending:INR': 0n });
    expect(sum(refundHoldLines('a', 'INR', 2_000, 'release'))).toBe(0n);
    expect(balances([hold, refundHoldLines('a', 'INR', 2_000, 'release')]).get('wallet:a:INR')).toBe(0n);
    expect(() => refundLines(topUp, 0, 1_000, { to: 'wallet', walletUserId: 'a' })).toThrow(/gateway only/);
  });

  it('refuses a refund that is not positive or goes beyond the amount', () => {
    const payment: CaptureFacts = { purpose: 'ORDER', amount: 1000, currency: 'INR', payeeId: null, payerId: 'a', ...splitFee(1000, 1500) };
    expect(() => refundLines(payment, 0, 0, { to: 'gateway' })).toThrow(/positive/);
    expect(() => refundLines(payment, 0, -5, { to: 'gateway' })).toThrow(/positive/);
    expect(() => refundLines(payment, 600, 401, { to: 'gateway' })).toThrow(/exceeds/);
    expect(() => refundLines(payment, 0, 1.5, { to: 'gateway' })).toThrow(RangeError);
  });
});
