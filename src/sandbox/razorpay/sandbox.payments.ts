/** How a sandbox payment attempt looks per method and outcome, with Razorpay's fields. */
import type { WireNotes, WireOrder, WirePayment } from '../../gateways/razorpay/razorpay.wire.js';
import { newId, nowSeconds } from './sandbox.ids.js';

export type CheckoutMethod = 'card' | 'upi' | 'netbanking' | 'wallet';
export type CheckoutOutcome = 'success' | 'failure';

/** Razorpay's test-mode details for each method. */
const METHOD_DETAILS: Record<CheckoutMethod, Pick<WirePayment, 'card' | 'bank' | 'wallet' | 'vpa'>> = {
  card: {
    card: { id: 'card_SandboxVisa1111', entity: 'card', name: 'Gaurav Kumar', last4: '1111', network: 'Visa', type: 'credit', issuer: null, international: false, emi: false },
    bank: null,
    wallet: null,
    vpa: null,
  },
  upi: { card: null, bank: null, wallet: null, vpa: 'success@razorpay' },
  netbanking: { card: null, bank: 'HDFC', wallet: null, vpa: null },
  wallet: { card: null, bank: null, wallet: 'paytm', vpa: null },
};

/** What Razorpay reports when each method's attempt fails. */
const FAILURES: Record<CheckoutMethod, { description: string; source: string; step: string }> = {
  card: {
    description: 'Your payment could not be completed as the card was declined by the bank. Try another card.',
    source: 'bank',
    step: 'payment_authorization',
  },
  upi: {
    description: 'Your payment has been cancelled as the UPI collect request was declined.',
    source: 'customer',
    step: 'payment_authentication',
  },
  netbanking: {
    description: 'Your payment could not be completed as the bank declined it.',
    source: 'bank',
    step: 'payment_authorization',
  },
  wallet: {
    description: 'Your payment could not be completed due to insufficient wallet balance.',
    source: 'customer',
    step: 'payment_authorization',
  },
};

/** Gateway fee in basis points, and GST on the fee in percent (Razorpay's standard rates). */
const FEE_BASIS_POINTS = 200;
const TAX_PERCENT = 18;

/**
 * Razorpay's fee on a captured amount: 2% plus 18% GST on it, each rounded half up, in
 * integers. `fee` includes `tax`, as in Razorpay's payment entity.
 */
export function feeFor(amount: number): { fee: number; tax: number } {
  const base = Math.floor((amount * FEE_BASIS_POINTS + 5_000) / 10_000);
  const tax = Math.floor((base * TAX_PERCENT + 50) / 100);
  return { fee: base + tax, tax };
}

/** A new attempt on `order`: `authorized` on success, `failed` with Razorpay's error fields otherwise. */
export function newPaymentAttempt(order: WireOrder, method: CheckoutMethod, outcome: CheckoutOutcome): WirePayment {
  const failure = outcome === 'failure' ? FAILURES[method] : null;
  return {
    id: newId('pay'),
    entity: 'payment',
    amount: order.amount,
    currency: order.currency,
    status: failure ? 'failed' : 'authorized',
    order_id: order.id,
    invoice_id: null,
    international: false,
    method,
    amount_refunded: 0,
    refund_status: null,
    captured: false,
    description: null,
    card_id: method === 'card' ? 'card_SandboxVisa1111' : null,
    ...structuredClone(METHOD_DETAILS[method]),
    email: 'gaurav.kumar@example.com',
    contact: '+919000090000',
    notes: [],
    fee: null,
    tax: null,
    error_code: failure ? 'BAD_REQUEST_ERROR' : null,
    error_description: failure?.description ?? null,
    error_source: failure?.source ?? null,
    error_step: failure?.step ?? null,
    error_reason: failure ? 'payment_failed' : null,
    created_at: nowSeconds(),
  };
}

/** Late authorisation by the bank: the failure fields are cleared, as Razorpay does. */
export function authorizeLate(payment: WirePayment): void {
  payment.status = 'authorized';
  payment.error_code = null;
  payment.error_description = null;
  payment.error_source = null;
  payment.error_step = null;
  payment.error_reason = null;
}

/** Marks a payment captured and charges the fee; refunds later leave the fee charged. */
export function markCaptured(payment: WirePayment): void {
  const { fee, tax } = feeFor(payment.amount);
  payment.status = 'captured';
  payment.captured = true;
  payment.fee = fee;
  payment.tax = tax;
}

/**
 * Recomputes refund fields from `amount_refunded` (pending and processed refunds count,
 * failed ones do not): `refunded` only when the whole amount is refunded.
 */
export function applyRefundTotals(payment: WirePayment): void {
  const refunded = payment.amount_refunded;
  const full = refunded === payment.amount;
  payment.refund_status = refunded === 0 ? null : full ? 'full' : 'partial';
  payment.status = full ? 'refunded' : 'captured';
}

/** Razorpay answers `[]` for empty notes; the sandbox does too so mappers meet it in tests. */
export function wireNotes(notes: Record<string, string | number>): WireNotes {
  return Object.keys(notes).length === 0 ? [] : { ...notes };
}

/** Razorpay processes an `optimum` refund instantly when it can; the sandbox always can. */
export function processedSpeed(requested: 'normal' | 'optimum'): 'normal' | 'instant' {
  return requested === 'optimum' ? 'instant' : 'normal';
}
