import type { GatewayName } from '../gateways/gateway.js';
import type { Payment } from './payment.entity.js';

/**
 * What the customer's client does to pay an order that exists at its gateway. A domain value:
 * the API shows it as `CheckoutSession` (payment.types.ts, `toCheckoutSession`).
 */
export type CheckoutInstructions =
  /** Razorpay: open Checkout in the page with these options, then hand its result to verifyPayment. */
  | { kind: 'checkout'; gateway: GatewayName; keyId: string; orderId: string }
  /**
   * PhonePe: send the browser to the gateway's page; when it comes back, call confirmPayment
   * (the return itself proves nothing). `keyId` is the gateway's public client id.
   */
  | { kind: 'redirect'; gateway: GatewayName; keyId: string; orderId: string; redirectUrl: string };

/** A payment whose gateway order exists, and how to pay it: what createOrder, a top-up and a cart checkout answer. */
export interface PaymentCheckout {
  payment: Payment;
  instructions: CheckoutInstructions;
}

/**
 * How to pay `payment`, whose gateway order is recorded: a gateway that gave the order a page
 * of its own (PhonePe) is paid by redirecting there; any other (Razorpay) by opening its
 * Checkout with the public key id.
 */
export function checkoutOf(payment: Payment, keyId: string): PaymentCheckout {
  const orderId = payment.razorpayOrderId;
  if (!orderId) throw new Error(`payment ${payment.id} has no gateway order yet: no checkout to offer`);
  const instructions: CheckoutInstructions = payment.redirectUrl
    ? { kind: 'redirect', gateway: payment.gateway, keyId, orderId, redirectUrl: payment.redirectUrl }
    : { kind: 'checkout', gateway: payment.gateway, keyId, orderId };
  return { payment, instructions };
}
