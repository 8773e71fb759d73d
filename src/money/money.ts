/**
 * Money is an integer in the currency's smallest unit (paise for INR), never a float.
 * These functions are pure and refuse anything else.
 */

/** Currencies this service accepts, with the gateway's minimum order amount in minor units. */
export const CURRENCIES: Readonly<Record<string, { minimumAmount: number }>> = {
  INR: { minimumAmount: 100 },
  USD: { minimumAmount: 100 },
  EUR: { minimumAmount: 100 },
  GBP: { minimumAmount: 100 },
  SGD: { minimumAmount: 100 },
  AED: { minimumAmount: 100 },
  AUD: { minimumAmount: 100 },
  CAD: { minimumAmount: 100 },
};

export const BPS_DENOMINATOR = 10_000;

export interface FeeSplit {
  platformFee: number;
  payeeAmount: number;
}

/** Throws unless `value` is a safe integer: money never passes through a float. */
export function assertMinorUnits(value: number, what = 'amount'): void {
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(`${what} must be a safe integer in the smallest currency unit, got ${value}`);
  }
}

/**
 * Splits `amount` into the platform's fee and the payee's share, in integers.
 * The fee is `amount × bps / 10000` rounded half up (to the nearest paisa, .5 upwards),
 * computed with bigint so no intermediate value is a float; the payee gets the rest, so
 * `platformFee + payeeAmount === amount` always.
 */
export function splitFee(amount: number, feeBps: number): FeeSplit {
  assertMinorUnits(amount);
  if (!Number.isInteger(feeBps) || feeBps < 0 || feeBps > BPS_DENOMINATOR) {
    throw new RangeError(`fee must be an integer between 0 and ${BPS_DENOMINATOR} basis points, got ${feeBps}`);
  }
  if (amount < 0) throw new RangeError(`amount must not be negative, got ${amount}`);
  const numerator = BigInt(amount) * BigInt(feeBps);
  const denominator = BigInt(BPS_DENOMINATOR);
  const platformFee = Number((numerator * 2n + denominator) / (denominator * 2n));
  return { platformFee, payeeAmount: amount - platformFee };
}

/** Formats minor units for people (`₹1,234.50`), for messages only; never parsed back. */
export function formatMoney(amount: number, currency: string): string {
  assertMinorUnits(amount);
  const negative = amount < 0;
  const abs = BigInt(Math.abs(amount));
  const major = (abs / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const minor = (abs % 100n).toString().padStart(2, '0');
  const symbol = currency === 'INR' ? '₹' : `${currency} `;
  return `${negative ? '-' : ''}${symbol}${major}.${minor}`;
}
