/**
 * The {@link Gateway} on Razorpay, built on the official `razorpay` SDK.
 *
 * What the SDK does not do and this adapter adds: a timeout, retries with exponential
 * backoff and full jitter on 429/5xx/network failures (razorpay.client.ts), the refund
 * idempotency header, constant-time signature checks, validation of every answer, webhook
 * verification and decoding (razorpay.webhooks.ts), and one error type ({@link GatewayError})
 * whose message is safe to show a client.
 */
import {
  GatewayError,
  type CreateOrderRequest,
  type Gateway,
  type GatewayEvent,
  type GatewayOrder,
  type GatewayPayment,
  type GatewayRefund,
  type RefundRequest,
  type WebhookReceipt,
  type WebhookRequest,
} from '../gateway.js';
import { RazorpayClient, type RazorpayClientOptions } from './razorpay.client.js';
import {
  parseWireOrder,
  parseWirePayment,
  parseWirePaymentCollection,
  parseWireRefund,
  toGatewayOrder,
  toGatewayPayment,
  toGatewayRefund,
} from './razorpay.mappers.js';
import { checkoutSignature, safeEqualHex, webhookSignature } from './razorpay.signatures.js';
import { assertAmount, assertId, retryKeyedRefund, retryWhenNotApplied, retryWhenTransient } from './razorpay.failures.js';
import { decodeRazorpayWebhook, receiveRazorpayWebhook } from './razorpay.webhooks.js';
import type { WireOrderCreateRequest, WirePayment, WireRefundCreateRequest } from './razorpay.wire.js';

export type { GatewayLogger } from './razorpay.client.js';

export interface RazorpayGatewayOptions extends RazorpayClientOptions {
  /** Current webhook secret first, then previous ones still accepted during a rotation. */
  webhookSecrets: string[];
}

/**
 * Razorpay on its official SDK. Every method either returns validated data or throws a
 * {@link GatewayError}; secrets never appear in errors or logs.
 */
export class RazorpayGateway implements Gateway {
  readonly name = 'razorpay';
  readonly keyId: string;
  readonly #keySecret: string;
  readonly #webhookSecrets: readonly string[];
  readonly #client: RazorpayClient;

  constructor(options: RazorpayGatewayOptions) {
    const { keyId, keySecret, webhookSecrets } = options;
    if (!keyId || !keySecret) throw new Error('RazorpayGateway needs keyId and keySecret');
    if (webhookSecrets.length === 0 || webhookSecrets.some((secret) => !secret)) {
      throw new Error('RazorpayGateway needs at least one non-empty webhook secret');
    }
    this.keyId = keyId;
    this.#keySecret = keySecret;
    this.#webhookSecrets = [...webhookSecrets];
    this.#client = new RazorpayClient(options);
  }

