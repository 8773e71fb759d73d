import type { MikroORM } from '@mikro-orm/postgresql';
import type { AuthUser } from '../auth/auth.js';
import { badInput, conflict, notFound } from '../common/errors.js';
import type { GatewayRegistry } from '../gateways/gateway.registry.js';
import type { Logger } from '../logger.js';
import { canSee, findVisiblePayment } from './payment.access.js';
import { Payment } from './payment.entity.js';
import { callGateway } from './payment.gateway-calls.js';
import type { PaymentSettlement } from './payment.settlement.js';

/** What Checkout hands the browser once the customer paid (verifyPayment's input), under the API's names. */
export interface CheckoutProof {
  razorpayOrderId: string;
  razorpayPaymentId: string;
  razorpaySignature: string;
}

/**
 * Confirming a payment from the client's side. Rules kept here: what the client sends proves
 * nothing by itself: a Checkout signature is checked over the order id stored here, and the
 * status always comes from the payment's own gateway, applied through the settlement.
 */
export class PaymentConfirmation {
  constructor(
    private readonly orm: MikroORM,
    /** Everything about a payment goes to its own gateway. */
    private readonly gateways: GatewayRegistry,
    private readonly settlement: PaymentSettlement,
    private readonly logger: Logger,
  ) {}

  /** Verifies what Checkout handed the browser and applies the gateway's own account of it. */
  async verifyPayment(user: AuthUser, proof: CheckoutProof): Promise<Payment> {
    const payment = await this.orm.em.fork().findOne(Payment, { razorpayOrderId: proof.razorpayOrderId });
    if (!payment || !canSee(user, payment)) throw notFound('Order', proof.razorpayOrderId);
    const gateway = this.gateways.get(payment.gateway);
    // The signature is computed over the order id stored here, not the one the client sent.
    if (!gateway.verifyCheckoutSignature(payment.razorpayOrderId!, proof.razorpayPaymentId, proof.razorpaySignature)) {
      this.logger.warn({ paymentId: payment.id, attempt: proof.razorpayPaymentId, userId: user.id }, 'checkout signature mismatch');
      throw badInput('input.razorpaySignature', 'does not match this order and payment id: pass the values Checkout returned, unchanged');
    }
    const snapshot = await callGateway(this.logger, () => gateway.fetchPayment(proof.razorpayPaymentId), 'input.razorpayPaymentId', gateway.name);
    if (snapshot.orderId !== payment.razorpayOrderId) {
      throw badInput('input.razorpayPaymentId', `belongs to another order (${snapshot.orderId}), not ${payment.razorpayOrderId}`);
    }
    await this.settlement.applyGatewayPayment(snapshot, { source: 'api:verifyPayment', actorId: user.id });
    return this.orm.em.fork().findOneOrFail(Payment, { id: payment.id });
  }

  /**
   * Asks the payment's gateway about every attempt on its order and applies each, oldest
   * first, as reconciliation does: how a redirecting gateway's payment (PhonePe) is confirmed
   * when the customer comes back, since the return itself proves nothing. Any gateway.
   */
  async confirmPayment(user: AuthUser, paymentId: string): Promise<Payment> {
    const payment = await findVisiblePayment(this.orm.em.fork(), user, paymentId);
    if (!payment.razorpayOrderId) throw conflict(`payment ${payment.id} has no gateway order yet: retry shortly`);
    const gateway = this.gateways.get(payment.gateway);
    const attempts = await callGateway(this.logger, () => gateway.listOrderPayments(payment.razorpayOrderId!), 'paymentId', gateway.name);
    for (const snapshot of attempts) {
      await this.settlement.applyGatewayPayment(snapshot, { source: 'api:confirmPayment', actorId: user.id });
    }
    return this.orm.em.fork().findOneOrFail(Payment, { id: payment.id });
  }
}
