/**
 * The gateway boundary's additions (issue 10 item 3) as agreed with the branch that builds it,
 * declared here until that branch is on main: then this file goes and the imports point at
 * `../gateway.js`. Nothing in it is PhonePe-specific.
 */
import type {
  CreateOrderRequest,
  GatewayOrder,
  GatewayPayment,
  GatewayRefund,
  RefundRequest,
} from '../gateway.js';

export type GatewayName = 'razorpay' | 'phonepe';

export interface WebhookRequest {
  rawBody: Buffer;
  headers: Readonly<Record<string, string | undefined>>;
}

export type WebhookReceipt =
  | { ok: false; reason: string }
  | {
      ok: true;
      eventId: string;
      eventType: string;
      payload: Record<string, unknown>;
      quarantine?: { raw: Buffer; problems: string[] };
    };

/**
 * A webhook decoded into the interface's vocabulary. `trusted: false` (PhonePe: a shared
 * username/password, not a signature over the body): handlers confirm the snapshot with the
 * gateway API (fetchPayment / fetchRefund / listOrderPayments) before changing money.
 */
export type GatewayEvent =
  | { kind: 'payment'; type: string; payment: GatewayPayment; trusted: boolean }
  | { kind: 'refund'; type: string; refund: GatewayRefund; trusted: boolean }
  | { kind: 'other'; type: string };

/** An order as the contract returns it; a redirecting gateway adds where to send the customer. */
export type GatewayOrderWithRedirect = GatewayOrder & { redirectUrl?: string };

export interface BoundaryGateway {
  readonly name: GatewayName;
  readonly keyId: string;
  createOrder(request: CreateOrderRequest): Promise<GatewayOrderWithRedirect>;
  fetchOrder(orderId: string): Promise<GatewayOrderWithRedirect>;
  fetchPayment(paymentId: string): Promise<GatewayPayment>;
  listOrderPayments(orderId: string): Promise<GatewayPayment[]>;
  capturePayment(paymentId: string, amount: number, currency: string): Promise<GatewayPayment>;
  refundPayment(request: RefundRequest): Promise<GatewayRefund>;
  fetchRefund(paymentId: string, refundId: string): Promise<GatewayRefund>;
  verifyCheckoutSignature(orderId: string, paymentId: string, signature: string): boolean;
  /** Verify and parse; never throws. */
  receiveWebhook(request: WebhookRequest): WebhookReceipt;
  decodeWebhook(eventType: string, payload: Record<string, unknown>): GatewayEvent;
}
