import type { MessageBus } from '../common/bus.js';
import type { Logger } from '../logger.js';
import type { Payment } from './payment.entity.js';
import { toPaymentMessage, toPaymentType, type PaymentMessage } from './payment.types.js';

/** Every change to any payment: staff following everything (the operator console). */
export const PAYMENT_UPDATED_TOPIC = 'payments.updated';
/** Changes to one payment: its followers only. */
export const paymentTopic = (paymentId: string): string => `payments.updated.payment.${paymentId}`;
/** Changes to the payments one user pays: that user's `myPaymentUpdates`. */
export const payerTopic = (payerId: string): string => `payments.updated.payer.${payerId}`;

/** Sends one message to each topic it belongs to: the payment's, its payer's, and the staff's. */
export async function publishPaymentMessage(bus: MessageBus, message: PaymentMessage): Promise<void> {
  await Promise.all([
    bus.publish(paymentTopic(message.id), message),
    bus.publish(payerTopic(message.payerId), message),
    bus.publish(PAYMENT_UPDATED_TOPIC, message),
  ]);
}

/** Tells subscribers (on every instance) that a payment changed; called only after commit. */
export class PaymentPublisher {
  private readonly published: ((delayMs: number) => void)[] = [];

  constructor(
    private readonly bus: MessageBus,
    private readonly logger: Logger,
  ) {}

  /**
   * Called after each publish with the time from the change's `updatedAt` (set in its
   * transaction, before its handlers, flush and commit) to the publish: how much of a
   * subscriber's wait is the change's own processing (/metrics).
   */
  onPublished(listener: (delayMs: number) => void): void {
    this.published.push(listener);
  }

  /**
   * Publishes the committed state. A failure to publish never undoes the change: it is logged,
   * and subscribers get the current state again when they resubscribe.
   */
  async publish(payment: Payment): Promise<void> {
    try {
      // Built once; each topic reaches only its own listeners (see MessageBus).
      // Taken before publishing: an in-process bus writes to the subscribers' sockets within publish().
      const delayMs = Date.now() - payment.updatedAt.getTime();
      for (const listener of this.published) listener(delayMs);
      await publishPaymentMessage(this.bus, toPaymentMessage(toPaymentType(payment)));
    } catch (error) {
      this.logger.warn({ err: error, paymentId: payment.id }, 'could not publish payment update');
    }
  }
}
