/** Route linked accounts, captured payments and refusals for the tests that drive the Route adapter against the sandbox. */
import { expect } from 'vitest';
import { GatewayError } from '../../src/gateways/gateway.js';
import type { RazorpayRouteGateway } from '../../src/gateways/razorpay/route/route.gateway.js';
import type { SandboxGateway } from '../../src/sandbox/razorpay/sandbox.gateway.js';

let counter = 0;

/**
 * A linked account made through the adapter (account, route product, settlement details); the
 * sandbox activates it at once unless its `/control/route` knob says otherwise. Returns its id
 * and the activation status the settlement details were answered with.
 */
export async function linkedAccountVia(route: RazorpayRouteGateway, tag: string): Promise<{ id: string; activationStatus: string }> {
  counter += 1;
  const n = `${Date.now()}${counter}`;
  const account = await route.createLinkedAccount({
    referenceId: `${tag}${n}`.slice(0, 20), email: `${tag}${n}@example.com`, phone: '9876543210', legalBusinessName: 'Asha Kumari',
    businessType: 'individual', contactName: 'Asha Kumari', category: 'services', subcategory: 'freelancer',
    address: { street1: '12 MG Road', street2: 'Indiranagar', city: 'Bengaluru', state: 'Karnataka', postalCode: '560001', country: 'IN' },
  });
  const product = await route.requestRouteProduct(account.id);
  const details = await route.submitSettlementDetails(account.id, product.id, { accountNumber: '501001234987654', ifscCode: 'HDFC0001234', beneficiaryName: 'Asha Kumari' });
  return { id: account.id, activationStatus: details.activationStatus };
}

/** A captured card payment of `amount` paise at the sandbox; its `pay_…` id. */
export async function capturedSandboxPayment(sandbox: SandboxGateway, amount: number): Promise<string> {
  const order = await sandbox.createOrder({ amount, currency: 'INR', receipt: `r${Date.now()}`, notes: {}, autoCapture: true });
  const paid = await sandbox.pay({ order_id: order.id, outcome: 'success', method: 'card' });
  if (!('razorpay_payment_id' in paid)) throw new Error('payment failed');
  return paid.razorpay_payment_id;
}

/** The GatewayError `promise` rejects with (fails the test if it resolves or rejects with anything else). */
export async function gatewayError(promise: Promise<unknown>): Promise<GatewayError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(GatewayError);
  return error as GatewayError;
}
