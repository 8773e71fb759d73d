/**
 * Amounts arrive as integer paise. They are shown in rupees with the Indian grouping
 * (₹1,23,456.78) without float arithmetic: rupees and paise are split by integer division,
 * and only the whole-rupee part goes through Intl (exact for any safe integer).
 */
export type MoneyFormatter = (paise: number, currency?: string) => string;

const rupees = new Intl.NumberFormat('en-IN', { style: 'currency', currency: 'INR', minimumFractionDigits: 0, maximumFractionDigits: 0 });

/** `12345678` → `₹1,23,456.78`; negative amounts keep their sign; other currencies show their code. */
export const formatRupees: MoneyFormatter = (paise, currency = 'INR') => {
  if (!Number.isSafeInteger(paise)) throw new RangeError(`amount must be an integer number of paise, got ${paise}`);
  const sign = paise < 0 ? '-' : '';
  const abs = BigInt(Math.abs(paise));
  const whole = abs / 100n;
  const fraction = (abs % 100n).toString().padStart(2, '0');
  if (currency !== 'INR') return `${sign}${currency} ${whole.toLocaleString('en-IN')}.${fraction}`;
  return `${sign}${rupees.format(whole)}.${fraction}`;
};

/**
 * Reads what a person typed in rupees ("1,250.5", "₹ 99", "1250.50") into integer paise, by
 * string arithmetic; null when it is not an amount with at most two decimals.
 */
export function parseRupees(text: string): number | null {
  const cleaned = text.replace(/[₹,\s]/g, '');
  const match = /^(\d{1,14})(?:\.(\d{1,2}))?$/.exec(cleaned);
  if (!match) return null;
  const paise = Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
  return Number.isSafeInteger(paise) ? paise : null;
}
