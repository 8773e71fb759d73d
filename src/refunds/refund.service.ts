import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { AuthUser } from '../auth/auth.js';
import { GatewayError } from '../gateways/gateway.js';
import type { GatewayRegistry } from '../gateways/gateway.registry.js';
import { badInput, conflict, notFound } from '../common/errors.js';
import type { Logger } from '../logger.js';
import { formatMoney } from '../money/money.js';
import type { PaymentCore } from '../payments/payment.core.js';
import { Payment, PaymentFunding, PaymentPurpose } from '../payments/payment.entity.js';
import type { ChangeSource } from '../payments/payment.events.js';
import { isUuid } from '../common/ids.js';
import { ALREADY_MADE, performOnce, type Replay } from '../common/idempotency.js';
import { MONEY_RECEIVED_STATUSES } from '../payments/payment.state.js';
import { Transaction, TransactionStatus, TransactionType } from '../transactions/transaction.entity.js';
import type { WalletService } from '../wallet/wallet.service.js';
import { gatewayIdempotencyKey, Refund, RefundDestination, RefundSpeed, RefundStatus } from './refund.entity.js';
import type { RefundInput } from './refund.inputs.js';
import { newsFromGateway, type RefundSettlement } from './refund.settlement.js';

/** Reconciliation leaves younger PENDING refunds to the request or webhook still settling them. */
const RECONCILE_AFTER_MS = 60_000;

/** A refund request, after the API's input was checked. */
export interface RefundRequest {
  paymentId: string;
  amount: number | null;
  reason: string | null;
  destination: RefundDestination;
  speed: RefundSpeed | null;
  idempotencyKey: string | null;
}

type Reservation =
  | { kind: 'existing'; refund: Refund }
  | { kind: 'reserved'; refund: Refund; payment: Payment; processed: boolean };

/**
 * Refunds. Rules kept here: only captured money is refunded, and never more than was captured
 * (PENDING and PROCESSED refunds both count against it, decided under the payment's row lock);
 * a refund is written PENDING and committed before the gateway is called, with a gateway
 * idempotency key of its own, so a retry never refunds twice; an unknown outcome leaves it
 * PENDING, never FAILED; a wallet top-up is refunded only while its money is still in the
 * wallet, and leaves it at once.
 */
export class RefundService {
  constructor(
    private readonly orm: MikroORM,
    /** A refund goes to the gateway its payment went through. */
    private readonly gateways: GatewayRegistry,
    private readonly core: PaymentCore,
    private readonly refunds: RefundSettlement,
    private readonly wallets: WalletService,
    private readonly logger: Logger,
  ) {}

  /** Turns the API's input into a request; `speed` is for refunds to the source only. */
  refundRequest(input: RefundInput): RefundRequest {
    const destination = input.destination ?? RefundDestination.SOURCE;
    if (input.speed && destination !== RefundDestination.SOURCE) {
      throw badInput('input.speed', 'applies to SOURCE refunds through Razorpay only: leave it out for a WALLET refund');
    }
    return {
      paymentId: input.paymentId,
      amount: input.amount ?? null,
      reason: input.reason ?? null,
      destination,
      speed: input.speed ?? null,
      idempotencyKey: input.idempotencyKey ?? null,
    };
  }

  /**
   * Refunds (part of) a captured payment. The amount is reserved under the payment's lock and
   * committed PENDING first; a WALLET refund (or any refund of a payment made from the wallet)
   * completes in that same transaction. A SOURCE refund then goes to Razorpay and is settled
   * with its answer: PROCESSED, FAILED (amount released) or still PENDING (a webhook or
   * reconciliation settles it). The same idempotency key returns the first refund.
   */
  async refund(user: AuthUser, request: RefundRequest): Promise<Refund> {
    return performOnce<Refund, Refund>({
      key: request.idempotencyKey,
      constraint: 'refund_requested_by_idempotency_key_unique',
      find: () => this.orm.em.fork().findOne(Refund, { requestedBy: user.id, idempotencyKey: request.idempotencyKey }),
      mismatch: (earlier) => {
        const paymentId = earlier.payment.id;
        return paymentId !== request.paymentId || (request.amount !== null && request.amount !== earlier.amount) ||
          (request.destination === RefundDestination.WALLET && earlier.destination !== RefundDestination.WALLET)
          ? `idempotencyKey ${request.idempotencyKey} was already used for another refund (${earlier.amount} of payment ${paymentId}, ${earlier.destination}): use a new key for a new refund`
          : null;
      },
      replay: (earlier, expired) => this.replay(user, earlier, expired),
      perform: () => this.reserveAndSubmit(user, request),
    });
  }

