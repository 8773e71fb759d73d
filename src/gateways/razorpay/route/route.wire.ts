/**
 * Razorpay Route's v2 wire shapes (linked accounts, stakeholders, product configuration) and
 * the `product.route.*` webhook payload, as the docs and razorpay@2.9.8's types give them.
 * Only the fields the service sends or reads; answers may carry more.
 */
import type { WireNotes } from '../razorpay.wire.js';

export interface WireAccountCreateRequest {
  email: string;
  phone: string;
  type: 'route';
  reference_id: string;
  legal_business_name: string;
  business_type: 'individual';
  contact_name: string;
  profile: {
    category: string;
    subcategory: string;
    addresses: {
      registered: { street1: string; street2: string; city: string; state: string; postal_code: string; country: string };
    };
  };
  notes?: Record<string, string>;
}

export interface WireAccount {
  id: string;
  type?: string;
  status: string;
  reference_id?: string | null;
  email?: string;
  created_at?: number;
  notes?: WireNotes;
}

export interface WireStakeholderCreateRequest {
  name: string;
  email: string;
  kyc: { pan: string };
}

/** Razorpay echoes `kyc.pan` here: the mapper keeps only the id. */
export interface WireStakeholder {
  id: string;
  entity?: 'stakeholder';
}

export interface WireProductRequest {
  product_name: 'route';
  tnc_accepted: true;
}

export interface WireSettlementsPatch {
  settlements: { account_number: string; ifsc_code: string; beneficiary_name: string };
  tnc_accepted: true;
}

export interface WireRequirement {
  field_reference: string;
  resolution_url?: string | null;
  reason_code: string;
  status: string;
}

/** `acc_prd_…`. Its `active_configuration.settlements` echoes the bank account: never read. */
export interface WireProduct {
  id: string;
  account_id: string;
  activation_status: string;
  requirements?: WireRequirement[] | null;
}

/** `payload.merchant_product.entity` of `product.route.*` (plus `data.requirements` on clarification). */
export interface WireMerchantProduct {
  id: string;
  merchant_id?: string | null;
  activation_status: string;
  data?: { requirements?: WireRequirement[] } | null;
}

export const ROUTE_PRODUCT_EVENT_TYPES = [
  'product.route.under_review',
  'product.route.needs_clarification',
  'product.route.activated',
] as const;
export type WireRouteProductEventName = (typeof ROUTE_PRODUCT_EVENT_TYPES)[number];

/** Transfer statuses Razorpay documents (`status` in samples and the SDK, `transfer_status` in the docs' tables). */
export type WireTransferStatus = 'created' | 'pending' | 'processed' | 'failed' | 'reversed' | 'partially_reversed';

/** One transfer of `POST /v1/payments/:id/transfers`. `linked_account_notes` must name keys of `notes`. */
export interface WireTransferCreate {
  account: string;
  amount: number;
  currency: 'INR';
  notes?: Record<string, string>;
  linked_account_notes?: string[];
  on_hold?: boolean;
  /** Unix seconds. */
  on_hold_until?: number;
}

export interface WireTransferCreateRequest {
  transfers: WireTransferCreate[];
}

/**
 * Body of a direct transfer, `POST /v1/transfers` (from the platform's balance; enabled on
 * request). Sent with the `X-Transfer-Idempotency` header. Its answer is one transfer entity
 * (`source` the platform's `acc_…`, no payment).
 */
export interface WireDirectTransferCreate {
  account: string;
  amount: number;
  currency: 'INR';
  notes?: Record<string, string>;
}

/** Body of `PATCH /v1/transfers/:id`: `on_hold` is required. */
export interface WireTransferHoldPatch {
  on_hold: boolean;
  on_hold_until?: number;
}

export interface WireTransferError {
  code?: string | null;
  description?: string | null;
  reason?: string | null;
  field?: string | null;
  step?: string | null;
  id?: string | null;
  source?: string | null;
  metadata?: unknown;
}

/** `trf_…`. The webhook sample omits `status`: the decoder then takes it from the event name. */
export interface WireTransfer {
  id: string;
  entity?: 'transfer';
  status?: WireTransferStatus;
  transfer_status?: WireTransferStatus;
  /** `pay_…`, `order_…` or `acc_…`. */
  source: string;
  /** The linked account, `acc_…`. */
  recipient: string;
  amount: number;
  currency: string;
  amount_reversed?: number;
  fees?: number;
  tax?: number;
  notes: WireNotes;
  linked_account_notes?: string[];
  on_hold: boolean;
  on_hold_until: number | null;
  settlement_status?: 'pending' | 'on_hold' | 'settled' | null;
  recipient_settlement_id: string | null;
  created_at: number;
  processed_at?: number | null;
  error?: WireTransferError | null;
}

/** Body of `POST /v1/transfers/:id/reversals`; no amount reverses all (never used here). */
export interface WireReversalRequest {
  amount?: number;
  notes?: Record<string, string>;
}

/** `rvrsl_…` */
export interface WireReversal {
  id: string;
  entity?: 'reversal';
  transfer_id: string;
  amount: number;
  fee?: number;
  tax?: number;
  currency: string;
  notes: WireNotes;
  initiator_id?: string | null;
  customer_refund_id?: string | null;
  created_at: number;
}

/** `payload.settlement.entity` of `settlement.processed`. */
export interface WireSettlement {
  id: string;
  entity?: 'settlement';
  amount: number;
  status: string;
  fees?: number;
  tax?: number;
  utr?: string | null;
  created_at: number;
}

export const TRANSFER_EVENT_TYPES = ['transfer.processed', 'transfer.failed', 'transfers.failed'] as const;
export const SETTLEMENT_EVENT_TYPES = ['settlement.processed'] as const;
export type WireTransferEventName = 'transfer.processed' | 'transfer.failed' | 'settlement.processed';
