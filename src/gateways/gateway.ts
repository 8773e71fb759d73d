/**
 * The one interface the services know for talking to a payment gateway, webhooks included.
 *
 * Ids are kept verbatim as the gateway issued them (`order_…`, `pay_…`, `rfnd_…` for
 * Razorpay) and every amount is an integer in the currency's smallest unit. Calls to the
 * gateway never throw anything but {@link GatewayError}. Everything a gateway's wire format
 * means (headers, signatures, envelopes, event names) stays inside its adapter
 * (`gateways/<name>/`): webhooks and handlers see only the types below.
 */
import type { RouteProductEvent, TransferEvent } from './payout-gateway.js';

/** Every gateway this service can be wired to; the registry holds the configured ones. */
export type GatewayName = 'razorpay' | 'phonepe';

export type GatewayPaymentStatus = 'created' | 'authorized' | 'captured' | 'refunded' | 'failed';
export type GatewayRefundStatus = 'pending' | 'processed' | 'failed';
export type GatewayPaymentMethod = 'card' | 'upi' | 'netbanking' | 'wallet' | 'emi' | 'bank_transfer' | string;

export interface GatewayOrder {
  id: string;
  amount: number;
  amountPaid: number;
  amountDue: number;
  currency: string;
  receipt: string | null;
  status: 'created' | 'attempted' | 'paid';
  attempts: number;
  notes: Record<string, string>;
  createdAt: Date;
  /** A redirecting gateway (PhonePe): where the customer's browser goes to pay. Razorpay: none (Checkout opens in the page). */
  redirectUrl?: string;
}

/** What the gateway reports about how the customer paid. */
export interface GatewayMethodDetails {
  method: GatewayPaymentMethod;
  cardNetwork: string | null;
  cardLast4: string | null;
  vpa: string | null;
  bank: string | null;
  wallet: string | null;
}

/** A payment attempt on an order, as the gateway reports it (a snapshot, not live state). */
export interface GatewayPayment {
  id: string;
  orderId: string;
  amount: number;
  currency: string;
  status: GatewayPaymentStatus;
  captured: boolean;
  amountRefunded: number;
  refundStatus: 'partial' | 'full' | null;
  methodDetails: GatewayMethodDetails;
  /** Gateway fee and tax on it, in the smallest unit; null until captured. */
  fee: number | null;
  tax: number | null;
  errorCode: string | null;
  errorDescription: string | null;
  errorReason: string | null;
  createdAt: Date;
}

export interface GatewayRefund {
  id: string;
  paymentId: string;
  amount: number;
  currency: string;
  status: GatewayRefundStatus;
  speedRequested: 'normal' | 'optimum' | null;
  speedProcessed: 'normal' | 'instant' | null;
  notes: Record<string, string>;
  createdAt: Date;
}

export interface CreateOrderRequest {
  amount: number;
  currency: string;
  /** At most 40 characters (Razorpay's limit). */
  receipt: string;
  /** At most 15 pairs, values at most 256 characters. */
  notes?: Record<string, string>;
  /** Capture automatically once authorised (Razorpay's default). */
  autoCapture?: boolean;
}

export interface RefundRequest {
  paymentId: string;
  /** Omitted: the whole unrefunded amount. */
  amount?: number;
  speed?: 'normal' | 'optimum';
  notes?: Record<string, string>;
  receipt?: string;
  /** Sent as `X-Refund-Idempotency` (at least 10 characters): a retry returns the same refund. */
  idempotencyKey?: string;
}

/** A webhook request as received: the exact bytes and the headers (names lower-case). */
export interface WebhookRequest {
  rawBody: Buffer;
  headers: Readonly<Record<string, string | undefined>>;
}

/** What the adapter made of a request: refused (400, with a reason safe to log and answer), or an event to store. */
export type WebhookReceipt =
  | { ok: false; reason: string }
  | { ok: true; eventId: string; eventType: string; payload: Record<string, unknown>; quarantine?: { raw: Buffer; problems: string[] } };

/**
 * A stored event in the gateway-neutral vocabulary the handlers use. `trusted`: the body
 * itself was verified (Razorpay signs the body: true). When false (PhonePe: a shared
 * username/password, not a signature over the body) the handler confirms the snapshot with the
 * gateway's API (fetchPayment / fetchRefund / listOrderPayments) before it changes money.
 */
export type GatewayEvent =
  | { kind: 'payment'; type: string; payment: GatewayPayment; trusted: boolean }
  | { kind: 'refund'; type: string; refund: GatewayRefund; trusted: boolean }
  /** A payee's linked account changed activation (Razorpay Route's `product.route.*`). */
  | { kind: 'payee_account'; type: string; product: RouteProductEvent; trusted: boolean }
  /** A transfer to a payee's linked account moved, or its settlement was paid out (Route). */
  | { kind: 'transfer'; type: string; event: TransferEvent; trusted: boolean }
  /** Nothing this service acts on; `reason` (optional) tells an operator why, when it is not just an unknown type. */
  | { kind: 'other'; type: string; reason?: string };

export interface Gateway {
  readonly name: GatewayName;
  /** Public key id handed to Checkout; the secret never leaves the server. */
  readonly keyId: string;
  createOrder(request: CreateOrderRequest): Promise<GatewayOrder>;
  fetchOrder(orderId: string): Promise<GatewayOrder>;
  fetchPayment(paymentId: string): Promise<GatewayPayment>;
  /** Every payment attempt made on the order, oldest first. */
  listOrderPayments(orderId: string): Promise<GatewayPayment[]>;
  /** Manual capture: the amount must equal the authorised amount. */
  capturePayment(paymentId: string, amount: number, currency: string): Promise<GatewayPayment>;
  refundPayment(request: RefundRequest): Promise<GatewayRefund>;
  fetchRefund(paymentId: string, refundId: string): Promise<GatewayRefund>;
  /**
   * The client-side proof Checkout hands the browser (Razorpay: hex HMAC-SHA256 of
   * `orderId|paymentId` with the key secret), compared in constant time. `orderId` must be the
   * one stored on the server. A gateway without client-side signatures answers false.
   */
  verifyCheckoutSignature(orderId: string, paymentId: string, signature: string): boolean;
  /** Verifies and parses a webhook request; never throws. */
  receiveWebhook(request: WebhookRequest): WebhookReceipt;
  /** Decodes a stored payload (what receiveWebhook returned) into neutral events; throws on a malformed payload. */
  decodeWebhook(eventType: string, payload: Record<string, unknown>): GatewayEvent;
}

/** Finding a configured gateway by name: what webhooks need of the registry (gateway.registry.ts implements it). */
export interface GatewayLookup {
  /** The gateway called `name`; throws naming the configured ones when it is unknown or not configured. */
  get(name: string): Gateway;
  /** The gateway called `name`, or undefined when it is unknown or not configured. */
  find(name: string): Gateway | undefined;
}

export type GatewayErrorKind =
  /** The gateway refused the request (4xx other than 429): retrying will not help. */
  | 'rejected'
  /** No such order/payment/refund at the gateway. */
  | 'not_found'
  /** Timeout, network failure, 429 or 5xx after the retries ran out. */
  | 'unavailable';

/** The only error a {@link Gateway} throws. `message` is safe to show a client. */
export class GatewayError extends Error {
  constructor(
    message: string,
    readonly kind: GatewayErrorKind,
    readonly httpStatus: number | null = null,
    readonly gatewayCode: string | null = null,
  ) {
    super(message);
    this.name = 'GatewayError';
  }
}
