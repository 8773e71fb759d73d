/**
 * A PhonePe-compatible gateway (PG v2 Standard Checkout) for running and testing the service
 * with no network: OAuth token, pay with a hosted page where a person or a test picks the
 * outcome, order status, refund, refund status, callbacks with the configured credentials,
 * and fault knobs. State in PostgreSQL (schema `sandbox_phonepe`); knobs per process. Never
 * mounted in production.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { callbackAuthorization } from '../../gateways/phonepe/phonepe.callbacks.js';
import type { WireOrderStatus, WirePayResponse, WireRefundResponse, WireRefundStatus, WireTransaction } from '../../gateways/phonepe/phonepe.wire.js';
import { CallbackDispatcher, type CallbackRecord, type SandboxLogger } from './sandbox.callbacks.js';
import { SandboxDb } from './sandbox.db.js';
import { PhonePeSandboxError } from './sandbox.errors.js';
import { FaultInjector, type PhonePeSandboxFaults, type PhonePeSandboxFaultsUpdate } from './sandbox.faults.js';
import { readPayRequest, readRefundRequest, readTokenForm, type Outcome } from './sandbox.requests.js';
import { RefundStore } from './sandbox.refunds.js';
import { SandboxStore } from './sandbox.store.js';
import { TokenStore } from './sandbox.tokens.js';

export interface PhonePeSandboxOptions {
  clientId: string;
  clientSecret: string;
  clientVersion: number;
  /** The callback credentials (PhonePe's dashboard). */
  webhookUsername: string;
  webhookPassword: string;
  databaseUrl: string;
  /** Where callbacks are POSTed; read at each delivery. */
  webhookUrl: () => string;
  logger?: SandboxLogger;
  callbackMaxTries?: number;
  callbackRetryBaseMs?: number;
}

export interface PhonePeSandboxState {
  tokensIssued: number;
  faults: PhonePeSandboxFaults;
  callbacks: CallbackRecord[];
}

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

export class PhonePeSandbox {
  readonly store: SandboxStore;
  readonly tokens: TokenStore;
  readonly refunds: RefundStore;
  readonly #options: PhonePeSandboxOptions;
  readonly #db: SandboxDb;
  readonly #faults = new FaultInjector();
  readonly #callbacks: CallbackDispatcher;
  #closed: Promise<void> | null = null;

