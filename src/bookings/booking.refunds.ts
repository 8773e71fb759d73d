import { LockMode, type EntityManager, type MikroORM } from '@mikro-orm/postgresql';
import type { AuthUser } from '../auth/auth.js';
import { BookingRefundState, CartCheckout } from '../cart/cart.entity.js';
import type { JobAttempt, JobRunner } from '../jobs/job-runner.js';
import type { Logger } from '../logger.js';
import { Payment } from '../payments/payment.entity.js';
import { PaymentStatus } from '../payments/payment.state.js';
import { RefundDestination, RefundStatus } from '../refunds/refund.entity.js';
import type { RefundService } from '../refunds/refund.service.js';

/** The job asking for one checkout's refund, keyed by the checkout id. */
export const BOOKING_REFUND_JOB = 'booking.refund';
/**
 * Retries of a refund the refund service could not take: the library's backoff from 5 s, doubling,
 * at most an hour apart; 100 attempts is about four days before it gives up and an operator must act.
 */
export const BOOKING_REFUND_RETRY = { maxAttempts: 100, retryDelaySeconds: 5, retryDelayMaxSeconds: 60 * 60, concurrency: 2 };
/** The earliest the library retries after failed attempt `attempt` (1-based): its delay is this to twice this, capped. */
function earliestRetryMs(attempt: number): number {
  const { retryDelaySeconds, retryDelayMaxSeconds } = BOOKING_REFUND_RETRY;
  return Math.min(retryDelayMaxSeconds, retryDelaySeconds * 2 ** Math.min(16, attempt - 1)) * 1000;
}
const MAX_ERROR = 1000;
/** How long a wallet checkout's answer waits for its refund's first attempt, and how often it looks. */
const FIRST_ATTEMPT_WAIT_MS = 10_000;
const FIRST_ATTEMPT_POLL_MS = 50;
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
 * The full refunds owed by checkouts whose booking failed, as jobs on the job runner. The capture's
 * transaction records the debt on the checkout (refundState PENDING) and enqueues a `booking.refund`
 * job keyed by the checkout (`enqueue`), so the job exists exactly when the debt committed. The job
 * asks the refunder (never inside a transaction: it calls the gateway); a failure is retried with the
 * library's backoff (5 s doubling, at most an hour apart), a definite refusal ends it as REFUSED. One
 * job runs per checkout at a time (the runner's per-key policy), so the claim needs no timeout of its
 * own: an attempt whose process was killed (IN_PROGRESS left behind) is retried after the lease, and
 * the refunder's own idempotency key makes that second ask return the first refund.
 * The checkout's refund columns stay what operators read: state, attempts, last error, next attempt.
 */
export class BookingFailureRefunds {
  constructor(
    private readonly orm: MikroORM,
    private readonly refunder: BookingFailureRefunder,
    private readonly logger: Logger,
    private readonly jobs: JobRunner,
  ) {
    jobs.define<{ checkoutId: string }>(BOOKING_REFUND_JOB, BOOKING_REFUND_RETRY, (data, attempt) => this.attempt(data.checkoutId, attempt));
  }

  /** Enqueues the checkout's refund in `em`'s open transaction (the one recording the debt): asked for once it commits. */
  enqueue(em: EntityManager, checkoutId: string): Promise<void> {
    return this.jobs.enqueue(em, BOOKING_REFUND_JOB, { checkoutId }, checkoutId);
  }

  /**
   * Waits (up to `timeoutMs`, polling the checkout) until the refund's job made its first attempt, so
   * an answer can show the outcome; it does not run the refund itself (the job is its only runner).
   */
  async firstAttempt(checkoutId: string, timeoutMs = FIRST_ATTEMPT_WAIT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const checkout = await this.orm.em.fork().findOne(CartCheckout, { id: checkoutId }, { fields: ['refundState', 'refundAttempts'] });
      const waiting = checkout?.refundState === BookingRefundState.IN_PROGRESS || (checkout?.refundState === BookingRefundState.PENDING && checkout.refundAttempts === 0);
      if (!waiting) return;
      if (Date.now() >= deadline) {
        this.logger.warn({ checkoutId, timeoutMs }, 'the refund for a failed booking has not been asked for yet; its job will');
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, FIRST_ATTEMPT_POLL_MS));
    }
  }

  /**
   * Gives every refund still owed a job unless one waits, waits for its retry or runs (debts recorded
   * before the job runner took them, or whose job gave up): run when the workers start.
   */
  async requeueOwed(): Promise<number> {
    const owed = await this.orm.em.fork().find(
      CartCheckout,
      { refundState: { $in: [BookingRefundState.PENDING, BookingRefundState.IN_PROGRESS] } },
      { fields: ['id'], orderBy: { refundNextAttemptAt: 'asc' } },
    );
    let added = 0;
    for (const { id } of owed) if (await this.jobs.enqueueUnlessPending(BOOKING_REFUND_JOB, { checkoutId: id }, id)) added += 1;
    if (added > 0) this.logger.info({ owed: owed.length, added }, 'booking refunds still owed queued again');
    return added;
  }

  /** One attempt (a job): throws when it should be retried, returns when done or definitely refused. */
  private async attempt(checkoutId: string, job: JobAttempt): Promise<void> {
    const claim = await this.orm.em.fork().transactional((em) => this.claim(em, checkoutId));
    if (!claim) return;
    const log = { checkoutId, paymentId: claim.paymentId, attempt: claim.attempts, jobAttempt: job.attempt };
    try {
      await this.refunder.refundInFull(claim.paymentId, claim.reason);
    } catch (error) {
      const refused = error instanceof RefundRefusedError;
      const retry = !refused && !job.lastAttempt;
      const message = (error instanceof Error ? error.message : String(error)).slice(0, MAX_ERROR);
      await this.orm.em.fork().nativeUpdate(CartCheckout, { id: checkoutId, refundState: BookingRefundState.IN_PROGRESS }, {
        refundState: refused ? BookingRefundState.REFUSED : BookingRefundState.PENDING,
        refundError: message,
        refundNextAttemptAt: retry ? new Date(Date.now() + earliestRetryMs(job.attempt)) : null,
      });
      if (refused) this.logger.error({ ...log, err: error }, 'refund for a failed booking refused: an operator must act');
      else if (retry) this.logger.warn({ ...log, err: error }, 'could not request the refund for a failed booking; will retry');
      else this.logger.error({ ...log, err: error }, 'gave up requesting the refund for a failed booking: an operator must act (a restart queues it again)');
      if (retry) throw new Error(`booking refund for checkout ${checkoutId}: ${message}`);
      return;
    }
    await this.orm.em.fork().nativeUpdate(
      CartCheckout,
      { id: checkoutId, refundState: BookingRefundState.IN_PROGRESS },
      { refundState: BookingRefundState.REQUESTED, refundError: null, refundNextAttemptAt: null },
    );
    this.logger.info(log, 'full refund requested for a payment whose booking failed');
  }

  /**
   * Takes the checkout's refund for this attempt, or null if it is not owed. IN_PROGRESS is taken
   * again: only this job runs for the checkout, so it was left by an attempt whose process died.
   */
  private async claim(em: EntityManager, checkoutId: string) {
    const checkout = await em.findOne(CartCheckout, { id: checkoutId }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
    const payment = checkout?.payment ? await em.findOneOrFail(Payment, { id: checkout.payment.id }) : null;
    if (!checkout || !payment) return null;
    if (checkout.refundState !== BookingRefundState.PENDING && checkout.refundState !== BookingRefundState.IN_PROGRESS) return null;
    if (payment.status === PaymentStatus.REFUNDED) {
      // Refunded already (by an earlier attempt whose answer was lost, or by an operator).
      Object.assign(checkout, { refundState: BookingRefundState.REQUESTED, refundError: null, refundNextAttemptAt: null });
      return null;
    }
    checkout.refundState = BookingRefundState.IN_PROGRESS;
    checkout.refundAttempts += 1;
    checkout.refundNextAttemptAt = null;
    return {
      paymentId: payment.id,
      reason: `The booking could not be made: ${checkout.failureReason ?? 'unknown reason'}`,
      attempts: checkout.refundAttempts,
    };
  }
}
