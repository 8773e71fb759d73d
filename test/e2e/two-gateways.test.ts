/**
 * The same flows through Razorpay and PhonePe, from one table: the real service with both
 * sandboxes mounted and reached over HTTP. Where a flow exists for one gateway only, its test
 * says why.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhookEvent, WebhookEventStatus } from '../../src/webhooks/webhook-event.entity.js';
import {
  AddWalletBalanceDocument,
  ConfirmPaymentDocument,
  CreateOrderDocument,
  PaymentDocument,
  PaymentWithBookingDocument,
  ProcessCartDocument,
  type PaymentGateway,
  RefundDocument,
  WalletDocument,
} from '../graphql/generated.js';
import { expectBooksBalanced } from '../helpers/assertions.js';
import { addProduct, fillCart } from '../helpers/cart.js';
import { payAndVerify } from '../helpers/flows.js';
import { eventually, startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;

beforeAll(async () => {
  // Reconciliation by hand (runOnce) with no waiting period, so each test sees exactly its passes.
  server = await startTestServer({ env: { RECONCILE_ENABLED: 'false', RECONCILE_AFTER_MS: '0' } });
});
afterAll(async () => {
  await server?.close();
});

interface Session {
  razorpayOrderId: string;
  redirectUrl?: string | null;
  payment: { id: string };
}

/** The customer on PhonePe's hosted page (the sandbox's), choosing as a test does. */
async function choosePhonePe(session: Session, outcome: 'success' | 'failure' | 'pending' | 'abandon') {
  const response = await fetch(session.redirectUrl!, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ outcome }) });
  expect(response.status).toBe(200);
  return (await response.json()) as { redirectUrl: string; transaction: { transactionId: string } | null };
}

async function confirm(token: string, paymentId: string) {
  const response = await server.gql(ConfirmPaymentDocument, { paymentId }, token);
  if (response.errors) throw new Error(`confirmPayment: ${JSON.stringify(response.errors)}`);
  return response.data!.confirmPayment;
}

/** What each gateway's customer does after createOrder, up to the service knowing the outcome. */
const GATEWAYS = [
  {
    gateway: 'RAZORPAY' as const,
    expectSession: (session: Session & { keyId: string }) => {
      expect(session.razorpayOrderId).toMatch(/^order_/);
      expect(session.redirectUrl).toBeNull();
      expect(session.keyId).toBe(server.config.razorpay.keyId);
    },
    /** Checkout in the page, then verifyPayment with what it returned. */
    payAndConfirm: async (token: string, session: Session) => (await payAndVerify(server, token, session.razorpayOrderId)).payment,
  },
  {
    gateway: 'PHONEPE' as const,
    expectSession: (session: Session) => {
      expect(session.razorpayOrderId).toMatch(/^mo_[0-9a-f]{24}$/);
      expect(session.redirectUrl).toBe(`${server.url}/sandbox/phonepe/pay/${session.razorpayOrderId}`);
    },
    /** The hosted page by redirect, back to the shop (which proves nothing), then confirmPayment. */
    payAndConfirm: async (token: string, session: Session) => {
      const back = await choosePhonePe(session, 'success');
      expect(back.redirectUrl).toBe(`${server.url}/shop/?merchantOrderId=${session.razorpayOrderId}`);
      return confirm(token, session.payment.id);
    },
  },
] as const;

async function createOrder(token: string, gateway: PaymentGateway, amount: number, extra: Record<string, unknown> = {}) {
  const response = await server.gql(CreateOrderDocument, { input: { amount, gateway, ...extra } }, token);
  if (response.errors) throw new Error(`createOrder: ${JSON.stringify(response.errors)}`);
  return response.data!.createOrder;
}

async function webhooksSettled(): Promise<void> {
  await server.app.sandbox!.whenWebhooksSettled();
  await server.app.phonepeSandbox!.whenCallbacksSettled();
  const em = () => server.db.orm.em.fork();
  await eventually(async () => (await em().count(WebhookEvent, { status: { $in: [WebhookEventStatus.PENDING, WebhookEventStatus.FAILED] } })) === 0, 10_000, 'every stored webhook handled');
  expect(await em().find(WebhookEvent, { status: WebhookEventStatus.DEAD })).toEqual([]);
}

