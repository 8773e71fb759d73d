import type { Knex } from '@mikro-orm/postgresql';
import { parseOptionalTimestamp, parseTimestamp } from '../db/timestamps.js';
import type { GatewayName } from '../gateways/gateway.js';
import { PaymentMethodDetails, PaymentType, toPaymentGateway } from './payment.types.js';
import type { PaymentPurpose, PaymentMethodSnapshot } from './payment.entity.js';
import type { PaymentStatus } from './payment.state.js';

/**
 * The read path's payments: plain rows straight into the API type. Nothing here is written
 * back, so no managed entity, identity map or change tracking is built for it (that was a third
 * of a page's CPU time). Writes keep going through the entities and the payment core.
 */
export const PAYMENT_COLUMNS = [
  'id', 'status', 'purpose', 'amount', 'currency', 'platform_fee', 'payee_amount', 'amount_refunded', 'payer_id', 'payee_id', 'reference',
  'description', 'gateway', 'razorpay_order_id', 'razorpay_payment_id', 'method', 'failure_reason', 'version', 'created_at', 'updated_at', 'paid_at',
] as const;

export interface PaymentRow {
  id: string;
  status: PaymentStatus;
  purpose: PaymentPurpose;
  /** bigint columns arrive as strings from pg; every amount fits a safe integer (checked on the way in). */
  amount: string | number;
  currency: string;
  platform_fee: string | number;
  payee_amount: string | number;
  amount_refunded: string | number;
  payer_id: string;
  payee_id: string | null;
  reference: string | null;
  description: string | null;
  gateway: GatewayName;
  razorpay_order_id: string | null;
  razorpay_payment_id: string | null;
  method: PaymentMethodSnapshot | null;
  failure_reason: string | null;
  version: number;
  created_at: string | Date;
  updated_at: string | Date;
  paid_at: string | Date | null;
}

/** The API shape of a payment row (the same fields as `toPaymentType` gives for an entity). */
export function paymentFromRow(row: PaymentRow): PaymentType {
  const payment = new PaymentType();
  payment.id = row.id;
  payment.status = row.status;
  payment.purpose = row.purpose;
  payment.amount = Number(row.amount);
  payment.currency = row.currency;
  payment.platformFee = Number(row.platform_fee);
  payment.payeeAmount = Number(row.payee_amount);
  payment.amountRefunded = Number(row.amount_refunded);
  payment.payerId = row.payer_id;
  payment.payeeId = row.payee_id;
  payment.reference = row.reference;
  payment.description = row.description;
  payment.gateway = toPaymentGateway(row.gateway);
  payment.razorpayOrderId = row.razorpay_order_id;
  payment.razorpayPaymentId = row.razorpay_payment_id;
  payment.method = row.method ? Object.assign(new PaymentMethodDetails(), row.method) : null;
  payment.failureReason = row.failure_reason;
  payment.version = row.version;
  payment.createdAt = parseTimestamp(row.created_at);
  payment.updatedAt = parseTimestamp(row.updated_at);
  payment.paidAt = parseOptionalTimestamp(row.paid_at);
  return payment;
}

/** Batch of the `paymentById` loader: one statement for any number of ids. */
export async function loadPaymentsByIds(knex: Knex, ids: readonly string[]): Promise<(PaymentType | null)[]> {
  const rows: PaymentRow[] = await knex('payment').select(PAYMENT_COLUMNS).whereIn('id', ids);
  const byId = new Map(rows.map((row) => [row.id, paymentFromRow(row)]));
  return ids.map((id) => byId.get(id) ?? null);
}
