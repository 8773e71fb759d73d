import type { MikroORM } from '@mikro-orm/postgresql';
import { insertNewAtOnce, updateWithNewRows, type DeferredUpdate } from '../db/insert-new-at-once.js';
import type { GatewayPayment } from '../gateways/gateway.js';
import type { Logger } from '../logger.js';
import type { PaymentCore } from './payment.core.js';
import { decideGatewayUpdate, type GatewayUpdateDecision } from './payment.decision.js';
import type { Payment } from './payment.entity.js';
import { PaymentEvent, PaymentEventType } from './payment-event.entity.js';
import type { ChangeSource } from './payment.events.js';
import { PaymentStatus } from './payment.state.js';

export type SettlementOutcome =
  | { kind: 'unknown_order'; orderId: string }
  | { kind: 'settled'; payment: Payment; decision: GatewayUpdateDecision };


/**
 * Applies what the gateway says about a payment attempt. Every caller (verifyPayment, the
 * webhook processor, reconciliation) comes through here: the payment row is locked, the
 * decision taken on the locked row, and the change applied through the core (with its audit
 * event and every handler's work) or the refusal recorded; subscribers hear of a change after
 * the commit.
 */
export class PaymentSettlement {
  constructor(
    private readonly orm: MikroORM,
    private readonly core: PaymentCore,
    private readonly logger: Logger,
  ) {}

  /**
   * Applies a gateway snapshot of one attempt to the payment of its order, exactly once.
   * `withChange`: an update the caller wants committed with what this writes (a webhook event's
   * outcome), run in the same statement; left unwritten when nothing is written (no such order,
   * the payment already so).
   */
  async applyGatewayPayment(snapshot: GatewayPayment, origin: ChangeSource, withChange?: DeferredUpdate): Promise<SettlementOutcome> {
    const outcome = await this.orm.em.fork().transactional(async (em): Promise<SettlementOutcome> => {
      const payment = await this.core.lock(em, { razorpayOrderId: snapshot.orderId });
      if (!payment) return { kind: 'unknown_order', orderId: snapshot.orderId };

      const decision = decideGatewayUpdate(payment, snapshot);
      if (withChange && decision.action !== 'none') updateWithNewRows(em, withChange);
      if (decision.action === 'apply') {
        await this.core.apply(em, payment, {
          kind: 'gateway_attempt',
          to: decision.to as PaymentStatus.AUTHORIZED | PaymentStatus.CAPTURED | PaymentStatus.FAILED,
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
        // Written now by one plain INSERT rather than by the commit's flush (its change set for one row: issue 11).
        await insertNewAtOnce(em);
      }
      return { kind: 'settled', payment, decision };
    });

    if (outcome.kind === 'settled') {
      const { payment, decision } = outcome;
      const log = { paymentId: payment.id, orderId: snapshot.orderId, attempt: snapshot.id, source: origin.source };
      if (decision.action === 'apply') {
        this.logger.info({ ...log, status: payment.status }, 'payment status changed');
      } else if (decision.action === 'anomaly') {
        this.logger.error({ ...log, reason: decision.reason }, 'payment anomaly recorded');
      } else if (decision.action === 'ignore') {
        this.logger.info({ ...log, reason: decision.reason }, 'payment update ignored');
      }
    }
    return outcome;
  }
}

function failureReason(snapshot: GatewayPayment): string {
  return snapshot.errorDescription ?? snapshot.errorReason ?? snapshot.errorCode ?? 'The payment failed at the gateway';
}
