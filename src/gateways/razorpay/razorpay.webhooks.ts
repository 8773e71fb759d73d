/**
 * Razorpay's webhooks: what a request must carry to be accepted (the `X-Razorpay-Signature`
 * over the exact bytes, an `entity:"event"` envelope, the `X-Razorpay-Event-Id`) and what each
 * event name means in the gateway-neutral vocabulary. The body is signed, so every decoded
 * event is trusted. Pure functions: the adapter passes its signature check in.
 */
import { createHash } from 'node:crypto';
import type { GatewayEvent, WebhookReceipt, WebhookRequest } from '../gateway.js';
import { decodeBody, MAX_WEBHOOK_DEPTH, nestingDepth } from '../webhook.body.js';
import { parseWebhookEnvelope, toGatewayPayment, toGatewayRefund } from './razorpay.mappers.js';
import { decodeRouteProductEvent, decodeTransferEvent } from './route/route.mappers.js';
import { ROUTE_PRODUCT_EVENT_TYPES, SETTLEMENT_EVENT_TYPES, TRANSFER_EVENT_TYPES } from './route/route.wire.js';

export const SIGNATURE_HEADER = 'x-razorpay-signature';
export const EVENT_ID_HEADER = 'x-razorpay-event-id';
const EVENT_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,100}$/;

/** Payment events Razorpay sends; each carries a snapshot of the attempt at event time. */
export const PAYMENT_EVENT_TYPES: readonly string[] = ['payment.authorized', 'payment.captured', 'payment.failed', 'order.paid'];
/** Refund events Razorpay sends; each carries a snapshot of the refund at event time. */
export const REFUND_EVENT_TYPES: readonly string[] = ['refund.created', 'refund.processed', 'refund.failed'];

/**
 * Accepts a delivery only when its signature matches the raw bytes (checked first: nothing of
 * an unsigned body is read), it nests no deeper than MAX_WEBHOOK_DEPTH, it is JSON, and it is an
 * event envelope. A signed body PostgreSQL cannot hold as it is comes back with `quarantine`.
 */
export function receiveRazorpayWebhook(request: WebhookRequest, verifySignature: (rawBody: Buffer, signature: string) => boolean): WebhookReceipt {
  const raw = request.rawBody;
  const signature = request.headers[SIGNATURE_HEADER];
  if (!signature) return refuse('missing X-Razorpay-Signature header');
  if (!verifySignature(raw, signature)) return refuse('X-Razorpay-Signature does not match the body');

  if (nestingDepth(raw) > MAX_WEBHOOK_DEPTH) return refuse(`body nests deeper than ${MAX_WEBHOOK_DEPTH} levels`);
  let decoded: ReturnType<typeof decodeBody>;
  try {
    decoded = decodeBody(raw);
  } catch {
    return refuse('body is not valid JSON');
  }
  const { json, problems } = decoded;
  if (!isEnvelope(json)) return refuse('body is not a Razorpay event (entity "event" with an event name and payload)');
  const headerId = request.headers[EVENT_ID_HEADER];
  if (headerId !== undefined && !EVENT_ID_PATTERN.test(headerId)) return refuse('X-Razorpay-Event-Id is malformed');
  // Razorpay always sends the id; without one, the body's hash still makes redelivery idempotent.
  const eventId = headerId ?? `sha256:${createHash('sha256').update(raw).digest('hex').slice(0, 64)}`;
  return {
    ok: true,
    eventId,
    eventType: json.event,
    payload: json as unknown as Record<string, unknown>,
    ...(problems.length > 0 && { quarantine: { raw, problems } }),
  };
}

/**
 * A stored envelope as a neutral event: payment events carry the attempt, refund events the
 * refund, Route's `product.route.*` the product, `transfer.processed|failed` (also
 * `transfers.failed`) the transfer and `settlement.processed` the settlement id; anything else (an unknown event, a payment made without an order — payment links
 * and QR codes on the same account — or an event without its entity) is `other`, acknowledged
 * and left alone. Throws, naming every bad field, when the envelope is malformed.
 */
export function decodeRazorpayWebhook(eventType: string, payload: Record<string, unknown>): GatewayEvent {
  const envelope = parseWebhookEnvelope(payload);
  if (PAYMENT_EVENT_TYPES.includes(eventType)) {
    const wire = envelope.payload.payment?.entity;
    if (!wire) return { kind: 'other', type: eventType, reason: `${eventType} carries no payment entity` };
    if (!wire.order_id) return { kind: 'other', type: eventType, reason: `payment ${wire.id} has no order` };
    return { kind: 'payment', type: eventType, payment: toGatewayPayment(wire), trusted: true };
  }
  if (REFUND_EVENT_TYPES.includes(eventType)) {
    const wire = envelope.payload.refund?.entity;
    if (!wire) return { kind: 'other', type: eventType, reason: `${eventType} carries no refund entity` };
    return { kind: 'refund', type: eventType, refund: toGatewayRefund(wire), trusted: true };
  }
  if ((ROUTE_PRODUCT_EVENT_TYPES as readonly string[]).includes(eventType)) {
    const product = decodeRouteProductEvent(envelope);
    if ('unusable' in product) return { kind: 'other', type: eventType, reason: product.unusable };
    return { kind: 'payee_account', type: eventType, product, trusted: true };
  }
  if ([...TRANSFER_EVENT_TYPES, ...SETTLEMENT_EVENT_TYPES].includes(eventType as never)) {
    const event = decodeTransferEvent(envelope);
    if ('unusable' in event) return { kind: 'other', type: eventType, reason: event.unusable };
    return { kind: 'transfer', type: eventType, event, trusted: true };
  }
  return { kind: 'other', type: eventType };
}

function refuse(reason: string): WebhookReceipt {
  return { ok: false, reason };
}

function isEnvelope(value: unknown): value is { entity: 'event'; event: string; payload: object } {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return v.entity === 'event' && typeof v.event === 'string' && v.event.length > 0 && v.event.length <= 64 &&
    typeof v.payload === 'object' && v.payload !== null;
}
