/**
 * The sandbox's rows and how they read as PhonePe's JSON, plus the few queries every part of the
 * store shares: locking an order, listing its attempts, queueing a callback in the caller's
 * transaction (so a change and its callback are never half-written).
 */
import { randomBytes } from 'node:crypto';
import type { WireRefundState, WireRefundStatus, WireTransaction } from '../../gateways/phonepe/phonepe.wire.js';
import { PHONEPE_EVENTS } from '../../gateways/phonepe/phonepe.wire.js';
import { SCHEMA, type Queryable } from './sandbox.db.js';
import { PhonePeSandboxError } from './sandbox.errors.js';

export const MERCHANT_ID = 'SANDBOXMERCHANT';

export type State = 'PENDING' | 'COMPLETED' | 'FAILED';
export type RefundOutcome = 'COMPLETED' | 'PENDING' | 'FAILED';

export interface OrderRow {
  merchant_order_id: string;
  order_id: string;
  amount: string;
  state: State;
  expire_at: Date;
  meta_info: Record<string, string>;
  redirect_url: string;
  created_at: Date;
}

export interface TransactionRow {
  transaction_id: string;
  merchant_order_id: string;
  amount: string;
  state: State;
  payment_mode: string;
  error_code: string | null;
  detailed_error_code: string | null;
  created_at: Date;
}

export interface RefundRow {
  merchant_refund_id: string;
  refund_id: string;
  original_merchant_order_id: string;
  amount: string;
  state: WireRefundState;
  error_code: string | null;
  created_at: Date;
}

/** How a change's callbacks are queued: held until released, repeated, or dropped. */
export interface CallbackKnobs {
  hold: boolean;
  copies: number;
  drop: boolean;
}

export const id = (prefix: string): string => `${prefix}${Date.now().toString(36).toUpperCase()}${randomBytes(6).toString('hex').toUpperCase()}`;
export const amountOf = (text: string): number => {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new Error('amount out of range');
  return value;
};

export function toTransaction(row: TransactionRow): WireTransaction {
  return {
    transactionId: row.transaction_id,
    paymentMode: row.payment_mode,
    timestamp: row.created_at.getTime(),
    amount: amountOf(row.amount),
    state: row.state,
    ...(row.error_code && { errorCode: row.error_code }),
    ...(row.detailed_error_code && { detailedErrorCode: row.detailed_error_code }),
    splitInstruments: [{
      instrument: { type: row.payment_mode.startsWith('UPI') ? 'ACCOUNT' : row.payment_mode },
      rail: { type: row.payment_mode.startsWith('UPI') ? 'UPI' : 'PG', ...(row.payment_mode.startsWith('UPI') && { vpa: 'sandbox@ybl', utr: `UTR${row.transaction_id.slice(-10)}` }) },
      amount: amountOf(row.amount),
    }],
  };
}

export function toRefundStatus(row: RefundRow): WireRefundStatus {
  return {
    merchantId: MERCHANT_ID,
    merchantRefundId: row.merchant_refund_id,
    originalMerchantOrderId: row.original_merchant_order_id,
    refundId: row.refund_id,
    amount: amountOf(row.amount),
    state: row.state,
    timestamp: row.created_at.getTime(),
    ...(row.error_code && { errorCode: row.error_code }),
  };
}


export async function lockOrder(tx: Queryable, merchantOrderId: string): Promise<OrderRow> {
  const { rows } = await tx.query<OrderRow>(`select * from ${SCHEMA}.orders where merchant_order_id = $1 for update`, [merchantOrderId]);
  if (!rows[0]) throw orderNotFound();
  return rows[0];
}

export async function attemptsOf(tx: Queryable, merchantOrderId: string): Promise<TransactionRow[]> {
  const { rows } = await tx.query<TransactionRow>(`select * from ${SCHEMA}.transactions where merchant_order_id = $1 order by seq`, [merchantOrderId]);
  return rows;
}

export async function queueCallback(tx: Queryable, event: string, payload: object, knobs: CallbackKnobs): Promise<void> {
  const body = JSON.stringify({ type: event.toUpperCase().replace(/\./g, '_'), event, payload });
  const status = knobs.drop ? 'dropped' : knobs.hold ? 'held' : 'pending';
  await tx.query(`insert into ${SCHEMA}.callbacks (event, body, status, copies) values ($1, $2, $3, $4)`, [event, body, status, knobs.copies]);
}

export function refundEvent(state: WireRefundState): string {
  if (state === 'COMPLETED') return PHONEPE_EVENTS.refundCompleted;
  if (state === 'FAILED') return PHONEPE_EVENTS.refundFailed;
  return PHONEPE_EVENTS.refundAccepted;
}

export function orderNotFound(): PhonePeSandboxError {
  return new PhonePeSandboxError(400, 'MERCHANT_ORDER_MAPPING_NOT_FOUND', 'No order found for the merchantOrderId');
}