  constructor(options: PhonePeSandboxOptions) {
    if (!options.clientId || !options.clientSecret || !options.webhookUsername || !options.webhookPassword || !options.databaseUrl) {
      throw new Error('PhonePeSandbox needs clientId, clientSecret, webhookUsername, webhookPassword and databaseUrl');
    }
    this.#options = options;
    this.#db = new SandboxDb(options.databaseUrl, (error) => options.logger?.warn({ problem: error.message }, 'phonepe sandbox database connection lost'));
    this.store = new SandboxStore(this.#db);
    this.tokens = new TokenStore(this.#db);
    this.refunds = new RefundStore(this.#db);
    this.#callbacks = new CallbackDispatcher({
      db: this.#db,
      url: options.webhookUrl,
      authorization: callbackAuthorization(options.webhookUsername, options.webhookPassword),
      ...(options.callbackMaxTries !== undefined && { maxTries: options.callbackMaxTries }),
      ...(options.callbackRetryBaseMs !== undefined && { retryBaseMs: options.callbackRetryBaseMs }),
      ...(options.logger && { logger: options.logger }),
    });
  }

  /** For the API routes: the latency and injected failures the knobs ask for. */
  faultMiddleware(): RequestHandler {
    return this.#faults.middleware();
  }

  /** Creates the schema if needed and delivers what an earlier instance left pending. */
  async start(): Promise<void> {
    await this.#db.migrate();
    this.#callbacks.kick();
  }

  close(): Promise<void> {
    this.#closed ??= (async () => {
      await this.#callbacks.stop();
      await this.#db.close();
    })();
    return this.#closed;
  }

  /** `POST /v1/oauth/token`: the client's credentials, compared in constant time. */
  async issueToken(form: unknown): Promise<Record<string, unknown>> {
    const { client_id, client_secret, client_version } = readTokenForm(form);
    const expected = digest(`${this.#options.clientId}\n${this.#options.clientSecret}\n${this.#options.clientVersion}`);
    const given = digest(`${client_id}\n${client_secret}\n${client_version}`);
    if (!timingSafeEqual(expected, given)) throw new PhonePeSandboxError(400, 'INVALID_CLIENT', 'Client authentication failed');
    return this.tokens.issueToken(client_id, this.#faults.current().tokenTtlSeconds);
  }

  /** `Authorization: O-Bearer <token>` with a token this sandbox issued and that has not expired. */
  async isAuthorized(header: string | undefined): Promise<boolean> {
    const match = /^O-Bearer (\S+)$/.exec(header ?? '');
    return match ? this.tokens.isTokenValid(match[1]!) : false;
  }

  /** `POST /checkout/v2/pay`; the redirect URL is this sandbox's hosted page for the order. */
  async pay(body: unknown, pageBase: string): Promise<WirePayResponse> {
    const request = readPayRequest(body);
    const { orderId, expireAt } = await this.store.createOrder(request);
    return { orderId, state: 'PENDING', expireAt, redirectUrl: `${pageBase}/pay/${encodeURIComponent(request.merchantOrderId)}` };
  }

  orderStatus(merchantOrderId: string, details: boolean): Promise<WireOrderStatus> {
    return this.#thenDeliver(this.store.orderStatus(merchantOrderId, details, this.#faults.takeCallbackKnobs()));
  }

  /**
   * What the customer does on the hosted page. Answers where the browser goes next: the
   * merchant's redirect URL, whatever happened (it proves nothing).
   */
  async choose(merchantOrderId: string, choice: Outcome): Promise<{ redirectUrl: string; transaction: WireTransaction | null }> {
    const order = await this.store.order(merchantOrderId);
    if (choice.outcome === 'abandon') return { redirectUrl: order.redirectUrl, transaction: null };
    const transaction = await this.#thenDeliver(
      this.store.attempt(merchantOrderId, choice.outcome, choice.paymentMode ?? 'UPI_INTENT', this.#faults.takeCallbackKnobs()),
    );
    return { redirectUrl: order.redirectUrl, transaction };
  }

  /** A PENDING attempt completes (or fails) late, as a bank's late answer does. */
  completeLate(transactionId: string, outcome: 'success' | 'failure'): Promise<WireTransaction> {
    return this.#thenDeliver(this.store.completeLate(transactionId, outcome, this.#faults.takeCallbackKnobs()));
  }

  refund(body: unknown): Promise<WireRefundResponse> {
    const request = readRefundRequest(body);
    return this.#thenDeliver(this.refunds.refund(request, this.#faults.current().refundOutcome, this.#faults.takeCallbackKnobs()));
  }

  refundStatus(merchantRefundId: string): Promise<WireRefundStatus> {
    return this.refunds.refundStatus(merchantRefundId);
  }

  settleRefund(merchantRefundId: string, state: 'COMPLETED' | 'FAILED'): Promise<WireRefundStatus> {
    return this.#thenDeliver(this.refunds.settleRefund(merchantRefundId, state, this.#faults.takeCallbackKnobs()));
  }

  /** Held callbacks go out, in order or reversed. */
  releaseCallbacks(reverse: boolean): Promise<number> {
    return this.#callbacks.release(reverse);
  }

  setFaults(update: PhonePeSandboxFaultsUpdate): PhonePeSandboxFaults {
    return this.#faults.update(update);
  }

  resetFaults(): PhonePeSandboxFaults {
    this.#faults.reset();
    return this.#faults.current();
  }

  async state(): Promise<PhonePeSandboxState> {
    const [tokensIssued, callbacks] = await Promise.all([this.tokens.tokensIssued(), this.#callbacks.records()]);
    return { tokensIssued, faults: this.#faults.current(), callbacks };
  }

  /** Resolves once no callback is being delivered (retries included). */
  whenCallbacksSettled(): Promise<void> {
    return this.#callbacks.whenIdle();
  }

  async #thenDeliver<T>(change: Promise<T>): Promise<T> {
    const result = await change;
    this.#callbacks.kick();
    return result;
  }
}
