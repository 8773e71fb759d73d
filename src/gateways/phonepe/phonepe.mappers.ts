/**
 * PhonePe's wire shapes → the gateway interface's types, validation of what PhonePe (or
 * anything pretending to be it) sends, and the `metaInfo` encoding of our receipt and notes.
 * Pure functions: no I/O, no clock (callers pass `now` where PhonePe gives no time).
 */
import { z } from 'zod';
import { GatewayError, type GatewayOrder, type GatewayPayment, type GatewayRefund } from '../gateway.js';
import { paymentIdOf } from './phonepe.ids.js';
import type {
  WireCallback,
  WireMetaInfo,
  WireOrderStatus,
  WirePayResponse,
  WireRefundResponse,
  WireRefundStatus,
  WireToken,
  WireTransaction,
} from './phonepe.wire.js';

/** PhonePe has no currency field: INR is implied (PHONEPE-FACTS §5). */
export const PHONEPE_CURRENCY = 'INR';
/** PhonePe's smallest order and refund: ₹1. */
export const MIN_AMOUNT = 100;
/** udf1–udf10 hold at most 256 characters each; the SDK can send udf1–udf5. */
const UDF_MAX = 256;
const NOTE_UDFS = ['udf2', 'udf3', 'udf4', 'udf5'] as const;

const minorUnits = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const epoch = z.number().int().nonnegative();
const optionalString = z.string().nullish().transform((value) => value ?? undefined);

// Loose objects throughout: PhonePe documents that fields are added and must be ignored.
const tokenSchema = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string().min(1),
  issued_at: epoch,
  expires_at: epoch,
}) satisfies z.ZodType<WireToken>;

const payResponseSchema = z.looseObject({
  orderId: z.string().min(1),
  state: z.string().min(1),
  expireAt: epoch,
  redirectUrl: z.string().url(),
});

const transactionSchema = z.looseObject({
  transactionId: z.string().min(1),
  paymentMode: z.string().nullish().transform((value) => value ?? 'unknown'),
  timestamp: epoch,
  amount: minorUnits,
  state: z.enum(['PENDING', 'COMPLETED', 'FAILED']),
  errorCode: optionalString,
  detailedErrorCode: optionalString,
  splitInstruments: z.array(z.looseObject({
    instrument: z.looseObject({ type: z.string().optional() }).nullish(),
    rail: z.looseObject({ type: z.string().optional(), utr: z.string().optional(), vpa: z.string().optional() }).nullish(),
    amount: minorUnits.optional(),
  })).nullish().transform((value) => value ?? undefined),
});

const orderStatusSchema = z.looseObject({
  merchantId: optionalString,
  merchantOrderId: optionalString,
  orderId: z.string().min(1),
  // EXPIRED: one doc sample only; read as a failed order.
  state: z.enum(['PENDING', 'COMPLETED', 'FAILED', 'EXPIRED']),
  amount: minorUnits,
  payableAmount: minorUnits.optional(),
  feeAmount: minorUnits.optional(),
  expireAt: epoch,
  metaInfo: z.record(z.string(), z.unknown()).nullish().transform((value) => value ?? undefined),
  errorCode: optionalString,
  detailedErrorCode: optionalString,
  paymentDetails: z.array(transactionSchema).nullish().transform((value) => value ?? []),
});

const refundState = z.enum(['PENDING', 'CONFIRMED', 'COMPLETED', 'FAILED']);

const refundResponseSchema = z.looseObject({
  refundId: z.string().min(1),
  amount: minorUnits,
  state: refundState,
}) satisfies z.ZodType<WireRefundResponse>;

const refundStatusSchema = z.looseObject({
  merchantId: optionalString,
  merchantRefundId: z.string().min(1),
  originalMerchantOrderId: z.string().min(1),
  refundId: optionalString,
  amount: minorUnits,
  state: refundState,
  timestamp: epoch.optional(),
  errorCode: optionalString,
  detailedErrorCode: optionalString,
});

