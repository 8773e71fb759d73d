import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { AuthUser } from '../auth/auth.js';
import type { Config } from '../config.js';
import type { GatewayName } from '../gateways/gateway.js';
import type { GatewayRegistry } from '../gateways/gateway.registry.js';
import { badInput, conflict } from '../common/errors.js';
import { performOnce, type Replay } from '../common/idempotency.js';
import { NO_NUL_RULE, NUL } from '../common/validation.js';
import type { Logger } from '../logger.js';
import { CURRENCIES, formatMoney, splitFee } from '../money/money.js';
import { checkoutOf, type PaymentCheckout } from './payment.checkout.js';
import type { LockedPayment, NewPayment, PaymentCore } from './payment.core.js';
import { Payment, PaymentPurpose } from './payment.entity.js';
import { GatewayOrderRecorder } from './gateway-order-recorder.js';
import { gatewayFailure } from './payment.gateway-calls.js';

const MAX_NOTES = 15;
const MAX_NOTE_KEY = 40;
const MAX_NOTE_VALUE = 256;
/**
 * An intent still without its gateway order after this many gateway timeouts (plus a margin)
 * was left by a process that died during the call: no live request can still be making it
 * (the adapter makes at most 4 attempts, each bounded by RAZORPAY_TIMEOUT_MS, with short backoffs).
 */
const ORPHANED_INTENT_TIMEOUTS = 4;
const ORPHANED_INTENT_MARGIN_MS = 5_000;
const ORIGIN = (user: AuthUser) => ({ source: 'api:createOrder', actorId: user.id });

/** An order as a caller asks for it (createOrder's input, a top-up, a cart's checkout), before it is checked. */
export interface OrderInput {
  amount: number;
  currency?: string | null;
  payeeId?: string | null;
  reference?: string | null;
  description?: string | null;
  notes?: Record<string, unknown> | null;
  idempotencyKey?: string | null;
  /** The gateway asked for; absent or null: the default. */
  gateway?: GatewayName | null;
}

/** An order to create, after its input was checked. */
export interface OrderRequest {
  purpose: PaymentPurpose;
  amount: number;
  currency: string;
  payeeId: string | null;
  reference: string | null;
  description: string | null;
  notes: Record<string, string> | null;
  idempotencyKey: string | null;
  /** The gateway asked for; null: the default. */
  gateway: GatewayName | null;
  /** Basis points of the platform's fee (a purpose's registered rule may waive it). */
  feeBps: number;
}

/** What a feature registers for its own purpose of payment (see {@link PaymentOrders.registerPurpose}). */
export interface PurposeRules {
  /** The platform fee in basis points for this purpose, instead of the configured one. */
  feeBps?: number;
}

/**
 * Opening orders. Rules kept here: amounts are integers in the smallest unit within the
 * currency's minimum and the configured maximum; the fee split is fixed at creation; the intent
 * is committed before the gateway is called, never inside a transaction; one order per
 * (payer, idempotency key).
 */
export class PaymentOrders {
  private readonly purposes = new Map<PaymentPurpose, PurposeRules>();
  /** Sets gateway order ids on their intents, several orders' in one statement under load. */
  private readonly gatewayOrders: GatewayOrderRecorder;

  constructor(
    private readonly orm: MikroORM,
    /** A new payment goes through the default gateway (or the one asked for). */
    private readonly gateways: GatewayRegistry,
    private readonly core: PaymentCore,
    private readonly config: Config,
    private readonly logger: Logger,
  ) {
    this.gatewayOrders = new GatewayOrderRecorder(orm);
  }

  /** Lets the feature that owns a purpose (the wallet's top-ups, say) set its rules; the core knows none itself. */
  registerPurpose(purpose: PaymentPurpose, rules: PurposeRules): void {
    this.purposes.set(purpose, rules);
  }

