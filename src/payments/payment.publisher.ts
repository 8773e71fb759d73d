import type { MessageBus } from '../graphql/pubsub.js';
import type { Logger } from '../logger.js';
import type { Payment } from './payment.entity.js';
import { toPaymentMessage, toPaymentType } from './payment.types.js';

export const PAYMENT_UPDATED_TOPIC = 'payments.updated';

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
      await this.bus.publish(PAYMENT_UPDATED_TOPIC, toPaymentMessage(toPaymentType(payment)));
    } catch (error) {
      this.logger.warn({ err: error, paymentId: payment.id }, 'could not publish payment update');
    }
  }
}