  /** Creates an order; `autoCapture` (default true) sends `payment_capture: 1`. */
  async createOrder(request: CreateOrderRequest): Promise<GatewayOrder> {
    assertAmount(request.amount, 'amount');
    const body: WireOrderCreateRequest = {
      amount: request.amount,
      currency: request.currency,
      receipt: request.receipt,
      notes: request.notes ?? {},
      payment_capture: request.autoCapture === false ? 0 : 1,
    };
    // Retried on transient failures although not idempotent: a stray unpaid order costs
    // nothing and expires, while failing the customer's checkout does cost.
    // The SDK's generic post is used because its orders.create types payment_capture as
    // boolean, while Razorpay documents 1/0.
    const wire = await this.#client.call(
      'createOrder',
      () => this.#client.sdk.api.post<WireOrderCreateRequest, unknown>({ url: '/orders', data: body }),
      parseWireOrder,
      retryWhenTransient,
    );
    return toGatewayOrder(wire);
  }

  /** Fetches the order's current state at the gateway. */
  async fetchOrder(orderId: string): Promise<GatewayOrder> {
    assertId('order', orderId);
    const wire = await this.#client.call('fetchOrder', () => this.#client.sdk.orders.fetch(orderId), parseWireOrder, retryWhenTransient);
    return toGatewayOrder(wire);
  }

  /** Fetches one payment attempt's current state at the gateway. */
  async fetchPayment(paymentId: string): Promise<GatewayPayment> {
    assertId('payment', paymentId);
    const wire = await this.#client.call('fetchPayment', () => this.#client.sdk.payments.fetch(paymentId), parseWirePayment, retryWhenTransient);
    return this.#mapPayment(wire);
  }

  /**
   * Every attempt on the order, oldest first. Razorpay lists newest first and stamps whole
   * seconds, so the list is reversed before a stable sort on `created_at`, which keeps
   * attempts made within the same second in the order they were made.
   */
  async listOrderPayments(orderId: string): Promise<GatewayPayment[]> {
    assertId('order', orderId);
    const collection = await this.#client.call(
      'listOrderPayments',
      () => this.#client.sdk.orders.fetchPayments(orderId),
      parseWirePaymentCollection,
      retryWhenTransient,
    );
    const oldestFirst = [...collection.items].reverse().sort((a, b) => a.created_at - b.created_at);
    return oldestFirst.map((wire) => this.#mapPayment(wire));
  }

  /**
   * Captures an authorised payment for exactly its authorised amount. Capturing a payment
   * that is already captured for that amount returns it instead of failing: a retried
   * capture, or one racing the webhook, has the outcome the caller asked for.
   */
  async capturePayment(paymentId: string, amount: number, currency: string): Promise<GatewayPayment> {
    assertId('payment', paymentId);
    assertAmount(amount, 'amount');
    try {
      const wire = await this.#client.call(
        'capturePayment',
        () => this.#client.sdk.payments.capture(paymentId, amount, currency),
        parseWirePayment,
        retryWhenTransient,
      );
      return this.#mapPayment(wire);
    } catch (error) {
      if (error instanceof GatewayError && error.kind === 'rejected' && /already been captured/i.test(error.message)) {
        const payment = await this.fetchPayment(paymentId);
        if (payment.captured && payment.amount === amount && payment.currency === currency) return payment;
      }
      throw error;
    }
  }

  /**
   * Refunds `amount` (default: all not yet refunded). With an idempotency key the request is
   * sent with `X-Refund-Idempotency` and retried like a read; without one it is retried only
   * when the gateway provably did not apply it, so money is never refunded twice.
   */
  async refundPayment(request: RefundRequest): Promise<GatewayRefund> {
    const { paymentId, idempotencyKey } = request;
    assertId('payment', paymentId);
    if (request.amount !== undefined) assertAmount(request.amount, 'amount');
    if (idempotencyKey !== undefined && idempotencyKey.length < 10) {
      throw new GatewayError('Refund idempotency key must be at least 10 characters', 'rejected');
    }
    const body: WireRefundCreateRequest = {
      ...(request.amount !== undefined && { amount: request.amount }),
      speed: request.speed ?? 'normal',
      ...(request.notes !== undefined && { notes: request.notes }),
      ...(request.receipt !== undefined && { receipt: request.receipt }),
    };
    const send =
      idempotencyKey === undefined
        ? () => this.#client.sdk.payments.refund(paymentId, body)
        : // The SDK's header whitelist drops custom headers.
          () => this.#client.postWithHeaders(`/v1/payments/${paymentId}/refund`, body, { 'X-Refund-Idempotency': idempotencyKey });
    const rule = idempotencyKey === undefined ? retryWhenNotApplied : retryKeyedRefund;
    const wire = await this.#client.call('refundPayment', send, parseWireRefund, rule);
    return toGatewayRefund(wire);
  }

  /** Fetches a refund through its payment, so a refund of another payment is not found. */
  async fetchRefund(paymentId: string, refundId: string): Promise<GatewayRefund> {
    assertId('payment', paymentId);
    assertId('refund', refundId);
    const wire = await this.#client.call(
      'fetchRefund',
      () => this.#client.sdk.payments.fetchRefund(paymentId, refundId),
      parseWireRefund,
      retryWhenTransient,
    );
    return toGatewayRefund(wire);
  }

  /** Constant-time check of Checkout's `razorpay_signature` against the stored order id. */
  verifyCheckoutSignature(orderId: string, paymentId: string, signature: string): boolean {
    return safeEqualHex(checkoutSignature(this.#keySecret, orderId, paymentId), signature);
  }

  /** Constant-time check against every configured secret (rotation), over the raw bytes. */
  verifyWebhookSignature(rawBody: Buffer, signature: string): boolean {
    let valid = false;
    // No early exit: the time taken does not tell which secret matched.
    for (const secret of this.#webhookSecrets) {
      valid = safeEqualHex(webhookSignature(secret, rawBody), signature) || valid;
    }
    return valid;
  }

  /** Razorpay signs the body: a delivery is accepted only when the signature matches its exact bytes. */
  receiveWebhook(request: WebhookRequest): WebhookReceipt {
    try {
      return receiveRazorpayWebhook(request, (rawBody, signature) => this.verifyWebhookSignature(rawBody, signature));
    } catch (error) {
      // The contract: never throws. Nothing above is expected to; if it does, the delivery is refused.
      return { ok: false, reason: `body could not be read (${error instanceof Error ? error.name : 'error'})` };
    }
  }

  decodeWebhook(eventType: string, payload: Record<string, unknown>): GatewayEvent {
    return decodeRazorpayWebhook(eventType, payload);
  }

  #mapPayment(wire: WirePayment): GatewayPayment {
    try {
      return toGatewayPayment(wire);
    } catch {
      throw new GatewayError('Payment gateway returned a payment without an order', 'unavailable');
    }
  }
}
