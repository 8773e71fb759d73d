/**
 * Which app or bank issued a UPI id, by its handle (the part after `@`). NPCI assigns the
 * handles to apps and banks; this table names the ones customers meet most, so the client can
 * show "Google Pay" instead of "okaxis". A handle that is not listed is still a valid UPI id:
 * it is accepted, and its provider is the handle itself (see {@link upiProvider}).
 */
export const UPI_PROVIDERS: Readonly<Record<string, string>> = {
  paytm: 'Paytm',
  ptyes: 'Paytm',
  ptaxis: 'Paytm',
  pthdfc: 'Paytm',
  ptsbi: 'Paytm',
  ybl: 'PhonePe',
  ibl: 'PhonePe',
  axl: 'PhonePe',
  okaxis: 'Google Pay',
  okhdfcbank: 'Google Pay',
  okicici: 'Google Pay',
  oksbi: 'Google Pay',
  upi: 'BHIM',
  apl: 'Amazon Pay',
  yapl: 'Amazon Pay',
  rapl: 'Amazon Pay',
  axisb: 'CRED',
  ikwik: 'MobiKwik',
  freecharge: 'Freecharge',
  waaxis: 'WhatsApp',
  wahdfcbank: 'WhatsApp',
  waicici: 'WhatsApp',
  wasbi: 'WhatsApp',
  axisbank: 'Axis Bank',
  icici: 'ICICI Bank',
  hdfcbank: 'HDFC Bank',
  sbi: 'State Bank of India',
  kotak: 'Kotak Mahindra Bank',
  pnb: 'Punjab National Bank',
  barodampay: 'Bank of Baroda',
  yesbank: 'Yes Bank',
  idfcbank: 'IDFC FIRST Bank',
  indus: 'IndusInd Bank',
  aubank: 'AU Small Finance Bank',
  airtel: 'Airtel Payments Bank',
};

/**
 * The provider to show for a UPI id: the app or bank its handle belongs to, or, for a handle
 * this table does not know, the handle itself in lower case (`name@newbank` → `newbank`).
 * Unknown handles are accepted rather than refused because NPCI adds handles faster than this
 * table can follow, and the UPI id stays usable either way.
 */
export function upiProvider(vpa: string): string {
  const handle = vpa.slice(vpa.lastIndexOf('@') + 1).toLowerCase();
  return UPI_PROVIDERS[handle] ?? handle;
}