const callbackSchema = z.looseObject({
  event: z.string().min(1),
  type: optionalString,
  payload: z.record(z.string(), z.unknown()),
});

function describeIssues(what: string, error: z.ZodError): string {
  const problems = error.issues.map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`);
  return `Invalid ${what}: ${problems.join('; ')}`;
}

function parseWith<T>(schema: z.ZodType<T>, what: string, json: unknown): T {
  const result = schema.safeParse(json);
  if (!result.success) throw new Error(describeIssues(what, result.error));
  return result.data;
}

export const parseWireToken = (json: unknown): WireToken => parseWith(tokenSchema, 'PhonePe token', json);
export const parseWirePayResponse = (json: unknown): WirePayResponse =>
  parseWith(payResponseSchema, 'PhonePe pay answer', json) as WirePayResponse;
export const parseWireOrderStatus = (json: unknown): WireOrderStatus =>
  parseWith(orderStatusSchema, 'PhonePe order status', json) as WireOrderStatus;
export const parseWireRefundResponse = (json: unknown): WireRefundResponse =>
  parseWith(refundResponseSchema, 'PhonePe refund answer', json);
export const parseWireRefundStatus = (json: unknown): WireRefundStatus =>
  parseWith(refundStatusSchema, 'PhonePe refund status', json) as WireRefundStatus;
/** The envelope only: `event` and an object `payload`; the payload is checked when decoded. */
export const parseWireCallback = (json: unknown): WireCallback => parseWith(callbackSchema, 'PhonePe callback', json);

/**
 * Our receipt in udf1, our notes as JSON spread over udf2–udf5 (PhonePe's keys are fixed, so
 * a note's name cannot be a key). Refused, naming `notes`, when they do not fit.
 */
export function toMetaInfo(receipt: string, notes: Record<string, string> | undefined): WireMetaInfo {
  if (receipt.length > UDF_MAX) throw new GatewayError(`receipt must be at most ${UDF_MAX} characters for PhonePe`, 'rejected');
  const meta: WireMetaInfo = { udf1: receipt };
  if (!notes || Object.keys(notes).length === 0) return meta;
  const json = JSON.stringify(notes);
  if (json.length > UDF_MAX * NOTE_UDFS.length) {
    throw new GatewayError(
      `notes must be at most ${UDF_MAX * NOTE_UDFS.length} characters as JSON for PhonePe (its metaInfo has four free fields of ${UDF_MAX})`,
      'rejected',
    );
  }
  NOTE_UDFS.forEach((key, i) => {
    const part = json.slice(i * UDF_MAX, (i + 1) * UDF_MAX);
    if (part) meta[key] = part;
  });
  return meta;
}

/** The inverse of {@link toMetaInfo}; metaInfo we did not write gives `{}` notes rather than an error. */
export function fromMetaInfo(meta: Record<string, unknown> | undefined): { receipt: string | null; notes: Record<string, string> } {
  const receipt = typeof meta?.udf1 === 'string' ? meta.udf1 : null;
  const json = NOTE_UDFS.map((key) => (typeof meta?.[key] === 'string' ? meta[key] : '')).join('');
  if (!json) return { receipt, notes: {} };
  try {
    const parsed: unknown = JSON.parse(json);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { receipt, notes: {} };
    return { receipt, notes: Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, String(v)])) };
  } catch {
    return { receipt, notes: {} };
  }
}

const PAYMENT_STATUS = { PENDING: 'created', COMPLETED: 'captured', FAILED: 'failed' } as const;
const REFUND_STATUS = { PENDING: 'pending', CONFIRMED: 'pending', COMPLETED: 'processed', FAILED: 'failed' } as const;

/** UPI_INTENT, UPI_COLLECT, UPI_QR → upi; CARD → card; NET_BANKING → netbanking; others lowercased. */
function methodOf(paymentMode: string): string {
  if (paymentMode.startsWith('UPI')) return 'upi';
  if (paymentMode === 'NET_BANKING') return 'netbanking';
  return paymentMode.toLowerCase();
}

/**
 * One attempt as a payment. No authorise/capture step at PhonePe: COMPLETED is captured,
 * PENDING is still in progress (created). Refunds are tracked through fetchRefund, not here.
 */
export function toGatewayPayment(merchantOrderId: string, attempt: WireTransaction): GatewayPayment {
  const rail = attempt.splitInstruments?.find((split) => split.rail)?.rail;
  return {
    id: paymentIdOf(merchantOrderId, attempt.transactionId),
    orderId: merchantOrderId,
    amount: attempt.amount,
    currency: PHONEPE_CURRENCY,
    status: PAYMENT_STATUS[attempt.state],
    captured: attempt.state === 'COMPLETED',
    amountRefunded: 0,
    refundStatus: null,
    methodDetails: {
      method: methodOf(attempt.paymentMode),
      cardNetwork: null,
      cardLast4: null,
      vpa: typeof rail?.vpa === 'string' ? rail.vpa : null,
      bank: null,
      wallet: null,
    },
    fee: null,
    tax: null,
    errorCode: attempt.errorCode ?? null,
    errorDescription: attempt.detailedErrorCode ?? null,
    errorReason: attempt.detailedErrorCode ?? null,
    createdAt: new Date(attempt.timestamp),
  };
}

/** Every attempt, oldest first (PhonePe's order is not documented; the sort is stable). */
export function toGatewayPayments(merchantOrderId: string, wire: WireOrderStatus): GatewayPayment[] {
  return [...wire.paymentDetails].sort((a, b) => a.timestamp - b.timestamp).map((attempt) => toGatewayPayment(merchantOrderId, attempt));
}

/**
 * An order. PhonePe's status has no creation time: the earliest attempt's stands in, else
 * `createdAt` (the caller's clock at creation, or the expiry for a fetched order).
 */
export function toGatewayOrder(merchantOrderId: string, wire: WireOrderStatus, createdAt?: Date): GatewayOrder {
  const { receipt, notes } = fromMetaInfo(wire.metaInfo);
  const paid = wire.state === 'COMPLETED'
    ? wire.amount
    : Math.min(wire.amount, wire.paymentDetails.filter((a) => a.state === 'COMPLETED').reduce((sum, a) => sum + a.amount, 0));
  const earliest = wire.paymentDetails.reduce<number | null>((min, a) => (min === null || a.timestamp < min ? a.timestamp : min), null);
  return {
    id: merchantOrderId,
    amount: wire.amount,
    amountPaid: paid,
    amountDue: wire.amount - paid,
    currency: PHONEPE_CURRENCY,
    receipt,
    status: paid >= wire.amount ? 'paid' : wire.paymentDetails.length > 0 ? 'attempted' : 'created',
    attempts: wire.paymentDetails.length,
    notes: { ...notes, phonepe_order_id: wire.orderId, phonepe_state: wire.state },
    createdAt: earliest !== null ? new Date(earliest) : (createdAt ?? new Date(wire.expireAt)),
  };
}

/** A refund: its id is our `merchantRefundId`; PhonePe's `refundId` goes in the notes. */
export function toGatewayRefund(
  paymentId: string,
  merchantRefundId: string,
  wire: { refundId?: string; amount: number; state: WireRefundStatus['state']; timestamp?: number },
  now: Date,
): GatewayRefund {
  return {
    id: merchantRefundId,
    paymentId,
    amount: wire.amount,
    currency: PHONEPE_CURRENCY,
    status: REFUND_STATUS[wire.state],
    speedRequested: null,
    speedProcessed: null,
    notes: wire.refundId ? { phonepe_refund_id: wire.refundId } : {},
    createdAt: wire.timestamp !== undefined ? new Date(wire.timestamp) : now,
  };
}