describe.each(GATEWAYS)('$gateway', ({ gateway, expectSession, payAndConfirm }) => {
  it('createOrder → pay → confirm: CAPTURED once, whatever the webhooks do; the books balance', async () => {
    const token = await server.token(`buyer-${gateway}`);
    const session = await createOrder(token, gateway, 49_900, { payeeId: 'freelancer-7', reference: 'job-42' });
    expectSession(session);
    expect(session).toMatchObject({ gateway, amount: 49_900, currency: 'INR', payment: { status: 'CREATED', platformFee: 7485, payeeAmount: 42_415 } });
    const paid = await payAndConfirm(token, session);
    expect(paid).toMatchObject({ status: 'CAPTURED', razorpayOrderId: session.razorpayOrderId, failureReason: null });
    expect(paid.razorpayPaymentId).not.toBeNull();
    // Confirming again, and the webhooks arriving after, change nothing.
    expect((await confirm(token, session.payment.id)).version).toBe(paid.version);
    await webhooksSettled();
    const after = await server.gql(PaymentDocument, { id: session.payment.id }, token);
    expect(after.data!.payment).toMatchObject({ status: 'CAPTURED', version: paid.version });
    await expectBooksBalanced(server);
  });

  it('a replayed createOrder answers the same session', async () => {
    const token = await server.token(`replayer-${gateway}`);
    const first = await createOrder(token, gateway, 10_000, { idempotencyKey: `same-key-${gateway}` });
    const again = await createOrder(token, gateway, 10_000, { idempotencyKey: `same-key-${gateway}` });
    expect(again).toEqual(first);
  });

  it('partial, then full refunds: REFUNDED, the books balance', async () => {
    const token = await server.token(`refunded-${gateway}`);
    const admin = await server.token('admin-1', 'admin');
    const session = await createOrder(token, gateway, 20_000);
    await payAndConfirm(token, session);
    const partial = await server.gql(RefundDocument, { input: { paymentId: session.payment.id, amount: 5_000, idempotencyKey: `refund-a-${gateway}` } }, admin);
    expect(partial.errors).toBeUndefined();
    const rest = await server.gql(RefundDocument, { input: { paymentId: session.payment.id, idempotencyKey: `refund-b-${gateway}` } }, admin);
    expect(rest.errors).toBeUndefined();
    expect(rest.data!.refund.amount).toBe(15_000);
    // PhonePe answers PENDING and settles by callback (confirmed with its refund status API).
    await eventually(async () => (await server.gql(PaymentDocument, { id: session.payment.id }, token)).data!.payment!.status === 'REFUNDED', 10_000, 'REFUNDED');
    await webhooksSettled();
    expect((await server.gql(PaymentDocument, { id: session.payment.id }, token)).data!.payment).toMatchObject({ status: 'REFUNDED', amountRefunded: 20_000 });
    await expectBooksBalanced(server);
  });

  it('processCart through the gateway: paid, the cart is booked once', async () => {
    const token = await server.token(`shopper-${gateway}`);
    const admin = await server.token('admin-2', 'admin');
    const product = await addProduct(server, admin, 25_000);
    const cart = await fillCart(server, token, [{ productId: product.id, quantity: 2 }]);
    const response = await server.gql(ProcessCartDocument, { input: { cartId: cart.id, method: 'GATEWAY', gateway } }, token);
    expect(response.errors).toBeUndefined();
    const { checkout, payment } = response.data!.processCart;
    expect(checkout).toMatchObject({ gateway, amount: 50_000 });
    await payAndConfirm(token, { ...checkout!, payment });
    await webhooksSettled();
    const read = await server.gql(PaymentWithBookingDocument, { id: payment.id }, token);
    expect(read.data!.payment).toMatchObject({ status: 'CAPTURED', booking: { status: 'CONFIRMED', totalAmount: 50_000, cartId: cart.id } });
    await expectBooksBalanced(server);
  });

  it('a wallet top-up credits the wallet once', async () => {
    const token = await server.token(`topper-${gateway}`);
    const response = await server.gql(AddWalletBalanceDocument, { input: { amount: 30_000, gateway } }, token);
    expect(response.errors).toBeUndefined();
    const session = response.data!.addWalletBalance;
    expect(session.gateway).toBe(gateway);
    await payAndConfirm(token, session);
    await confirm(token, session.payment.id);
    await webhooksSettled();
    expect((await server.gql(WalletDocument, {}, token)).data!.wallet.balance).toBe(30_000);
    await expectBooksBalanced(server);
  });
});

