/**
 * A Razorpay-compatible gateway: REST API, Checkout simulator and signed webhooks, for
 * running and testing the service with no network. Its orders, payments, refunds and pending
 * webhooks live in PostgreSQL (schema `sandbox_razorpay`), so a restart forgets nothing; the
 * fault knobs are per process and start well-behaved. Never mounted in production.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import pg from 'pg';
import type { WireOrder, WirePayment, WireRefund } from '../../gateways/razorpay/razorpay.wire.js';
import {
  checkoutFailure,
  deliveryKnobs,
  readCheckoutPay,
  type CheckoutPayRequest,
  type CheckoutPayResponse,
} from './sandbox.checkout.js';
import type { RequestHandler } from 'express';
import { FaultInjector, faultsUpdateSchema, type SandboxFaults, type SandboxFaultsUpdate } from './sandbox.faults.js';
import { SandboxDb } from './sandbox.db.js';
import { WebhookOutbox, type DeliveryKnobs, type WebhookRecord } from './sandbox.outbox.js';
import type { CaptureInput, OrderInput, RefundInput } from './sandbox.requests.js';
import { SandboxStore, type Changed, type SandboxState } from './sandbox.store.js';
import { ROUTE_DDL, SandboxRoute } from './sandbox.route.js';
import { DIRECT_TRANSFER_DDL, SandboxDirectTransfers } from './sandbox.direct-transfers.js';
import { SandboxTransfers } from './sandbox.transfers.js';
import { TRANSFER_DDL } from './sandbox.transfers.model.js';
import { WebhookDispatcher, type SandboxLogger } from './sandbox.webhooks.js';

export interface SandboxOptions {
  keyId: string;
  keySecret: string;
  webhookSecret: string;
  /** PostgreSQL the sandbox keeps its state in (its own schema, created on first use). */
  databaseUrl: string;
  /** Where signed webhooks are POSTed; read at each delivery, so it may change after start. */
  webhookUrl: () => string;
  logger?: SandboxLogger;
  /** Tries per webhook delivery (default 3) and the first backoff (default 200 ms). */
  webhookMaxTries?: number;
  webhookRetryBaseMs?: number;
}

/** How the webhooks an action causes are delivered; `awaitWebhooks` waits for them. */
export interface DeliveryOptions extends DeliveryKnobs {
  awaitWebhooks?: boolean;
}

export interface SandboxDump extends SandboxState {
  faults: SandboxFaults;
  webhooks: WebhookRecord[];
}

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

export class SandboxGateway {
  readonly keyId: string;
  /** Reads of orders, payments and refunds; changes go through this class so webhooks follow. */
  readonly store: SandboxStore;
  /** Route onboarding: linked accounts, stakeholders, the route product and its activation knob. */
  readonly route: SandboxRoute;
  /** Route transfers: from payments to linked accounts, holds, reversals, settlements and their knobs. */
  readonly transfers: SandboxTransfers;
  /** Route's direct transfers (`POST /v1/transfers`, from the platform balance, with an idempotency key). */
  readonly directTransfers: SandboxDirectTransfers;
  readonly #keySecret: string;
  /** The digest of `keyId:keySecret` every API call's basic auth is compared with (computed once). */
  readonly #credentialsDigest: Buffer;
  readonly #faults = new FaultInjector();
  readonly #webhooks: WebhookDispatcher;
  readonly #db: SandboxDb;
  readonly #outbox: WebhookOutbox;
  readonly #lockConnection: pg.Client;
  #closed: Promise<void> | null = null;

