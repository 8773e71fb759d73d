/**
 * Validation of Route's answers and webhooks (zod), and their mapping into the neutral
 * shapes of payout-gateway.ts. Nothing here keeps a bank account number or a PAN: Razorpay
 * echoes both (stakeholder `kyc.pan`, product `active_configuration.settlements`), and the
 * schemas below simply do not read them.
 */
import { z } from 'zod';
import {
  ROUTE_ACTIVATION_STATUSES,
  type LinkedAccount,
  type RouteActivationStatus,
  type RouteProduct,
  type RouteProductEvent,
  type RouteRequirement,
  type Stakeholder,
} from '../../payout-gateway.js';
import type { RazorpayWebhookEnvelope } from '../razorpay.wire.js';
import { ROUTE_PRODUCT_EVENT_TYPES, type WireAccount, type WireProduct, type WireRequirement, type WireStakeholder } from './route.wire.js';

const requirementSchema = z.looseObject({
  field_reference: z.string(),
  resolution_url: z.string().nullish(),
  reason_code: z.string(),
  status: z.string(),
});

const accountSchema = z.looseObject({
  id: z.string().regex(/^acc_[A-Za-z0-9]+$/),
  status: z.string(),
  reference_id: z.string().nullish(),
}) satisfies z.ZodType<WireAccount>;

const stakeholderSchema = z.looseObject({ id: z.string().regex(/^sth_[A-Za-z0-9]+$/) }) satisfies z.ZodType<WireStakeholder>;

const stakeholderCollectionSchema = z.looseObject({ items: z.array(stakeholderSchema) });

const productSchema = z.looseObject({
  id: z.string().regex(/^acc_prd_[A-Za-z0-9]+$/),
  account_id: z.string(),
  activation_status: z.enum(ROUTE_ACTIVATION_STATUSES),
  requirements: z.array(requirementSchema).nullish(),
}) satisfies z.ZodType<WireProduct>;

const merchantProductSchema = z.looseObject({
  id: z.string().min(1),
  merchant_id: z.string().nullish(),
  activation_status: z.string(),
  data: z.looseObject({ requirements: z.array(requirementSchema).optional() }).nullish(),
});

function parse<T>(schema: z.ZodType<T>, what: string, json: unknown): T {
  const result = schema.safeParse(json);
  if (result.success) return result.data;
  // Paths only: a value (a PAN, an account number) is never quoted.
  const paths = result.error.issues.map((issue) => issue.path.join('.') || '(root)');
  throw new Error(`${what} is malformed at ${[...new Set(paths)].join(', ')}`);
}

function toRequirement(wire: WireRequirement): RouteRequirement {
  return {
    fieldReference: wire.field_reference,
    reasonCode: wire.reason_code,
    status: wire.status,
    resolutionUrl: wire.resolution_url ?? null,
  };
}

export function parseLinkedAccount(json: unknown): LinkedAccount {
  const wire = parse(accountSchema, 'Razorpay linked account', json);
  return { id: wire.id, status: wire.status, referenceId: wire.reference_id ?? null };
}

export function parseStakeholder(json: unknown): Stakeholder {
  return { id: parse(stakeholderSchema, 'Razorpay stakeholder', json).id };
}

export function parseStakeholders(json: unknown): Stakeholder[] {
  return parse(stakeholderCollectionSchema, 'Razorpay stakeholder list', json).items.map((wire) => ({ id: wire.id }));
}

export function parseRouteProduct(json: unknown): RouteProduct {
  const wire = parse(productSchema, 'Razorpay product configuration', json);
  return {
    id: wire.id,
    accountId: wire.account_id,
    activationStatus: wire.activation_status,
    requirements: (wire.requirements ?? []).map(toRequirement),
  };
}

function isActivationStatus(value: string): value is RouteActivationStatus {
  return (ROUTE_ACTIVATION_STATUSES as readonly string[]).includes(value);
}

/**
 * The product snapshot a `product.route.*` webhook carries, or the reason it cannot be used
 * (no `merchant_product`, or a status this service does not know). Throws on a malformed one.
 */
export function decodeRouteProductEvent(envelope: RazorpayWebhookEnvelope): RouteProductEvent | { unusable: string } {
  if (!(ROUTE_PRODUCT_EVENT_TYPES as readonly string[]).includes(envelope.event)) {
    return { unusable: `${envelope.event} is not a Route product event` };
  }
  const payload = envelope.payload as Record<string, unknown>;
  const holder = payload.merchant_product;
  if (typeof holder !== 'object' || holder === null || !('entity' in holder)) {
    return { unusable: `${envelope.event} carries no merchant_product entity` };
  }
  const wire = parse(merchantProductSchema, 'Razorpay merchant_product', holder.entity);
  if (!isActivationStatus(wire.activation_status)) {
    return { unusable: `${envelope.event} has an activation_status this service does not know` };
  }
  return {
    productId: wire.id,
    accountId: wire.merchant_id ?? null,
    activationStatus: wire.activation_status,
    requirements: (wire.data?.requirements ?? []).map(toRequirement),
    occurredAt: new Date(envelope.created_at * 1000),
  };
}
