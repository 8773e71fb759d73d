import type { EntityManager } from '@mikro-orm/postgresql';
import type { PaymentDomainEvent, PaymentEventHandler } from '../payments/payment.events.js';
import { Transaction, TransactionStatus, TransactionType } from './transaction.entity.js';

const CHARGE_STATUS: Partial<Record<PaymentDomainEvent['type'], TransactionStatus>> = {
  authorized: TransactionStatus.PENDING,
  captured: TransactionStatus.COMPLETED,
  failed: TransactionStatus.FAILED,
};

/**
 * The payer's CHARGE transaction follows its payment: written PENDING with the payment, then
 * PENDING, COMPLETED or FAILED with each attempt's outcome, in the same transaction.
 */
export class ChargeTransactionHandler implements PaymentEventHandler {
  async handle(em: EntityManager, event: PaymentDomainEvent): Promise<void> {
    const { payment } = event;
    if (event.type === 'created') {
      em.persist(Object.assign(new Transaction(), {
        type: TransactionType.CHARGE,
        status: TransactionStatus.PENDING,
        amount: payment.amount,
        currency: payment.currency,
        userId: payment.payerId,
        payment,
      }));
      return;
    }
    const status = CHARGE_STATUS[event.type];
    if (!status) return;
    const charge = await em.findOneOrFail(Transaction, { payment, type: TransactionType.CHARGE });
    charge.status = status;
    charge.completedAt = status === TransactionStatus.COMPLETED ? payment.updatedAt : null;
  }
}
