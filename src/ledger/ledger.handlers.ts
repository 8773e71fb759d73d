import type { EntityManager } from '@mikro-orm/postgresql';
import { PaymentFunding, type Payment } from '../payments/payment.entity.js';
import type { PaymentDomainEvent, PaymentEventHandler } from '../payments/payment.events.js';
import { JournalKind } from './ledger.entities.js';
import { captureLines, type Funding } from './ledger.lines.js';
import type { LedgerService } from './ledger.service.js';

/**
 * Posts a payment's capture journal in the transaction that captures it, so a captured payment
 * has exactly one (a partial unique index refuses a second).
 */
export class CaptureJournalHandler implements PaymentEventHandler {
  constructor(private readonly ledger: LedgerService) {}

  async handle(em: EntityManager, event: PaymentDomainEvent): Promise<void> {
    if (event.type === 'captured') await postCaptureJournal(this.ledger, em, event.payment, event.funding);
  }
}

/** Where the ledger takes a capture's money from: the gateway's clearing account, or the payer's wallet. */
export function fundingSource(payment: Payment, funding: PaymentFunding): Funding {
  return funding === PaymentFunding.WALLET ? { source: 'wallet', walletUserId: payment.payerId } : { source: 'gateway' };
}

/** The capture journal of `payment`, funded as it was captured. */
export function postCaptureJournal(ledger: LedgerService, em: EntityManager, payment: Payment, funding: PaymentFunding) {
  const source = fundingSource(payment, funding);
  return ledger.post(em, {
    kind: JournalKind.PAYMENT_CAPTURE,
    payment,
    currency: payment.currency,
    description: `${payment.purpose} payment ${payment.id} captured (${source.source})`,
    lines: captureLines(payment, source),
  });
}
