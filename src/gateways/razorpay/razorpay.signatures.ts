/**
 * Razorpay's two HMAC signatures and a constant-time comparison for them.
 * The SDK's own helpers compare with `===`, which leaks through timing how much of a
 * forged signature was right; these never do.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const HEX = /^(?:[0-9a-fA-F]{2})+$/;

/** Hex HMAC-SHA256 of `data` keyed with `secret` (UTF-8); lowercase, as Razorpay sends it. */
export function hmacSha256Hex(secret: string, data: string | Buffer): string {
  return createHmac('sha256', secret).update(data).digest('hex');
}

/**
 * Compares two hex strings in constant time for equal lengths. False, never an exception,
 * for anything that is not non-empty even-length hex or whose length differs.
 */
export function safeEqualHex(expectedHex: string, givenHex: string): boolean {
  // Callers pass header values straight through: guard against undefined or arrays too.
  if (typeof expectedHex !== 'string' || typeof givenHex !== 'string') return false;
  if (!HEX.test(expectedHex) || !HEX.test(givenHex)) return false;
  const expected = Buffer.from(expectedHex, 'hex');
  const given = Buffer.from(givenHex, 'hex');
  if (expected.length !== given.length) return false;
  return timingSafeEqual(expected, given);
}

/**
 * Checkout's signature: HMAC of `orderId|paymentId` with the key secret. `orderId` must be
 * the one the server stored, never the one the browser sent back.
 */
export function checkoutSignature(keySecret: string, orderId: string, paymentId: string): string {
  return hmacSha256Hex(keySecret, `${orderId}|${paymentId}`);
}

/**
 * A webhook's signature: HMAC of the exact raw body bytes with the webhook secret.
 * Re-serialised JSON does not verify, so pass the bytes as received.
 */
export function webhookSignature(webhookSecret: string, rawBody: string | Buffer): string {
  return hmacSha256Hex(webhookSecret, rawBody);
}
