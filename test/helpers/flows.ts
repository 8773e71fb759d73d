import { AddWalletBalanceDocument, CreateOrderDocument, VerifyPaymentDocument } from '../graphql/generated.js';
import { pay, type PayOptions } from './checkout.js';
import type { ServiceEndpoint, TestServer } from './server.js';

/** createOrder for `token`, failing the test on any error. */
export async function createOrder(server: ServiceEndpoint, token: string, amount: number, extra: Record<string, unknown> = {}) {
  const response = await server.gql(CreateOrderDocument, { input: { amount, ...extra } }, token);
  if (response.errors) throw new Error(`createOrder: ${JSON.stringify(response.errors)}`);
  return response.data!.createOrder;
}

/** Pays the order in the sandbox and verifies it: the whole Checkout round trip. */
export async function payAndVerify(server: ServiceEndpoint, token: string, orderId: string, options: PayOptions = {}) {
  const checkout = await pay(server.url, orderId, options);
  const response = await server.gql(VerifyPaymentDocument, {
    input: { razorpayOrderId: orderId, razorpayPaymentId: checkout.razorpay_payment_id, razorpaySignature: checkout.razorpay_signature },
  }, token);
  if (response.errors) throw new Error(`verifyPayment: ${JSON.stringify(response.errors)}`);
  return { checkout, payment: response.data!.verifyPayment };
}

/** Tops up the wallet of `token`'s user through Razorpay (sandbox) and returns the payment. */
export async function topUp(server: TestServer, token: string, amount: number) {
  const response = await server.gql(AddWalletBalanceDocument, { input: { amount } }, token);
  if (response.errors) throw new Error(`addWalletBalance: ${JSON.stringify(response.errors)}`);
  const session = response.data!.addWalletBalance;
  await payAndVerify(server, token, session.razorpayOrderId, { dropWebhooks: true });
  return session;
}
