import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { GatewayRefund } from '../gateways/gateway.js';
import { JournalKind } from '../ledger/ledger.entities.js';
import { refundHoldLines, refundLines, type RefundTarget } from '../ledger/ledger.lines.js';
import type { LedgerService } from '../ledger/ledger.service.js';
import type { Logger } from '../logger.js';
import type { OutboxService } from '../outbox/outbox.service.js';
import type { LockedPayment, PaymentCore } from '../payments/payment.core.js';
import { PaymentPurpose, type Payment } from '../payments/payment.entity.js';
import type { ChangeSource } from '../payments/payment.events.js';
import { isUuid } from '../common/ids.js';
import { Transaction, TransactionStatus, TransactionType } from '../transactions/transaction.entity.js';
import type { WalletService } from '../wallet/wallet.service.js';
import { Refund, RefundDestination, RefundStatus } from './refund.entity.js';

/** What is now known about a refund's outcome, from the gateway's answer, a webhook or a fetch. */
export type RefundNews =
  | { status: 'processed'; razorpayRefundId: string | null }
  | { status: 'pending'; razorpayRefundId: string | null }
  | { status: 'failed'; razorpayRefundId: string | null; reason: string };

export type RefundSettlementOutcome =
  | { kind: 'unknown_refund'; reason: string }
  | { kind: 'settled'; refund: Refund; payment: Payment; changed: boolean };

/** The news a gateway snapshot of a refund carries. */
export function newsFromGateway(snapshot: GatewayRefund): RefundNews {
  if (snapshot.status === 'failed') {
    return { status: 'failed', razorpayRefundId: snapshot.id, reason: `Razorpay could not process refund ${snapshot.id}` };
  }
  return { status: snapshot.status, razorpayRefundId: snapshot.id };
}

/** Where a refund's money goes in the ledger: a payment made from the wallet goes back to it. */
export function refundTarget(payment: Payment, refund: Refund): RefundTarget {
  return refund.destination === RefundDestination.WALLET ? { to: 'wallet', walletUserId: payment.payerId } : { to: 'gateway' };
}

/**
 * Settles refunds. Every path that learns a refund's outcome (the refund mutation, the refund
 * webhooks, reconciliation) comes through {@link settle}: the payment row is locked, the refund
 * re-read under the lock, and a refund already PROCESSED or FAILED is left as it is, so each
 * outcome is applied exactly once. Subscribers hear of a payment change after the commit.
 */
export class RefundSettlement {
  constructor(
    private readonly orm: MikroORM,
    private readonly core: PaymentCore,
    private readonly ledger: LedgerService,
    private readonly wallets: WalletService,
    private readonly outbox: OutboxService,
    private readonly logger: Logger,
  ) {}

  /**
   * Applies a gateway snapshot of a refund (webhook or fetch) to our refund row, found by its
   * gateway id or, when the gateway's answer has not been stored yet, by the `refund_id` note
   * we sent with it. A refund that is not ours is reported as unknown.
   */
  async applyGatewayRefund(snapshot: GatewayRefund, origin: ChangeSource): Promise<RefundSettlementOutcome> {
    const em = this.orm.em.fork();
    const ourId = snapshot.notes.refund_id;
    const refund = (await em.findOne(Refund, { razorpayRefundId: snapshot.id }, { populate: ['payment'] })) ??
      (ourId && isUuid(ourId) ? await em.findOne(Refund, { id: ourId }, { populate: ['payment'] }) : null);
    if (!refund) return { kind: 'unknown_refund', reason: `no refund here for ${snapshot.id}` };
    if (refund.payment.razorpayPaymentId !== snapshot.paymentId || refund.amount !== snapshot.amount) {
      this.logger.error({ refundId: refund.id, razorpayRefundId: snapshot.id, paymentId: snapshot.paymentId, amount: snapshot.amount },
        'gateway refund does not match our refund (payment or amount)');
      return { kind: 'unknown_refund', reason: `${snapshot.id} names refund ${refund.id} but its payment or amount differs` };
    }
    return this.settle(refund.id, newsFromGateway(snapshot), origin);
  }

  /**
   * Records `news` about the refund `refundId` under its payment's row lock: PROCESSED posts its
   * journal, moves the payer's REFUND transaction and the payment (PARTIALLY_REFUNDED or
   * REFUNDED, through the payment settlement so its hooks run); FAILED releases the reservation.
   * A refund already settled is left unchanged; a gateway id never replaces a different one.
   */
  async settle(refundId: string, news: RefundNews, origin: ChangeSource): Promise<RefundSettlementOutcome> {
    const outcome = await this.orm.em.fork().transactional(async (em): Promise<RefundSettlementOutcome> => {
      const unlocked = await em.findOneOrFail(Refund, { id: refundId });
      const payment = await this.core.lock(em, { id: unlocked.payment.id });
      if (!payment) throw new Error(`refund ${refundId}: its payment ${unlocked.payment.id} is gone`);
      const refund = await em.findOneOrFail(Refund, { id: refundId }, { refresh: true });
      if (news.razorpayRefundId && refund.razorpayRefundId && refund.razorpayRefundId !== news.razorpayRefundId) {
        this.logger.error({ refundId, stored: refund.razorpayRefundId, reported: news.razorpayRefundId, source: origin.source },
          'a second gateway refund reported for one refund row');
        return { kind: 'settled', refund, payment, changed: false };
      }
      if (news.razorpayRefundId && !refund.razorpayRefundId) refund.razorpayRefundId = news.razorpayRefundId;
      if (refund.status !== RefundStatus.PENDING) {
        if (news.status !== 'pending' && news.status.toUpperCase() !== refund.status) {
          this.logger.error({ refundId, status: refund.status, reported: news.status, source: origin.source }, 'gateway contradicts a settled refund');
        }
        return { kind: 'settled', refund, payment, changed: false };
      }
      refund.updatedAt = new Date();
      if (news.status === 'pending') {
        refund.lastGatewayError = null;
        return { kind: 'settled', refund, payment, changed: false };
      }
      if (news.status === 'processed') await this.markProcessed(em, payment, refund, origin);
      else await this.markFailed(em, payment, refund, news.reason);
      return { kind: 'settled', refund, payment, changed: news.status === 'processed' };
    });
    if (outcome.kind === 'settled' && outcome.changed) {
      const { refund, payment } = outcome;
      this.logger.info({ refundId, paymentId: payment.id, status: refund.status, amountRefunded: payment.amountRefunded, source: origin.source }, 'refund settled');
    } else if (outcome.kind === 'settled' && outcome.refund.status === RefundStatus.FAILED && news.status === 'failed') {
      this.logger.warn({ refundId, paymentId: outcome.payment.id, reason: news.reason, source: origin.source }, 'refund failed; its amount is released');
    }
    return outcome;
  }

