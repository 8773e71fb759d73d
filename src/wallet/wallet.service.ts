import { LockMode, type EntityManager, type MikroORM } from '@mikro-orm/postgresql';
import type { AuthUser } from '../auth/auth.js';
import type { Config } from '../config.js';
import type { GatewayName } from '../gateways/gateway.js';
import { badInput, conflict, forbidden, notFound } from '../common/errors.js';
import { accounts } from '../ledger/ledger.lines.js';
import type { LedgerService } from '../ledger/ledger.service.js';
import type { Logger } from '../logger.js';
import { formatMoney } from '../money/money.js';
import type { PaymentCheckout } from '../payments/payment.checkout.js';
import type { LockedPayment, PaymentCore } from '../payments/payment.core.js';
import { Payment, PaymentFunding, PaymentPurpose } from '../payments/payment.entity.js';
import { isUuid } from '../common/ids.js';
import { performOnce } from '../common/idempotency.js';
import type { PaymentService, PurposeRules } from '../payments/payment.service.js';
import { MONEY_RECEIVED_STATUSES, PaymentStatus } from '../payments/payment.state.js';
import { Transaction, TransactionStatus, TransactionType } from '../transactions/transaction.entity.js';
import { Wallet, WalletStatus } from './wallet.entity.js';

export const WALLET_CURRENCY = 'INR';

/** A top-up moves the payer's own money into their wallet: the platform takes no fee on it. */
export const TOP_UP_RULES: PurposeRules = { feeBps: 0 };

/**
 * The wallet: money held for a user. Rules kept here: one wallet per user and currency,
 * created on first use; every change to its balance happens under its row lock, in the same
 * transaction as its transaction record and its ledger journal; it never goes below zero;
 * a frozen wallet takes no new top-ups and cannot be spent.
 */
export class WalletService {
  constructor(
    private readonly orm: MikroORM,
    private readonly payments: PaymentService,
    private readonly core: PaymentCore,
    private readonly ledger: LedgerService,
    private readonly config: Config,
    private readonly logger: Logger,
  ) {}

  /** The user's wallet in `currency`, created (with its ledger account) on first use; locked when asked. */
  async walletFor(em: EntityManager, userId: string, currency: string, options: { lock: boolean }): Promise<Wallet> {
    const lock = options.lock ? { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true } : {};
    const existing = await em.findOne(Wallet, { userId, currency }, lock);
    if (existing) return existing;
    const account = (await this.ledger.accountsFor(em, [accounts.wallet(userId, currency)], currency)).get(accounts.wallet(userId, currency))!;
    const fresh = new Wallet();
    await em.createQueryBuilder(Wallet)
      .insert({ id: fresh.id, userId, currency, balance: 0, status: WalletStatus.ACTIVE, account: account.id, createdAt: fresh.createdAt, updatedAt: fresh.updatedAt })
      .onConflict(['user_id', 'currency'])
      .ignore()
      .execute();
    return em.findOneOrFail(Wallet, { userId, currency }, lock);
  }

  /** The caller's wallet (INR), created on first use. */
  async getWallet(user: AuthUser): Promise<Wallet> {
    return this.orm.em.fork().transactional((em) => this.walletFor(em, user.id, WALLET_CURRENCY, { lock: false }));
  }

  /**
   * Opens a gateway order that credits the caller's wallet once captured. The amount must be
   * within the top-up limits and keep the balance within the maximum; a frozen wallet refuses.
   * Answers the order's checkout (a repeated key: the first order's, rebuilt from its payment).
   */
  async topUp(user: AuthUser, amount: number, idempotencyKey: string | null, gateway: GatewayName | null = null): Promise<PaymentCheckout> {
    const { minTopUp, maxTopUp, maxBalance } = this.config.wallet;
    if (amount < minTopUp || amount > maxTopUp) {
      throw badInput('input.amount', `a top-up must be between ${minTopUp} and ${maxTopUp} (${formatMoney(minTopUp, WALLET_CURRENCY)} to ${formatMoney(maxTopUp, WALLET_CURRENCY)}), got ${amount}`);
    }
    const wallet = await this.getWallet(user);
    this.assertActive(wallet);
    if (wallet.balance + amount > maxBalance) {
      throw badInput('input.amount', `the balance would be ${formatMoney(wallet.balance + amount, WALLET_CURRENCY)}, above the maximum of ${formatMoney(maxBalance, WALLET_CURRENCY)}: top up at most ${Math.max(0, maxBalance - wallet.balance)}`);
    }
    return this.payments.createOrder(user, this.payments.orderRequest({ amount, currency: WALLET_CURRENCY, idempotencyKey, gateway }, PaymentPurpose.WALLET_TOPUP));
  }

  /**
   * Pays the caller's own CREATED (or FAILED) order from the wallet: the debit, the WALLET_DEBIT
   * transaction, the capture and its journal commit together under the payment's and then the
   * wallet's row lock. Paying the same order again returns it unchanged.
   */
  async payOrder(user: AuthUser, paymentId: string, idempotencyKey: string | null): Promise<Payment> {
    if (!isUuid(paymentId)) throw notFound('Payment', paymentId);
    return performOnce<Transaction, Payment>({
      key: idempotencyKey,
      constraint: 'transaction_user_idempotency_key_unique',
      find: () => this.orm.em.fork().findOne(Transaction, { userId: user.id, idempotencyKey }),
      mismatch: (earlier) => earlier.type !== TransactionType.WALLET_DEBIT || earlier.payment?.id !== paymentId
        ? `idempotencyKey ${idempotencyKey} was already used for another request: use a new key`
        : null,
      // The debit's row commits with the capture: once it is visible, the payment is paid.
      replay: async () => ({ kind: 'answer', answer: await this.orm.em.fork().findOneOrFail(Payment, { id: paymentId }) }),
      perform: async () => {
        const result = await this.orm.em.fork().transactional((em) => this.debitAndCapture(em, user, paymentId, idempotencyKey));
        if (result.changed) this.logger.info({ paymentId, userId: user.id, amount: result.payment.amount }, 'payment paid from wallet');
        return result.payment;
      },
    });
  }

