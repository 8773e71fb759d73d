/** The typed client's pure parts: money formatting and parsing without floats, reconnect backoff. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay, formatRupees, newer, parseRupees } from '../../client/src/index.js';

describe('formatRupees', () => {
  it('formats integer paise in rupees with the Indian grouping', () => {
    expect(formatRupees(0)).toBe('₹0.00');
    expect(formatRupees(5)).toBe('₹0.05');
    expect(formatRupees(94_800)).toBe('₹948.00');
    expect(formatRupees(12_345_678)).toBe('₹1,23,456.78');
    expect(formatRupees(-100_050)).toBe('-₹1,000.50');
    expect(formatRupees(Number.MAX_SAFE_INTEGER)).toBe('₹9,00,71,99,25,47,409.91');
    expect(formatRupees(150, 'USD')).toBe('USD 1.50');
  });

  it('refuses a fraction of a paisa rather than rounding it', () => {
    expect(() => formatRupees(1.5)).toThrow(/integer number of paise/);
  });

  it('parseRupees reads back exactly what formatRupees shows', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 10 ** 14 }), (paise) => parseRupees(formatRupees(paise)) === paise));
  });
});

describe('parseRupees', () => {
  it('reads what people type, in paise', () => {
    expect(parseRupees('1,500')).toBe(150_000);
    expect(parseRupees('₹ 499.5')).toBe(49_950);
    expect(parseRupees('0.01')).toBe(1);
    expect(parseRupees('1000.50')).toBe(100_050);
  });

  it('refuses what is not an amount with at most two decimals', () => {
    for (const text of ['', 'abc', '1.234', '-5', '1e3', '.5', '1..2']) expect(parseRupees(text)).toBeNull();
  });
});

describe('backoffDelay', () => {
  it('doubles from the minimum to the cap, with jitter in the upper half', () => {
    expect(backoffDelay(0, 500, 15_000, () => 0)).toBe(250);
    expect(backoffDelay(0, 500, 15_000, () => 1)).toBe(500);
    expect(backoffDelay(3, 500, 15_000, () => 1)).toBe(4_000);
    expect(backoffDelay(50, 500, 15_000, () => 1)).toBe(15_000);
    expect(backoffDelay(50, 500, 15_000, () => 0)).toBe(7_500);
  });
});

describe('newer', () => {
  it('keeps the higher version of a payment whatever order they arrive in', () => {
    const v1 = { id: 'p', version: 1, status: 'CREATED' };
    const v2 = { id: 'p', version: 2, status: 'CAPTURED' };
    expect(newer(v1, v2)).toBe(v2);
    expect(newer(v2, v1)).toBe(v2);
    expect(newer(undefined, v1)).toBe(v1);
  });
});
