import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header carrying `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`. */
export const SIGNATURE_HEADER = 'x-payments-signature';
export const EVENT_ID_HEADER = 'x-payments-event-id';
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** Signs a delivery: the timestamp is inside the signed content, so a replay outside the tolerance fails. */
export function signOutboxBody(secret: string, rawBody: string, timestamp: number): string {
  const digest = createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex');
  return `t=${timestamp},v1=${digest}`;
}

/**
 * What a receiver runs: true when the header's signature matches the raw body (constant time)
 * and its timestamp is within `toleranceSeconds` of `now`. Accepts any of `secrets` (rotation).
 */
export function verifyOutboxSignature(
  secrets: string[],
  header: string | undefined,
  rawBody: string,
  options: { toleranceSeconds?: number; now?: number } = {},
): boolean {
  if (!header) return false;
  const parts = Object.fromEntries(header.split(',').map((part) => part.trim().split('=', 2) as [string, string]));
  const timestamp = Number(parts.t);
  if (!Number.isInteger(timestamp) || !/^[0-9a-f]{64}$/.test(parts.v1 ?? '')) return false;
  const now = options.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - timestamp) > (options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS)) return false;
  const given = Buffer.from(parts.v1!, 'hex');
  return secrets.some((secret) => {
    const expected = Buffer.from(signOutboxBody(secret, rawBody, timestamp).split('v1=')[1]!, 'hex');
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
}
