import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertBalanced, captureLines, type CaptureFacts } from '../../src/ledger/ledger.lines.js';
import { splitFee } from '../../src/money/money.js';

const sum = (lines: { amount: number }[]) => lines.reduce((total, line) => total + BigInt(line.amount), 0n);

describe('capture journals (property)', () => {
  it('for random amounts, fee rates, purposes and funding: integer lines that balance and follow the split', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 100, max: 2_147_483_647 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.constantFrom<CaptureFacts['purpose']>('ORDER', 'CART', 'WALLET_TOPUP'),
        fc.option(fc.constantFrom('cleaner-1', 'freelancer-2'), { nil: null }),
        fc.boolean(),
        (amount, bps, purpose, payeeId, fromWallet) => {
          const split = splitFee(amount, purpose === 'WALLET_TOPUP' ? 0 : bps);
          const payment: CaptureFacts = { purpose, amount, currency: 'INR', payeeId, payerId: 'alice', ...split };
          if (purpose === 'WALLET_TOPUP' && fromWallet) return; // a top-up is never paid from the wallet
          const lines = captureLines(payment, fromWallet ? { source: 'wallet', walletUserId: 'alice' } : { source: 'gateway' });
          expect(() => assertBalanced(lines)).not.toThrow();
          expect(sum(lines)).toBe(0n);
          expect(lines.every((l) => Number.isSafeInteger(l.amount) && l.amount !== 0)).toBe(true);
          expect(lines[0]).toEqual({ account: fromWallet ? 'wallet:alice:INR' : 'gateway_clearing:INR', amount });
          if (purpose !== 'WALLET_TOPUP') {
            const fee = lines.find((l) => l.account === 'platform_fees:INR')?.amount ?? 0;
            expect(0 - fee).toBe(split.platformFee);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('refuses a split that does not add up, and unbalanced or fractional lines', () => {
    expect(() => captureLines({ purpose: 'ORDER', amount: 1000, currency: 'INR', platformFee: 150, payeeAmount: 849, payeeId: null, payerId: 'a' }, { source: 'gateway' })).toThrow(/does not make/);
    expect(() => assertBalanced([{ account: 'a', amount: 10 }, { account: 'b', amount: -9 }])).toThrow(/sum to 1/);
    expect(() => assertBalanced([{ account: 'a', amount: 0.5 }, { account: 'b', amount: -0.5 }])).toThrow(RangeError);
    expect(() => assertBalanced([{ account: 'a', amount: 0 }])).toThrow(/two lines/);
  });
});
