import { describe, expect, it } from 'vitest';
import { checkoutOf } from '../../src/payments/payment.checkout.js';
import { Payment, PaymentPurpose } from '../../src/payments/payment.entity.js';
import { PaymentStatus } from '../../src/payments/payment.state.js';
import { CheckoutSession, PaymentGateway, toCheckoutSession, toPaymentType } from '../../src/payments/payment.types.js';

/** A payment whose gateway order is recorded, as createOrder leaves it. */
function openedPayment(overrides: Partial<Payment>): Payment {
  return Object.assign(new Payment(), {
    purpose: PaymentPurpose.ORDER,
    amount: 49_900,
    currency: 'INR',
    feeBps: 1_500,
    platformFee: 7_485,
    payeeAmount: 42_415,
    payerId: 'customer-1',
    razorpayOrderId: 'order_AAAAAAAAAAAAAA',
    ...overrides,
  });
}

describe('how to pay an opened order (services answer CheckoutInstructions; the API shows a CheckoutSession)', () => {
  it('Razorpay: Checkout options (key id, order id), no redirect', () => {
    const payment = openedPayment({ gateway: 'razorpay' });
    const checkout = checkoutOf(payment, 'rzp_test_key');
    expect(checkout.instructions).toEqual({ kind: 'checkout', gateway: 'razorpay', keyId: 'rzp_test_key', orderId: 'order_AAAAAAAAAAAAAA' });
    expect(checkout.payment).toBe(payment);

    const session = toCheckoutSession(checkout);
    expect(session).toBeInstanceOf(CheckoutSession);
    expect({ ...session }).toEqual({
      payment: toPaymentType(payment),
      keyId: 'rzp_test_key',
      razorpayOrderId: 'order_AAAAAAAAAAAAAA',
      gateway: PaymentGateway.RAZORPAY,
      redirectUrl: null,
      amount: 49_900,
      currency: 'INR',
    });
  });

  it("PhonePe: a redirect to the gateway's page, with its client id as the key id", () => {
    const payment = openedPayment({ gateway: 'phonepe', razorpayOrderId: 'mo_123', redirectUrl: 'https://pay.example/mo_123' });
    const checkout = checkoutOf(payment, 'phonepe-client');
    expect(checkout.instructions).toEqual({ kind: 'redirect', gateway: 'phonepe', keyId: 'phonepe-client', orderId: 'mo_123', redirectUrl: 'https://pay.example/mo_123' });

    const session = toCheckoutSession(checkout);
    expect({ ...session }).toEqual({
      payment: toPaymentType(payment),
      keyId: 'phonepe-client',
      razorpayOrderId: 'mo_123',
      gateway: PaymentGateway.PHONEPE,
      redirectUrl: 'https://pay.example/mo_123',
      amount: 49_900,
      currency: 'INR',
    });
  });

  it('shows the payment as it is now (a replay of a captured order shows it captured)', () => {
    const payment = openedPayment({ status: PaymentStatus.CAPTURED, razorpayPaymentId: 'pay_1', version: 3 });
    const session = toCheckoutSession(checkoutOf(payment, 'rzp_test_key'));
    expect(session.payment).toMatchObject({ id: payment.id, status: PaymentStatus.CAPTURED, razorpayPaymentId: 'pay_1', version: 3 });
  });

  it('refuses a payment without its gateway order (an intent still being opened): there is nothing to pay yet', () => {
    const intent = openedPayment({ razorpayOrderId: null });
    expect(() => checkoutOf(intent, 'rzp_test_key')).toThrow(`payment ${intent.id} has no gateway order yet`);
  });
});
