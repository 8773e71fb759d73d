import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import type { AuthUser } from '../auth/auth.js';
import { Product } from '../catalog/product.entity.js';
import type { Config } from '../config.js';
import { badInput, conflict, notFound } from '../common/errors.js';
import type { Logger } from '../logger.js';
import { assertMinorUnits, CURRENCIES, formatMoney } from '../money/money.js';
import { Payment } from '../payments/payment.entity.js';
import { WALLET_CURRENCY } from '../wallet/wallet.service.js';
import {
  BookingRefundState, Cart, CartCheckout, CartLine, CartPaymentMethod, CartStatus, checkoutIdFromPaymentKey, CheckoutStatus,
  type CheckoutLine,
} from './cart.entity.js';
import type { ProcessCartInput } from './cart.inputs.js';

export type CheckoutStart =
  | { kind: 'started'; cart: Cart; checkout: CartCheckout }
  /** The cart was already checked out with this idempotency key: answer with that checkout. */
  | { kind: 'replay' };

/**
 * What happens to a cart and its checkout, each step inside the caller's transaction. Every
 * step locks the cart row; a step caused by a payment runs under that payment's lock, taken
 * first (payment, then cart), so a capture, a failure and the expiry sweep never interleave.
 */
export class CheckoutLifecycle {
  constructor(
    private readonly config: Config,
    private readonly logger: Logger,
  ) {}

  /**
   * Checks the caller's cart can be paid for (theirs, ACTIVE, not empty, every product still
   * offered, a total within the order limits), fixes each line's price from the catalog as of
   * now, records the checkout with those lines and moves the cart to CHECKED_OUT.
   */
  async begin(em: EntityManager, user: AuthUser, input: ProcessCartInput): Promise<CheckoutStart> {
    const cart = await lockCart(em, input.cartId);
    if (!cart || cart.userId !== user.id) throw notFound('Cart', input.cartId);
    const current = cart.checkout ? await em.findOneOrFail(CartCheckout, { id: cart.checkout.id }) : null;
    if (input.idempotencyKey && current?.idempotencyKey === input.idempotencyKey) return { kind: 'replay' };
    if (cart.status !== CartStatus.ACTIVE) throw conflict(checkedOutAlready(cart, current));

    const lines = await em.find(CartLine, { cart }, { populate: ['product'], orderBy: { createdAt: 'asc', id: 'asc' } });
    if (lines.length === 0) throw badInput('input.cartId', `cart ${cart.id} is empty: add items before checking out`);
    const withdrawn = lines.filter((line) => !line.product.active).map((line) => `"${line.product.name}" (${line.product.id})`);
    if (withdrawn.length > 0) {
      throw badInput('input.cartId', `${withdrawn.join(', ')} ${withdrawn.length === 1 ? 'is' : 'are'} no longer offered: remove ${withdrawn.length === 1 ? 'it' : 'them'} from the cart and check out again`);
    }
    const currency = lines[0]!.product.currency;
    if (input.method === CartPaymentMethod.WALLET && currency !== WALLET_CURRENCY) {
      throw badInput('input.method', `the wallet holds ${WALLET_CURRENCY} and this cart is in ${currency}: pay with GATEWAY`);
    }
    const snapshot: CheckoutLine[] = lines.map((line) => {
      const unitPrice = line.product.price;
      const lineTotal = unitPrice * line.quantity;
      assertMinorUnits(lineTotal, `line total of ${line.product.id}`);
      line.unitPrice = unitPrice;
      line.lineTotal = lineTotal;
      return { productId: line.product.id, name: line.product.name, quantity: line.quantity, unitPrice, lineTotal };
    });
    const total = snapshot.reduce((sum, line) => sum + line.lineTotal, 0);
    this.assertPayable(total, currency);

    const now = new Date();
    const checkout = Object.assign(new CartCheckout(), {
      cart, userId: user.id, method: input.method, idempotencyKey: input.idempotencyKey ?? null, total, currency, lines: snapshot,
    });
    em.persist(checkout);
    Object.assign(cart, { status: CartStatus.CHECKED_OUT, checkout, payment: null, currency, failureReason: null, checkedOutAt: now, updatedAt: now });
    return { kind: 'started', cart, checkout };
  }

