import type { EntityManager } from '@mikro-orm/postgresql';
import type { PaymentDomainEvent, PaymentEventHandler } from '../payments/payment.events.js';
import type { PayoutService } from './payout.service.js';

/**
 * The payouts feature's reaction to payments, in the transaction of the change under the
 * payment's row lock: a capture with a payee inserts its payout and enqueues the transfer job;
 * a processed refund takes the payee's part off a payout not yet transferred, or enqueues the
 * reversal of a transfer already made.
 */
export class PayoutPaymentHandler implements PaymentEventHandler {
  constructor(private readonly payouts: PayoutService) {}

  async handle(em: EntityManager, event: PaymentDomainEvent): Promise<void> {
    if (event.type === 'captured') await this.payouts.createForCapture(em, event.payment, event.funding);
    else if (event.type === 'refunded') await this.payouts.onRefund(em, event.payment, event.refundId, event.amount);
  }
}
