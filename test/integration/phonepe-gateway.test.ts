/**
 * The real PhonePeGateway (on pg-sdk-node) against the PhonePe sandbox over real HTTP, with
 * callbacks received by a raw-body route the way the service receives webhooks.
 */
import express from 'express';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GatewayError, type GatewayErrorKind, type WebhookReceipt } from '../../src/gateways/gateway.js';
import { PhonePeGateway, type PhonePeGatewayOptions } from '../../src/gateways/phonepe/phonepe.gateway.js';
import { createPhonePeSandboxRouter, type PhonePeSandboxRouter, type PhonePeSandboxState } from '../../src/sandbox/phonepe/index.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { eventually } from '../helpers/server.js';

const CLIENT_ID = 'PHONEPE_IT_CLIENT';
const CLIENT_SECRET = 'phonepe_integration_client_secret';
const WEBHOOK_USERNAME = 'phonepe_it_user';
const WEBHOOK_PASSWORD = 'phonepe_it_password';

interface Received {
  receipt: WebhookReceipt;
}

const received: Received[] = [];
const warnings: Record<string, unknown>[] = [];
const servers: http.Server[] = [];
let baseUrl: string;
let router: PhonePeSandboxRouter;
let db: TestDatabase;
let gateway: PhonePeGateway;

function adapter(overrides: Partial<PhonePeGatewayOptions> = {}): PhonePeGateway {
  return new PhonePeGateway({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    clientVersion: 1,
    webhookUsername: WEBHOOK_USERNAME,
    webhookPassword: WEBHOOK_PASSWORD,
    mode: 'sandbox',
    apiUrl: `${baseUrl}/sandbox/phonepe`,
    redirectUrl: `${baseUrl}/shop/return`,
    timeoutMs: 2_000,
    maxRetries: 3,
    retryBaseMs: 5,
    logger: { warn: (obj) => warnings.push(obj) },
    ...overrides,
  });
}

