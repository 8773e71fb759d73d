/**
 * The sandbox's gateway state and its rules, kept in PostgreSQL (see sandbox.db.ts). Every
 * change runs in one transaction with row locks and stores the webhook events it causes in the
 * same transaction, with payload entities cloned at that moment, so a webhook carries a
 * snapshot of the time it happened and not the state when it is delivered.
 */
import type {
  WireOrder,
  WirePayment,
  WireRefund,
  WireWebhookEnvelope,
} from '../../gateways/razorpay/razorpay.wire.js';
import type { SandboxDb, Statement, Tx } from './sandbox.db.js';
import { SandboxApiError, notFound } from './sandbox.errors.js';
import { newId, nowSeconds } from './sandbox.ids.js';
import type { DeliveryKnobs, QueuedBatch, SandboxEvent, WebhookOutbox } from './sandbox.outbox.js';
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
import {
  everything,
  find,
  findOrderRecord,
  insertOrder,
  insertPayment,
  insertRefund,
  insertRefundKey,
  isUniqueViolation,
  lockPaymentWithKey,
  paymentsOfOrder,
  save,
  type OrderRecord,
} from './sandbox.repo.js';
import { reverseAllForRefund } from './sandbox.refund-reversals.js';
import type { CaptureInput, OrderInput, RefundInput } from './sandbox.requests.js';
import { KeyedSerial } from './sandbox.serial.js';

/** What a change returns: the entity, and its webhooks already stored for delivery. */
export interface Changed<T> {
  entity: T;
  batch: QueuedBatch;
}

export type RefundOutcome = 'processed' | 'pending' | 'failed';

export interface SandboxState {
  orders: WireOrder[];
  payments: WirePayment[];
  refunds: WireRefund[];
}

const copy = <T>(value: T): T => structuredClone(value);

export class SandboxStore {
  /** Attempts on one order, and refunds of one payment, queue in-process first (see KeyedSerial). */
  readonly #serial = new KeyedSerial();

  constructor(
    private readonly db: SandboxDb,
    private readonly outbox: WebhookOutbox,
    /** Consumes one `refuseReversals` refusal of the transfer knobs, for refunds with `reverse_all`. */
    private readonly reversalRefused: () => boolean = () => false,
  ) {}

  /** A new order in status `created`, nothing paid. */
  async createOrder(input: OrderInput): Promise<WireOrder> {
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
    await insertOrder(this.db.pool, { order, autoCapture: input.autoCapture });
    return order;
  }

  order(orderId: string): Promise<WireOrder> {
    return find(this.db.pool, 'orders', orderId);
  }

  /** The order's attempts newest first, as Razorpay lists collections. */
  orderPayments(orderId: string): Promise<WirePayment[]> {
    return paymentsOfOrder(this.db.pool, orderId);
  }

  payment(paymentId: string): Promise<WirePayment> {
    return find(this.db.pool, 'payments', paymentId);
  }

  refund(refundId: string): Promise<WireRefund> {
    return find(this.db.pool, 'refunds', refundId);
  }

  /** A refund only through the payment it belongs to. */
  async paymentRefund(paymentId: string, refundId: string): Promise<WireRefund> {
    await this.payment(paymentId);
    const refund = await this.refund(refundId);
    if (refund.payment_id !== paymentId) throw notFound();
    return refund;
  }

