/**
 * How PhonePe's ids map onto the interface's, in one place:
 *
 * - order id        = PhonePe's `merchantOrderId`, which we choose (`mo_` + 24 hex) and look orders up by;
 *                     PhonePe's own `orderId` ("OMO…") is kept in the order's notes.
 * - payment id      = `<merchantOrderId>:<transactionId>`. A payment is one attempt
 *                     (`paymentDetails[]`, "OM…"); PhonePe reaches an attempt only through its order
 *                     (order status) and refunds against the order, so the id carries both. The part
 *                     after the colon is PhonePe's transaction id verbatim.
 * - refund id       = `merchantRefundId`, which is the refund's idempotency key (we choose it);
 *                     PhonePe's `refundId` ("OMR…") is kept in the refund's notes.
 */
import { randomBytes } from 'node:crypto';
import { GatewayError } from '../gateway.js';

/** PhonePe's rule for `merchantOrderId` and `merchantRefundId`: ≤63 of `[A-Za-z0-9_-]`. */
const MERCHANT_ID = /^[A-Za-z0-9_-]{1,63}$/;
/** Transaction ids as PhonePe issues them ("OM…"); anything else is not one of its ids. */
const TRANSACTION_ID = /^[A-Za-z0-9_-]{1,100}$/;

export function newMerchantOrderId(): string {
  // 96 random bits: unique without a lookup, and short enough that `<order>:<transaction>` fits
  // the service's 100-character gateway payment id.
  return `mo_${randomBytes(12).toString('hex')}`;
}

export function isMerchantId(value: unknown): value is string {
  return typeof value === 'string' && MERCHANT_ID.test(value);
}

/** Refuses, before sending, an id the SDK would paste into a URL path unescaped. */
export function assertMerchantId(kind: 'order' | 'refund', id: string): void {
  if (!isMerchantId(id)) {
    throw new GatewayError(`No ${kind} with id ${JSON.stringify(String(id)).slice(0, 70)} at PhonePe`, 'not_found');
  }
}

export function paymentIdOf(merchantOrderId: string, transactionId: string): string {
  return `${merchantOrderId}:${transactionId}`;
}

/** Splits a payment id; a bare merchant order id (a refund callback names no attempt) has no transaction. */
export function parsePaymentId(paymentId: string): { merchantOrderId: string; transactionId: string | null } {
  if (typeof paymentId !== 'string') throw new GatewayError('No payment with that id at PhonePe', 'not_found');
  const colon = paymentId.indexOf(':');
  const merchantOrderId = colon === -1 ? paymentId : paymentId.slice(0, colon);
  const transactionId = colon === -1 ? null : paymentId.slice(colon + 1);
  if (!isMerchantId(merchantOrderId) || (transactionId !== null && !TRANSACTION_ID.test(transactionId))) {
    throw new GatewayError(`No payment with id ${JSON.stringify(paymentId).slice(0, 90)} at PhonePe`, 'not_found');
  }
  return { merchantOrderId, transactionId };
}
