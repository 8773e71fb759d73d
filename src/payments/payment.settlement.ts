import { LockMode, type EntityManager, type MikroORM } from '@mikro-orm/postgresql';
import type { GatewayPayment } from '../gateways/gateway.js';
import type { Logger } from '../logger.js';
import { Transaction, TransactionStatus, TransactionType } from '../transactions/transaction.entity.js';
import { decideGatewayUpdate, type GatewayUpdateDecision } from './payment.decision.js';
import type { Funding } from '../ledger/ledger.lines.js';
import { Payment, type PaymentMethodSnapshot } from './payment.entity.js';
import { PaymentEvent, PaymentEventType } from './payment-event.entity.js';
import { PaymentStatus } from './payment.state.js';
import type { PaymentPublisher } from './payment.publisher.js';

/** Who or what caused a change, for the audit trail, and where a capture's money came from. */
export interface ChangeSource {
  /** `api:verifyPayment`, `webhook:<event id>`, `reconciliation`… */
  source: string;
  actorId?: string | null;
  /** Default: the gateway. */
  funding?: Funding;
}

/** What a transition records about the attempt that caused it. */
export interface AttemptDetails {
  /** The gateway's payment id; null when no gateway was involved (wallet). */
  attemptId: string | null;
  method: PaymentMethodSnapshot | null;
  failureReason: string | null;
  detail: Record<string, unknown>;
}

/**
 * Work another feature does in the same transaction as a payment's status change (wallet
 * credit, booking, ledger journal), so it happens exactly once with the change itself.
 */
export interface PaymentStatusHook {
  onStatusChanged(em: EntityManager, payment: Payment, from: PaymentStatus, origin: ChangeSource): Promise<void>;
}

export type SettlementOutcome =
  | { kind: 'unknown_order'; orderId: string }
  | { kind: 'settled'; payment: Payment; decision: GatewayUpdateDecision };

const CHARGE_STATUS: Partial<Record<PaymentStatus, TransactionStatus>> = {
  [PaymentStatus.AUTHORIZED]: TransactionStatus.PENDING,
  [PaymentStatus.CAPTURED]: TransactionStatus.COMPLETED,
  [PaymentStatus.FAILED]: TransactionStatus.FAILED,
};

/**
 * Applies what the gateway says about a payment attempt. Every caller (verifyPayment, the
 * webhook processor, reconciliation) comes through here: the payment row is locked, the
 * decision taken on the locked row, and the change, its CHARGE transaction, its audit event
 * and every hook's work are committed together; subscribers hear of it after the commit.
 */
export class PaymentSettlement {
  private readonly hooks: PaymentStatusHook[] = [];

  constructor(
    private readonly orm: MikroORM,
    private readonly publisher: PaymentPublisher,
    private readonly logger: Logger,
  ) {}

  /** Registers work that must happen in the same transaction as every status change. */
  addHook(hook: PaymentStatusHook): void {
    this.hooks.push(hook);
  }

  /** Applies a gateway snapshot of one attempt to the payment of its order, exactly once. */
  async applyGatewayPayment(snapshot: GatewayPayment, origin: ChangeSource): Promise<SettlementOutcome> {
    const outcome = await this.orm.em.fork().transactional(async (em): Promise<SettlementOutcome> => {
      const payment = await em.findOne(
        Payment,
        { razorpayOrderId: snapshot.orderId },
        { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
      );
      if (!payment) return { kind: 'unknown_order', orderId: snapshot.orderId };

      const decision = decideGatewayUpdate(payment, snapshot);
      if (decision.action === 'apply') {
        await this.transition(em, payment, decision.to, {
          attemptId: snapshot.id,
          method: { ...snapshot.methodDetails },
          failureReason: decision.to === PaymentStatus.FAILED ? failureReason(snapshot) : null,
          detail: { gatewayStatus: snapshot.status, method: snapshot.methodDetails.method },
        }, origin);
      } else if (decision.action === 'ignore' || decision.action === 'anomaly') {
        em.persist(
          Object.assign(new PaymentEvent(), {
            payment,
            type: decision.action === 'ignore' ? PaymentEventType.TRANSITION_IGNORED : PaymentEventType.ANOMALY,
            fromStatus: payment.status,
            toStatus: decision.to,
            source: origin.source,
            actorId: origin.actorId ?? null,
            gatewayPaymentId: snapshot.id,
            detail: { reason: decision.reason, gatewayStatus: snapshot.status, amount: snapshot.amount },
          }),
        );
      }
      return { kind: 'settled', payment, decision };
    });

    if (outcome.kind === 'settled') {
      const { payment, decision } = outcome;
      const log = { paymentId: payment.id, orderId: snapshot.orderId, attempt: snapshot.id, source: origin.source };
      if (decision.action === 'apply') {
        this.logger.info({ ...log, status: payment.status }, 'payment status changed');
        await this.publisher.publish(payment);
      } else if (decision.action === 'anomaly') {
        this.logger.error({ ...log, reason: decision.reason }, 'payment anomaly recorded');
      } else if (decision.action === 'ignore') {
        this.logger.info({ ...log, reason: decision.reason }, 'payment update ignored');
      }
    }
    return outcome;
  }

  /**
   * Moves a payment the caller has locked (`SELECT … FOR UPDATE` in `em`'s transaction) to `to`,
   * with everything the move causes: its CHARGE transaction, its audit event and every hook's
   * work. The caller publishes after its transaction commits ({@link publish}).
   */
  async transition(em: EntityManager, payment: Payment, to: PaymentStatus, attempt: AttemptDetails, origin: ChangeSource): Promise<void> {
    const from = payment.status;
    const now = new Date();
    payment.status = to;
    if (attempt.attemptId) payment.razorpayPaymentId = attempt.attemptId;
    if (attempt.method) payment.method = attempt.method;
    payment.failureReason = attempt.failureReason;
    if (to === PaymentStatus.CAPTURED) payment.paidAt = now;
    payment.version += 1;
    payment.updatedAt = now;

    const charge = await em.findOneOrFail(Transaction, { payment, type: TransactionType.CHARGE });
    const chargeStatus = CHARGE_STATUS[to];
    if (chargeStatus) {
      charge.status = chargeStatus;
      charge.completedAt = chargeStatus === TransactionStatus.COMPLETED ? now : null;
    }

    em.persist(
      Object.assign(new PaymentEvent(), {
        payment,
        type: PaymentEventType.STATUS_CHANGED,
        fromStatus: from,
        toStatus: to,
        source: origin.source,
        actorId: origin.actorId ?? null,
        gatewayPaymentId: attempt.attemptId,
        detail: attempt.detail,
      }),
    );
    for (const hook of this.hooks) await hook.onStatusChanged(em, payment, from, origin);
  }

  /** Tells subscribers about a committed change. */
  publish(payment: Payment): Promise<void> {
    return this.publisher.publish(payment);
  }
}

function failureReason(snapshot: GatewayPayment): string {
  return snapshot.errorDescription ?? snapshot.errorReason ?? snapshot.errorCode ?? 'The payment failed at the gateway';
}
