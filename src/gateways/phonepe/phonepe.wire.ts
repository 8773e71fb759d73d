/**
 * PhonePe PG v2 (Standard Checkout) on the wire, as ../shared/PHONEPE-FACTS.md lists it. Only
 * what this service sends or reads; PhonePe's answers carry more, and unknown fields are kept
 * and ignored. Amounts are integer paise; `expireAt`/`timestamp` epoch milliseconds; token
 * times epoch seconds.
 */

/** `POST {oauth}/v1/oauth/token` (form-urlencoded request). */
export interface WireToken {
  access_token: string;
  token_type: string;
  /** Epoch seconds. */
  issued_at: number;
  /** Epoch seconds. */
  expires_at: number;
}

/** Order and attempt states. `EXPIRED` appears in one doc sample only (unverified). */
export type WireOrderState = 'PENDING' | 'COMPLETED' | 'FAILED' | 'EXPIRED';
export type WireTransactionState = 'PENDING' | 'COMPLETED' | 'FAILED';
export type WireRefundState = 'PENDING' | 'CONFIRMED' | 'COMPLETED' | 'FAILED';

/** `metaInfo`: fixed keys. The SDK's builder has udf1–udf5 only. */
export interface WireMetaInfo {
  udf1?: string;
  udf2?: string;
  udf3?: string;
  udf4?: string;
  udf5?: string;
}

/** `POST {pg}/checkout/v2/pay` body, as the SDK's StandardCheckoutPayRequest serialises it. */
export interface WirePayRequest {
  merchantOrderId: string;
  amount: number;
  /** Seconds, 300–3600. */
  expireAfter?: number;
  metaInfo?: WireMetaInfo;
  paymentFlow: { type: 'PG_CHECKOUT'; message?: string; merchantUrls: { redirectUrl: string } };
}

export interface WirePayResponse {
  orderId: string;
  state: WireOrderState;
  /** Epoch ms. */
  expireAt: number;
  /** PhonePe's hosted page: where the customer's browser goes. */
  redirectUrl: string;
}

export interface WireSplitInstrument {
  instrument?: { type?: string; [key: string]: unknown };
  rail?: { type?: string; utr?: string; vpa?: string; [key: string]: unknown };
  amount?: number;
}

/** One payment attempt of an order (`paymentDetails[]`). */
export interface WireTransaction {
  transactionId: string;
  paymentMode: string;
  /** Epoch ms. */
  timestamp: number;
  amount: number;
  state: WireTransactionState;
  errorCode?: string;
  detailedErrorCode?: string;
  splitInstruments?: WireSplitInstrument[];
}

/** `GET {pg}/checkout/v2/order/{merchantOrderId}/status?details=` — also the order callbacks' payload. */
export interface WireOrderStatus {
  merchantId?: string;
  merchantOrderId?: string;
  orderId: string;
  state: WireOrderState;
  amount: number;
  payableAmount?: number;
  feeAmount?: number;
  /** Epoch ms. */
  expireAt: number;
  metaInfo?: WireMetaInfo & Record<string, unknown>;
  errorCode?: string;
  detailedErrorCode?: string;
  paymentDetails: WireTransaction[];
}

/** `POST {pg}/payments/v2/refund`. */
export interface WireRefundRequest {
  merchantRefundId: string;
  originalMerchantOrderId: string;
  amount: number;
}

export interface WireRefundResponse {
  refundId: string;
  amount: number;
  state: WireRefundState;
}

/** `GET {pg}/payments/v2/refund/{merchantRefundId}/status` — also the refund callbacks' payload (shape unverified). */
export interface WireRefundStatus {
  merchantId?: string;
  merchantRefundId: string;
  originalMerchantOrderId: string;
  refundId?: string;
  amount: number;
  state: WireRefundState;
  timestamp?: number;
  errorCode?: string;
  detailedErrorCode?: string;
  paymentDetails?: WireTransaction[];
}

/** A callback body: `event` is the name to read (`type` is being deprecated). */
export interface WireCallback {
  event: string;
  type?: string;
  payload: Record<string, unknown>;
}

/** An error answer's body. */
export interface WireErrorBody {
  code: string;
  message: string;
  data?: Record<string, unknown>;
}

export const PHONEPE_EVENTS = {
  orderCompleted: 'checkout.order.completed',
  orderFailed: 'checkout.order.failed',
  refundAccepted: 'pg.refund.accepted',
  refundCompleted: 'pg.refund.completed',
  refundFailed: 'pg.refund.failed',
} as const;
