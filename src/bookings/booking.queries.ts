import type { MikroORM } from '@mikro-orm/postgresql';
import { CartCheckout, CheckoutStatus } from '../cart/cart.entity.js';
import { Booking } from './booking.entity.js';
import { toBookingType, type BookingType } from './booking.types.js';

/** Batch for the `bookingByPaymentId` loader: each payment's booking (with its items) or null, in two queries. */
export async function loadBookingsByPaymentIds(orm: MikroORM, paymentIds: readonly string[]): Promise<(BookingType | null)[]> {
  const rows = await orm.em.fork().find(Booking, { payment: { $in: [...paymentIds] } }, { populate: ['items'] });
  const byPayment = new Map(rows.map((row) => [row.payment.id, toBookingType(row)]));
  return paymentIds.map((id) => byPayment.get(id) ?? null);
}

/** Batch for the `bookingFailureByPaymentId` loader: why each payment's booking could not be made, or null. */
export async function loadBookingFailuresByPaymentIds(orm: MikroORM, paymentIds: readonly string[]): Promise<(string | null)[]> {
  const rows = await orm.em.fork().find(CartCheckout, { payment: { $in: [...paymentIds] }, status: CheckoutStatus.BOOKING_FAILED });
  const byPayment = new Map(rows.map((row) => [row.payment!.id, row.failureReason]));
  return paymentIds.map((id) => byPayment.get(id) ?? null);
}
