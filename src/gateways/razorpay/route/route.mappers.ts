/**
 * Validation of Route's answers and webhooks (zod), and their mapping into the neutral
 * shapes of payout-gateway.ts. Nothing here keeps a bank account number or a PAN: Razorpay
 * echoes both (stakeholder `kyc.pan`, product `active_configuration.settlements`), and the
 * schemas below simply do not read them.
 */
import { z } from 'zod';
import {
  ROUTE_ACTIVATION_STATUSES,
  TRANSFER_STATUSES,
  type LinkedAccount,
  type RouteActivationStatus,
  type RouteProduct,
  type RouteProductEvent,
  type RouteRequirement,
  type Stakeholder,
  type Transfer,
  type TransferEvent,
  type TransferReversal,
  type TransferStatus,
} from '../../payout-gateway.js';
import type { RazorpayWebhookEnvelope, WireNotes } from '../razorpay.wire.js';
import {
  ROUTE_PRODUCT_EVENT_TYPES,
  SETTLEMENT_EVENT_TYPES,
  TRANSFER_EVENT_TYPES,
  type WireAccount,
  type WireProduct,
  type WireRequirement,
  type WireReversal,
  type WireSettlement,
  type WireStakeholder,
  type WireTransfer,
} from './route.wire.js';

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

const notesSchema = z.union([z.record(z.string(), z.union([z.string(), z.number()])), z.tuple([])]);
const unixSeconds = z.number().int().nonnegative();

const transferSchema = z.looseObject({
  id: z.string().regex(/^trf_[A-Za-z0-9]+$/),
  status: z.enum(TRANSFER_STATUSES).optional(),
  transfer_status: z.enum(TRANSFER_STATUSES).optional(),
  source: z.string(),
  recipient: z.string().regex(/^acc_[A-Za-z0-9]+$/),
  amount: z.number().int().nonnegative(),
  currency: z.string(),
  amount_reversed: z.number().int().nonnegative().optional(),
  notes: notesSchema,
  on_hold: z.boolean(),
  on_hold_until: unixSeconds.nullable(),
  recipient_settlement_id: z.string().nullable(),
  created_at: unixSeconds,
  processed_at: unixSeconds.nullish(),
  error: z.looseObject({ code: z.string().nullish(), description: z.string().nullish(), reason: z.string().nullish() }).nullish(),
}) satisfies z.ZodType<WireTransfer>;

const transferCollectionSchema = z.looseObject({ items: z.array(transferSchema) });

const reversalSchema = z.looseObject({
  id: z.string().regex(/^rvrsl_[A-Za-z0-9]+$/),
  transfer_id: z.string(),
  amount: z.number().int().nonnegative(),
  currency: z.string(),
  notes: notesSchema,
  created_at: unixSeconds,
}) satisfies z.ZodType<WireReversal>;

const reversalCollectionSchema = z.looseObject({ items: z.array(reversalSchema) });

const settlementSchema = z.looseObject({
  id: z.string().regex(/^setl_[A-Za-z0-9]+$/),
  amount: z.number().int().nonnegative(),
  status: z.string(),
  created_at: unixSeconds,
}) satisfies z.ZodType<WireSettlement>;

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

/** One note as a string, or null when absent (Razorpay answers empty notes as `[]`). */
function note(notes: WireNotes, key: string): string | null {
  if (Array.isArray(notes)) return null;
  const value = notes[key];
  return value === undefined ? null : String(value);
}

/** The transfer's status: `status`, else `transfer_status`, else (a webhook sample omits both) `fallback`. */
function toTransfer(wire: WireTransfer, fallback: TransferStatus | null): Transfer {
  const status = wire.status ?? wire.transfer_status ?? fallback;
  if (!status) throw new Error('Razorpay transfer is malformed at status (neither status nor transfer_status)');
  const failure = wire.error ? (wire.error.description ?? wire.error.reason ?? wire.error.code ?? null) : null;
  return {
    id: wire.id,
    sourcePaymentId: wire.source.startsWith('pay_') ? wire.source : null,
    accountId: wire.recipient,
    amount: wire.amount,
    amountReversed: wire.amount_reversed ?? 0,
    status,
    onHold: wire.on_hold,
    onHoldUntil: wire.on_hold_until === null ? null : new Date(wire.on_hold_until * 1000),
    payoutId: note(wire.notes, 'payout_id'),
    recipientSettlementId: wire.recipient_settlement_id,
    failureReason: status === 'failed' ? failure ?? 'failed' : null,
  };
}

function toReversal(wire: WireReversal): TransferReversal {
  return { id: wire.id, transferId: wire.transfer_id, amount: wire.amount, reversalId: note(wire.notes, 'reversal_id') };
}

export function parseTransfer(json: unknown): Transfer {
  return toTransfer(parse(transferSchema, 'Razorpay transfer', json), null);
}

/** `{entity: collection, items}` of transfers (what `POST /payments/:id/transfers` answers too). */
export function parseTransfers(json: unknown): Transfer[] {
  return parse(transferCollectionSchema, 'Razorpay transfer list', json).items.map((wire) => toTransfer(wire, null));
}

export function parseReversal(json: unknown): TransferReversal {
  return toReversal(parse(reversalSchema, 'Razorpay reversal', json));
}

export function parseReversals(json: unknown): TransferReversal[] {
  return parse(reversalCollectionSchema, 'Razorpay reversal list', json).items.map(toReversal);
}

/**
 * The transfer or settlement a `transfer.processed`, `transfer.failed` (or `transfers.failed`,
 * as one page spells it) or `settlement.processed` webhook carries, or why it cannot be used.
 * The sample `transfer.processed` omits `status`: the event name then says it. Throws on a
 * malformed entity.
 */
export function decodeTransferEvent(envelope: RazorpayWebhookEnvelope): TransferEvent | { unusable: string } {
  const payload = envelope.payload as Record<string, unknown>;
  const occurredAt = new Date(envelope.created_at * 1000);
  const entityOf = (key: string): unknown => {
    const holder = payload[key];
    return typeof holder === 'object' && holder !== null && 'entity' in holder ? holder.entity : undefined;
  };
  if ((SETTLEMENT_EVENT_TYPES as readonly string[]).includes(envelope.event)) {
    const entity = entityOf('settlement');
    if (entity === undefined) return { unusable: `${envelope.event} carries no settlement entity` };
    return { type: 'settlement.processed', settlementId: parse(settlementSchema, 'Razorpay settlement', entity).id, occurredAt };
  }
  if (!(TRANSFER_EVENT_TYPES as readonly string[]).includes(envelope.event)) {
    return { unusable: `${envelope.event} is not a transfer event` };
  }
  const entity = entityOf('transfer');
  if (entity === undefined) return { unusable: `${envelope.event} carries no transfer entity` };
  const type = envelope.event === 'transfer.processed' ? 'transfer.processed' : 'transfer.failed';
  const transfer = toTransfer(parse(transferSchema, 'Razorpay transfer', entity), type === 'transfer.processed' ? 'processed' : 'failed');
  return { type, transfer, occurredAt };
}
