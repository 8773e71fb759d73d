import type { EntityManager } from '@mikro-orm/postgresql';
import { updateWithNewRows } from '../db/insert-new-at-once.js';
import type { PaymentDomainEvent, PaymentEventHandler } from '../payments/payment.events.js';
import type { Payment } from '../payments/payment.entity.js';
import { PaymentStatus } from '../payments/payment.state.js';
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
  /** An order's intent: its CHARGE, written with it by one statement. */
  intentEntities(payment: Payment): Transaction[] {
    return [newCharge(payment)];
  }

  async handle(em: EntityManager, event: PaymentDomainEvent): Promise<void> {
    const { payment } = event;
    if (event.type === 'created') {
      em.persist(newCharge(payment));
      return;
    }
    const status = CHARGE_STATUS[event.type];
    if (!status) return;
    // Written PENDING with the payment, and only moved by the payment's attempts since: still PENDING.
    if (status === TransactionStatus.PENDING && 'from' in event && event.from === PaymentStatus.CREATED) return;
    const completedAt = status === TransactionStatus.COMPLETED ? payment.updatedAt : null;
    // Read by this transaction already: changed where it is, written by the flush as before.
    const loaded = em.getUnitOfWork().getIdentityMap().values()
      .find((entity): entity is Transaction => entity instanceof Transaction && entity.type === TransactionType.CHARGE && chargedPaymentId(entity) === payment.id);
    if (loaded) {
      loaded.status = status;
      loaded.completedAt = completedAt;
      return;
    }
    // Otherwise an UPDATE (no read, no entity to track): the payment's one CHARGE, under the payment's
    // lock, in the statement that writes the change's new rows (the core's, once every handler ran).
    updateWithNewRows(em, {
      sql: CHARGE_UPDATE,
      bindings: [status, completedAt, payment.id],
      check(rows) {
        if (rows !== 1) throw new Error(`payment ${payment.id} has no CHARGE transaction to mark ${status}`);
      },
    });
  }
}

/** A new payment's CHARGE, PENDING. */
function newCharge(payment: Payment): Transaction {
  return Object.assign(new Transaction(), {
    type: TransactionType.CHARGE,
    status: TransactionStatus.PENDING,
    amount: payment.amount,
    currency: payment.currency,
    userId: payment.payerId,
    payment,
  });
}

const CHARGE_UPDATE = `update "transaction" set "status" = ?, "completed_at" = ? where "payment_id" = ? and "type" = 'CHARGE'`;

function chargedPaymentId(charge: Transaction): string | null {
  const payment = charge.payment as { id?: string } | null;
  return payment?.id ?? null;
}
