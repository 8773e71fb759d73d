import { LockMode, type EntityManager, type EventSubscriber, type FilterQuery, type MikroORM, type TransactionEventArgs } from '@mikro-orm/postgresql';
import { Payment, PaymentFunding, type PaymentMethodSnapshot } from './payment.entity.js';
import { PaymentEvent, PaymentEventType } from './payment-event.entity.js';
import type { ChangeSource, PaymentChange, PaymentDomainEvent, PaymentEventHandler } from './payment.events.js';
import type { PaymentPublisher } from './payment.publisher.js';
import { insertPersistedAtOnce } from '../db/insert-at-once.js';
import { insertNewAtOnce, updatesLeftOver } from '../db/insert-new-at-once.js';
import { lockFirstRead, type LockReads } from '../db/lock-first-read.js';
import { topTransaction } from '../db/top-transaction.js';
import { canTransition, MONEY_RECEIVED_STATUSES, PaymentStatus } from './payment.state.js';

declare const lockedBrand: unique symbol;
/** A payment whose row this transaction holds (`SELECT … FOR UPDATE`, or inserted by it). Only the core makes one. */
export type LockedPayment = Payment & { readonly [lockedBrand]: true };

/** The fields of a new payment (CREATED, its fee split already computed). */
export type NewPayment = Pick<Payment, 'purpose' | 'amount' | 'currency' | 'feeBps' | 'platformFee' | 'payeeAmount' | 'payerId' |
  'payeeId' | 'reference' | 'description' | 'notes' | 'idempotencyKey'> & Partial<Pick<Payment, 'gateway'>>;

/** A change the state table (or the money) does not allow: a caller's bug, never applied. */
export class IllegalPaymentChange extends Error {
  constructor(
    readonly paymentId: string,
    readonly from: PaymentStatus,
    readonly change: PaymentChange['kind'],
    reason: string,
  ) {
    super(`payment ${paymentId}: ${change} refused in ${from}: ${reason}`);
    this.name = 'IllegalPaymentChange';
  }
}

const ATTEMPT_OUTCOMES: readonly PaymentStatus[] = [PaymentStatus.AUTHORIZED, PaymentStatus.CAPTURED, PaymentStatus.FAILED];
const WALLET_METHOD: PaymentMethodSnapshot = { method: 'wallet_balance', cardNetwork: null, cardLast4: null, vpa: null, bank: null, wallet: null };

/**
 * The one way a payment changes. {@link apply} takes a payment this transaction has locked,
 * refuses any move the state table does not allow (or a refund beyond what was captured),
 * applies the change with its audit event, and hands a typed domain event to every registered
 * handler in the same transaction. Subscribers hear of the change once, after the commit,
 * from here; a rolled-back transaction publishes nothing.
 */
export class PaymentCore implements EventSubscriber {
  private readonly handlers: PaymentEventHandler[] = [];
  /** Payments changed per open top-level transaction, published when it commits. */
  private readonly changed = new WeakMap<object, Map<string, Payment>>();
  /** Every handler's {@link PaymentEventHandler.lockReads}, read by the lock's statement. */
  private lockReads: LockReads = Object.freeze({});
  /** What the lock read for each payment it locked (the entity of that transaction's EntityManager). */
  private readonly readAtLock = new WeakMap<Payment, Readonly<Record<string, unknown>>>();

  constructor(
    orm: MikroORM,
    readonly publisher: PaymentPublisher,
  ) {
    // Transactions fork the EntityManager with a clone of this event manager, subscribers included.
    orm.em.getEventManager().registerSubscriber(this);
  }

  /** Registers a feature's reaction to every payment event; handlers run in registration order. */
  subscribe(handler: PaymentEventHandler): void {
    this.handlers.push(handler);
    if (handler.lockReads) {
      for (const name of Object.keys(handler.lockReads)) if (name in this.lockReads) throw new Error(`two payment handlers read ${name} with the lock`);
      this.lockReads = Object.freeze({ ...this.lockReads, ...handler.lockReads });
    }
  }

