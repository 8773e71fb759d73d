import { LockMode, type EntityManager, type MikroORM } from '@mikro-orm/postgresql';
import type { AuthUser } from '../auth/auth.js';
import type { BookingFailureRefunds } from '../bookings/booking.refunds.js';
import type { BookingService } from '../bookings/booking.service.js';
import type { Config } from '../config.js';
import type { GatewayName } from '../gateways/gateway.js';
import { conflict, relocate } from '../common/errors.js';
import { ALREADY_MADE, performOnce, type Replay } from '../common/idempotency.js';
import type { Logger } from '../logger.js';
import type { PaymentCheckout } from '../payments/payment.checkout.js';
import { Payment, PaymentPurpose } from '../payments/payment.entity.js';
import type { OrderRequest, PaymentService } from '../payments/payment.service.js';
import type { LockedPayment } from '../payments/payment.core.js';
import { PaymentStatus } from '../payments/payment.state.js';
import type { WalletService } from '../wallet/wallet.service.js';
import { CartCheckout, CartPaymentMethod, CheckoutStatus, checkoutPaymentKey } from './cart.entity.js';
import type { ProcessCartInput } from './cart.inputs.js';
import type { CartService } from './cart.service.js';
import type { CheckoutLifecycle } from './checkout.lifecycle.js';
import type { ProcessedCart } from './checkout.result.js';

const SWEEP_BATCH = 100;
/** Payments that may still be paid, so their checkout can be released: nothing authorised or received. */
const UNPAID: readonly PaymentStatus[] = [PaymentStatus.CREATED, PaymentStatus.FAILED];

/**
 * Paying for a cart. Rules kept here: the amount is the cart's total at the catalog prices of
 * the moment of checkout, never the client's; one payment per checkout, whatever the
 * concurrency (the cart's row lock and its CHECKED_OUT status decide); a gateway call never
 * happens inside a transaction; the same idempotency key returns the first result.
 */
export class CheckoutService {
  constructor(
    private readonly orm: MikroORM,
    private readonly payments: PaymentService,
    private readonly wallets: WalletService,
    private readonly lifecycle: CheckoutLifecycle,
    private readonly carts: CartService,
    private readonly bookings: BookingService,
    private readonly refunds: BookingFailureRefunds,
    private readonly config: Config,
    private readonly logger: Logger,
  ) {}

  /**
   * Checks out the caller's cart. GATEWAY: the cart is locked and CHECKED_OUT (its prices fixed)
   * in one transaction, then the Razorpay order is created outside it and linked; if the gateway
   * fails, the cart is ACTIVE again and the error returned. WALLET: checkout, debit, capture and
   * booking commit together. A second call on a CHECKED_OUT cart is a CONFLICT, unless it carries
   * the same idempotency key: then it gets the first call's result (read again from its checkout).
   */
  async processCart(user: AuthUser, input: ProcessCartInput): Promise<ProcessedCart> {
    return performOnce<CartCheckout, ProcessedCart>({
      key: input.idempotencyKey ?? null,
      constraint: 'cart_checkout_user_idempotency_key_unique',
      find: () => this.orm.em.fork().findOne(CartCheckout, { userId: user.id, idempotencyKey: input.idempotencyKey }, { populate: ['payment'] }),
      mismatch: (earlier) => earlier.cart.id !== input.cartId || earlier.method !== input.method
        ? `idempotencyKey ${input.idempotencyKey} was already used for cart ${earlier.cart.id} (${earlier.method}): use a new key for a new checkout`
        : null,
      replay: (earlier, expired) => this.replay(earlier, input, expired),
      perform: async () => (input.method === CartPaymentMethod.WALLET ? await this.payFromWallet(user, input) : await this.payThroughGateway(user, input)) ?? ALREADY_MADE,
    });
  }

  /**
   * The recurring pass (a job app.ts schedules every `CART_CHECKOUT_TIMEOUT_MS / 5`, at most every
   * minute): releases expired checkouts. (Refunds failed bookings owe are jobs of their own: booking.refunds.ts.)
   */
  async sweep(now = new Date()): Promise<void> {
    await this.releaseExpired(now);
  }

  /**
   * Releases the carts whose gateway checkout has waited longer than CART_CHECKOUT_TIMEOUT_MS
   * for its payment (still CREATED or FAILED): the cart is ACTIVE again. The Razorpay order
   * cannot be withdrawn: if it is paid later all the same, the booking is still made.
   */
  async releaseExpired(now = new Date()): Promise<number> {
    const { checkoutTimeoutMs } = this.config.cart;
    const due = await this.orm.em.fork().find(
      CartCheckout,
      { status: CheckoutStatus.PENDING, method: CartPaymentMethod.GATEWAY, createdAt: { $lt: new Date(now.getTime() - checkoutTimeoutMs) } },
      { orderBy: { createdAt: 'asc' }, limit: SWEEP_BATCH },
    );
    const reason = `the payment was not completed within ${describeDuration(checkoutTimeoutMs)}: check out again to pay`;
    let released = 0;
    for (const { id } of due) {
      try {
        if (await this.orm.em.fork().transactional((em) => this.releaseIfUnpaid(em, id, reason))) released += 1;
      } catch (error) {
        this.logger.error({ err: error, checkoutId: id }, 'could not release an expired checkout; will try again');
      }
    }
    if (released > 0) this.logger.info({ released }, 'expired cart checkouts released');
    return released;
  }

