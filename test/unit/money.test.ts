import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMoney, splitFee } from '../../src/money/money.js';

describe('splitFee', () => {
  it('takes 15% by default, rounding half up to the paisa', () => {
    expect(splitFee(10_000, 1500)).toEqual({ platformFee: 1500, payeeAmount: 8500 });
    expect(splitFee(101, 1500)).toEqual({ platformFee: 15, payeeAmount: 86 }); // 15.15 → 15
    expect(splitFee(110, 1500)).toEqual({ platformFee: 17, payeeAmount: 93 }); // 16.5 → 17
    expect(splitFee(15_920, 1500)).toEqual({ platformFee: 2388, payeeAmount: 13_532 });
  });

  it('handles 0% and 100%', () => {
    expect(splitFee(999, 0)).toEqual({ platformFee: 0, payeeAmount: 999 });
    expect(splitFee(999, 10_000)).toEqual({ platformFee: 999, payeeAmount: 0 });
  });

  it('refuses floats, negatives and fee rates out of range', () => {
    expect(() => splitFee(100.5, 1500)).toThrow(RangeError);
    expect(() => splitFee(-1, 1500)).toThrow(RangeError);
    expect(() => splitFee(100, 10_001)).toThrow(RangeError);
    expect(() => splitFee(100, 15.5)).toThrow(RangeError);
    expect(() => splitFee(Number.MAX_SAFE_INTEGER + 1, 1500)).toThrow(RangeError);
  });

  it('always gives integers that add up to the amount (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: 0, max: 10_000 }), (amount, bps) => {
        const { platformFee, payeeAmount } = splitFee(amount, bps);
        expect(Number.isSafeInteger(platformFee) && Number.isSafeInteger(payeeAmount)).toBe(true);
        expect(platformFee + payeeAmount).toBe(amount);
        expect(platformFee).toBeGreaterThanOrEqual(0);
        expect(payeeAmount).toBeGreaterThanOrEqual(0);
        // Within half a paisa of the exact fee: |fee·10000 − amount·bps| ≤ 5000.
        const error = BigInt(platformFee) * 10_000n - BigInt(amount) * BigInt(bps);
        expect(error <= 5000n && error >= -5000n).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('formatMoney', () => {
  it('formats minor units for messages', () => {
    expect(formatMoney(100, 'INR')).toBe('₹1.00');
    expect(formatMoney(123_456_789, 'INR')).toBe('₹1,234,567.89');
    expect(formatMoney(5, 'USD')).toBe('USD 0.05');
  });
});
