import type { EntityManager } from '@mikro-orm/postgresql';
import { PaymentPurpose, type Payment } from '../payments/payment.entity.js';
import type { PaymentStatusHook } from '../payments/payment.settlement.js';
import { MONEY_RECEIVED_STATUSES, PaymentStatus } from '../payments/payment.state.js';
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
 * Announces captures and failures in the transaction that makes them (and a top-up's credit
 * to a wallet), so a message exists exactly when the change committed.
 */
export class OutboxPaymentHook implements PaymentStatusHook {
  constructor(private readonly outbox: OutboxService) {}

  async onStatusChanged(em: EntityManager, payment: Payment, from: PaymentStatus): Promise<void> {
    const newlyReceived = payment.status === PaymentStatus.CAPTURED && !MONEY_RECEIVED_STATUSES.includes(from);
    if (newlyReceived) {
      this.outbox.enqueue(em, 'payment.captured', payment.id, paymentPayload(payment));
      if (payment.purpose === PaymentPurpose.WALLET_TOPUP) {
        this.outbox.enqueue(em, 'wallet.credited', payment.id, { userId: payment.payerId, amount: payment.amount, currency: payment.currency, paymentId: payment.id });
      }
    } else if (payment.status === PaymentStatus.FAILED) {
      this.outbox.enqueue(em, 'payment.failed', payment.id, paymentPayload(payment));
    }
  }
}
