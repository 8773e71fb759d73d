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
  constructor(
    private readonly bus: MessageBus,
    private readonly logger: Logger,
  ) {}

  /**
   * Publishes the committed state. A failure to publish never undoes the change: it is logged,
   * and subscribers get the current state again when they resubscribe.
   */
  async publish(payment: Payment): Promise<void> {
    try {
      // Built once; each topic reaches only its own listeners (see MessageBus).
      await publishPaymentMessage(this.bus, toPaymentMessage(toPaymentType(payment)));
    } catch (error) {
      this.logger.warn({ err: error, paymentId: payment.id }, 'could not publish payment update');
    }
  }
}
