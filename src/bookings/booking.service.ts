import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { isStaff, type AuthUser } from '../auth/auth.js';
import type { CartCheckout } from '../cart/cart.entity.js';
import { Product } from '../catalog/product.entity.js';
import { notFound } from '../common/errors.js';
import type { Logger } from '../logger.js';
import type { OutboxService } from '../outbox/outbox.service.js';
import { formatMoney } from '../money/money.js';
import type { Payment } from '../payments/payment.entity.js';
import { isUuid } from '../common/ids.js';
import { Booking, BookingItem, BookingStatus, newBookingReference } from './booking.entity.js';

/**
 * Bookings. Rules kept here: a booking is made only for a captured cart payment, in the
 * capture's transaction, at most once per payment; its items and amounts are the checkout's
 * lines (what the money paid for), never the cart's current ones; every product must still be
 * offered, else no booking is made (the caller records why and refunds); a payment refunded in
 * full cancels its booking in the refund's transaction. Customers see their own bookings.
 */
export class BookingService {
  constructor(
    private readonly orm: MikroORM,
    private readonly outbox: OutboxService,
    private readonly logger: Logger,
  ) {}

  /** One booking: the caller's own (staff: any), or NOT_FOUND. */
  async getBooking(user: AuthUser, id: string): Promise<Booking> {
    const booking = isUuid(id) ? await this.orm.em.fork().findOne(Booking, { id }, { populate: ['items'] }) : null;
    if (!booking || (!isStaff(user) && booking.userId !== user.id)) throw notFound('Booking', id);
    return booking;
  }

  /** The booking a payment paid for, if any (the caller has checked who may see the payment). */
  async findByPayment(paymentId: string): Promise<Booking | null> {
    return this.orm.em.fork().findOne(Booking, { payment: paymentId }, { populate: ['items'] });
  }

  /**
   * Why the checkout cannot be booked now, or null: the money must match its total, and every
   * product in it must still be offered.
   */
  async whyNotBookable(em: EntityManager, checkout: CartCheckout, payment: Payment): Promise<string | null> {
    if (payment.amount !== checkout.total || payment.currency !== checkout.currency) {
      return `the payment of ${formatMoney(payment.amount, payment.currency)} does not match the checkout total of ${formatMoney(checkout.total, checkout.currency)}`;
    }
    const products = await em.find(Product, { id: { $in: checkout.lines.map((line) => line.productId) } });
    const withdrawn = checkout.lines.filter((line) => !products.find((product) => product.id === line.productId)?.active);
    if (withdrawn.length > 0) {
      const names = withdrawn.map((line) => `"${line.name}"`).join(', ');
      return `${names} ${withdrawn.length === 1 ? 'is' : 'are'} no longer offered (withdrawn after checkout)`;
    }
    return null;
  }

  /** Makes the booking for a captured payment from its checkout's lines, in the capture's transaction; once per payment. */
  async book(em: EntityManager, checkout: CartCheckout, payment: Payment): Promise<Booking> {
    const existing = await em.findOne(Booking, { payment });
    if (existing) return existing;
    let reference = newBookingReference();
    // 32 random bits: a clash with an existing booking is rare, and a clash between two
    // bookings made at the same instant rarer still (the unique index refuses it; the capture is retried).
    while ((await em.count(Booking, { reference })) > 0) reference = newBookingReference();
    const booking = Object.assign(new Booking(), {
      reference,
      userId: payment.payerId,
      payment,
      cart: checkout.cart,
      totalAmount: checkout.total,
      currency: checkout.currency,
    });
    em.persist(booking);
    checkout.lines.forEach((line, position) => em.persist(Object.assign(new BookingItem(), {
      booking,
      position,
      product: em.getReference(Product, line.productId),
      name: line.name,
      quantity: line.quantity,
      unitPrice: line.unitPrice,
      lineTotal: line.lineTotal,
    })));
    await this.outbox.enqueue(em, 'booking.created', booking.id, {
      bookingId: booking.id,
      reference,
      paymentId: payment.id,
      userId: payment.payerId,
      totalAmount: booking.totalAmount,
      currency: booking.currency,
      items: checkout.lines.map((line) => ({ productId: line.productId, name: line.name, quantity: line.quantity, unitPrice: line.unitPrice, lineTotal: line.lineTotal })),
    });
    this.logger.info({ bookingId: booking.id, reference, paymentId: payment.id, cartId: checkout.cart.id, total: booking.totalAmount }, 'booking made');
    return booking;
  }

  /** Cancels the booking of a payment refunded in full, in the refund's transaction. */
  async cancelForPayment(em: EntityManager, payment: Payment): Promise<void> {
    const booking = await em.findOne(Booking, { payment });
    if (!booking || booking.status === BookingStatus.CANCELLED) return;
    booking.status = BookingStatus.CANCELLED;
    booking.cancelledAt = new Date();
    this.logger.info({ bookingId: booking.id, paymentId: payment.id }, 'booking cancelled: its payment was refunded in full');
  }
}
