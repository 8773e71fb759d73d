import type { MikroORM } from '@mikro-orm/postgresql';
import { isStaff, type AuthUser } from '../auth/auth.js';
import { forbidden, notFound } from '../common/errors.js';
import { AsyncQueue, type DirectSource, type MessageBus } from '../common/bus.js';
import { PAYMENT_UPDATED_TOPIC, payerTopic, paymentTopic } from './payment.publisher.js';
import { loadPaymentsByIds } from './payment.rows.js';
import { fromPaymentMessage, type PaymentMessage, type PaymentType } from './payment.types.js';
import { isUuid } from '../common/ids.js';

/**
 * One API object per bus message, shared by every subscriber it reaches: the conversion is done
 * once per change, not once per subscriber, and subscribers selecting the same fields can share
 * one execution of them (see graphql/shared-subscribe.ts), which keys on this object.
 */
const converted = new WeakMap<PaymentMessage, PaymentType>();
/** The message converted last: a broadcast asks for it once per subscriber in a row, without a lookup. */
let lastMessage: PaymentMessage | null = null;
let lastPayment: PaymentType | null = null;
function sharedPayment(message: PaymentMessage): PaymentType {
  if (message === lastMessage) return lastPayment!;
  let payment = converted.get(message);
  if (!payment) converted.set(message, (payment = fromPaymentMessage(message)));
  lastMessage = message;
  lastPayment = payment;
  return payment;
}

/**
 * Iterates messages, dropping any that is not newer than the last one yielded for its payment,
 * so a subscriber sees each change once and never a step backwards, whatever order the bus
 * delivers in. `return()` ends it at once, even while it is waiting.
 */
class VersionedFeed implements AsyncIterableIterator<PaymentType>, DirectSource<PaymentType> {
  private readonly versions = new Map<string, number>();
  private first: PaymentType | null;

  constructor(
    private readonly queue: AsyncQueue<PaymentMessage>,
    initial: PaymentType | null,
  ) {
    this.first = initial;
    if (initial) this.versions.set(initial.id, initial.version);
  }

  async next(): Promise<IteratorResult<PaymentType>> {
    if (this.first) {
      const value = this.first;
      this.first = null;
      return { value, done: false };
    }
    for (;;) {
      const result = await this.queue.next();
      if (result.done) return { value: undefined, done: true };
      const message = result.value;
      if (message.version <= (this.versions.get(message.id) ?? 0)) continue;
      this.versions.set(message.id, message.version);
      return { value: sharedPayment(message), done: false };
    }
  }

  /** Hands messages over as they arrive while a `next()` waits, with the same rule: only newer ones, each once. */
  direct(take: ((value: PaymentType) => boolean) | null): void {
    this.queue.direct(take && ((message) => {
      // Not newer: dropped, as next() drops it.
      if (message.version <= (this.versions.get(message.id) ?? 0)) return true;
      if (!take(sharedPayment(message))) return false;
      this.versions.set(message.id, message.version);
      return true;
    }));
  }

  async return(): Promise<IteratorResult<PaymentType>> {
    await this.queue.return();
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/** Live payment status for subscribers; each may follow only its own payments (staff: any). */
export class PaymentFeed {
  constructor(
    private readonly orm: MikroORM,
    private readonly bus: MessageBus,
  ) {}

  /**
   * Follows one payment: its current state first (so a missed message cannot leave a
   * resubscribing client stale), then each later change once.
   */
  async followPayment(user: AuthUser, paymentId: string): Promise<AsyncIterableIterator<PaymentType>> {
    if (!isUuid(paymentId)) throw notFound('Payment', paymentId);
    let stop: () => void = () => undefined;
    const queue = new AsyncQueue<PaymentMessage>(1000, () => stop());
    // Listen before reading, so a change committed in between is not lost.
    stop = await this.bus.listen(paymentTopic(paymentId), (message) => queue.push(message as PaymentMessage));
    // A plain row: nothing is written back (see payment.rows.ts).
    const [payment] = await loadPaymentsByIds(this.orm.em.getConnection().getKnex(), [paymentId]);
    if (!payment || (!isStaff(user) && payment.payerId !== user.id)) {
      await queue.return();
      throw notFound('Payment', paymentId);
    }
    return new VersionedFeed(queue, payment);
  }

  /** Follows every payment the caller pays, from now on. */
  async followMine(user: AuthUser): Promise<AsyncIterableIterator<PaymentType>> {
    let stop: () => void = () => undefined;
    const queue = new AsyncQueue<PaymentMessage>(1000, () => stop());
    stop = await this.bus.listen(payerTopic(user.id), (message) => queue.push(message as PaymentMessage));
    return new VersionedFeed(queue, null);
  }

  /**
   * Staff only (admin, service): every change to any payment, from now on. The operator
   * console's live list; a customer is refused, since it would show other people's payments.
   */
  async followAll(user: AuthUser): Promise<AsyncIterableIterator<PaymentType>> {
    if (!isStaff(user)) throw forbidden('paymentUpdates follows every payment: admin or service tokens only');
    let stop: () => void = () => undefined;
    const queue = new AsyncQueue<PaymentMessage>(1000, () => stop());
    stop = await this.bus.listen(PAYMENT_UPDATED_TOPIC, (message) => queue.push(message as PaymentMessage));
    return new VersionedFeed(queue, null);
  }
}