  /** Checks an order's input against the rules that depend on configuration. */
  orderRequest(input: OrderInput, purpose: PaymentPurpose = PaymentPurpose.ORDER): OrderRequest {
    const currency = input.currency ?? 'INR';
    const rules = CURRENCIES[currency];
    if (!rules) throw badInput('input.currency', `must be one of ${Object.keys(CURRENCIES).join(', ')}, got ${currency}`);
    if (input.amount < rules.minimumAmount) {
      throw badInput('input.amount', `must be at least ${rules.minimumAmount} (${formatMoney(rules.minimumAmount, currency)}), got ${input.amount}`);
    }
    if (input.amount > this.config.maxOrderAmount) {
      throw badInput('input.amount', `must be at most ${this.config.maxOrderAmount} (${formatMoney(this.config.maxOrderAmount, currency)}), got ${input.amount}`);
    }
    const gateway = input.gateway ?? null;
    if (gateway !== null && !this.gateways.find(gateway)) {
      throw badInput('input.gateway', `${gateway.toUpperCase()} is not configured on this service (configured: ${this.gateways.names().map((n) => n.toUpperCase()).join(', ')})`);
    }
    if ((gateway ?? this.gateways.default.name) === 'phonepe' && currency !== 'INR') {
      throw badInput('input.currency', `PhonePe takes INR only, got ${currency}: pay in INR or choose RAZORPAY`);
    }
    return {
      gateway,
      purpose,
      amount: input.amount,
      currency,
      payeeId: input.payeeId ?? null,
      reference: input.reference ?? null,
      description: input.description ?? null,
      notes: normaliseNotes(input.notes),
      idempotencyKey: input.idempotencyKey ?? null,
      feeBps: this.purposes.get(purpose)?.feeBps ?? this.config.platformFeeBps,
    };
  }

  /**
   * Creates a payment and its gateway order. The intent is committed first (so a concurrent
   * request with the same idempotency key finds it), then the gateway is called, then the
   * order id recorded; if the gateway fails the intent is removed and nothing remains. A
   * repeated request is answered from the stored payment: the same checkout, rebuilt.
   */
  async createOrder(user: AuthUser, request: OrderRequest): Promise<PaymentCheckout> {
    return performOnce<Payment, PaymentCheckout>({
      key: request.idempotencyKey,
      constraint: 'payment_payer_idempotency_key_unique',
      find: () => this.orm.em.fork().findOne(Payment, { payerId: user.id, idempotencyKey: request.idempotencyKey }),
      mismatch: (existing) => existing.purpose !== request.purpose || existing.amount !== request.amount || existing.currency !== request.currency ||
        existing.payeeId !== request.payeeId || existing.reference !== request.reference ||
        (request.gateway !== null && existing.gateway !== request.gateway)
        ? `idempotencyKey ${request.idempotencyKey} was already used for a different order (${existing.amount} ${existing.currency}, ${existing.purpose}): use a new key for a new order`
        : null,
      replay: (existing, expired) => this.replayOrder(existing, request, expired),
      perform: async () => this.openGatewayOrder(await this.recordIntent(user, request)),
      // The intent (keyed insert) is committed before the gateway is called.
      writesKeyFirst: true,
    });
  }

  /**
   * Writes a CREATED payment with its fee split and its audit event in `em`'s transaction (the
   * core's handlers add its PENDING CHARGE transaction). Used for payments funded without the
   * gateway (the wallet), which the caller captures at once; a gateway order's intent is the
   * same rows written by one statement of their own ({@link recordIntent}).
   */
  recordPayment(em: EntityManager, user: AuthUser, request: OrderRequest): Promise<LockedPayment> {
    return this.core.create(em, this.newPayment(user, request), ORIGIN(user));
  }

  /** How to pay a payment whose gateway order exists: the public key id of the payment's own gateway, among others. */
  checkout(payment: Payment): PaymentCheckout {
    return checkoutOf(payment, this.gateways.get(payment.gateway).keyId);
  }

  /** The intent, committed before the gateway is called: one INSERT statement of its own (payment, audit event, CHARGE). */
  private recordIntent(user: AuthUser, request: OrderRequest): Promise<Payment> {
    return this.core.createAtOnce(this.orm.em.fork(), this.newPayment(user, request), ORIGIN(user));
  }

  private newPayment(user: AuthUser, request: OrderRequest): NewPayment {
    const split = splitFee(request.amount, request.feeBps);
    return {
      gateway: request.gateway ?? this.gateways.default.name,
      purpose: request.purpose,
      amount: request.amount,
      currency: request.currency,
      feeBps: request.feeBps,
      platformFee: split.platformFee,
      payeeAmount: split.payeeAmount,
      payerId: user.id,
      payeeId: request.payeeId,
      reference: request.reference,
      description: request.description,
      notes: request.notes,
      idempotencyKey: request.idempotencyKey,
    };
  }

