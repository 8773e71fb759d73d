/**
 * The {@link Gateway} on Razorpay, built on the official `razorpay` SDK.
 *
 * What the SDK does not do and this adapter adds: a timeout, retries with exponential
 * backoff and full jitter on 429/5xx/network failures, the refund idempotency header,
 * constant-time signature checks, validation of every answer, and one error type
 * ({@link GatewayError}) whose message is safe to show a client.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import Razorpay from 'razorpay';
import {
  GatewayError,
  type CreateOrderRequest,
  type Gateway,
  type GatewayOrder,
  type GatewayPayment,
  type GatewayRefund,
  type RefundRequest,
} from '../gateway.js';
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
import {
  classifyFailure,
  describeForLog,
  MAX_BACKOFF_MS,
  retryKeyedRefund,
  retryWhenNotApplied,
  retryWhenTransient,
  toGatewayError,
  toReadableAxiosFailure,
  assertAmount,
  assertId,
  type RetryRule,
} from './razorpay.failures.js';
import type {
  WireOrderCreateRequest,
  WirePayment,
  WireRefundCreateRequest,
} from './razorpay.wire.js';

export interface GatewayLogger {
  warn(obj: Record<string, unknown>, msg: string): void;
}

export interface RazorpayGatewayOptions {
  keyId: string;
  keySecret: string;
  /** Current webhook secret first, then previous ones still accepted during a rotation. */
  webhookSecrets: string[];
  /** Base URL without `/v1`, e.g. the sandbox's `http://127.0.0.1:4000/sandbox/razorpay`. */
  apiUrl?: string;
  /** Per attempt. The SDK sets none, so a hung connection would hang the caller forever. */
  timeoutMs?: number;
  /** Retries after the first attempt, for 429, 5xx, timeouts and network failures. */
  maxRetries?: number;
  /** First backoff ceiling; it doubles per retry, and each wait is random below it. */
  retryBaseMs?: number;
  logger?: GatewayLogger;
  /** How log lines name this gateway: `razorpay`, or `razorpay-sandbox` when it is the sandbox. */
  name?: string;
}

/**
 * The part of the SDK's axios instance (`api.rq`) this adapter relies on. The SDK's type
 * declarations do not expose it, but it is the only way to change the host, the timeout
 * and to send headers the SDK's whitelist would drop.
 */
interface SdkHttpClient {
  defaults: { baseURL?: string; timeout?: number };
  post(url: string, data: unknown, config: { headers: Record<string, string> }): Promise<{ data: unknown }>;
  interceptors: {
    response: { use(onFulfilled: null, onRejected: (error: unknown) => unknown): number };
  };
}

/**
 * Razorpay on its official SDK. Every method either returns validated data or throws a
 * {@link GatewayError}; secrets never appear in errors or logs.
 */
export class RazorpayGateway implements Gateway {
  readonly keyId: string;
  readonly #keySecret: string;
  readonly #webhookSecrets: readonly string[];
  readonly #sdk: Razorpay;
  readonly #http: SdkHttpClient;
  readonly #maxRetries: number;
  readonly #retryBaseMs: number;
  readonly #logger: GatewayLogger | undefined;
  readonly #name: string;

  constructor(options: RazorpayGatewayOptions) {
    const { keyId, keySecret, webhookSecrets } = options;
    if (!keyId || !keySecret) throw new Error('RazorpayGateway needs keyId and keySecret');
    if (webhookSecrets.length === 0 || webhookSecrets.some((secret) => !secret)) {
      throw new Error('RazorpayGateway needs at least one non-empty webhook secret');
    }
    this.keyId = keyId;
    this.#keySecret = keySecret;
    this.#webhookSecrets = [...webhookSecrets];
    this.#maxRetries = options.maxRetries ?? 3;
    this.#retryBaseMs = options.retryBaseMs ?? 200;
    this.#logger = options.logger;
    this.#name = options.name ?? 'razorpay';
    this.#sdk = new Razorpay({ key_id: keyId, key_secret: keySecret });

    const http = (this.#sdk.api as unknown as { rq?: SdkHttpClient }).rq;
    if (!http?.defaults || !http.interceptors) {
      throw new Error('razorpay SDK no longer exposes api.rq; RazorpayGateway needs updating');
    }
    if (options.apiUrl) http.defaults.baseURL = options.apiUrl.replace(/\/+$/, '');
    http.defaults.timeout = options.timeoutMs ?? 10_000;
    http.interceptors.response.use(null, (error) => Promise.reject(toReadableAxiosFailure(error)));
    this.#http = http;
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
    const wire = await this.#call(
      'createOrder',
      () => this.#sdk.api.post<WireOrderCreateRequest, unknown>({ url: '/orders', data: body }),
      parseWireOrder,
      retryWhenTransient,
    );
    return toGatewayOrder(wire);
  }

