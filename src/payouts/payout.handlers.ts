import type { EntityManager } from '@mikro-orm/postgresql';
import type { PaymentDomainEvent, PaymentEventHandler } from '../payments/payment.events.js';
import type { PayeeAccountStatus } from '../payees/payee-account.entity.js';
import type { PayoutService } from './payout.service.js';

const PAYEE_ACCOUNT_STATUS = 'payeeAccountStatus';

/**
 * The payouts feature's reaction to payments, in the transaction of the change under the
 * payment's row lock: a capture with a payee inserts its payout and enqueues the transfer job;
 * a processed refund takes the payee's part off a payout not yet transferred, or enqueues the
 * reversal of a transfer already made.
 */
export class PayoutPaymentHandler implements PaymentEventHandler {
  /** The payee account's status, read with the payment's lock (a capture's payout needs it: one statement fewer). */
  readonly lockReads = { [PAYEE_ACCOUNT_STATUS]: `select "status" from "payee_account" where "payee_id" = "p0"."payee_id"` };

  constructor(private readonly payouts: PayoutService) {}

  async handle(em: EntityManager, event: PaymentDomainEvent): Promise<void> {
    if (event.type === 'captured') {
      const read = event.readWithLock;
      const accountStatus = read && PAYEE_ACCOUNT_STATUS in read ? (read[PAYEE_ACCOUNT_STATUS] as PayeeAccountStatus | null) : undefined;
      await this.payouts.createForCapture(em, event.payment, event.funding, accountStatus);
    }
    else if (event.type === 'refunded') await this.payouts.onRefund(em, event.payment, event.refundId, event.amount);
  }
}
