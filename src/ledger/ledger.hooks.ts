import type { EntityManager } from '@mikro-orm/postgresql';
import type { Payment } from '../payments/payment.entity.js';
import type { ChangeSource, PaymentStatusHook } from '../payments/payment.settlement.js';
import { MONEY_RECEIVED_STATUSES, PaymentStatus } from '../payments/payment.state.js';
import { JournalKind } from './ledger.entities.js';
import { captureLines } from './ledger.lines.js';
import type { LedgerService } from './ledger.service.js';

/**
 * Posts a payment's capture journal in the transaction that captures it, so a captured payment
 * has exactly one (a partial unique index refuses a second).
 */
export class CaptureJournalHook implements PaymentStatusHook {
  constructor(private readonly ledger: LedgerService) {}

  async onStatusChanged(em: EntityManager, payment: Payment, from: PaymentStatus, origin: ChangeSource): Promise<void> {
    if (payment.status !== PaymentStatus.CAPTURED || MONEY_RECEIVED_STATUSES.includes(from)) return;
    await postCaptureJournal(this.ledger, em, payment, origin);
  }
}

/** The capture journal of `payment`, funded as `origin` says (the gateway by default). */
export function postCaptureJournal(ledger: LedgerService, em: EntityManager, payment: Payment, origin: Pick<ChangeSource, 'funding'>) {
  const funding = origin.funding ?? { source: 'gateway' as const };
  return ledger.post(em, {
    kind: JournalKind.PAYMENT_CAPTURE,
    payment,
    currency: payment.currency,
    description: `${payment.purpose} payment ${payment.id} captured (${funding.source})`,
    lines: captureLines(payment, funding),
  });
}