  /** Fetches the order's current state at the gateway. */
  async fetchOrder(orderId: string): Promise<GatewayOrder> {
    assertId('order', orderId);
    const wire = await this.#call('fetchOrder', () => this.#sdk.orders.fetch(orderId), parseWireOrder, retryWhenTransient);
    return toGatewayOrder(wire);
  }

  /** Fetches one payment attempt's current state at the gateway. */
  async fetchPayment(paymentId: string): Promise<GatewayPayment> {
    assertId('payment', paymentId);
    const wire = await this.#call('fetchPayment', () => this.#sdk.payments.fetch(paymentId), parseWirePayment, retryWhenTransient);
    return this.#mapPayment(wire);
  }

  /**
   * Every attempt on the order, oldest first. Razorpay lists newest first and stamps whole
   * seconds, so the list is reversed before a stable sort on `created_at`, which keeps
   * attempts made within the same second in the order they were made.
   */
  async listOrderPayments(orderId: string): Promise<GatewayPayment[]> {
    assertId('order', orderId);
    const collection = await this.#call(
      'listOrderPayments',
      () => this.#sdk.orders.fetchPayments(orderId),
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
      const wire = await this.#call(
        'capturePayment',
        () => this.#sdk.payments.capture(paymentId, amount, currency),
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
        ? () => this.#sdk.payments.refund(paymentId, body)
        : // The SDK's header whitelist drops custom headers, so the keyed call goes through
          // its axios instance directly: same base URL, auth, timeout and interceptor.
          async () => {
            const path = `/v1/payments/${paymentId}/refund`;
            const response = await this.#http.post(path, body, { headers: { 'X-Refund-Idempotency': idempotencyKey } });
            return response.data;
          };
    const rule = idempotencyKey === undefined ? retryWhenNotApplied : retryKeyedRefund;
    const wire = await this.#call('refundPayment', send, parseWireRefund, rule);
    return toGatewayRefund(wire);
  }

  /** Fetches a refund through its payment, so a refund of another payment is not found. */
  async fetchRefund(paymentId: string, refundId: string): Promise<GatewayRefund> {
    assertId('payment', paymentId);
    assertId('refund', refundId);
    const wire = await this.#call(
      'fetchRefund',
      () => this.#sdk.payments.fetchRefund(paymentId, refundId),
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

  #mapPayment(wire: WirePayment): GatewayPayment {
    try {
      return toGatewayPayment(wire);
    } catch {
      throw new GatewayError('Payment gateway returned a payment without an order', 'unavailable');
    }
  }

  /** One gateway call: attempts, backoff with full jitter, validation, error mapping. */
  async #call<T>(operation: string, send: () => Promise<unknown>, parse: (body: unknown) => T, retryable: RetryRule): Promise<T> {
    for (let attempt = 0; ; attempt += 1) {
      let body: unknown;
      try {
        body = await send();
      } catch (error) {
        const failure = classifyFailure(error);
        if (attempt >= this.#maxRetries || !retryable(failure)) throw toGatewayError(failure);
        const ceiling = Math.min(MAX_BACKOFF_MS, this.#retryBaseMs * 2 ** attempt);
        const delayMs = Math.round(Math.random() * ceiling);
        this.#logger?.warn(
          { gateway: this.#name, operation, attempt: attempt + 1, delayMs, ...describeForLog(failure) },
          'Razorpay call failed; retrying',
        );
        await sleep(delayMs);
        continue;
      }
      try {
        return parse(body);
      } catch (error) {
        this.#logger?.warn(
          { gateway: this.#name, operation, problem: error instanceof Error ? error.message : String(error) },
          'Razorpay answered with an unexpected shape',
        );
        throw new GatewayError('Payment gateway returned an unexpected response', 'unavailable');
      }
    }
  }
}
