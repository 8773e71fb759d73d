/**
 * Razorpay's JSON as it travels on the wire (snake_case), kept apart from the gateway
 * interface so that a change in Razorpay's shapes touches the mappers only.
 *
 * Every amount is an integer in the currency's smallest unit (paise for INR); every
 * `created_at` is a Unix time in seconds.
 */

/**
 * Razorpay answers `notes` as a JSON object, except that an order or payment created
 * without notes comes back with `[]` (a PHP empty array), so both must be accepted.
 */
export type WireNotes = Record<string, string | number> | [];

export type WireOrderStatus = 'created' | 'attempted' | 'paid';
export type WirePaymentStatus = 'created' | 'authorized' | 'captured' | 'refunded' | 'failed';
export type WireRefundStatus = 'pending' | 'processed' | 'failed';

/** Body of `POST /v1/orders`. */
export interface WireOrderCreateRequest {
  amount: number;
  currency: string;
  receipt: string;
  notes?: Record<string, string>;
  /** Razorpay documents 1/0 (and accepts true/false): capture as soon as authorised. */
  payment_capture?: 0 | 1 | boolean;
}

export interface WireOrder {
  id: string;
  entity: 'order';
  amount: number;
  amount_paid: number;
  amount_due: number;
  currency: string;
  receipt: string | null;
  offer_id?: string | null;
  status: WireOrderStatus;
  attempts: number;
  notes: WireNotes;
  created_at: number;
}

/** Present on card payments in webhooks, and in REST answers when expanded. */
export interface WireCard {
  id?: string;
  entity?: 'card';
  name?: string | null;
  last4: string | null;
  network: string | null;
  type?: string | null;
  issuer?: string | null;
  international?: boolean;
  emi?: boolean;
}

export interface WirePayment {
  id: string;
  entity: 'payment';
  amount: number;
  currency: string;
  status: WirePaymentStatus;
  /** Null for payments that were not made against an order (not used by this service). */
  order_id: string | null;
  invoice_id?: string | null;
  international?: boolean;
  method: string;
  amount_refunded: number;
  refund_status: 'partial' | 'full' | null;
  captured: boolean;
  description?: string | null;
  card_id?: string | null;
  card?: WireCard | null;
  bank: string | null;
  wallet: string | null;
  vpa: string | null;
  email: string | null;
  contact: string | null;
  notes: WireNotes;
  /** Gateway fee including tax, null until captured. */
  fee: number | null;
  tax: number | null;
  error_code: string | null;
  error_description: string | null;
  error_source: string | null;
  error_step: string | null;
  error_reason: string | null;
  created_at: number;
}

/** Body of `POST /v1/payments/:id/refund`. */
export interface WireRefundCreateRequest {
  /** Omitted: the whole amount not yet refunded. */
  amount?: number;
  speed?: 'normal' | 'optimum';
  notes?: Record<string, string>;
  receipt?: string;
}

export interface WireRefund {
  id: string;
  entity: 'refund';
  amount: number;
  currency: string;
  payment_id: string;
  notes: WireNotes;
  receipt: string | null;
  acquirer_data?: Record<string, string | null>;
  batch_id?: string | null;
  status: WireRefundStatus;
  speed_requested: 'normal' | 'optimum' | null;
  speed_processed: 'normal' | 'instant' | null;
  created_at: number;
}

/** Body of `POST /v1/payments/:id/capture`. */
export interface WireCaptureRequest {
  amount: number;
  currency: string;
}

/** Razorpay's list answers, e.g. `GET /v1/orders/:id/payments`. */
export interface WireCollection<T> {
  entity: 'collection';
  count: number;
  items: T[];
}

export interface WireErrorDetail {
  code: string;
  description: string;
  field?: string | null;
  source?: string | null;
  step?: string | null;
  reason?: string | null;
  metadata?: Record<string, string>;
}

/** What Razorpay answers with any non-2xx status (and Checkout hands over on failure). */
export interface WireErrorBody {
  error: WireErrorDetail;
}

export type WireEventName =
  | 'payment.authorized'
  | 'payment.captured'
  | 'payment.failed'
  | 'order.paid'
  | 'refund.created'
  | 'refund.processed'
  | 'refund.failed';

/**
 * A webhook body. Each payload entity is a snapshot taken when the event happened, not
 * the current state. `event` stays a plain string: unknown events are stored and
 * acknowledged, never rejected.
 */
export interface WireWebhookEnvelope {
  entity: 'event';
  account_id: string;
  event: WireEventName | (string & {});
  contains: string[];
  payload: {
    payment?: { entity: WirePayment };
    order?: { entity: WireOrder };
    refund?: { entity: WireRefund };
  };
  created_at: number;
}

/** The webhook body under the name the webhook side of the service uses. */
export type RazorpayWebhookEnvelope = WireWebhookEnvelope;