describe('PhonePe only (no signed checkout result, a redirect, PENDING attempts and a shared-credential callback are PhonePe\'s)', () => {
  it('the callback alone captures the payment: it is confirmed with the order status API first', async () => {
    const token = await server.token('callback-only');
    const session = await createOrder(token, 'PHONEPE' as const, 12_300);
    await choosePhonePe(session, 'success');
    await eventually(async () => (await server.gql(PaymentDocument, { id: session.payment.id }, token)).data!.payment!.status === 'CAPTURED', 10_000, 'CAPTURED by the callback');
    await webhooksSettled();
    const events = await server.db.orm.em.fork().find(WebhookEvent, { gateway: 'phonepe', eventType: 'checkout.order.completed' });
    expect(events.some((e) => e.status === WebhookEventStatus.PROCESSED)).toBe(true);
  });

  it('a payment left PENDING at PhonePe and completed later is captured once, by reconciliation', async () => {
    const token = await server.token('late-bank');
    const session = await createOrder(token, 'PHONEPE' as const, 45_600);
    // The bank answers late, and PhonePe's callback for it never arrives.
    server.app.phonepeSandbox!.setFaults({ callbacks: { dropNext: 1 } });
    const { transaction } = await choosePhonePe(session, 'pending');
    expect((await confirm(token, session.payment.id)).status).toBe('CREATED');
    await server.app.services.reconciler.runOnce();
    expect((await server.gql(PaymentDocument, { id: session.payment.id }, token)).data!.payment!.status).toBe('CREATED');

    await server.app.phonepeSandbox!.completeLate(transaction!.transactionId, 'success');
    // An hour passes: the pass that backed off after the first look is due again.
    await server.db.orm.em.fork().getConnection().execute(`update "payment" set "next_reconcile_at" = now() - interval '1 second' where "id" = ?`, [session.payment.id]);
    const first = await server.app.services.reconciler.runOnce();
    expect(first.claimed).toContain(session.payment.id);
    const captured = (await server.gql(PaymentDocument, { id: session.payment.id }, token)).data!.payment!;
    expect(captured).toMatchObject({ status: 'CAPTURED', razorpayPaymentId: `${session.razorpayOrderId}:${transaction!.transactionId}` });
    // A later pass and a late confirm find it done: one capture, one journal.
    await server.app.services.reconciler.runOnce();
    expect((await confirm(token, session.payment.id)).version).toBe(captured.version);
    server.app.phonepeSandbox!.resetFaults();
    await expectBooksBalanced(server);
  });

  it('a forged callback changes nothing: refused without the credential, and with it only PhonePe\'s own answer counts', async () => {
    const token = await server.token('forged');
    const session = await createOrder(token, 'PHONEPE' as const, 9_900);
    const payload = {
      merchantOrderId: session.razorpayOrderId, orderId: 'OMOFORGED', state: 'COMPLETED', amount: 9_900, expireAt: Date.now() + 60_000,
      paymentDetails: [{ transactionId: 'OMFORGED1', paymentMode: 'UPI_INTENT', timestamp: Date.now(), amount: 9_900, state: 'COMPLETED' }],
    };
    const body = JSON.stringify({ event: 'checkout.order.completed', payload });
    const refused = await fetch(`${server.url}/webhooks/phonepe`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'f'.repeat(64) }, body });
    expect(refused.status).toBe(400);
    // Even with the credential (a leak, say), the claimed attempt is checked with PhonePe, which knows none.
    const { createHash } = await import('node:crypto');
    const authorization = createHash('sha256').update(`${server.config.phonepe.webhookUsername}:${server.config.phonepe.webhookPassword}`).digest('hex');
    const stored = await fetch(`${server.url}/webhooks/phonepe`, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body });
    expect(stored.status).toBe(200);
    await webhooksSettled();
    expect((await server.gql(PaymentDocument, { id: session.payment.id }, token)).data!.payment).toMatchObject({ status: 'CREATED', razorpayPaymentId: null, version: session.payment.version });
    await expectBooksBalanced(server);
  });

  it('refuses another currency, naming the field, before anything is sent', async () => {
    const token = await server.token('dollars');
    const response = await server.gql(CreateOrderDocument, { input: { amount: 10_000, currency: 'USD', gateway: 'PHONEPE' as const } }, token);
    expect(response.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(response.errors?.[0]?.message).toMatch(/currency.*PhonePe takes INR only/);
  });
});
