import type { EntityManager } from '@mikro-orm/postgresql';
import type { CheckoutLifecycle } from '../cart/checkout.lifecycle.js';
import type { Logger } from '../logger.js';
import { PaymentPurpose, type Payment } from '../payments/payment.entity.js';
import type { PaymentDomainEvent, PaymentEventHandler } from '../payments/payment.events.js';
import type { BookingFailureRefunds } from './booking.refunds.js';
import type { BookingService } from './booking.service.js';

/**
 * The cart's own purpose: what a cart payment's events do, in the same transaction and under the payment's
 * lock (verifyPayment, webhook, reconciliation and wallet alike, so exactly once):
 * - captured: the booking is made and the cart CONVERTED; if it cannot be made, the failure is
 *   recorded and a job enqueued that refunds the payment in full once this commits. Never throws for that: the
 *   money is real and its capture must commit.
 * - failed: the checkout is released and its cart ACTIVE again, to be paid anew.
 * - refunded in full: the booking is CANCELLED.
 */
export class CartBookingHandler implements PaymentEventHandler {
  constructor(
    private readonly checkouts: CheckoutLifecycle,
    private readonly bookings: BookingService,
    private readonly refunds: BookingFailureRefunds,
    private readonly logger: Logger,
  ) {}

  async handle(em: EntityManager, event: PaymentDomainEvent): Promise<void> {
    const { payment } = event;
    if (payment.purpose !== PaymentPurpose.CART) return;
    if (event.type === 'captured') {
      await this.book(em, payment);
    } else if (event.type === 'failed') {
      const checkout = await this.checkouts.checkoutOf(em, payment);
      const reason = `the payment failed (${payment.failureReason ?? 'no reason given'}): check out again to retry`;
      if (checkout && (await this.checkouts.release(em, checkout, reason))) {
        this.logger.info({ paymentId: payment.id, checkoutId: checkout.id }, 'cart payment failed: cart released');
      }
    } else if (event.type === 'refunded' && event.full) {
      await this.bookings.cancelForPayment(em, payment);
    }
  }

  private async book(em: EntityManager, payment: Payment): Promise<void> {
    const checkout = await this.checkouts.checkoutOf(em, payment);
    if (!checkout) {
      this.logger.error({ paymentId: payment.id }, 'captured cart payment has no checkout: nothing to book');
      return;
    }
    const problem = await this.bookings.whyNotBookable(em, checkout, payment);
    if (problem) {
      await this.checkouts.recordBookingFailure(em, checkout, payment, problem);
      await this.refunds.enqueue(em, checkout.id);
      this.logger.warn({ paymentId: payment.id, checkoutId: checkout.id, problem }, 'booking failed after capture: refunding in full');
      return;
    }
    await this.bookings.book(em, checkout, payment);
    await this.checkouts.convert(em, checkout, payment);
  }
}