  private async reserveAndSubmit(user: AuthUser, request: RefundRequest): Promise<Refund | typeof ALREADY_MADE> {
    const reservation = await this.orm.em.fork().transactional((em) => this.reserve(em, user, request));
    // Requests with the same key for this payment queue on its lock: the later ones find the first one's refund.
    if (reservation.kind === 'existing') return ALREADY_MADE;
    const { refund, payment } = reservation;
    this.logger.info({ refundId: refund.id, paymentId: payment.id, amount: refund.amount, destination: refund.destination, by: user.id }, 'refund reserved');
    if (reservation.processed) return refund;
    return this.submit(refund, payment, { source: 'api:refund', actorId: user.id });
  }

  /**
   * Settles PENDING refunds through the gateway older than `olderThanMs`: a refund the gateway
   * has answered for is fetched; one whose request's outcome is unknown is sent again with its
   * own idempotency key, which Razorpay answers with the refund it already made, if any.
   */
  async reconcilePending(olderThanMs = RECONCILE_AFTER_MS): Promise<{ checked: number; settled: number }> {
    const pending = await this.orm.em.fork().find(
      Refund,
      { status: RefundStatus.PENDING, destination: RefundDestination.SOURCE, createdAt: { $lt: new Date(Date.now() - olderThanMs) } },
      { populate: ['payment'], orderBy: { createdAt: 'asc' }, limit: 100 },
    );
    let settled = 0;
    for (const refund of pending) {
      const origin = { source: 'reconciliation' };
      let result: Refund;
      if (refund.razorpayRefundId) {
        try {
          const snapshot = await this.gateways.get(refund.payment.gateway).fetchRefund(refund.payment.razorpayPaymentId!, refund.razorpayRefundId);
          const outcome = await this.refunds.settle(refund.id, newsFromGateway(snapshot), origin);
          result = outcome.kind === 'settled' ? outcome.refund : refund;
        } catch (error) {
          this.logger.warn({ err: error, refundId: refund.id }, 'could not fetch a pending refund; will try again');
          continue;
        }
      } else {
        result = await this.submit(refund, refund.payment, origin);
      }
      if (result.status !== RefundStatus.PENDING) settled += 1;
    }
    return { checked: pending.length, settled };
  }

  /** Checks the rules on the locked payment and writes the PENDING refund (or the completed WALLET refund). */
  private async reserve(em: EntityManager, user: AuthUser, request: RefundRequest): Promise<Reservation> {
    const payment = isUuid(request.paymentId) ? await this.core.lock(em, { id: request.paymentId }) : null;
    if (!payment) throw notFound('Payment', request.paymentId);
    // Requests with the same key for this payment queue on its lock: the first one's row is visible now.
    const earlier = request.idempotencyKey ? await em.findOne(Refund, { requestedBy: user.id, idempotencyKey: request.idempotencyKey }) : null;
    if (earlier) return { kind: 'existing', refund: earlier };

    const topUp = payment.purpose === PaymentPurpose.WALLET_TOPUP;
    const paidFromWallet = payment.funding === PaymentFunding.WALLET;
    if (!MONEY_RECEIVED_STATUSES.includes(payment.status)) {
      throw conflict(`payment ${payment.id} is ${payment.status}: only a captured payment can be refunded (nothing was received to give back)`);
    }
    if (topUp && request.destination === RefundDestination.WALLET) {
      throw badInput('input.destination', 'a wallet top-up cannot be refunded into the wallet it filled: use SOURCE to send it back to the card or account it came from');
    }
    if (paidFromWallet && request.speed) {
      throw badInput('input.speed', `payment ${payment.id} was paid from the wallet, so it is refunded to the wallet at once: leave speed out`);
    }

    const { processed, pending } = await this.reservedAmounts(em, payment);
    const remaining = payment.amount - processed - pending;
    const figures = `${formatMoney(processed, payment.currency)} (${processed}) refunded and ${formatMoney(pending, payment.currency)} (${pending}) being refunded of ${formatMoney(payment.amount, payment.currency)} (${payment.amount})`;
    if (remaining === 0) throw conflict(`payment ${payment.id} has nothing left to refund: ${figures}`);
    const amount = request.amount ?? remaining;
    if (amount > remaining) {
      throw badInput('input.amount', `is ${formatMoney(amount, payment.currency)} (${amount}), but only ${formatMoney(remaining, payment.currency)} (${remaining}) remains refundable: ${figures}`);
    }
    if (topUp) await this.assertTopUpUnspent(em, payment, amount);

    const destination = paidFromWallet ? RefundDestination.WALLET : request.destination;
    const throughGateway = destination === RefundDestination.SOURCE;
    const transaction = Object.assign(new Transaction(), {
      type: TransactionType.REFUND,
      status: TransactionStatus.PENDING,
      amount,
      currency: payment.currency,
      userId: payment.payerId,
      payment,
    });
    const refund = Object.assign(new Refund(), {
      payment,
      amount,
      currency: payment.currency,
      destination,
      speed: throughGateway ? (request.speed ?? RefundSpeed.NORMAL) : null,
      reason: request.reason,
      requestedBy: user.id,
      idempotencyKey: request.idempotencyKey,
      transaction,
    });
    em.persist([transaction, refund]);
    const origin = { source: 'api:refund', actorId: user.id };
    if (topUp) await this.refunds.moveHold(em, payment, refund, 'hold');
    if (!throughGateway) await this.refunds.markProcessed(em, payment, refund, origin);
    return { kind: 'reserved', refund, payment, processed: !throughGateway };
  }

