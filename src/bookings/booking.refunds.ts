import { LockMode, type EntityManager, type MikroORM } from '@mikro-orm/postgresql';
import type { AuthUser } from '../auth/auth.js';
import { BookingRefundState, CartCheckout } from '../cart/cart.entity.js';
import { backoffWithJitterMs } from '../common/backoff.js';
import type { AfterCommit } from '../db/after-commit.js';
import type { Logger } from '../logger.js';
import { Payment } from '../payments/payment.entity.js';
import { PaymentStatus } from '../payments/payment.state.js';
import { RefundDestination, RefundStatus } from '../refunds/refund.entity.js';
import type { RefundService } from '../refunds/refund.service.js';

/** Retries of a refund the gateway could not take: from 5 s, doubling, at most an hour apart. */
const RETRY_BACKOFF = { baseMs: 5_000, maxMs: 60 * 60_000 };
/** How long a claimed refund may take before another pass takes it again (the claimer died). */
const CLAIM_TIMEOUT_MS = 5 * 60_000;
const RETRY_BATCH = 50;
/** The refund's reason column holds 255 characters. */
const MAX_REASON = 255;

/**
 * Gives back, in full, a captured payment whose booking could not be made. Resolves once the
 * refund is accepted (it may settle later); throws if it was not.
 */
export interface BookingFailureRefunder {
  refundInFull(paymentId: string, reason: string): Promise<void>;
}

/** Thrown by a refunder when the refund was definitely refused: asking again cannot help, an operator must. */
export class RefundRefusedError extends Error {
  override name = 'RefundRefusedError';
}

/** Who asks for these refunds, as the refunds feature records it. */
export const BOOKING_SERVICE_ACTOR: AuthUser = { id: 'service:bookings', role: 'service' };

/**
 * The refunds feature (src/refunds/) as the refunder: everything not yet refunded (amount
 * null), back to where it came from, with a key of its own per payment so a repeated ask
 * returns the first refund instead of making a second.
 */
export function refundServiceRefunder(refunds: RefundService): BookingFailureRefunder {
  return {
    async refundInFull(paymentId, reason) {
      const refund = await refunds.refund(BOOKING_SERVICE_ACTOR, {
        paymentId,
        amount: null,
        reason: reason.slice(0, MAX_REASON),
        destination: RefundDestination.SOURCE,
        speed: null,
        idempotencyKey: `booking-failed:${paymentId}`,
      });
      if (refund.status === RefundStatus.FAILED) {
        throw new RefundRefusedError(`refund ${refund.id} was refused: ${refund.failureReason ?? 'no reason given'}`);
      }
    },
  };
}

/**
 * The full refunds owed by checkouts whose booking failed. The capture's transaction records
 * the debt on the checkout (refundState PENDING); the refund is asked for right after that
 * transaction commits (never inside it: it calls the gateway), once: each attempt claims the
 * checkout under its row lock, and a failed attempt is retried by the sweeper with backoff.
 */
export class BookingFailureRefunds {
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(
    private readonly orm: MikroORM,
    private readonly afterCommit: AfterCommit,
    private readonly refunder: BookingFailureRefunder,
    private readonly logger: Logger,
  ) {}

  /** Asks for the checkout's refund once the transaction `em` is in commits (the debt is recorded in it). */
  refundAfterCommit(em: EntityManager, checkoutId: string): void {
    this.afterCommit.schedule(em, () => void this.refund(checkoutId));
  }

  /** Asks for the refund a checkout owes, unless it is asked for already; joins an attempt in progress here. */
  refund(checkoutId: string): Promise<void> {
    const running = this.inFlight.get(checkoutId);
    if (running) return running;
    const attempt = this.attempt(checkoutId)
      .catch((error: unknown) => this.logger.error({ err: error, checkoutId }, 'booking refund attempt failed unexpectedly'))
      .finally(() => this.inFlight.delete(checkoutId));
    this.inFlight.set(checkoutId, attempt);
    return attempt;
  }

  /** Asks again for every refund still owed whose retry time has come (the sweeper calls this). */
  async retryDue(now = new Date()): Promise<number> {
    const due = await this.orm.em.fork().find(
      CartCheckout,
      { refundState: { $in: [BookingRefundState.PENDING, BookingRefundState.IN_PROGRESS] }, refundNextAttemptAt: { $lte: now } },
      { orderBy: { refundNextAttemptAt: 'asc' }, limit: RETRY_BATCH },
    );
    for (const checkout of due) await this.refund(checkout.id);
    return due.length;
  }

  /** Waits for the attempts in progress (shutdown, tests). */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.inFlight.values()]);
  }

  private async attempt(checkoutId: string): Promise<void> {
    const claim = await this.orm.em.fork().transactional((em) => this.claim(em, checkoutId));
    if (!claim) return;
    const log = { checkoutId, paymentId: claim.paymentId, attempt: claim.attempts };
    try {
      await this.refunder.refundInFull(claim.paymentId, claim.reason);
      await this.orm.em.fork().nativeUpdate(
        CartCheckout,
        { id: checkoutId, refundState: BookingRefundState.IN_PROGRESS },
        { refundState: BookingRefundState.REQUESTED, refundError: null, refundNextAttemptAt: null },
      );
      this.logger.info(log, 'full refund requested for a payment whose booking failed');
    } catch (error) {
      const refused = error instanceof RefundRefusedError;
      const message = (error instanceof Error ? error.message : String(error)).slice(0, 1000);
      await this.orm.em.fork().nativeUpdate(CartCheckout, { id: checkoutId, refundState: BookingRefundState.IN_PROGRESS }, {
        refundState: refused ? BookingRefundState.REFUSED : BookingRefundState.PENDING,
        refundError: message,
        refundNextAttemptAt: refused ? null : new Date(Date.now() + backoffWithJitterMs(claim.attempts, RETRY_BACKOFF)),
      });
      this.logger.error({ ...log, err: error }, refused ? 'refund for a failed booking refused: an operator must act' : 'could not request the refund for a failed booking; will retry');
    }
  }

  /** Takes the checkout's refund for this attempt, or null if it is not owed or someone else holds it. */
  private async claim(em: EntityManager, checkoutId: string) {
    const checkout = await em.findOne(CartCheckout, { id: checkoutId }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
    const payment = checkout?.payment ? await em.findOneOrFail(Payment, { id: checkout.payment.id }) : null;
    if (!checkout || !payment) return null;
    const now = new Date();
    const stale = checkout.refundState === BookingRefundState.IN_PROGRESS && checkout.refundNextAttemptAt !== null && checkout.refundNextAttemptAt <= now;
    if (checkout.refundState !== BookingRefundState.PENDING && !stale) return null;
    if (payment.status === PaymentStatus.REFUNDED) {
      // Refunded already (by an earlier attempt whose answer was lost, or by an operator).
      Object.assign(checkout, { refundState: BookingRefundState.REQUESTED, refundError: null, refundNextAttemptAt: null });
      return null;
    }
    checkout.refundState = BookingRefundState.IN_PROGRESS;
    checkout.refundAttempts += 1;
    checkout.refundNextAttemptAt = new Date(now.getTime() + CLAIM_TIMEOUT_MS);
    return {
      paymentId: payment.id,
      reason: `The booking could not be made: ${checkout.failureReason ?? 'unknown reason'}`,
      attempts: checkout.refundAttempts,
    };
  }
}
