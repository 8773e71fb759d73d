/**
 * The sandbox's in-memory gateway state and its rules. Every change returns the webhook
 * events it causes, with payload entities cloned at that moment, so a webhook carries a
 * snapshot of the time it happened and not the state when it is delivered.
 */
import type {
  WireEventName,
  WireOrder,
  WirePayment,
  WireRefund,
  WireWebhookEnvelope,
} from '../../gateways/razorpay/razorpay.wire.js';
import { SandboxApiError, notFound } from './sandbox.errors.js';
import { newId, nowSeconds } from './sandbox.ids.js';
import {
  applyRefundTotals,
  authorizeLate,
  markCaptured,
  newPaymentAttempt,
  processedSpeed,
  wireNotes,
  type CheckoutMethod,
  type CheckoutOutcome,
} from './sandbox.payments.js';
import type { CaptureInput, OrderInput, RefundInput } from './sandbox.requests.js';

export interface SandboxEvent {
  event: WireEventName;
  payload: WireWebhookEnvelope['payload'];
}

export interface Changed<T> {
  entity: T;
  events: SandboxEvent[];
}

export type RefundOutcome = 'processed' | 'pending' | 'failed';

export interface SandboxState {
  orders: WireOrder[];
  payments: WirePayment[];
  refunds: WireRefund[];
}

interface OrderRecord {
  order: WireOrder;
  autoCapture: boolean;
  paymentIds: string[];
}

const copy = <T>(value: T): T => structuredClone(value);

export class SandboxStore {
  readonly #orders = new Map<string, OrderRecord>();
  readonly #payments = new Map<string, WirePayment>();
  readonly #refunds = new Map<string, WireRefund>();
  /** Idempotency key → the request's fingerprint and the refund it created. */
  readonly #refundKeys = new Map<string, { fingerprint: string; refundId: string }>();

  /** A new order in status `created`, nothing paid. */
  createOrder(input: OrderInput): WireOrder {
    const order: WireOrder = {
      id: newId('order'),
      entity: 'order',
      amount: input.amount,
      amount_paid: 0,
      amount_due: input.amount,
      currency: input.currency,
      receipt: input.receipt,
      offer_id: null,
      status: 'created',
      attempts: 0,
      notes: wireNotes(input.notes),
      created_at: nowSeconds(),
    };
    this.#orders.set(order.id, { order, autoCapture: input.autoCapture, paymentIds: [] });
    return copy(order);
  }

