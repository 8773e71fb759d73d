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