  /** Freezes or unfreezes a user's wallet (admin). */
  async setFrozen(userId: string, frozen: boolean, reason: string | null): Promise<Wallet> {
    // A user id is a token's `sub`: 1 to 64 characters (the column's width). Checked here because
    // unfreezeWallet takes it as a bare argument, with no input type to carry the rule.
    if (userId.length === 0 || userId.length > 64) throw badInput('userId', `must be 1 to 64 characters, got ${userId.length}`);
    const wallet = await this.orm.em.fork().transactional(async (em) => {
      const locked = await this.walletFor(em, userId, WALLET_CURRENCY, { lock: true });
      locked.status = frozen ? WalletStatus.FROZEN : WalletStatus.ACTIVE;
      locked.frozenReason = frozen ? reason : null;
      locked.updatedAt = new Date();
      return locked;
    });
    this.logger.warn({ userId, frozen, reason }, frozen ? 'wallet frozen' : 'wallet unfrozen');
    return wallet;
  }

  /**
   * Credits a captured top-up to its payer's wallet, in the capture's transaction (the payment
   * row is already locked). Money that arrived is always credited, even to a wallet frozen or
   * filled up since the order was opened: it is logged for an operator, never lost.
   */
  async creditTopUp(em: EntityManager, payment: Payment): Promise<void> {
    const wallet = await this.walletFor(em, payment.payerId, payment.currency, { lock: true });
    wallet.balance += payment.amount;
    wallet.updatedAt = new Date();
    em.persist(Object.assign(new Transaction(), {
      type: TransactionType.WALLET_CREDIT,
      status: TransactionStatus.COMPLETED,
      amount: payment.amount,
      currency: payment.currency,
      userId: payment.payerId,
      payment,
      wallet,
      completedAt: new Date(),
    }));
    if (wallet.status === WalletStatus.FROZEN || wallet.balance > this.config.wallet.maxBalance) {
      this.logger.warn({ walletId: wallet.id, paymentId: payment.id, balance: wallet.balance, status: wallet.status }, 'top-up credited to a frozen or over-limit wallet');
    }
  }

  private async debitAndCapture(em: EntityManager, user: AuthUser, paymentId: string, idempotencyKey: string | null) {
    const payment = await this.core.lock(em, { id: paymentId });
    if (!payment || payment.payerId !== user.id) throw notFound('Payment', paymentId);
    if (payment.purpose === PaymentPurpose.WALLET_TOPUP) throw badInput('input.paymentId', 'is a wallet top-up, which cannot be paid from the wallet');
    if (MONEY_RECEIVED_STATUSES.includes(payment.status)) {
      if (payment.funding === PaymentFunding.WALLET) return { payment, changed: false };
      throw conflict(`payment ${payment.id} is already paid through Razorpay`);
    }
    if (payment.status === PaymentStatus.AUTHORIZED) {
      throw conflict(`payment ${payment.id} is being paid through Razorpay (authorised, awaiting capture)`);
    }
    await this.captureFromWallet(em, user, payment, idempotencyKey);
    return { payment, changed: true };
  }

  /**
   * Debits the caller's wallet by `payment`'s amount and captures the payment, in `em`'s
   * transaction: the caller has locked the payment (CREATED or FAILED, the caller's own) first,
   * so the lock order is always payment, then wallet. The core publishes after commit.
   */
  async captureFromWallet(em: EntityManager, user: AuthUser, payment: LockedPayment, idempotencyKey: string | null): Promise<void> {
    const wallet = await this.walletFor(em, user.id, payment.currency, { lock: true });
    this.assertActive(wallet);
    if (wallet.balance < payment.amount) {
      throw badInput('input.paymentId', `your wallet balance is ${formatMoney(wallet.balance, wallet.currency)} (${wallet.balance}), less than the payment's ${formatMoney(payment.amount, payment.currency)} (${payment.amount}): top up first`);
    }
    wallet.balance -= payment.amount;
    wallet.updatedAt = new Date();
    em.persist(Object.assign(new Transaction(), {
      type: TransactionType.WALLET_DEBIT,
      status: TransactionStatus.COMPLETED,
      amount: payment.amount,
      currency: payment.currency,
      userId: user.id,
      payment,
      wallet,
      idempotencyKey,
      completedAt: new Date(),
    }));
    await this.core.apply(em, payment, { kind: 'wallet_capture', walletId: wallet.id }, { source: 'api:payWithWallet', actorId: user.id });
  }

  private assertActive(wallet: Wallet): void {
    if (wallet.status === WalletStatus.FROZEN) {
      throw forbidden(`your wallet is frozen${wallet.frozenReason ? ` (${wallet.frozenReason})` : ''}: it cannot be topped up or spent; contact support`);
    }
  }
}
