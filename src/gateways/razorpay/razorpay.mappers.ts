/**
 * Razorpay's wire shapes → the gateway interface's types, and validation of what Razorpay
 * (or anything pretending to be it) sends us. Pure functions: no I/O, no clock.
 */
import { z } from 'zod';
import type {
  GatewayOrder,
  GatewayPayment,
  GatewayRefund,
} from '../gateway.js';
import type {
  WireCollection,
  WireNotes,
  WireOrder,
  WirePayment,
  WireRefund,
  WireWebhookEnvelope,
} from './razorpay.wire.js';

/** An amount in the smallest unit: a float here would mean money computed wrongly upstream. */
const minorUnits = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const unixSeconds = z.number().int().nonnegative();
const nullableString = z.string().nullable();
/** A string field this service does not read: null when missing. */
const lenientString = z.string().nullish().transform((value) => value ?? null);
const notes = z.union([
  z.record(z.string(), z.union([z.string(), z.number()])),
  z.tuple([]),
]);

// Loose objects: Razorpay adds fields over time, and an unknown field must not fail a
// webhook or a fetch; only the fields this service reads are checked.
const orderSchema = z.looseObject({
  id: z.string().min(1),
  entity: z.literal('order'),
  amount: minorUnits,
  amount_paid: minorUnits,
  amount_due: minorUnits,
  currency: z.string().min(1),
  receipt: nullableString,
  status: z.enum(['created', 'attempted', 'paid']),
  attempts: z.number().int().nonnegative(),
  notes,
  created_at: unixSeconds,
}) satisfies z.ZodType<WireOrder>;

const cardSchema = z.looseObject({
  last4: nullableString,
  network: nullableString,
});

const paymentSchema = z.looseObject({
  id: z.string().min(1),
  entity: z.literal('payment'),
  amount: minorUnits,
  currency: z.string().min(1),
  status: z.enum(['created', 'authorized', 'captured', 'refunded', 'failed']),
  order_id: nullableString,
  method: z.string(),
  amount_refunded: minorUnits,
  refund_status: z.enum(['partial', 'full']).nullable(),
  captured: z.boolean(),
  card: cardSchema.nullable().optional(),
  bank: nullableString,
  wallet: nullableString,
  vpa: nullableString,
  // Not read here: tolerated when absent, since a strict check would turn a harmless change in
  // Razorpay's payload into an event set aside as malformed.
  email: lenientString,
  contact: lenientString,
  notes,
  fee: minorUnits.nullable(),
  tax: minorUnits.nullable(),
  error_code: nullableString,
  error_description: nullableString,
  error_source: lenientString,
  error_step: lenientString,
  error_reason: nullableString,
  created_at: unixSeconds,
}) satisfies z.ZodType<WirePayment>;

const refundSchema = z.looseObject({
  id: z.string().min(1),
  entity: z.literal('refund'),
  amount: minorUnits,
  currency: z.string().min(1),
  payment_id: z.string().min(1),
  notes,
  receipt: nullableString,
  status: z.enum(['pending', 'processed', 'failed']),
  speed_requested: z.enum(['normal', 'optimum']).nullable(),
  speed_processed: z.enum(['normal', 'instant']).nullable(),
  created_at: unixSeconds,
}) satisfies z.ZodType<WireRefund>;

const paymentCollectionSchema = z.looseObject({
  entity: z.literal('collection'),
  count: z.number().int().nonnegative(),
  items: z.array(paymentSchema),
}) satisfies z.ZodType<WireCollection<WirePayment>>;

const webhookEnvelopeSchema = z.looseObject({
  entity: z.literal('event'),
  account_id: z.string(),
  event: z.string().min(1),
  contains: z.array(z.string()),
  payload: z.looseObject({
    payment: z.object({ entity: paymentSchema }).optional(),
    order: z.object({ entity: orderSchema }).optional(),
    refund: z.object({ entity: refundSchema }).optional(),
  }),
  created_at: unixSeconds,
}) satisfies z.ZodType<WireWebhookEnvelope>;

/** Turns zod's issues into one line naming every offending path, e.g. `payload.payment.entity.id`. */
function describeIssues(what: string, error: z.ZodError): string {
  const problems = error.issues.map((issue) => {
    const path = issue.path.map(String).join('.') || '(root)';
    return `${path}: ${issue.message}`;
  });
  return `Invalid ${what}: ${problems.join('; ')}`;
}