  private async openGatewayOrder(payment: Payment): Promise<PaymentCheckout> {
    let orderId: string;
    let redirectUrl: string | null;
    try {
      const order = await this.gateways.get(payment.gateway).createOrder({
        amount: payment.amount,
        currency: payment.currency,
        receipt: payment.id,
        notes: payment.notes ?? undefined,
        autoCapture: true,
      });
      orderId = order.id;
      redirectUrl = order.redirectUrl ?? null;
    } catch (error) {
      // Undo the intent: nothing half-written stays behind, and the idempotency key is free again.
      await this.orm.em.fork().nativeDelete(Payment, { id: payment.id });
      throw gatewayFailure(this.logger, error, 'input', payment.gateway);
    }
    // Only if no other request (one that took over this intent, thinking it orphaned) set one
    // first: then that order is the one clients are told, and this one is never paid.
    const recorded = await this.gatewayOrders.record(payment.id, orderId, redirectUrl);
    if (recorded === 0) return this.checkout(await this.orm.em.fork().findOneOrFail(Payment, { id: payment.id }));
    payment.razorpayOrderId = orderId;
    payment.redirectUrl = redirectUrl;
    this.logger.info({ paymentId: payment.id, gateway: payment.gateway, orderId, amount: payment.amount, currency: payment.currency }, 'order created');
    return this.checkout(payment);
  }

  /**
   * The order already made with this idempotency key, once its gateway order exists. An intent
   * whose creator died before recording the gateway order (found by the chaos run: the key
   * otherwise answered CONFLICT forever) is claimed by one waiting request, which opens it.
   */
  private async replayOrder(existing: Payment, request: OrderRequest, expired: boolean): Promise<Replay<PaymentCheckout>> {
    if (existing.razorpayOrderId) return { kind: 'answer', answer: this.checkout(existing) };
    if (await this.claimOrphanedIntent(existing)) return { kind: 'answer', answer: await this.openGatewayOrder(existing) };
    if (expired) {
      throw conflict(`the order for idempotencyKey ${request.idempotencyKey} is still being created: retry shortly with the same key`);
    }
    return { kind: 'pending' };
  }

  /** True for the one request that claims an intent left without its gateway order for too long. */
  private async claimOrphanedIntent(payment: Payment): Promise<boolean> {
    const orphanedBefore = new Date(Date.now() - ORPHANED_INTENT_TIMEOUTS * this.config.razorpay.timeoutMs - ORPHANED_INTENT_MARGIN_MS);
    if (payment.updatedAt >= orphanedBefore) return false;
    const claimed = await this.orm.em.fork().nativeUpdate(
      Payment,
      { id: payment.id, razorpayOrderId: null, updatedAt: { $lt: orphanedBefore } },
      { updatedAt: new Date() },
    );
    if (claimed > 0) this.logger.warn({ paymentId: payment.id, createdAt: payment.createdAt }, 'order intent left without its gateway order: opening it now');
    return claimed > 0;
  }
}

/** Razorpay notes: at most 15 pairs of short keys and ≤ 256-character values; numbers and booleans become strings. */
function normaliseNotes(notes: Record<string, unknown> | null | undefined): Record<string, string> | null {
  if (notes === null || notes === undefined) return null;
  if (typeof notes !== 'object' || Array.isArray(notes)) throw badInput('input.notes', 'must be an object of key/value pairs');
  const entries = Object.entries(notes);
  if (entries.length > MAX_NOTES) throw badInput('input.notes', `may hold at most ${MAX_NOTES} pairs, got ${entries.length}`);
  const result: Record<string, string> = {};
  for (const [key, value] of entries) {
    if (key.length === 0 || key.length > MAX_NOTE_KEY) throw badInput(`input.notes.${key.slice(0, 40)}`, `keys must be 1 to ${MAX_NOTE_KEY} characters`);
    // PostgreSQL's jsonb cannot hold U+0000; the key itself is left out of the field name.
    if (key.includes(NUL)) throw badInput('input.notes', `keys ${NO_NUL_RULE}`);
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw badInput(`input.notes.${key}`, 'values must be strings, numbers or booleans');
    }
    const text = String(value);
    if (text.length > MAX_NOTE_VALUE) throw badInput(`input.notes.${key}`, `values must be at most ${MAX_NOTE_VALUE} characters`);
    if (text.includes(NUL)) throw badInput(`input.notes.${key}`, `values ${NO_NUL_RULE}`);
    result[key] = text;
  }
  return result;
}