  /** Locks the payment matching `where` in `em`'s transaction (null if there is none). */
  async lock(em: EntityManager, where: FilterQuery<Payment>): Promise<LockedPayment | null> {
    transactionOf(em);
    // By its id or gateway order id alone, as the transaction's first read (settlement): a statement text built once.
    const entries = Object.entries(where as object);
    const [property, value] = entries.length === 1 ? entries[0]! : [];
    if ((property === 'id' || property === 'razorpayOrderId') && typeof value === 'string') {
      const locked = await lockFirstRead(em, Payment, property, value, this.lockReads);
      if (locked === null) return null;
      if (locked !== undefined) {
        this.readAtLock.set(locked.found, locked.reads);
        return locked.found as LockedPayment;
      }
    }
    const found = await em.findOne(Payment, where, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
    // Locked without the reads: an earlier lock's reads of the same entity (another transaction of this EntityManager) are stale.
    if (found) this.readAtLock.delete(found);
    return found as LockedPayment | null;
  }

  /** Records a new CREATED payment with its audit event; handlers hear `created` (its CHARGE transaction, for one). */
  async create(em: EntityManager, fields: NewPayment, origin: ChangeSource): Promise<LockedPayment> {
    transactionOf(em);
    return this.persistNew(em, fields, origin);
  }

  /**
   * {@link create} for a payment that is only an intent (an order before its gateway call): `em`
   * is a fresh fork outside any transaction, and the payment, its audit event and what the
   * handlers persist for `created` are written by one INSERT statement, atomic on its own (one
   * round trip instead of BEGIN, an INSERT per table, COMMIT). A handler hands its new entities
   * through `intentEntities`, or persists them for `created` (see {@link PaymentEventHandler});
   * one that reads is refused.
   */
  async createAtOnce(em: EntityManager, fields: NewPayment, origin: ChangeSource): Promise<Payment> {
    // Built, not persisted: the unit of work's tracking, cascade and identity map were most of an
    // intent's CPU (issue 11); the rows are the same (see PaymentEventHandler.intentEntities).
    const payment = Object.assign(new Payment(), fields);
    const built: object[] = [payment, createdEvent(payment, origin)];
    for (const handler of this.handlers) {
      if (handler.intentEntities) built.push(...handler.intentEntities(payment, origin));
      else await handler.handle(em, { type: 'created', payment, origin });
    }
    await insertPersistedAtOnce(em, built);
    return payment;
  }

  private async persistNew(em: EntityManager, fields: NewPayment, origin: ChangeSource): Promise<LockedPayment> {
    const payment = Object.assign(new Payment(), fields) as LockedPayment;
    em.persist(payment);
    em.persist(createdEvent(payment, origin));
    await this.emit(em, { type: 'created', payment, origin });
    return payment;
  }

  /**
   * Applies `change` to the locked `payment`, whoever asks: the move must be in the state table
   * (a refund must fit within what was captured), or {@link IllegalPaymentChange} is thrown and
   * nothing is written. Returns the event the handlers were given.
   */
  async apply(em: EntityManager, payment: LockedPayment, change: PaymentChange, origin: ChangeSource): Promise<PaymentDomainEvent> {
    const transaction = transactionOf(em);
    const from = payment.status;
    const to = this.target(payment, change);
    const now = new Date();
    let event: PaymentDomainEvent;
    let attemptId: string | null = null;
    let detail: Record<string, unknown>;
    switch (change.kind) {
      case 'gateway_attempt':
        attemptId = change.attemptId;
        detail = change.detail;
        payment.razorpayPaymentId = change.attemptId;
        payment.method = change.method;
        payment.failureReason = change.failureReason;
        if (to === PaymentStatus.CAPTURED) {
          payment.funding = PaymentFunding.GATEWAY;
          payment.paidAt = now;
          event = { type: 'captured', payment, from, funding: PaymentFunding.GATEWAY, origin };
        } else if (to === PaymentStatus.FAILED) {
          event = { type: 'failed', payment, from, reason: change.failureReason, origin };
        } else {
          event = { type: 'authorized', payment, from, origin };
        }
        break;
      case 'wallet_capture':
        detail = { funding: 'wallet', walletId: change.walletId };
        payment.method = WALLET_METHOD;
        payment.failureReason = null;
        payment.funding = PaymentFunding.WALLET;
        payment.paidAt = now;
        event = { type: 'captured', payment, from, funding: PaymentFunding.WALLET, origin };
        break;
      case 'refund':
        detail = change.detail;
        payment.amountRefunded += change.amount;
        event = { type: 'refunded', payment, from, refundId: change.refundId, amount: change.amount, full: to === PaymentStatus.REFUNDED, origin };
        break;
    }
    event.readWithLock = this.readAtLock.get(payment);
    payment.status = to;
    payment.version += 1;
    payment.updatedAt = now;
    // Another partial refund leaves the status as it is: a newer state for subscribers, no move to audit.
    if (to !== from) {
      em.persist(Object.assign(new PaymentEvent(), {
        payment,
        type: PaymentEventType.STATUS_CHANGED,
        fromStatus: from,
        toStatus: to,
        source: origin.source,
        actorId: origin.actorId ?? null,
        gatewayPaymentId: attemptId,
        detail,
      }));
    }
    await this.emit(em, event);
    // The audit event, what the handlers added (CHARGE journal, entries, outbox message…) and the
    // payment's own changes in one statement.
    await insertNewAtOnce(em, payment);
    const pending = this.changed.get(transaction) ?? new Map<string, Payment>();
    pending.set(payment.id, payment);
    this.changed.set(transaction, pending);
    return event;
  }

  /** A handler's update left to the change's statement, which never ran: refuse the commit (a bug, never a lost write). */
  beforeTransactionCommit({ transaction }: TransactionEventArgs): void {
    if (transaction && updatesLeftOver(transaction)) throw new Error('a payment handler left an update to a change statement that never ran');
  }

  async afterTransactionCommit({ transaction }: TransactionEventArgs): Promise<void> {
    const pending = transaction ? this.changed.get(transaction) : undefined;
    if (!pending) return;
    this.changed.delete(transaction!);
    for (const payment of pending.values()) await this.publisher.publish(payment);
  }

  /** The status `change` leads to from the payment's current one, or throws when it is not allowed. */
  private target(payment: Payment, change: PaymentChange): PaymentStatus {
    const refuse = (reason: string) => new IllegalPaymentChange(payment.id, payment.status, change.kind, reason);
    if (change.kind === 'refund') {
      if (!MONEY_RECEIVED_STATUSES.includes(payment.status)) throw refuse('nothing was captured');
      if (!Number.isSafeInteger(change.amount) || change.amount <= 0) throw refuse(`a refund must be a positive integer, got ${change.amount}`);
      const refunded = payment.amountRefunded + change.amount;
      if (refunded > payment.amount) throw refuse(`refunds would reach ${refunded} of ${payment.amount} captured`);
      const to = refunded === payment.amount ? PaymentStatus.REFUNDED : PaymentStatus.PARTIALLY_REFUNDED;
      if (to !== payment.status && !canTransition(payment.status, to)) throw refuse(`${payment.status} → ${to} is not in the state table`);
      return to;
    }
    const to = change.kind === 'wallet_capture' ? PaymentStatus.CAPTURED : change.to;
    if (!ATTEMPT_OUTCOMES.includes(to)) throw refuse(`an attempt cannot make a payment ${to}`);
    if (!canTransition(payment.status, to)) throw refuse(`${payment.status} → ${to} is not in the state table`);
    return to;
  }

  private async emit(em: EntityManager, event: PaymentDomainEvent): Promise<void> {
    for (const handler of this.handlers) await handler.handle(em, event);
  }
}

/** A new payment's audit event. */
function createdEvent(payment: Payment, origin: ChangeSource): PaymentEvent {
  return Object.assign(new PaymentEvent(), {
    payment,
    type: PaymentEventType.CREATED,
    toStatus: payment.status,
    source: origin.source,
    actorId: origin.actorId ?? null,
    detail: { amount: payment.amount, currency: payment.currency, feeBps: payment.feeBps, platformFee: payment.platformFee },
  });
}

/** The top-level transaction `em` is in; throws outside one. */
function transactionOf(em: EntityManager): object {
  const transaction = topTransaction(em);
  if (!transaction) throw new Error('a payment changes only inside a transaction (em.transactional)');
  return transaction;
}
