import type { GatewayPayment } from '../gateways/gateway.js';
import { canTransition, MONEY_RECEIVED_STATUSES, PaymentStatus } from './payment.state.js';

/** What the service currently believes about a payment, as far as deciding an update needs. */
export interface PaymentFacts {
  status: PaymentStatus;
  razorpayPaymentId: string | null;
  amount: number;
  currency: string;
}

export type GatewayUpdateDecision =
  | { action: 'apply'; to: PaymentStatus }
  /** Nothing to do: the same news again. */
  | { action: 'none' }
  /** A move the state machine refuses: recorded in the audit trail, never applied. */
  | { action: 'ignore'; to: PaymentStatus | null; reason: string }
  /** Money-relevant and wrong (a second capture, an amount mismatch): recorded for an operator. */
  | { action: 'anomaly'; to: PaymentStatus | null; reason: string };

/** The status a gateway attempt's status means for our payment; null for "nothing yet". */
export function statusFromGateway(status: GatewayPayment['status']): PaymentStatus | null {
  switch (status) {
    case 'created':
      return null;
    case 'authorized':
      return PaymentStatus.AUTHORIZED;
    case 'captured':
      return PaymentStatus.CAPTURED;
    case 'refunded':
      // Refunds are tracked by their own records; a refunded attempt was captured first.
      return PaymentStatus.CAPTURED;
    case 'failed':
      return PaymentStatus.FAILED;
  }
}

/**
 * Decides what a gateway snapshot of one attempt does to a payment. Pure, so that every
 * arrival order of verifyPayment, webhooks and reconciliation can be tested on its own:
 * - a snapshot never moves a payment backwards (late `authorized` after `captured`);
 * - another attempt's failure never undoes a success or an authorisation in progress;
 * - a later attempt may succeed after an earlier one failed;
 * - money that does not match the order is never accepted.
 */
export function decideGatewayUpdate(current: PaymentFacts, snapshot: GatewayPayment): GatewayUpdateDecision {
  const to = statusFromGateway(snapshot.status);
  if (to === null) return { action: 'none' };

  const bringsMoney = to === PaymentStatus.AUTHORIZED || to === PaymentStatus.CAPTURED;
  if (bringsMoney && (snapshot.amount !== current.amount || snapshot.currency !== current.currency)) {
    return {
      action: 'anomaly',
      to,
      reason: `attempt ${snapshot.id} is for ${snapshot.amount} ${snapshot.currency}, the order for ${current.amount} ${current.currency}`,
    };
  }

  const sameAttempt = current.razorpayPaymentId === null || current.razorpayPaymentId === snapshot.id;
  if (!sameAttempt) {
    if (to === PaymentStatus.FAILED) {
      return current.status === PaymentStatus.FAILED
        ? { action: 'none' }
        : { action: 'ignore', to, reason: `attempt ${snapshot.id} failed, but attempt ${current.razorpayPaymentId} decides this payment` };
    }
    if (MONEY_RECEIVED_STATUSES.includes(current.status)) {
      return to === PaymentStatus.CAPTURED
        ? { action: 'anomaly', to, reason: `a second attempt ${snapshot.id} was captured on an order already paid by ${current.razorpayPaymentId}: refund one of them` }
        : { action: 'ignore', to, reason: `attempt ${snapshot.id} is ${snapshot.status}, but the order was already paid by ${current.razorpayPaymentId}` };
    }
    if (current.status === PaymentStatus.AUTHORIZED && to === PaymentStatus.AUTHORIZED) {
      return { action: 'ignore', to, reason: `attempt ${snapshot.id} authorised while ${current.razorpayPaymentId} is already authorised` };
    }
  }

  if (sameAttempt && to === current.status) return { action: 'none' };
  if (canTransition(current.status, to)) return { action: 'apply', to };
  return { action: 'ignore', to, reason: `${current.status} → ${to} is not an allowed move (late or repeated event)` };
}
