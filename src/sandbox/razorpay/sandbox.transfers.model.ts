/**
 * Razorpay Route transfers in the sandbox: their tables, the fault knobs, and how a transfer,
 * a reversal and a settlement look on the wire. The rules that change them are in
 * sandbox.transfers.ts.
 */
import { z } from 'zod';
import type { WireReversal, WireSettlement, WireTransfer } from '../../gateways/razorpay/route/route.wire.js';
import { SCHEMA } from './sandbox.db.js';
import { newId, nowSeconds } from './sandbox.ids.js';

export const TRANSFER_PROCESSING = ['instant', 'delayed', 'manual'] as const;

export const transferKnobsSchema = z.strictObject({
  /** How a `pending` transfer moves on: `instant` (at once, after the answer), `delayed` (after `delayMs`), `manual` (a control call). */
  processing: z.enum(TRANSFER_PROCESSING).optional(),
  delayMs: z.number().int().min(0).max(600_000).optional(),
  /** The next this many transfers are made, then fail (`transfer.failed`, insufficient balance) instead of processing. */
  failTransfers: z.number().int().min(0).max(100).optional(),
  /** The next this many reversals are refused with Razorpay's 400: the linked account lacks the balance. */
  refuseReversals: z.number().int().min(0).max(100).optional(),
  /** The next `count` transfer creations are made and committed, then answered only after `delayMs` (past the adapter's timeout). */
  lateAnswers: z.strictObject({ count: z.number().int().min(0).max(100), delayMs: z.number().int().min(0).max(60_000) }).optional(),
  /** Transfer and settlement webhooks are stored but never delivered. */
  dropWebhooks: z.boolean().optional(),
  /** Transfer and settlement webhooks wait until released (`POST /control/webhooks/release`). */
  holdWebhooks: z.boolean().optional(),
});
export type TransferKnobs = Required<z.infer<typeof transferKnobsSchema>>;
export const DEFAULT_TRANSFER_KNOBS: TransferKnobs = {
  processing: 'instant',
  delayMs: 1_000,
  failTransfers: 0,
  refuseReversals: 0,
  lateAnswers: { count: 0, delayMs: 0 },
  dropWebhooks: false,
  holdWebhooks: false,
};

/**
 * `outcome`: what the transfer becomes when it is processed (decided when it is made, so the
 * `failTransfers` knob applies to the transfers made while it is set). `process_at`: when a
 * pending transfer is due (null: manual).
 */
export const TRANSFER_DDL = `
create table if not exists ${SCHEMA}.route_transfers (
  id text primary key,
  seq bigserial not null unique,
  payment_id text not null,
  account_id text not null,
  outcome text not null check (outcome in ('processed', 'failed')),
  process_at timestamptz,
  settlement_id text,
  body json not null
);
create index if not exists route_transfers_payment_idx on ${SCHEMA}.route_transfers (payment_id, seq);
create index if not exists route_transfers_settlement_idx on ${SCHEMA}.route_transfers (settlement_id, seq);
create table if not exists ${SCHEMA}.route_reversals (
  id text primary key,
  seq bigserial not null unique,
  transfer_id text not null references ${SCHEMA}.route_transfers (id),
  body json not null
);
create index if not exists route_reversals_transfer_idx on ${SCHEMA}.route_reversals (transfer_id, seq);
create table if not exists ${SCHEMA}.route_settlements (
  id text primary key,
  seq bigserial not null unique,
  account_id text not null,
  body json not null
);
`;

/** One transfer as `POST /v1/payments/:id/transfers` takes it (validated by the routes). */
export interface TransferInput {
  account: string;
  amount: number;
  currency: 'INR';
  notes?: Record<string, string> | undefined;
  linked_account_notes?: string[] | undefined;
  on_hold?: boolean | undefined;
  on_hold_until?: number | undefined;
}

/** The transfer fee the platform pays: 0.25% plus 18% GST on it, rounded to the paisa (Razorpay's rounding is unverified). */
function transferFee(amount: number): { fees: number; tax: number } {
  const fee = Math.round((amount * 25) / 10_000);
  const tax = Math.round((fee * 18) / 100);
  return { fees: fee + tax, tax };
}

export function newTransfer(paymentId: string, input: TransferInput): WireTransfer {
  return {
    id: newId('trf'),
    entity: 'transfer',
    status: 'pending',
    source: paymentId,
    recipient: input.account,
    amount: input.amount,
    currency: input.currency,
    amount_reversed: 0,
    ...transferFee(input.amount),
    notes: input.notes && Object.keys(input.notes).length > 0 ? input.notes : [],
    linked_account_notes: input.linked_account_notes ?? [],
    on_hold: input.on_hold ?? false,
    on_hold_until: input.on_hold_until ?? null,
    settlement_status: null,
    recipient_settlement_id: null,
    created_at: nowSeconds(),
    processed_at: null,
    error: { code: null, description: null, reason: null, field: null, step: null, id: null, source: null, metadata: null },
  };
}

/** Whether a processed transfer is held from settlement now. */
export function heldNow(transfer: WireTransfer): boolean {
  return transfer.on_hold || (transfer.on_hold_until !== null && transfer.on_hold_until > nowSeconds());
}

/** A pending transfer processed as `outcome` decided. */
export function processTransfer(transfer: WireTransfer, outcome: 'processed' | 'failed'): void {
  transfer.status = outcome;
  if (outcome === 'processed') {
    transfer.processed_at = nowSeconds();
    transfer.settlement_status = heldNow(transfer) ? 'on_hold' : 'pending';
  } else {
    transfer.settlement_status = null;
    transfer.error = {
      code: 'BAD_REQUEST_ERROR',
      description: 'Transfer cannot be made due to insufficient balance',
      reason: 'BAD_REQUEST_TRANSFER_INSUFFICIENT_BALANCE',
      field: null,
      step: 'transfer_processing',
      id: transfer.id,
      source: 'business',
      metadata: null,
    };
  }
}

/**
 * The transfer as its webhook carries it: `transfer.processed` without `status`, as
 * Razorpay's sample (the decoder must take it from the event name); `transfer.failed` with it.
 */
export function webhookTransfer(transfer: WireTransfer): Omit<WireTransfer, 'status'> & { status?: WireTransfer['status'] } {
  const copy = structuredClone(transfer);
  if (transfer.status !== 'processed') return copy;
  const { status: _omitted, ...rest } = copy;
  return rest;
}

export function newReversal(transfer: WireTransfer, amount: number, notes: Record<string, string> | undefined): WireReversal {
  const { fees, tax } = transferFee(amount);
  return {
    id: newId('rvrsl'),
    entity: 'reversal',
    transfer_id: transfer.id,
    amount,
    fee: fees,
    tax,
    currency: transfer.currency,
    notes: notes && Object.keys(notes).length > 0 ? notes : [],
    initiator_id: null,
    customer_refund_id: null,
    created_at: nowSeconds(),
  };
}

export function newSettlement(amount: number): WireSettlement {
  return { id: newId('setl'), entity: 'settlement', amount, status: 'processed', fees: 0, tax: 0, utr: `UTR${nowSeconds()}${Math.floor(Math.random() * 1e6)}`, created_at: nowSeconds() };
}
