/**
 * PhonePe's server-to-server callbacks: the `Authorization` header is the lowercase hex SHA-256
 * of `username:password` as configured on PhonePe's dashboard — a fixed credential, not a
 * signature over the body. So a callback proves only that the sender knows the credential;
 * every event is decoded `trusted: false` and confirmed with the status APIs before money moves.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { WebhookReceipt, WebhookRequest } from '../gateway.js';
import { parseWireCallback, parseWireOrderStatus, parseWireRefundStatus } from './phonepe.mappers.js';
import { PHONEPE_EVENTS } from './phonepe.wire.js';

const SHA256_HEX = /^[0-9a-fA-F]{64}$/;

/** What PhonePe sends in `Authorization` for these credentials (and what the sandbox sends). */
export function callbackAuthorization(username: string, password: string): string {
  return createHash('sha256').update(`${username}:${password}`).digest('hex');
}

/**
 * Constant time over the 32 bytes; hex case ignored. The SDK's validateCallback compares the
 * strings with `==`, which leaks through timing how much of a guess was right.
 */
export function isAuthorizedCallback(expectedHex: string, header: string | undefined): boolean {
  if (typeof header !== 'string') return false;
  const given = header.trim();
  if (!SHA256_HEX.test(given)) return false;
  return timingSafeEqual(Buffer.from(expectedHex, 'hex'), Buffer.from(given, 'hex'));
}

function headerOf(headers: WebhookRequest['headers'], name: string): string | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}

const ORDER_EVENTS: ReadonlySet<string> = new Set([PHONEPE_EVENTS.orderCompleted, PHONEPE_EVENTS.orderFailed]);
const REFUND_EVENTS: ReadonlySet<string> = new Set([PHONEPE_EVENTS.refundAccepted, PHONEPE_EVENTS.refundCompleted, PHONEPE_EVENTS.refundFailed]);

export function isOrderEvent(event: string): boolean {
  return ORDER_EVENTS.has(event);
}

export function isRefundEvent(event: string): boolean {
  return REFUND_EVENTS.has(event);
}

const sha256Hex = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

/**
 * PhonePe sends no event id. Repeats of one callback must share an id (the inbox drops them)
 * and a later state must not: so the id is a digest of what the callback says — event, whose,
 * which state, latest attempt — after the event name (the inbox keeps ids to 100 characters).
 * Anything unreadable is keyed by its bytes.
 */
function eventIdOf(event: string, payload: Record<string, unknown>, raw: Buffer): string {
  const name = event.slice(0, 50);
  if (isOrderEvent(event)) {
    const order = parseWireOrderStatus(payload);
    const latest = [...order.paymentDetails].sort((a, b) => a.timestamp - b.timestamp).at(-1);
    return `${name}:${sha256Hex([order.merchantOrderId ?? order.orderId, order.state, latest?.transactionId ?? '-', latest?.state ?? '-'].join('|')).slice(0, 40)}`;
  }
  if (isRefundEvent(event)) {
    const refund = parseWireRefundStatus(payload);
    return `${name}:${sha256Hex([refund.merchantRefundId, refund.state].join('|')).slice(0, 40)}`;
  }
  return `${name}:${sha256Hex(raw).slice(0, 40)}`;
}

/**
 * Verifies and reads a callback; never throws. Refused (`ok: false`) without the right
 * `Authorization`. Authenticated but unreadable: stored in quarantine with its problems, so an
 * operator sees it and PhonePe is not asked to resend it forever.
 */
export function receiveCallback(expectedAuthorization: string, request: WebhookRequest): WebhookReceipt {
  if (!isAuthorizedCallback(expectedAuthorization, headerOf(request.headers, 'authorization'))) {
    return { ok: false, reason: 'missing or wrong Authorization header (SHA-256 of the callback username:password)' };
  }
  let json: unknown;
  try {
    json = JSON.parse(request.rawBody.toString('utf8'));
  } catch {
    return quarantined(request.rawBody, 'unknown', ['body is not JSON']);
  }
  let envelope;
  try {
    envelope = parseWireCallback(json);
  } catch (error) {
    return quarantined(request.rawBody, 'unknown', [(error as Error).message]);
  }
  try {
    return { ok: true, eventId: eventIdOf(envelope.event, envelope.payload, request.rawBody), eventType: envelope.event, payload: envelope.payload };
  } catch (error) {
    return { ...quarantined(request.rawBody, envelope.event, [(error as Error).message]), payload: envelope.payload };
  }
}

function quarantined(raw: Buffer, eventType: string, problems: string[]): Extract<WebhookReceipt, { ok: true }> {
  return { ok: true, eventId: `unreadable:${sha256Hex(raw).slice(0, 40)}`, eventType, payload: {}, quarantine: { raw, problems } };
}