  /** The checkout a cart payment pays for: by its link, or by the payment's key while the link is being written. */
  async checkoutOf(em: EntityManager, payment: Payment): Promise<CartCheckout | null> {
    const linked = await em.findOne(CartCheckout, { payment: payment.id });
    if (linked) return linked;
    const id = checkoutIdFromPaymentKey(payment.idempotencyKey);
    const found = id ? await em.findOne(CartCheckout, { id, userId: payment.payerId, payment: null }) : null;
    if (found) found.payment = payment;
    return found;
  }

  /** Records the payment made for a checkout once its gateway order exists. */
  async link(em: EntityManager, checkoutId: string, paymentId: string): Promise<void> {
    const payment = em.getReference(Payment, paymentId);
    const checkout = await em.findOneOrFail(CartCheckout, { id: checkoutId });
    const cart = (await lockCart(em, checkout.cart.id))!;
    checkout.payment ??= payment;
    if (cart.checkout?.id === checkout.id) cart.payment ??= payment;
  }

  /**
   * Undoes a checkout whose gateway order could not be created: the cart is ACTIVE again, the
   * checkout removed, its idempotency key free again. Nothing was paid (there is no order).
   */
  async abandon(em: EntityManager, checkoutId: string): Promise<void> {
    const checkout = await em.findOne(CartCheckout, { id: checkoutId });
    if (!checkout || checkout.status !== CheckoutStatus.PENDING) return;
    const cart = (await lockCart(em, checkout.cart.id))!;
    if (cart.checkout?.id === checkout.id) await reopen(em, cart, null);
    await em.flush();
    em.remove(checkout);
  }

  /**
   * The payment failed, or it was not made in time: the checkout is RELEASED and, if it is still
   * the cart's, the cart is ACTIVE again, saying why. Money arriving later still books (see convert).
   */
  async release(em: EntityManager, checkout: CartCheckout, reason: string): Promise<boolean> {
    if (checkout.status !== CheckoutStatus.PENDING) return false;
    Object.assign(checkout, { status: CheckoutStatus.RELEASED, failureReason: reason, closedAt: new Date() });
    const cart = (await lockCart(em, checkout.cart.id))!;
    if (cart.checkout?.id === checkout.id && cart.status === CartStatus.CHECKED_OUT) await reopen(em, cart, reason);
    return true;
  }

  /**
   * Booked: the checkout is PAID and its cart CONVERTED. A cart released earlier (ACTIVE again)
   * is converted too: its lines become the paid ones, and whatever the customer changed since
   * moves to a fresh ACTIVE cart. A cart that went on to another checkout is left alone: the
   * booking stands on its own.
   */
  async convert(em: EntityManager, checkout: CartCheckout, payment: Payment): Promise<void> {
    Object.assign(checkout, { status: CheckoutStatus.PAID, payment, closedAt: new Date() });
    const cart = (await lockCart(em, checkout.cart.id))!;
    if (cart.checkout?.id === checkout.id && cart.status === CartStatus.CHECKED_OUT) {
      Object.assign(cart, { status: CartStatus.CONVERTED, payment, failureReason: null, updatedAt: new Date() });
      return;
    }
    if (cart.status !== CartStatus.ACTIVE) {
      this.logger.warn({ cartId: cart.id, checkoutId: checkout.id, paymentId: payment.id, cartStatus: cart.status }, 'late payment booked; its cart had moved on to another checkout');
      return;
    }
    await this.convertReleased(em, cart, checkout, payment);
  }

  /**
   * Paid but not bookable: the checkout records why and owes the payment a full refund; the
   * cart shows the failure (BOOKING_FAILED if it was this checkout's; an ACTIVE cart keeps going).
   */
  async recordBookingFailure(em: EntityManager, checkout: CartCheckout, payment: Payment, reason: string): Promise<void> {
    const now = new Date();
    Object.assign(checkout, {
      status: CheckoutStatus.BOOKING_FAILED, payment, failureReason: reason, closedAt: now,
      refundState: BookingRefundState.PENDING, refundNextAttemptAt: now,
    });
    const cart = (await lockCart(em, checkout.cart.id))!;
    if (cart.checkout?.id === checkout.id && cart.status === CartStatus.CHECKED_OUT) {
      Object.assign(cart, { status: CartStatus.BOOKING_FAILED, payment, failureReason: reason, updatedAt: now });
    } else if (cart.status === CartStatus.ACTIVE) {
      Object.assign(cart, { failureReason: reason, updatedAt: now });
    }
  }

