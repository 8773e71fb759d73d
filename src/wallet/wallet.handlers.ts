import type { EntityManager } from '@mikro-orm/postgresql';
import type { OutboxService } from '../outbox/outbox.service.js';
import { PaymentPurpose } from '../payments/payment.entity.js';
import type { PaymentDomainEvent, PaymentEventHandler } from '../payments/payment.events.js';
import type { WalletService } from './wallet.service.js';

/**
 * The wallet's own purpose, top-ups: credited exactly once, in the transaction that captures
 * them, and announced to other services (`wallet.credited`) in that same transaction.
 */
export class WalletTopUpHandler implements PaymentEventHandler {
  constructor(
    private readonly wallets: WalletService,
    private readonly outbox: OutboxService,
  ) {}

  async handle(em: EntityManager, event: PaymentDomainEvent): Promise<void> {
    if (event.type !== 'captured' || event.payment.purpose !== PaymentPurpose.WALLET_TOPUP) return;
    const { payment } = event;
    await this.wallets.creditTopUp(em, payment);
    await this.outbox.enqueue(em, 'wallet.credited', payment.id, { userId: payment.payerId, amount: payment.amount, currency: payment.currency, paymentId: payment.id });
  }
}