  constructor(options: SandboxOptions) {
    if (!options.keyId || !options.keySecret || !options.webhookSecret || !options.databaseUrl) {
      throw new Error('SandboxGateway needs keyId, keySecret, webhookSecret and databaseUrl');
    }
    this.keyId = options.keyId;
    this.#keySecret = options.keySecret;
    this.#credentialsDigest = digest(`${options.keyId}:${options.keySecret}`);
    const onDbError = (error: Error) => options.logger?.warn({ problem: error.message }, 'sandbox database connection lost');
    this.#db = new SandboxDb(options.databaseUrl, onDbError);
    this.#lockConnection = new pg.Client({ connectionString: options.databaseUrl });
    this.#lockConnection.on('error', onDbError);
    this.#outbox = new WebhookOutbox(this.#db);
    this.store = new SandboxStore(this.#db, this.#outbox, () => this.#consumeReversalRefusal());
    this.#webhooks = new WebhookDispatcher({
      outbox: this.#outbox,
      secret: options.webhookSecret,
      url: options.webhookUrl,
      logger: options.logger,
      ...(options.webhookMaxTries !== undefined && { maxTries: options.webhookMaxTries }),
      ...(options.webhookRetryBaseMs !== undefined && { retryBaseMs: options.webhookRetryBaseMs }),
    });
    this.route = new SandboxRoute(this.#db, this.#outbox, (batch) => this.#webhooks.deliver(batch));
    this.transfers = new SandboxTransfers(this.#db, this.#outbox, (batch) => this.#webhooks.deliver(batch));
    this.directTransfers = new SandboxDirectTransfers(this.#db, this.transfers);
  }

  /**
   * Creates its schema if needed, then delivers the webhooks a previous instance left
   * pending (from their due time on), as Razorpay keeps retrying across our restarts.
   */
  async start(): Promise<void> {
    await this.#db.migrate(ROUTE_DDL + TRANSFER_DDL + DIRECT_TRANSFER_DDL);
    await this.#lockConnection.connect();
    await this.#outbox.open(this.#lockConnection);
    for (const batch of await this.#outbox.claimOrphans()) void this.#webhooks.deliver(batch);
  }

  /** Stops delivering (what is left stays pending for the next instance) and closes its connections. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      this.route.stop();
      this.transfers.stop();
      await this.#webhooks.stop();
      await this.#lockConnection.end().catch(() => undefined);
      await this.#db.close();
    })();
    return this.#closed;
  }

  /** A new order; `autoCapture` is Razorpay's `payment_capture`. */
  createOrder(input: OrderInput): Promise<WireOrder> {
    return this.store.createOrder(input);
  }

  /**
   * One Checkout attempt on an order (several per order are allowed until it is paid).
   * Success answers Checkout's three fields signed with the key secret; failure answers
   * Checkout's error object. The webhooks follow with the request's knobs.
   */
  async pay(request: CheckoutPayRequest): Promise<CheckoutPayResponse> {
    const parsed = readCheckoutPay(request);
    const { entity: payment, batch } = await this.store.attempt(
      parsed.order_id,
      parsed.method,
      parsed.outcome,
      parsed.authorizeOnly ?? false,
      deliveryKnobs(parsed),
    );
    const delivery = this.#webhooks.deliver(batch);
    if (parsed.awaitWebhooks) await delivery;
    if (parsed.outcome === 'failure') return checkoutFailure(payment);
    return {
      razorpay_payment_id: payment.id,
      razorpay_order_id: parsed.order_id,
      razorpay_signature: createHmac('sha256', this.#keySecret).update(`${parsed.order_id}|${payment.id}`).digest('hex'),
    };
  }

  /** Manual capture of an authorised payment, for exactly its amount; webhooks follow. */
  async capturePayment(paymentId: string, input: CaptureInput, delivery: DeliveryOptions = {}): Promise<WirePayment> {
    return this.#deliverAfter(this.store.capture(paymentId, input, delivery), delivery);
  }

  /** A refund whose status follows the `refundOutcome` knob; idempotent per key. */
  async refundPayment(
    paymentId: string,
    input: RefundInput,
    idempotencyKey: string | null,
    delivery: DeliveryOptions = {},
  ): Promise<WireRefund> {
    const change = this.store.refundPayment(paymentId, input, idempotencyKey, this.#faults.current().refundOutcome, delivery);
    return this.#deliverAfter(change, delivery);
  }

  /** Settles a pending refund and sends `refund.processed` or `refund.failed`. */
  async settleRefund(refundId: string, status: 'processed' | 'failed', delivery: DeliveryOptions = {}): Promise<WireRefund> {
    return this.#deliverAfter(this.store.settleRefund(refundId, status, delivery), delivery);
  }

  /** The bank authorises a failed attempt late (Razorpay's `failed` → `authorized`). */
  async authorizeLatePayment(paymentId: string, delivery: DeliveryOptions = {}): Promise<WirePayment> {
    return this.#deliverAfter(this.store.authorizeLate(paymentId, delivery), delivery);
  }

  /** Replaces the fault knobs given and keeps the others; validated like the control route. */
  setFaults(update: SandboxFaultsUpdate): SandboxFaults {
    return this.#faults.update(faultsUpdateSchema.parse(update));
  }

  /** Back to a well-behaved gateway. */
  resetFaults(): void {
    this.#faults.reset();
    this.route.resetKnobs();
    this.transfers.resetKnobs();
    this.directTransfers.resetKnobs();
  }

  faults(): SandboxFaults {
    return this.#faults.current();
  }

  /** Everything the sandbox holds, plus the knobs and recent webhook outcomes. */
  async state(): Promise<SandboxDump> {
    const [state, webhooks] = await Promise.all([this.store.state(), this.#outbox.records()]);
    return { ...state, faults: this.#faults.current(), webhooks };
  }

  /**
   * Releases held webhooks (`holdWebhooks`) this instance delivers: the batches holding any of
   * `eventIds`, or every held batch when null. Answers the event ids released.
   */
  async releaseWebhooks(eventIds: string[] | null): Promise<string[]> {
    const released = await this.#outbox.releaseHeld(eventIds);
    this.#webhooks.release(released.batchIds);
    return released.eventIds;
  }

  /** Resolves once every webhook delivery (and its retries) has finished; held ones are not waited for. */
  whenWebhooksSettled(): Promise<void> {
    return this.#webhooks.whenIdle();
  }

  /** A refund with `reverse_all` takes one of the transfer knobs' `refuseReversals`, as a reversal does. */
  #consumeReversalRefusal(): boolean {
    const { refuseReversals } = this.transfers.knobs();
    if (refuseReversals <= 0) return false;
    this.transfers.setKnobs({ refuseReversals: refuseReversals - 1 });
    return true;
  }

  async #deliverAfter<T>(pending: Promise<Changed<T>>, delivery: DeliveryOptions): Promise<T> {
    const change = await pending;
    const done = this.#webhooks.deliver(change.batch);
    if (delivery.awaitWebhooks) await done;
    return change.entity;
  }

  /** Express middleware applying the fault knobs (latency, errors) to the REST API. */
  faultMiddleware(): RequestHandler {
    return this.#faults.middleware();
  }

  /** HTTP basic auth with the key id and secret, compared in constant time. */
  isAuthorized(header: string | undefined): boolean {
    if (!header?.startsWith('Basic ')) return false;
    const given = digest(Buffer.from(header.slice('Basic '.length), 'base64').toString('utf8'));
    return timingSafeEqual(this.#credentialsDigest, given);
  }
}