  private async payThroughGateway(user: AuthUser, input: ProcessCartInput): Promise<ProcessedCart | null> {
    const start = await this.orm.em.fork().transactional((em) => this.lifecycle.begin(em, user, input));
    if (start.kind === 'replay') return null;
    const { cart, checkout } = start;
    let opened: PaymentCheckout;
    try {
      opened = await this.payments.createOrder(user, this.orderRequest(checkout, cart.id, input.gateway ?? null));
    } catch (error) {
      await this.orm.em.fork().transactional((em) => this.lifecycle.abandon(em, checkout.id));
      this.logger.warn({ cartId: cart.id, checkoutId: checkout.id, err: error }, 'gateway order for a cart failed: cart ACTIVE again');
      throw error;
    }
    await this.orm.em.fork().transactional((em) => this.lifecycle.link(em, checkout.id, opened.payment.id));
    this.logger.info({ cartId: cart.id, checkoutId: checkout.id, paymentId: opened.payment.id, total: checkout.total }, 'cart checked out');
    return { payment: opened.payment, checkout: opened, booking: null, cart: await this.carts.view(cart.id) };
  }

  private async payFromWallet(user: AuthUser, input: ProcessCartInput): Promise<ProcessedCart | null> {
    const paid = await this.orm.em.fork().transactional(async (em) => {
      const start = await this.lifecycle.begin(em, user, input);
      if (start.kind === 'replay') return null;
      const payment = await this.payments.recordPayment(em, user, this.orderRequest(start.checkout, start.cart.id));
      start.checkout.payment = payment;
      start.cart.payment = payment;
      // Debit and capture; the booking hook runs inside, under the cart lock this transaction holds.
      await this.captureFromWallet(em, user, payment);
      return { checkout: start.checkout, payment };
    });
    if (!paid) return null;
    this.logger.info({ cartId: paid.checkout.cart.id, paymentId: paid.payment.id, total: paid.checkout.total }, 'cart paid from wallet');
    // Its job was enqueued with the capture and runs now; waiting for its first attempt lets the answer show the refund.
    if (paid.checkout.status === CheckoutStatus.BOOKING_FAILED) await this.refunds.firstAttempt(paid.checkout.id);
    return this.result(paid.checkout.id);
  }

  private async captureFromWallet(em: EntityManager, user: AuthUser, payment: LockedPayment): Promise<void> {
    try {
      await this.wallets.captureFromWallet(em, user, payment, null);
    } catch (error) {
      // The wallet names its own API's field; here the choice to pay from the wallet is `input.method`.
      throw relocate(error, 'input.paymentId', 'input.method');
    }
  }

  /** The first result of a repeated request, once its gateway order exists. */
  private async replay(checkout: CartCheckout, input: ProcessCartInput, expired: boolean): Promise<Replay<ProcessedCart>> {
    if (checkout.payment && (checkout.method === CartPaymentMethod.WALLET || checkout.payment.razorpayOrderId)) {
      return { kind: 'answer', answer: await this.result(checkout.id) };
    }
    if (expired) {
      throw conflict(`the checkout for idempotencyKey ${input.idempotencyKey} is still being created: retry shortly with the same key`);
    }
    return { kind: 'pending' };
  }

  private async result(checkoutId: string): Promise<ProcessedCart> {
    const em = this.orm.em.fork();
    const checkout = await em.findOneOrFail(CartCheckout, { id: checkoutId }, { populate: ['payment'] });
    const payment = checkout.payment!;
    return {
      payment,
      checkout: checkout.method === CartPaymentMethod.GATEWAY && payment.razorpayOrderId ? this.payments.checkout(payment) : null,
      booking: await this.bookings.findByPayment(payment.id),
      cart: await this.carts.view(checkout.cart.id),
    };
  }

  private orderRequest(checkout: CartCheckout, cartId: string, gateway: GatewayName | null = null): OrderRequest {
    const items = checkout.lines.reduce((sum, line) => sum + line.quantity, 0);
    return this.payments.orderRequest({
      amount: checkout.total,
      currency: checkout.currency,
      reference: cartId,
      description: `Cart ${cartId}: ${items} item(s)`,
      notes: { cartId, checkoutId: checkout.id },
      // One payment per checkout: a repeated or concurrent request finds it by this key.
      idempotencyKey: checkoutPaymentKey(checkout.id),
      gateway,
    }, PaymentPurpose.CART);
  }

  /** Under the payment's lock (then the cart's): a capture either came first (no longer PENDING) or waits and still books. */
  private async releaseIfUnpaid(em: EntityManager, checkoutId: string, reason: string): Promise<boolean> {
    const candidate = await em.findOneOrFail(CartCheckout, { id: checkoutId });
    const paymentId = candidate.payment?.id
      ?? (await em.findOne(Payment, { payerId: candidate.userId, idempotencyKey: checkoutPaymentKey(candidate.id) }))?.id;
    const payment = paymentId ? await em.findOne(Payment, { id: paymentId }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true }) : null;
    const checkout = await em.findOneOrFail(CartCheckout, { id: checkoutId }, { refresh: true });
    if (payment && !UNPAID.includes(payment.status)) return false;
    if (payment) checkout.payment ??= payment;
    return this.lifecycle.release(em, checkout, reason);
  }
}

function describeDuration(ms: number): string {
  const [count, unit] = ms % 60_000 === 0 ? [ms / 60_000, 'minute'] : [Math.ceil(ms / 1000), 'second'];
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}
