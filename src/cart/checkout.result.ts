import type { Booking } from '../bookings/booking.entity.js';
import type { PaymentCheckout } from '../payments/payment.checkout.js';
import type { Payment } from '../payments/payment.entity.js';
import type { CartView } from './cart.view.js';

/** What processCart did: a domain result, shown by the API as `ProcessCartResult` (cart.types.ts, `toProcessCartResult`). */
export interface ProcessedCart {
  payment: Payment;
  /** GATEWAY, once its gateway order exists: how to pay it. WALLET: null. */
  checkout: PaymentCheckout | null;
  /** The booking its capture made (at once for WALLET), with its items; null before or if none could be made. */
  booking: Booking | null;
  /** The cart after checkout, its lines at the prices charged. */
  cart: CartView;
}
