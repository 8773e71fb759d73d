import type { EntityManager } from '@mikro-orm/postgresql';
import { PaymentPurpose, type Payment } from '../payments/payment.entity.js';
import type { PaymentStatusHook } from '../payments/payment.settlement.js';
import { MONEY_RECEIVED_STATUSES, PaymentStatus } from '../payments/payment.state.js';
import type { WalletService } from './wallet.service.js';

/** Credits a wallet top-up exactly once: in the transaction that captures it. */
export class WalletTopUpHook implements PaymentStatusHook {
  constructor(private readonly wallets: WalletService) {}

  async onStatusChanged(em: EntityManager, payment: Payment, from: PaymentStatus): Promise<void> {
    if (payment.purpose !== PaymentPurpose.WALLET_TOPUP) return;
    if (payment.status !== PaymentStatus.CAPTURED || MONEY_RECEIVED_STATUSES.includes(from)) return;
    await this.wallets.creditTopUp(em, payment);
  }
}
