import type { EntityManager } from '@mikro-orm/postgresql';
import type { Payment } from '../payments/payment.entity.js';
import type { PaymentDomainEvent, PaymentEventHandler } from '../payments/payment.events.js';
import type { OutboxService } from './outbox.service.js';

/** What other services learn about a payment: amounts in minor units, ids verbatim. */
export function paymentPayload(payment: Payment): Record<string, unknown> {
  return {
    paymentId: payment.id,
    status: payment.status,
    purpose: payment.purpose,
    amount: payment.amount,
    currency: payment.currency,
    platformFee: payment.platformFee,
    payeeAmount: payment.payeeAmount,
    amountRefunded: payment.amountRefunded,
    payerId: payment.payerId,
    payeeId: payment.payeeId,
    reference: payment.reference,
    razorpayOrderId: payment.razorpayOrderId,
    razorpayPaymentId: payment.razorpayPaymentId,
    failureReason: payment.failureReason,
  };
}

/**
 * Announces captures and failures in the transaction that makes them, so a message exists
 * exactly when the change committed.
 */
export class OutboxPaymentHandler implements PaymentEventHandler {
  constructor(private readonly outbox: OutboxService) {}

  async handle(em: EntityManager, event: PaymentDomainEvent): Promise<void> {
    if (event.type === 'captured') await this.outbox.enqueue(em, 'payment.captured', event.payment.id, paymentPayload(event.payment));
    else if (event.type === 'failed') await this.outbox.enqueue(em, 'payment.failed', event.payment.id, paymentPayload(event.payment));
  }
}
