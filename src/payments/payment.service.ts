import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { AuthUser } from '../auth/auth.js';
import type { Config } from '../config.js';
import type { GatewayRegistry } from '../gateways/gateway.registry.js';
import type { Logger } from '../logger.js';
import { findVisiblePayment } from './payment.access.js';
import type { PaymentCheckout } from './payment.checkout.js';
import { PaymentConfirmation, type CheckoutProof } from './payment.confirmation.js';
import type { LockedPayment, PaymentCore } from './payment.core.js';
import { PaymentPurpose, type Payment } from './payment.entity.js';
import { PaymentOrders, type OrderInput, type OrderRequest, type PurposeRules } from './payment.orders.js';
import type { PaymentSettlement } from './payment.settlement.js';

export type { OrderInput, OrderRequest, PurposeRules } from './payment.orders.js';

/**
 * The payments feature as the API and the other features call it: opening orders
 * (payment.orders.ts), confirming them from the client's side (payment.confirmation.ts) and
 * reading one. Each returns domain objects (the entity, a {@link PaymentCheckout}); the
 * resolvers map them to the API's types.
 */
export class PaymentService {
  private readonly orders: PaymentOrders;
  private readonly confirmation: PaymentConfirmation;

  constructor(
    private readonly orm: MikroORM,
    gateways: GatewayRegistry,
    core: PaymentCore,
    settlement: PaymentSettlement,
    config: Config,
    logger: Logger,
  ) {
    this.orders = new PaymentOrders(orm, gateways, core, config, logger);
    this.confirmation = new PaymentConfirmation(orm, gateways, settlement, logger);
  }

  /** See {@link PaymentOrders.registerPurpose}. */
  registerPurpose(purpose: PaymentPurpose, rules: PurposeRules): void {
    this.orders.registerPurpose(purpose, rules);
  }

  /** See {@link PaymentOrders.orderRequest}. */
  orderRequest(input: OrderInput, purpose: PaymentPurpose = PaymentPurpose.ORDER): OrderRequest {
    return this.orders.orderRequest(input, purpose);
  }

  /** See {@link PaymentOrders.createOrder}. */
  createOrder(user: AuthUser, request: OrderRequest): Promise<PaymentCheckout> {
    return this.orders.createOrder(user, request);
  }

  /** See {@link PaymentOrders.recordPayment}. */
  recordPayment(em: EntityManager, user: AuthUser, request: OrderRequest): Promise<LockedPayment> {
    return this.orders.recordPayment(em, user, request);
  }

  /** See {@link PaymentOrders.checkout}. */
  checkout(payment: Payment): PaymentCheckout {
    return this.orders.checkout(payment);
  }

  /** See {@link PaymentConfirmation.verifyPayment}. */
  verifyPayment(user: AuthUser, proof: CheckoutProof): Promise<Payment> {
    return this.confirmation.verifyPayment(user, proof);
  }

  /** See {@link PaymentConfirmation.confirmPayment}. */
  confirmPayment(user: AuthUser, paymentId: string): Promise<Payment> {
    return this.confirmation.confirmPayment(user, paymentId);
  }

  /** A payment the user may see (their own; staff: any), or NOT_FOUND. */
  getPayment(user: AuthUser, id: string): Promise<Payment> {
    return findVisiblePayment(this.orm.em.fork(), user, id);
  }
}
