import type { EntityManager } from '@mikro-orm/postgresql';
import type { Payment, PaymentFunding, PaymentMethodSnapshot } from './payment.entity.js';
import type { PaymentStatus } from './payment.state.js';

/** Who or what caused a change, for the audit trail. */
export interface ChangeSource {
  /** `api:verifyPayment`, `webhook:<event id>`, `reconciliation`… */
  source: string;
  actorId?: string | null;
}

/** What a gateway attempt tells about the payment (verifyPayment, webhook, reconciliation). */
export interface GatewayAttemptChange {
  kind: 'gateway_attempt';
  to: PaymentStatus.AUTHORIZED | PaymentStatus.CAPTURED | PaymentStatus.FAILED;
  /** The gateway's payment id of the attempt. */
  attemptId: string;
  method: PaymentMethodSnapshot;
  failureReason: string | null;
  detail: Record<string, unknown>;
}

/** The payer's wallet paid the whole amount (the caller has debited it in the same transaction). */
export interface WalletCaptureChange {
  kind: 'wallet_capture';
  walletId: string;
}

/** A refund of `amount` was processed: it counts against what was captured. */
export interface RefundChange {
  kind: 'refund';
  refundId: string;
  amount: number;
  detail: Record<string, unknown>;
}

/** Every way a payment can change; {@link PaymentCore.apply} is the only place that applies one. */
export type PaymentChange = GatewayAttemptChange | WalletCaptureChange | RefundChange;

interface EventBase {
  /** The payment after the change, locked in the transaction the handler runs in. */
  payment: Payment;
  origin: ChangeSource;
  /**
   * What the handlers' {@link PaymentEventHandler.lockReads} read with the payment's lock, by
   * name; absent when the lock did not read them (the payment was locked after other reads of its
   * transaction, or created by it): a handler then reads for itself.
   */
  readWithLock?: Readonly<Record<string, unknown>>;
}

/**
 * What happened to a payment, decided once by the core so that no feature re-derives it from
 * (from, to): `captured` is sent once per payment, with how it was funded.
 */
export type PaymentDomainEvent =
  | (EventBase & { type: 'created' })
  | (EventBase & { type: 'authorized'; from: PaymentStatus })
  | (EventBase & { type: 'captured'; from: PaymentStatus; funding: PaymentFunding })
  | (EventBase & { type: 'failed'; from: PaymentStatus; reason: string | null })
  | (EventBase & { type: 'refunded'; from: PaymentStatus; refundId: string; amount: number; full: boolean });

export type PaymentDomainEventType = PaymentDomainEvent['type'];

/**
 * A feature's reaction to the core's events. It runs inside the transaction of the change,
 * under the payment's row lock, so its work commits exactly when the change does; throwing
 * rolls the change back. For `created`, a handler only persists new entities (no reads, no
 * flush): an order's intent is written with them in one statement ({@link PaymentCore.createAtOnce}).
 */
export interface PaymentEventHandler {
  handle(em: EntityManager, event: PaymentDomainEvent): Promise<void>;
  /**
   * For an order's intent ({@link PaymentCore.createAtOnce}), instead of `handle` with `created`:
   * the new entities this feature writes with the payment, built (never persisted: no unit of
   * work to set up for rows written by one statement) — what `handle` persists for `created`.
   * A handler without it is handed `created` for an intent too.
   */
  intentEntities?(payment: Payment, origin: ChangeSource): object[];
  /**
   * Values this feature reads about the payment, read by the lock's own statement instead of a
   * statement each in `handle` (issue 11): by name, a scalar subquery (no `?`) that may refer to
   * the locked payment row as `"p0"`. A plain read, with the lock statement's snapshot (taken
   * before any wait for the row's lock); handed to `handle` as the event's `readWithLock`.
   */
  readonly lockReads?: Readonly<Record<string, string>>;
}