async function sandboxPost<T>(path: string, body: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(`${baseUrl}/sandbox/phonepe${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as T };
}

async function state(): Promise<PhonePeSandboxState> {
  return router.sandbox.state();
}

/** The customer on the hosted page (JSON, as a test). */
async function choose(orderId: string, outcome: 'success' | 'failure' | 'pending' | 'abandon') {
  const { status, body } = await sandboxPost<{ redirectUrl: string; transaction: { transactionId: string } | null }>(`/pay/${orderId}`, { outcome });
  expect(status).toBe(200);
  return body;
}

async function newOrder(amount = 50_000, notes?: Record<string, string>) {
  return gateway.createOrder({ amount, currency: 'INR', receipt: `rcpt_${Date.now()}`, ...(notes && { notes }) });
}

async function paidOrder(amount = 50_000) {
  const order = await newOrder(amount);
  await choose(order.id, 'success');
  const [payment] = await gateway.listOrderPayments(order.id);
  return { order, payment: payment! };
}

async function expectGatewayError(promise: Promise<unknown>, kind: GatewayErrorKind, message?: RegExp): Promise<GatewayError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(GatewayError);
  expect((error as GatewayError).kind).toBe(kind);
  if (message) expect((error as GatewayError).message).toMatch(message);
  return error as GatewayError;
}

/** Polls `probe` until `done` holds (the shared `eventually`, keeping the value it saw). */
async function waitFor<T>(probe: () => T | Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const seen = await eventually(async () => {
    const value = await probe();
    return done(value) ? { value } : null;
  }, timeoutMs, 'the probed condition');
  return seen.value;
}

beforeAll(async () => {
  db = await createTestDatabase({ poolMax: 2 });
  const app = express();
  // The callback route: raw bytes, as the service's webhook route mounts it.
  app.post('/webhooks/phonepe', express.raw({ type: '*/*' }), (req, res) => {
    const receipt = gateway.receiveWebhook({ rawBody: req.body as Buffer, headers: req.headers as Record<string, string | undefined> });
    received.push({ receipt });
    res.status(receipt.ok ? 200 : 400).json({ ok: receipt.ok });
  });
  const server = http.createServer(app);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  router = await createPhonePeSandboxRouter({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    clientVersion: 1,
    webhookUsername: WEBHOOK_USERNAME,
    webhookPassword: WEBHOOK_PASSWORD,
    databaseUrl: db.url,
    webhookUrl: () => `${baseUrl}/webhooks/phonepe`,
    callbackRetryBaseMs: 5,
  });
  app.use('/sandbox/phonepe', router);
  gateway = adapter();
});

afterEach(async () => {
  router.sandbox.resetFaults();
  await router.sandbox.releaseCallbacks(false);
  await router.sandbox.whenCallbacksSettled();
});

afterAll(async () => {
  await router?.sandbox.close();
  for (const server of servers) await new Promise((resolve) => server.close(resolve));
  await db?.drop();
});

describe('token', () => {
  it('is fetched once for many calls, and once for many concurrent first calls', async () => {
    const fresh = adapter();
    const before = (await state()).tokensIssued;
    const order = await fresh.createOrder({ amount: 10_000, currency: 'INR', receipt: 'r-token-1' });
    await Promise.all(Array.from({ length: 10 }, () => fresh.fetchOrder(order.id)));
    expect((await state()).tokensIssued - before).toBe(1);

    const concurrent = adapter();
    const beforeConcurrent = (await state()).tokensIssued;
    await Promise.all(Array.from({ length: 10 }, () => concurrent.fetchOrder(order.id)));
    expect((await state()).tokensIssued - beforeConcurrent).toBe(1);
  });

  it('is refreshed once half its life has passed, and an old one still valid is used when the refresh fails', async () => {
    let now = Date.now();
    const fresh = adapter({ clock: () => now, maxRetries: 0 });
    const order = await newOrder();
    const before = (await state()).tokensIssued;
    await fresh.fetchOrder(order.id);
    now += 1_700_000; // before half of the sandbox's 3600 s
    await fresh.fetchOrder(order.id);
    expect((await state()).tokensIssued - before).toBe(1);
    now += 200_000; // past half: refreshed
    await fresh.fetchOrder(order.id);
    expect((await state()).tokensIssued - before).toBe(2);

    now += 1_850_000; // past half of the new one: the refresh fails, the old token is still good
    router.sandbox.setFaults({ failNextRequests: { count: 1, status: 503 } });
    await fresh.fetchOrder(order.id);
    expect((await state()).tokensIssued - before).toBe(2);

    now += 2_000_000; // expired by our clock: never sent; the refresh must succeed
    router.sandbox.setFaults({ failNextRequests: { count: 1, status: 503 } });
    await expectGatewayError(fresh.fetchOrder(order.id), 'unavailable');
    await fresh.fetchOrder(order.id);
    expect((await state()).tokensIssued - before).toBe(3);
  });

  it('a token PhonePe refuses (401) is replaced and the call made once more', async () => {
    const order = await newOrder();
    await gateway.fetchOrder(order.id);
    const before = (await state()).tokensIssued;
    await sandboxPost('/control/tokens/revoke', {});
    expect((await gateway.fetchOrder(order.id)).id).toBe(order.id);
    expect((await state()).tokensIssued - before).toBe(1);
  });

  it('wrong client credentials are a clear unavailable error, not a refusal of the request', async () => {
    const wrong = adapter({ clientSecret: 'not-the-secret' });
    await expectGatewayError(wrong.createOrder({ amount: 10_000, currency: 'INR', receipt: 'r' }), 'unavailable', /credentials/);
  });
});

describe('orders and payments', () => {
  it('creates a payment with a redirect to the hosted page; the receipt and notes travel in metaInfo', async () => {
    const order = await newOrder(12_345, { payment_id: 'pay-1', purpose: 'ORDER' });
    expect(order.id).toMatch(/^mo_[0-9a-f]{24}$/);
    expect(order.redirectUrl).toBe(`${baseUrl}/sandbox/phonepe/pay/${order.id}`);
    expect(order).toMatchObject({ amount: 12_345, amountPaid: 0, currency: 'INR', status: 'created' });
    const page = await fetch(order.redirectUrl!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('₹123.45');

    const fetched = await gateway.fetchOrder(order.id);
    expect(fetched).toMatchObject({ id: order.id, amount: 12_345, status: 'created', attempts: 0, receipt: order.receipt });
    expect(fetched.notes).toMatchObject({ payment_id: 'pay-1', purpose: 'ORDER' });
  });

  it('a successful attempt is a captured payment; fetchPayment and capturePayment agree', async () => {
    const { order, payment } = await paidOrder(20_000);
    expect(payment).toMatchObject({ orderId: order.id, amount: 20_000, currency: 'INR', status: 'captured', captured: true });
    expect(payment.id.startsWith(`${order.id}:OM`)).toBe(true);
    expect(payment.methodDetails.method).toBe('upi');
    expect(await gateway.fetchPayment(payment.id)).toEqual(payment);
    expect(await gateway.capturePayment(payment.id, 20_000, 'INR')).toEqual(payment);
    await expectGatewayError(gateway.capturePayment(payment.id, 19_999, 'INR'), 'rejected', /amount/);
    expect(await gateway.fetchOrder(order.id)).toMatchObject({ status: 'paid', amountPaid: 20_000, amountDue: 0, attempts: 1 });
  });

  it('the hosted page form sends the browser back to our redirect URL, which carries only the order id', async () => {
    const order = await newOrder();
    const response = await fetch(order.redirectUrl!, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'outcome=failure',
      redirect: 'manual',
    });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`${baseUrl}/shop/return?merchantOrderId=${order.id}`);
    const [attempt] = await gateway.listOrderPayments(order.id);
    expect(attempt).toMatchObject({ status: 'failed', captured: false, errorCode: 'PAYMENT_ERROR' });
  });

  it('a payment left PENDING is created until the bank answers late', async () => {
    const order = await newOrder();
    const { transaction } = await choose(order.id, 'pending');
    const paymentId = `${order.id}:${transaction!.transactionId}`;
    expect(await gateway.fetchPayment(paymentId)).toMatchObject({ status: 'created', captured: false });
    await expectGatewayError(gateway.capturePayment(paymentId, 50_000, 'INR'), 'rejected', /PENDING/);
    await sandboxPost(`/control/transactions/${transaction!.transactionId}/complete`, { outcome: 'success' });
    expect(await gateway.fetchPayment(paymentId)).toMatchObject({ status: 'captured', captured: true });
  });

  it('unknown orders and payments are not_found, malformed ids are refused before sending', async () => {
    await expectGatewayError(gateway.fetchOrder('mo_unknown'), 'not_found');
    const order = await newOrder();
    await expectGatewayError(gateway.fetchPayment(`${order.id}:OMnotthere`), 'not_found');
    const before = (await state()).tokensIssued;
    await expectGatewayError(gateway.fetchOrder('../../v1/oauth/token'), 'not_found');
    await expectGatewayError(gateway.fetchPayment('mo_x:a/b'), 'not_found');
    expect((await state()).tokensIssued).toBe(before);
  });

  it('INR only: another currency is refused before anything is sent', async () => {
    const fresh = adapter();
    const before = (await state()).tokensIssued;
    await expectGatewayError(fresh.createOrder({ amount: 10_000, currency: 'USD', receipt: 'r' }), 'rejected', /INR only/);
    await expectGatewayError(fresh.capturePayment('mo_x:OM1', 10_000, 'EUR'), 'rejected', /INR only/);
    await expectGatewayError(fresh.createOrder({ amount: 99, currency: 'INR', receipt: 'r' }), 'rejected', /at least 100/);
    expect((await state()).tokensIssued).toBe(before);
  });
});

describe('retries and timeouts', () => {
  it('5xx and 429 are retried until an answer comes', async () => {
    const order = await newOrder();
    router.sandbox.setFaults({ failNextRequests: { count: 2, status: 503 } });
    expect((await gateway.fetchOrder(order.id)).id).toBe(order.id);
    router.sandbox.setFaults({ failNextRequests: { count: 1, status: 429 } });
    expect((await gateway.fetchOrder(order.id)).id).toBe(order.id);
    expect(warnings.some((w) => w.operation === 'orderStatus' && w.status === 503)).toBe(true);
  });

  it('gives up after its retries with an unavailable error', async () => {
    const order = await newOrder();
    router.sandbox.setFaults({ failNextRequests: { count: 10, status: 500 } });
    await expectGatewayError(gateway.fetchOrder(order.id), 'unavailable', /unavailable/);
  });

  it('a 4xx is not retried', async () => {
    const order = await newOrder();
    router.sandbox.setFaults({ failNextRequests: { count: 2, status: 422 } });
    await expectGatewayError(gateway.fetchOrder(order.id), 'rejected');
    expect((await state()).faults.failNextRequests.count).toBe(1);
  });

  it('a slow answer times out, and is retried', async () => {
    const order = await newOrder();
    const impatient = adapter({ timeoutMs: 150, maxRetries: 0 });
    await impatient.fetchOrder(order.id);
    router.sandbox.setFaults({ latencyMs: 600 });
    await expectGatewayError(impatient.fetchOrder(order.id), 'unavailable', /did not answer in time/);
    const patient = adapter({ timeoutMs: 150, maxRetries: 3 });
    await patient.fetchOrder(order.id).catch(() => undefined); // token, under latency too
    const slowOnce = patient.fetchOrder(order.id);
    // After the first attempt has been sent, the sandbox speeds up: a retry answers.
    await waitFor(() => warnings.filter((w) => w.networkError === 'ECONNABORTED').length, (n) => n >= 2);
    router.sandbox.setFaults({ latencyMs: 0 });
    expect((await slowOnce).id).toBe(order.id);
  });
});

describe('refunds', () => {
  it('full and partial refunds, keyed by merchantRefundId; a repeated key returns the same refund', async () => {
    const { payment } = await paidOrder(30_000);
    const first = await gateway.refundPayment({ paymentId: payment.id, amount: 10_000, idempotencyKey: 'rfd_partial_1' });
    expect(first).toMatchObject({ id: 'rfd_partial_1', paymentId: payment.id, amount: 10_000, currency: 'INR', status: 'pending' });
    expect(first.notes.phonepe_refund_id).toMatch(/^OMR/);
    const again = await gateway.refundPayment({ paymentId: payment.id, amount: 10_000, idempotencyKey: 'rfd_partial_1' });
    expect(again.id).toBe('rfd_partial_1');
    expect(again.notes.phonepe_refund_id).toBe(first.notes.phonepe_refund_id);
    await expectGatewayError(
      gateway.refundPayment({ paymentId: payment.id, amount: 5_000, idempotencyKey: 'rfd_partial_1' }),
      'rejected',
      /different refund/,
    );
    await expectGatewayError(gateway.refundPayment({ paymentId: payment.id, amount: 20_001, idempotencyKey: 'rfd_partial_2' }), 'rejected', /exceeds/);
    const rest = await gateway.refundPayment({ paymentId: payment.id, amount: 20_000, idempotencyKey: 'rfd_partial_3' });
    expect(await gateway.fetchRefund(payment.id, rest.id)).toMatchObject({ id: 'rfd_partial_3', amount: 20_000, status: 'processed' });
  });

  it('a refund retried after a 5xx is made once', async () => {
    const { order, payment } = await paidOrder(10_000);
    router.sandbox.setFaults({ failNextRequests: { count: 2, status: 502 } });
    const refund = await gateway.refundPayment({ paymentId: payment.id, amount: 10_000, idempotencyKey: 'rfd_retried_1' });
    expect(refund.amount).toBe(10_000);
    // The whole amount is refunded once: nothing is left to refund.
    await expectGatewayError(gateway.refundPayment({ paymentId: `${order.id}:x`, amount: 100, idempotencyKey: 'rfd_retried_2' }), 'rejected', /exceeds/);
  });

  it('a PENDING refund settles later; a refund of another order is not found', async () => {
    const { payment } = await paidOrder(10_000);
    const other = await paidOrder(10_000);
    router.sandbox.setFaults({ refundOutcome: 'PENDING' });
    const refund = await gateway.refundPayment({ paymentId: payment.id, amount: 4_000, idempotencyKey: 'rfd_pending_1' });
    expect((await gateway.fetchRefund(payment.id, refund.id)).status).toBe('pending');
    await sandboxPost(`/control/refunds/${refund.id}/settle`, { state: 'FAILED' });
    expect((await gateway.fetchRefund(payment.id, refund.id)).status).toBe('failed');
    await expectGatewayError(gateway.fetchRefund(other.payment.id, refund.id), 'not_found');
    await expectGatewayError(gateway.fetchRefund(payment.id, 'rfd_nothing'), 'not_found');
  });

  it('refuses a refund without an amount, or a key PhonePe cannot take', async () => {
    const { payment } = await paidOrder(10_000);
    await expectGatewayError(gateway.refundPayment({ paymentId: payment.id }), 'rejected', /amount/);
    await expectGatewayError(gateway.refundPayment({ paymentId: payment.id, amount: 1_000, idempotencyKey: 'has space' }), 'rejected', /merchantRefundId/);
  });
});

describe('callbacks', () => {
  const receipts = () => received.map((r) => r.receipt).filter((r): r is Extract<WebhookReceipt, { ok: true }> => r.ok);

  it('a completed payment is called back with the configured credentials and decodes as an untrusted payment', async () => {
    const { order, payment } = await paidOrder(15_000);
    const receipt = await waitFor(() => receipts().find((r) => r.payload.merchantOrderId === order.id), (r) => r !== undefined);
    expect(receipt!.eventType).toBe('checkout.order.completed');
    const event = gateway.decodeWebhook(receipt!.eventType, receipt!.payload);
    expect(event).toMatchObject({ kind: 'payment', trusted: false, payment: { id: payment.id, status: 'captured', amount: 15_000 } });
  });

  it('a forged callback is refused', async () => {
    const order = await newOrder();
    const body = JSON.stringify({ event: 'checkout.order.completed', payload: { merchantOrderId: order.id, orderId: 'OMO1', state: 'COMPLETED', amount: 50_000, expireAt: 1, paymentDetails: [] } });
    for (const authorization of [undefined, 'bc842c31a9e54efe320d30d948be61291f3ceee4766e36ab25fa65243cd76e0e', 'x'.repeat(64)]) {
      const response = await fetch(`${baseUrl}/webhooks/phonepe`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...(authorization && { Authorization: authorization }) },
        body,
      });
      expect(response.status).toBe(400);
    }
  });

  it('duplicate callbacks share one event id; reordered ones keep their own', async () => {
    const { payment } = await paidOrder(10_000);
    await router.sandbox.whenCallbacksSettled();
    router.sandbox.setFaults({ refundOutcome: 'PENDING', callbacks: { hold: true, copies: 2 } });
    const refund = await gateway.refundPayment({ paymentId: payment.id, amount: 10_000, idempotencyKey: 'rfd_callbacks_1' });
    await sandboxPost(`/control/refunds/${refund.id}/settle`, { state: 'COMPLETED' });
    const before = received.length;
    expect(await router.sandbox.releaseCallbacks(true)).toBe(2);
    await waitFor(() => received.length - before, (n) => n >= 4);
    await router.sandbox.whenCallbacksSettled();
    const ours = receipts().filter((r) => r.payload.merchantRefundId === 'rfd_callbacks_1');
    expect(ours.map((r) => r.eventType)).toEqual(['pg.refund.completed', 'pg.refund.completed', 'pg.refund.accepted', 'pg.refund.accepted']);
    expect(new Set(ours.map((r) => r.eventId)).size).toBe(2);
    const decoded = gateway.decodeWebhook(ours[0]!.eventType, ours[0]!.payload);
    expect(decoded).toMatchObject({ kind: 'refund', trusted: false, refund: { id: 'rfd_callbacks_1', status: 'processed', amount: 10_000 } });
    // The event names the order, not the attempt; fetchRefund confirms it by the order.
    if (decoded.kind === 'refund') expect((await gateway.fetchRefund(decoded.refund.paymentId, decoded.refund.id)).status).toBe('processed');
  });

  it('an order abandoned on the hosted page stays unpaid; once expired it reads as failed and is called back', async () => {
    const order = await newOrder();
    const { redirectUrl, transaction } = await choose(order.id, 'abandon');
    expect(transaction).toBeNull();
    expect(redirectUrl).toBe(`${baseUrl}/shop/return?merchantOrderId=${order.id}`);
    expect(await gateway.fetchOrder(order.id)).toMatchObject({ status: 'created', attempts: 0, notes: { phonepe_state: 'PENDING' } });
    await sandboxPost(`/control/orders/${order.id}/expire`, {});
    expect(await gateway.fetchOrder(order.id)).toMatchObject({ status: 'created', attempts: 0, amountPaid: 0, notes: { phonepe_state: 'FAILED' } });
    const receipt = await waitFor(() => receipts().find((r) => r.payload.merchantOrderId === order.id), (r) => r !== undefined);
    expect(receipt!.eventType).toBe('checkout.order.failed');
    // No attempt to report: nothing for the service to act on.
    expect(gateway.decodeWebhook(receipt!.eventType, receipt!.payload)).toEqual({ kind: 'other', type: 'checkout.order.failed' });
  });
});