  /**
   * Completes a refund in `em`'s transaction (the payment is locked by the caller): its REFUND
   * journal reversing the capture's split, the wallet credit for WALLET refunds (wallet locked
   * after the payment), the payer's REFUND transaction, and the refund applied to the payment
   * through the core (its `amountRefunded` and status; the core publishes after commit).
   */
  async markProcessed(em: EntityManager, payment: LockedPayment, refund: Refund, origin: ChangeSource): Promise<void> {
    const now = new Date();
    const { lines, platformFeePart, payeePart } = refundLines(payment, payment.amountRefunded, refund.amount, refundTarget(payment, refund));
    await this.ledger.post(em, {
      kind: JournalKind.REFUND,
      payment,
      refund,
      currency: refund.currency,
      description: `refund ${refund.id} of ${payment.purpose} payment ${payment.id} (${refund.destination})`,
      lines,
    });
    const transaction = await em.findOneOrFail(Transaction, { id: refund.transaction.id });
    if (refund.destination === RefundDestination.WALLET) {
      const wallet = await this.wallets.walletFor(em, payment.payerId, refund.currency, { lock: true });
      wallet.balance += refund.amount;
      wallet.updatedAt = now;
      transaction.wallet = wallet;
    }
    transaction.status = TransactionStatus.COMPLETED;
    transaction.completedAt = now;
    refund.status = RefundStatus.PROCESSED;
    refund.processedAt = now;
    refund.updatedAt = now;
    refund.lastGatewayError = null;

    const amountRefunded = payment.amountRefunded + refund.amount;
    await this.outbox.enqueue(em, 'refund.processed', refund.id, {
      refundId: refund.id,
      paymentId: payment.id,
      amount: refund.amount,
      currency: refund.currency,
      destination: refund.destination,
      platformFeePart,
      payeePart,
      amountRefunded,
      razorpayRefundId: refund.razorpayRefundId,
      payerId: payment.payerId,
      payeeId: payment.payeeId,
    });
    const detail = { refundId: refund.id, amount: refund.amount, amountRefunded, platformFeePart, payeePart };
    await this.core.apply(em, payment, { kind: 'refund', refundId: refund.id, amount: refund.amount, detail }, origin);
  }

  /**
   * Fails a PENDING refund in `em`'s transaction: its amount is released for later refunds, the
   * payer's REFUND transaction fails, and a top-up's held amount goes back into the wallet.
   */
  async markFailed(em: EntityManager, payment: Payment, refund: Refund, reason: string): Promise<void> {
    const now = new Date();
    refund.status = RefundStatus.FAILED;
    refund.failureReason = reason;
    refund.lastGatewayError = null;
    refund.updatedAt = now;
    const transaction = await em.findOneOrFail(Transaction, { id: refund.transaction.id });
    transaction.status = TransactionStatus.FAILED;
    transaction.completedAt = null;
    if (payment.purpose === PaymentPurpose.WALLET_TOPUP) await this.moveHold(em, payment, refund, 'release');
  }

  /**
   * A top-up refund's amount leaves the payer's wallet when the refund is reserved (`hold`), so
   * it can never be both refunded and spent, and comes back if the refund fails (`release`):
   * wallet locked after the payment, balance, WALLET_DEBIT/WALLET_CREDIT and journal together.
   * The caller has checked that the balance covers a hold.
   */
  async moveHold(em: EntityManager, payment: Payment, refund: Refund, direction: 'hold' | 'release'): Promise<void> {
    const wallet = await this.wallets.walletFor(em, payment.payerId, payment.currency, { lock: true });
    wallet.balance += direction === 'hold' ? -refund.amount : refund.amount;
    wallet.updatedAt = new Date();
    em.persist(Object.assign(new Transaction(), {
      type: direction === 'hold' ? TransactionType.WALLET_DEBIT : TransactionType.WALLET_CREDIT,
      status: TransactionStatus.COMPLETED,
      amount: refund.amount,
      currency: refund.currency,
      userId: payment.payerId,
      payment,
      wallet,
      completedAt: new Date(),
    }));
    await this.ledger.post(em, {
      kind: direction === 'hold' ? JournalKind.REFUND_HOLD : JournalKind.REFUND_RELEASE,
      payment,
      refund,
      currency: refund.currency,
      description: `${direction} of top-up refund ${refund.id} (payment ${payment.id})`,
      lines: refundHoldLines(payment.payerId, refund.currency, refund.amount, direction),
    });
  }
}