  /**
   * One Checkout attempt. A paid order takes no more attempts. Success authorises, then
   * captures when the order asked for auto-capture, unless `authorizeOnly`.
   */
  attempt(
    orderId: string,
    method: CheckoutMethod,
    outcome: CheckoutOutcome,
    authorizeOnly: boolean,
    knobs: DeliveryKnobs,
  ): Promise<Changed<WirePayment>> {
    return this.#serial.run(`order:${orderId}`, () => this.db.transaction(async (tx) => {
      const record = await findOrderRecord(tx, orderId, true);
      const { order } = record;
      if (order.status === 'paid') throw new SandboxApiError(400, 'Order has already been paid', 'order_id');
      const payment = newPaymentAttempt(order, method, outcome);
      order.attempts += 1;
      order.status = 'attempted';
      const events: SandboxEvent[] = [];
      if (outcome === 'failure') {
        events.push({ event: 'payment.failed', payload: { payment: { entity: copy(payment) } } });
      } else {
        events.push({ event: 'payment.authorized', payload: { payment: { entity: copy(payment) } } });
        if (record.autoCapture && !authorizeOnly) events.push(...this.#capture(record, payment));
      }
      return this.#changed(tx, payment, [insertPayment(payment), save('orders', order)], events, knobs);
    }));
  }

  /** Manual capture: only `authorized` payments, for exactly the authorised amount and currency. */
  capture(paymentId: string, input: CaptureInput, knobs: DeliveryKnobs): Promise<Changed<WirePayment>> {
    return this.db.transaction(async (tx) => {
      const { order_id: orderId } = await find(tx, 'payments', paymentId);
      const record = await findOrderRecord(tx, orderId ?? '', true);
      const payment = await find(tx, 'payments', paymentId, true);
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
      const events = this.#capture(record, payment);
      return this.#changed(tx, payment, [save('payments', payment), save('orders', record.order)], events, knobs);
    });
  }

  /**
   * A refund of a captured payment, at most what is not yet refunded. The same idempotency
   * key with the same request returns the first refund; with a different request, a 400.
   * Refunds of one payment wait for each other (in-process queue, then its row lock).
   */
  refundPayment(
    paymentId: string,
    input: RefundInput,
    idempotencyKey: string | null,
    outcome: RefundOutcome,
    knobs: DeliveryKnobs,
  ): Promise<Changed<WireRefund>> {
    const once = () => this.#serial.run(`payment:${paymentId}`, () => this.db.transaction(async (tx) => {
      const fingerprint = JSON.stringify([paymentId, input.amount, input.speed, input.notes, input.receipt, ...(input.reverseAll ? ['reverse_all'] : [])]);
      const { payment, earlier } = await lockPaymentWithKey(tx, paymentId, idempotencyKey);
      if (earlier && earlier.fingerprint !== fingerprint) {
        throw new SandboxApiError(400, 'The idempotency key was already used with a different request', 'X-Refund-Idempotency');
      }
      if (earlier) return this.#changed(tx, await find(tx, 'refunds', earlier.refundId), [], [], knobs);
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
      // Before the totals change: a full refund is one that leaves nothing unrefunded.
      const reversals = input.reverseAll && outcome !== 'failed' ? await reverseAllForRefund(tx, payment, refund, this.reversalRefused) : [];
      if (outcome !== 'failed') {
        payment.amount_refunded += amount;
        applyRefundTotals(payment);
      }
      const writes = [insertRefund(refund), save('payments', payment), ...reversals];
      if (idempotencyKey !== null) writes.push(insertRefundKey(idempotencyKey, fingerprint, refund.id));
      const events: SandboxEvent[] = [{ event: 'refund.created', payload: this.#refundPayload(refund, payment) }];
      if (outcome !== 'pending') events.push({ event: `refund.${outcome}`, payload: this.#refundPayload(refund, payment) });
      return this.#changed(tx, refund, writes, events, knobs);
    }));
    // Lost a race to record the same key from another payment or process: the retry sees it.
    return once().catch((error: unknown) => (isUniqueViolation(error) ? once() : Promise.reject(error)));
  }

  /** Settles a `pending` refund; a failed one gives its amount back to what may be refunded. */
  settleRefund(refundId: string, status: 'processed' | 'failed', knobs: DeliveryKnobs): Promise<Changed<WireRefund>> {
    return this.db.transaction(async (tx) => {
      const { payment_id: paymentId } = await find(tx, 'refunds', refundId);
      const payment = await find(tx, 'payments', paymentId, true);
      const refund = await find(tx, 'refunds', refundId, true);
      if (refund.status !== 'pending') throw new SandboxApiError(400, `Refund is already ${refund.status}`);
      refund.status = status;
      if (status === 'processed') {
        refund.speed_processed = processedSpeed(refund.speed_requested ?? 'normal');
      } else {
        payment.amount_refunded -= refund.amount;
        applyRefundTotals(payment);
      }
      const events: SandboxEvent[] = [{ event: `refund.${status}`, payload: this.#refundPayload(refund, payment) }];
      return this.#changed(tx, refund, [save('refunds', refund), save('payments', payment)], events, knobs);
    });
  }

  /**
   * A failed attempt authorised late by the bank. It is captured automatically only if the
   * order wanted that and no other attempt paid it meanwhile.
   */
  authorizeLate(paymentId: string, knobs: DeliveryKnobs): Promise<Changed<WirePayment>> {
    return this.db.transaction(async (tx) => {
      const { order_id: orderId } = await find(tx, 'payments', paymentId);
      const record = await findOrderRecord(tx, orderId ?? '', true);
      const payment = await find(tx, 'payments', paymentId, true);
      if (payment.status !== 'failed') throw new SandboxApiError(400, 'Only failed payments can be authorized late');
      authorizeLate(payment);
      const events: SandboxEvent[] = [{ event: 'payment.authorized', payload: { payment: { entity: copy(payment) } } }];
      if (record.autoCapture && record.order.status !== 'paid') events.push(...this.#capture(record, payment));
      return this.#changed(tx, payment, [save('payments', payment), save('orders', record.order)], events, knobs);
    });
  }

  /** Everything, for debugging. */
  state(): Promise<SandboxState> {
    return everything(this.db.pool);
  }

  /** Writes the change and its webhooks in one round trip, at the end of its transaction. */
  async #changed<T>(tx: Tx, entity: T, writes: Statement[], events: SandboxEvent[], knobs: DeliveryKnobs): Promise<Changed<T>> {
    const { batch, statement } = this.outbox.enqueue(events, knobs);
    await tx.commitWith(statement ? [...writes, statement] : writes);
    return { entity, batch };
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
}