  /**
   * A top-up is refunded to its source only while its money is still in the wallet: the wallet
   * (locked after the payment) must hold the amount, which leaves it in the same transaction.
   */
  private async assertTopUpUnspent(em: EntityManager, payment: Payment, amount: number): Promise<void> {
    const wallet = await this.wallets.walletFor(em, payment.payerId, payment.currency, { lock: true });
    if (wallet.balance < amount) {
      throw badInput('input.amount', `is ${formatMoney(amount, payment.currency)} (${amount}), but the payer's wallet holds only ${formatMoney(wallet.balance, wallet.currency)} (${wallet.balance}): a top-up is refunded only while its money is unspent, so refund at most ${wallet.balance}`);
    }
  }

  /** Sums of PROCESSED and of PENDING refunds of the (locked) payment. */
  private async reservedAmounts(em: EntityManager, payment: Payment): Promise<{ processed: number; pending: number }> {
    const rows = await em.execute<{ status: RefundStatus; total: string }[]>(
      `select status, sum(amount)::text as total from refund where payment_id = ? and status in (?, ?) group by status`,
      [payment.id, RefundStatus.PROCESSED, RefundStatus.PENDING],
    );
    const total = (status: RefundStatus) => Number(rows.find((row) => row.status === status)?.total ?? 0);
    return { processed: total(RefundStatus.PROCESSED), pending: total(RefundStatus.PENDING) };
  }

  /**
   * Sends a PENDING refund to Razorpay with its own idempotency key, receipt and `refund_id`
   * note (so a webhook that overtakes this answer still finds the row), then settles it with the
   * answer. `unavailable` means the outcome is unknown (money may have moved): the refund stays
   * PENDING with the error noted. A refusal fails it and releases its amount.
   */
  private async submit(refund: Refund, payment: Pick<Payment, 'gateway' | 'razorpayPaymentId'>, origin: ChangeSource): Promise<Refund> {
    try {
      const snapshot = await this.gateways.get(payment.gateway).refundPayment({
        paymentId: payment.razorpayPaymentId!,
        amount: refund.amount,
        speed: refund.speed === RefundSpeed.OPTIMUM ? 'optimum' : 'normal',
        notes: { refund_id: refund.id },
        receipt: refund.id,
        idempotencyKey: gatewayIdempotencyKey(refund),
      });
      return this.settled(await this.refunds.settle(refund.id, newsFromGateway(snapshot), origin), refund);
    } catch (error) {
      if (!(error instanceof GatewayError)) throw error;
      if (error.kind === 'unavailable') {
        this.logger.warn({ refundId: refund.id, kind: error.kind, httpStatus: error.httpStatus, msg: error.message }, 'refund outcome unknown; left PENDING');
        await this.orm.em.fork().nativeUpdate(
          Refund,
          { id: refund.id, status: RefundStatus.PENDING, razorpayRefundId: null },
          { lastGatewayError: error.message, updatedAt: new Date() },
        );
        return this.orm.em.fork().findOneOrFail(Refund, { id: refund.id });
      }
      const reason = `Razorpay refused the refund: ${error.message}`;
      return this.settled(await this.refunds.settle(refund.id, { status: 'failed', razorpayRefundId: null, reason }, origin), refund);
    }
  }

  /**
   * A repeated request with the same key: the same refund, once its gateway call has answered
   * (or the wait is over). A refund whose outcome was unknown is sent again, safely.
   */
  private async replay(user: AuthUser, refund: Refund, expired: boolean): Promise<Replay<Refund>> {
    const awaitingGateway = refund.status === RefundStatus.PENDING && refund.destination === RefundDestination.SOURCE &&
      refund.razorpayRefundId === null && refund.lastGatewayError === null;
    if (awaitingGateway && !expired) return { kind: 'pending' };
    if (refund.status === RefundStatus.PENDING && refund.razorpayRefundId === null && refund.lastGatewayError !== null) {
      const payment = await this.orm.em.fork().findOneOrFail(Payment, { id: refund.payment.id });
      return { kind: 'answer', answer: await this.submit(refund, payment, { source: 'api:refund', actorId: user.id }) };
    }
    return { kind: 'answer', answer: refund };
  }

  private settled(outcome: Awaited<ReturnType<RefundSettlement['settle']>>, refund: Refund): Refund {
    return outcome.kind === 'settled' ? outcome.refund : refund;
  }
}