function parseWith<T>(schema: z.ZodType<T>, what: string, json: unknown): T {
  const result = schema.safeParse(json);
  if (!result.success) throw new Error(describeIssues(what, result.error));
  return result.data;
}

/** Accepts a Razorpay order only if every field the service reads has the documented type. */
export function parseWireOrder(json: unknown): WireOrder {
  return parseWith(orderSchema, 'Razorpay order', json);
}

/** Accepts a Razorpay payment only if every field the service reads has the documented type. */
export function parseWirePayment(json: unknown): WirePayment {
  return parseWith(paymentSchema, 'Razorpay payment', json);
}

/** Accepts a Razorpay refund only if every field the service reads has the documented type. */
export function parseWireRefund(json: unknown): WireRefund {
  return parseWith(refundSchema, 'Razorpay refund', json);
}

/** Accepts `{entity:"collection", items:[payment…]}` with every item a valid payment. */
export function parseWirePaymentCollection(json: unknown): WireCollection<WirePayment> {
  return parseWith(paymentCollectionSchema, 'Razorpay payment collection', json);
}

/**
 * Validates a webhook body that was already authenticated by its signature. Unknown event
 * names are accepted (they are stored and acknowledged); payload entities present must be
 * well-formed. Throws an Error naming each missing or mistyped field.
 */
export function parseWebhookEnvelope(json: unknown): WireWebhookEnvelope {
  return parseWith(webhookEnvelopeSchema, 'Razorpay webhook envelope', json);
}

/** `[]` (Razorpay's empty notes) becomes `{}`; numeric values become strings. */
function toNotes(wire: WireNotes): Record<string, string> {
  if (Array.isArray(wire)) return {};
  return Object.fromEntries(Object.entries(wire).map(([key, value]) => [key, String(value)]));
}

function fromUnixSeconds(seconds: number): Date {
  return new Date(seconds * 1000);
}

/** Maps an order verbatim: same id, same integer amounts, `created_at` seconds → Date. */
export function toGatewayOrder(wire: WireOrder): GatewayOrder {
  return {
    id: wire.id,
    amount: wire.amount,
    amountPaid: wire.amount_paid,
    amountDue: wire.amount_due,
    currency: wire.currency,
    receipt: wire.receipt,
    status: wire.status,
    attempts: wire.attempts,
    notes: toNotes(wire.notes),
    createdAt: fromUnixSeconds(wire.created_at),
  };
}

/**
 * Maps a payment verbatim. A payment without an order cannot be one of this service's
 * (every checkout starts from an order), so that throws rather than inventing an order id.
 */
export function toGatewayPayment(wire: WirePayment): GatewayPayment {
  if (wire.order_id === null) {
    throw new Error(`Razorpay payment ${wire.id} has no order_id`);
  }
  return {
    id: wire.id,
    orderId: wire.order_id,
    amount: wire.amount,
    currency: wire.currency,
    status: wire.status,
    captured: wire.captured,
    amountRefunded: wire.amount_refunded,
    refundStatus: wire.refund_status,
    methodDetails: {
      method: wire.method,
      cardNetwork: wire.card?.network ?? null,
      cardLast4: wire.card?.last4 ?? null,
      vpa: wire.vpa,
      bank: wire.bank,
      wallet: wire.wallet,
    },
    fee: wire.fee,
    tax: wire.tax,
    errorCode: wire.error_code,
    errorDescription: wire.error_description,
    errorReason: wire.error_reason,
    createdAt: fromUnixSeconds(wire.created_at),
  };
}

/** Maps a refund verbatim: same ids, same integer amount, `created_at` seconds → Date. */
export function toGatewayRefund(wire: WireRefund): GatewayRefund {
  return {
    id: wire.id,
    paymentId: wire.payment_id,
    amount: wire.amount,
    currency: wire.currency,
    status: wire.status,
    speedRequested: wire.speed_requested,
    speedProcessed: wire.speed_processed,
    notes: toNotes(wire.notes),
    createdAt: fromUnixSeconds(wire.created_at),
  };
}