  private async convertReleased(em: EntityManager, cart: Cart, checkout: CartCheckout, payment: Payment): Promise<void> {
    const lines = await em.find(CartLine, { cart }, { populate: ['product'], orderBy: { createdAt: 'asc', id: 'asc' } });
    const editedCurrency = cart.currency;
    const unchanged = lines.length === checkout.lines.length &&
      checkout.lines.every((paid) => lines.some((line) => line.product.id === paid.productId && line.quantity === paid.quantity));
    Object.assign(cart, {
      status: CartStatus.CONVERTED, checkout, payment, currency: checkout.currency, failureReason: null, checkedOutAt: checkout.createdAt, updatedAt: new Date(),
    });
    if (unchanged) {
      for (const line of lines) Object.assign(line, priceOf(checkout, line.product.id));
      return;
    }
    // Converted first: the one-open-cart index would refuse a second open cart.
    await em.flush();
    if (lines.length > 0) {
      const fresh = Object.assign(new Cart(), { userId: cart.userId, currency: editedCurrency });
      em.persist(fresh);
      await em.flush();
      for (const line of lines) line.cart = fresh;
      // Moved out before the paid lines come back (one line per product and cart).
      await em.flush();
      this.logger.info({ cartId: cart.id, freshCartId: fresh.id }, 'cart edited after release: its new contents moved to a fresh cart');
    }
    checkout.lines.forEach((paid, index) => em.persist(Object.assign(new CartLine(), {
      cart,
      product: em.getReference(Product, paid.productId),
      quantity: paid.quantity,
      unitPrice: paid.unitPrice,
      lineTotal: paid.lineTotal,
      createdAt: new Date(checkout.createdAt.getTime() + index),
    })));
  }

  private assertPayable(total: number, currency: string): void {
    const minimum = CURRENCIES[currency]?.minimumAmount ?? 100;
    if (total < minimum) {
      throw badInput('input.cartId', `the cart's total is ${formatMoney(total, currency)} (${total}), below the smallest payment of ${formatMoney(minimum, currency)} (${minimum}): add items`);
    }
    if (total > this.config.maxOrderAmount) {
      throw badInput('input.cartId', `the cart's total is ${formatMoney(total, currency)} (${total}), above the largest payment of ${formatMoney(this.config.maxOrderAmount, currency)} (${this.config.maxOrderAmount}): remove items`);
    }
  }
}

/**
 * The cart row, locked for the rest of the transaction and read fresh. Pending changes are
 * written first, so nothing this transaction did to the cart is lost by the re-read.
 */
export async function lockCart(em: EntityManager, cartId: string): Promise<Cart | null> {
  await em.flush();
  return em.findOne(Cart, { id: cartId }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
}

/** Back to ACTIVE: no checkout, no fixed prices, the reason its checkout ended. */
async function reopen(em: EntityManager, cart: Cart, reason: string | null): Promise<void> {
  Object.assign(cart, { status: CartStatus.ACTIVE, checkout: null, payment: null, failureReason: reason, checkedOutAt: null, updatedAt: new Date() });
  for (const line of await em.find(CartLine, { cart })) Object.assign(line, { unitPrice: null, lineTotal: null });
}

function priceOf(checkout: CartCheckout, productId: string): Pick<CheckoutLine, 'unitPrice' | 'lineTotal'> {
  const paid = checkout.lines.find((line) => line.productId === productId)!;
  return { unitPrice: paid.unitPrice, lineTotal: paid.lineTotal };
}

function checkedOutAlready(cart: Cart, checkout: CartCheckout | null): string {
  if (cart.status === CartStatus.CHECKED_OUT) {
    const payment = checkout?.payment ? `payment ${checkout.payment.id}` : 'its payment being created';
    return `cart ${cart.id} is already checked out (${payment}): pay that, or wait until it fails or expires and the cart is ACTIVE again; to repeat the same request send the same idempotencyKey`;
  }
  if (cart.status === CartStatus.CONVERTED) return `cart ${cart.id} is already paid and booked (CONVERTED)`;
  return `cart ${cart.id} is ${cart.status}${cart.failureReason ? ` (${cart.failureReason})` : ''}: start a new cart`;
}