  order(orderId: string): WireOrder {
    return copy(this.#orderRecord(orderId).order);
  }

  /** The order's attempts newest first, as Razorpay lists collections. */
  orderPayments(orderId: string): WirePayment[] {
    return this.#orderRecord(orderId).paymentIds.map((id) => copy(this.#payment(id))).reverse();
  }

  payment(paymentId: string): WirePayment {
    return copy(this.#payment(paymentId));
  }

  refund(refundId: string): WireRefund {
    return copy(this.#refund(refundId));
  }

  /** A refund only through the payment it belongs to. */
  paymentRefund(paymentId: string, refundId: string): WireRefund {
    this.#payment(paymentId);
    const refund = this.#refund(refundId);
    if (refund.payment_id !== paymentId) throw notFound();
    return copy(refund);
  }

  /**
   * One Checkout attempt. A paid order takes no more attempts. Success authorises, then
   * captures when the order asked for auto-capture, unless `authorizeOnly`.
   */
  attempt(orderId: string, method: CheckoutMethod, outcome: CheckoutOutcome, authorizeOnly: boolean): Changed<WirePayment> {
    const record = this.#orderRecord(orderId);
    const { order } = record;
    if (order.status === 'paid') throw new SandboxApiError(400, 'Order has already been paid', 'order_id');
    const payment = newPaymentAttempt(order, method, outcome);
    this.#payments.set(payment.id, payment);
    record.paymentIds.push(payment.id);
    order.attempts += 1;
    order.status = 'attempted';
    if (outcome === 'failure') {
      return { entity: copy(payment), events: [{ event: 'payment.failed', payload: { payment: { entity: copy(payment) } } }] };
    }
    const events: SandboxEvent[] = [{ event: 'payment.authorized', payload: { payment: { entity: copy(payment) } } }];
    if (record.autoCapture && !authorizeOnly) events.push(...this.#capture(record, payment));
    return { entity: copy(payment), events };
  }

  /** Manual capture: only `authorized` payments, for exactly the authorised amount and currency. */
  capture(paymentId: string, input: CaptureInput): Changed<WirePayment> {
    const payment = this.#payment(paymentId);
    if (payment.captured) throw new SandboxApiError(400, 'This payment has already been captured');
    if (payment.status !== 'authorized') {
      throw new SandboxApiError(400, 'Only payments which have been authorized and not yet captured can be captured');
    }
    if (input.amount !== payment.amount) {
      throw new SandboxApiError(400, 'Capture amount must be equal to the amount authorized', 'amount');
    }
    if (input.currency !== payment.currency) {
      throw new SandboxApiError(400, 'Currency should be same as that of the payment', 'currency');
    }
    const events = this.#capture(this.#orderRecord(payment.order_id ?? ''), payment);
    return { entity: copy(payment), events };
  }

  /**
   * A refund of a captured payment, at most what is not yet refunded. The same idempotency
   * key with the same request returns the first refund; with a different request, a 400.
   */
  refundPayment(paymentId: string, input: RefundInput, idempotencyKey: string | null, outcome: RefundOutcome): Changed<WireRefund> {
    const payment = this.#payment(paymentId);
    const fingerprint = JSON.stringify([paymentId, input.amount, input.speed, input.notes, input.receipt]);
    if (idempotencyKey !== null) {
      const earlier = this.#refundKeys.get(idempotencyKey);
      if (earlier && earlier.fingerprint !== fingerprint) {
        throw new SandboxApiError(400, 'The idempotency key was already used with a different request', 'X-Refund-Idempotency');
      }
      if (earlier) return { entity: copy(this.#refund(earlier.refundId)), events: [] };
    }
    if (!payment.captured) throw new SandboxApiError(400, 'Only captured payments can be refunded');
    const remaining = payment.amount - payment.amount_refunded;
    if (remaining === 0) throw new SandboxApiError(400, 'The payment has been fully refunded already');
    const amount = input.amount ?? remaining;
    if (amount > remaining) {
      throw new SandboxApiError(400, 'The total refund amount is greater than the refund payment amount', 'amount');
    }
    const refund: WireRefund = {
      id: newId('rfnd'),
      entity: 'refund',
      amount,
      currency: payment.currency,
      payment_id: paymentId,
      notes: wireNotes(input.notes),
      receipt: input.receipt,
      acquirer_data: { arn: null },
      batch_id: null,
      status: outcome,
      speed_requested: input.speed,
      speed_processed: outcome === 'processed' ? processedSpeed(input.speed) : null,
      created_at: nowSeconds(),
    };
    this.#refunds.set(refund.id, refund);
    if (idempotencyKey !== null) this.#refundKeys.set(idempotencyKey, { fingerprint, refundId: refund.id });
    if (outcome !== 'failed') {
      payment.amount_refunded += amount;
      applyRefundTotals(payment);
    }
    const events: SandboxEvent[] = [{ event: 'refund.created', payload: this.#refundPayload(refund, payment) }];
    if (outcome !== 'pending') events.push({ event: `refund.${outcome}`, payload: this.#refundPayload(refund, payment) });
    return { entity: copy(refund), events };
  }

  /** Settles a `pending` refund; a failed one gives its amount back to what may be refunded. */
  settleRefund(refundId: string, status: 'processed' | 'failed'): Changed<WireRefund> {
    const refund = this.#refund(refundId);
    if (refund.status !== 'pending') throw new SandboxApiError(400, `Refund is already ${refund.status}`);
    const payment = this.#payment(refund.payment_id);
    refund.status = status;
    if (status === 'processed') {
      refund.speed_processed = processedSpeed(refund.speed_requested ?? 'normal');
    } else {
      payment.amount_refunded -= refund.amount;
      applyRefundTotals(payment);
    }
    return { entity: copy(refund), events: [{ event: `refund.${status}`, payload: this.#refundPayload(refund, payment) }] };
  }

  /**
   * A failed attempt authorised late by the bank. It is captured automatically only if the
   * order wanted that and no other attempt paid it meanwhile.
   */
  authorizeLate(paymentId: string): Changed<WirePayment> {
    const payment = this.#payment(paymentId);
    if (payment.status !== 'failed') throw new SandboxApiError(400, 'Only failed payments can be authorized late');
    const record = this.#orderRecord(payment.order_id ?? '');
    authorizeLate(payment);
    const events: SandboxEvent[] = [{ event: 'payment.authorized', payload: { payment: { entity: copy(payment) } } }];
    if (record.autoCapture && record.order.status !== 'paid') events.push(...this.#capture(record, payment));
    return { entity: copy(payment), events };
  }

  /** Everything, for debugging. */
  state(): SandboxState {
    return {
      orders: [...this.#orders.values()].map((record) => copy(record.order)),
      payments: [...this.#payments.values()].map(copy),
      refunds: [...this.#refunds.values()].map(copy),
    };
  }

  #capture(record: OrderRecord, payment: WirePayment): SandboxEvent[] {
    markCaptured(payment);
    const events: SandboxEvent[] = [{ event: 'payment.captured', payload: { payment: { entity: copy(payment) } } }];
    const { order } = record;
    // A second captured attempt (late authorisation, manual capture) does not pay twice.
    if (order.status !== 'paid') {
      order.status = 'paid';
      order.amount_paid = order.amount;
      order.amount_due = 0;
      events.push({ event: 'order.paid', payload: { payment: { entity: copy(payment) }, order: { entity: copy(order) } } });
    }
    return events;
  }

  #refundPayload(refund: WireRefund, payment: WirePayment): WireWebhookEnvelope['payload'] {
    return { refund: { entity: copy(refund) }, payment: { entity: copy(payment) } };
  }

  #orderRecord(orderId: string): OrderRecord {
    const record = this.#orders.get(orderId);
    if (!record) throw notFound();
    return record;
  }

  #payment(paymentId: string): WirePayment {
    const payment = this.#payments.get(paymentId);
    if (!payment) throw notFound();
    return payment;
  }

  #refund(refundId: string): WireRefund {
    const refund = this.#refunds.get(refundId);
    if (!refund) throw notFound();
    return refund;
  }
}
