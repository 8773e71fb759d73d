/**
 * The PhonePe sandbox on its own over real HTTP: PhonePe's validation and error bodies, the
 * query-string quirk, races on one order (real concurrency), and callbacks that survive a
 * restart. Adapter-level behaviour is in phonepe-gateway.test.ts.
 */
import express from 'express';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/gateways/gateway.js';
import { callbackAuthorization } from '../../src/gateways/phonepe/phonepe.callbacks.js';
import { PhonePeGateway } from '../../src/gateways/phonepe/phonepe.gateway.js';
import { createPhonePeSandboxRouter, type PhonePeSandboxRouter } from '../../src/sandbox/phonepe/index.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

const CREDENTIALS = { clientId: 'PP_SANDBOX_IT', clientSecret: 'pp_sandbox_it_secret', clientVersion: 1, webhookUsername: 'u', webhookPassword: 'p' };

let db: TestDatabase;
let baseUrl: string;
let server: http.Server;
let router: PhonePeSandboxRouter;
let gateway: PhonePeGateway;
/** Callbacks accepted (2xx) by the test's receiver; `refuseCallbacks` makes it answer 503. */
const callbacks: { authorization: string | undefined; body: { event: string; payload: Record<string, unknown> } }[] = [];
let refuseCallbacks = false;
let mounted: PhonePeSandboxRouter | null = null;

async function startSandbox(): Promise<PhonePeSandboxRouter> {
  return createPhonePeSandboxRouter({
    ...CREDENTIALS,
    databaseUrl: db.url,
    webhookUrl: () => `${baseUrl}/callbacks`,
    callbackMaxTries: 2,
    callbackRetryBaseMs: 5,
  });
}

async function api(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${baseUrl}/sandbox/phonepe${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', ...headers },
    ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function token(): Promise<string> {
  const form = new URLSearchParams({ client_id: CREDENTIALS.clientId, client_secret: CREDENTIALS.clientSecret, client_version: '1', grant_type: 'client_credentials' });
  const { status, body } = await api('POST', '/v1/oauth/token', form.toString(), { 'Content-Type': 'application/x-www-form-urlencoded' });
  expect(status).toBe(200);
  return `${String(body.token_type)} ${String(body.access_token)}`;
}

async function paidOrder(amount: number) {
  const order = await gateway.createOrder({ amount, currency: 'INR', receipt: 'race' });
  await api('POST', `/pay/${order.id}`, { outcome: 'success' });
  const [payment] = await gateway.listOrderPayments(order.id);
  return payment!;
}

beforeAll(async () => {
  db = await createTestDatabase({ poolMax: 2 });
  const app = express();
  app.post('/callbacks', express.json(), (req, res) => {
    if (refuseCallbacks) {
      res.status(503).end();
      return;
    }
    callbacks.push({ authorization: req.get('authorization'), body: req.body as never });
    res.status(200).end();
  });
  app.use('/sandbox/phonepe', (req, res, next) => (mounted ? mounted(req, res, next) : res.status(503).end()));
  server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  router = await startSandbox();
  mounted = router;
  gateway = new PhonePeGateway({ ...CREDENTIALS, mode: 'sandbox', apiUrl: `${baseUrl}/sandbox/phonepe`, redirectUrl: `${baseUrl}/back`, retryBaseMs: 5 });
});

afterAll(async () => {
  await mounted?.sandbox.close();
  await new Promise((resolve) => server.close(resolve));
  await db?.drop();
});

describe('PhonePe sandbox API', () => {
  it('answers PhonePe\'s error bodies: bad credentials, no token, unknown order, invalid pay requests', async () => {
    const badForm = new URLSearchParams({ client_id: CREDENTIALS.clientId, client_secret: 'wrong', client_version: '1', grant_type: 'client_credentials' });
    const denied = await api('POST', '/v1/oauth/token', badForm.toString(), { 'Content-Type': 'application/x-www-form-urlencoded' });
    expect(denied).toEqual({ status: 400, body: { code: 'INVALID_CLIENT', message: 'Client authentication failed', data: {} } });
    expect((await api('GET', '/checkout/v2/order/mo_x/status')).status).toBe(401);
    const auth = { Authorization: await token() };
    expect(await api('GET', '/checkout/v2/order/mo_unknown/status', undefined, auth)).toMatchObject({ status: 400, body: { code: 'MERCHANT_ORDER_MAPPING_NOT_FOUND' } });

    const valid = { merchantOrderId: 'mo_valid_1', amount: 1_000, paymentFlow: { type: 'PG_CHECKOUT', merchantUrls: { redirectUrl: 'https://shop.example/back' } } };
    const cases: [unknown, RegExp][] = [
      [{ ...valid, merchantOrderId: 'x'.repeat(64) }, /merchantOrderId/],
      [{ ...valid, merchantOrderId: 'has space' }, /merchantOrderId/],
      [{ ...valid, amount: 99 }, /amount: at least 100/],
      [{ ...valid, amount: 100.5 }, /amount/],
      [{ ...valid, expireAfter: 60 }, /expireAfter/],
      [{ ...valid, metaInfo: { udf1: 'x'.repeat(257) } }, /metaInfo.udf1/],
      [{ ...valid, metaInfo: { udf11: 'no spaces allowed' } }, /metaInfo.udf11/],
      [{ ...valid, metaInfo: { udf99: 'x' } }, /metaInfo/],
      [{ ...valid, paymentFlow: { type: 'PG_CHECKOUT' } }, /paymentFlow.merchantUrls/],
    ];
    for (const [body, message] of cases) {
      const answer = await api('POST', '/checkout/v2/pay', body, auth);
      expect(answer.status).toBe(400);
      expect(answer.body.message).toMatch(message);
    }
    expect((await api('POST', '/checkout/v2/pay', '{not json', auth)).status).toBe(400);
    expect((await api('POST', '/checkout/v2/pay', valid, auth)).status).toBe(200);
    expect(await api('POST', '/checkout/v2/pay', valid, auth)).toMatchObject({ status: 400, body: { code: 'DUPLICATE_ORDER' } });
  });

  it('the hosted page allows its own forms and the merchant\'s return (form-action), and nothing else', async () => {
    const order = await gateway.createOrder({ amount: 10_000, currency: 'INR', receipt: 'page' });
    const page = await fetch(`${baseUrl}/sandbox/phonepe/pay/${order.id}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Pay (success)');
    // The service's own policy is form-action 'none': without this the page's buttons do nothing.
    expect(page.headers.get('content-security-policy')).toBe(`default-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self' ${baseUrl}`);
  });

  it('reads `details` however often the SDK repeats it', async () => {
    const auth = { Authorization: await token() };
    const order = await gateway.createOrder({ amount: 1_000, currency: 'INR', receipt: 'q' });
    await api('POST', `/pay/${order.id}`, { outcome: 'failure' });
    const path = `/checkout/v2/order/${order.id}/status`;
    expect(((await api('GET', `${path}?details=false&details=false`, undefined, auth)).body.paymentDetails as unknown[]).length).toBe(1);
    expect(((await api('GET', `${path}?details=true&details=true`, undefined, auth)).body.paymentDetails as unknown[]).length).toBe(1);
  });
});

describe('races on one order', () => {
  it('20 concurrent partial refunds never refund more than the order', async () => {
    const payment = await paidOrder(10_000);
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => gateway.refundPayment({ paymentId: payment.id, amount: 1_000, idempotencyKey: `rfd_race_${i}` })),
    );
    const made = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(made).toHaveLength(10);
    expect(refused.every((r) => r.reason instanceof GatewayError && r.reason.kind === 'rejected')).toBe(true);
  });

  it('10 concurrent refunds with one key make one refund, and every caller gets it', async () => {
    const payment = await paidOrder(10_000);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => gateway.refundPayment({ paymentId: payment.id, amount: 2_500, idempotencyKey: 'rfd_same_key' })),
    );
    expect(new Set(results.map((r) => r.notes.phonepe_refund_id)).size).toBe(1);
    // 7 500 left: a refund of 7 501 must be refused, so only one 2 500 was made.
    await expect(gateway.refundPayment({ paymentId: payment.id, amount: 7_501, idempotencyKey: 'rfd_same_key_2' })).rejects.toMatchObject({ kind: 'rejected' });
  });

  it('concurrent choices on the hosted page make one attempt at a time; the order is completed once', async () => {
    const order = await gateway.createOrder({ amount: 1_000, currency: 'INR', receipt: 'race' });
    const before = callbacks.length;
    const answers = await Promise.all(Array.from({ length: 8 }, () => api('POST', `/pay/${order.id}`, { outcome: 'success' })));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    await mounted!.sandbox.whenCallbacksSettled();
    const completed = callbacks.slice(before).filter((c) => c.body.payload.merchantOrderId === order.id);
    expect(completed.map((c) => c.body.event)).toEqual(['checkout.order.completed']);
    expect(completed[0]!.authorization).toBe(callbackAuthorization('u', 'p'));
  });
});

describe('callbacks across a restart', () => {
  it('a callback the service did not take is delivered by the next sandbox instance', async () => {
    refuseCallbacks = true;
    const order = await gateway.createOrder({ amount: 1_000, currency: 'INR', receipt: 'restart' });
    await api('POST', `/pay/${order.id}`, { outcome: 'success' });
    await mounted!.sandbox.whenCallbacksSettled();
    const left = (await mounted!.sandbox.state()).callbacks.filter((c) => (c.body as { payload: { merchantOrderId?: string } }).payload.merchantOrderId === order.id);
    expect(left.map((c) => c.status)).toEqual(['failed']);

    // Failed ones are an operator's matter; pending ones (a stop mid-delivery) are resumed:
    await mounted!.sandbox.close();
    mounted = null;
    await db.orm.em.getConnection().execute(`update sandbox_phonepe.callbacks set status = 'pending' where status = 'failed'`);
    refuseCallbacks = false;
    const before = callbacks.length;
    mounted = await startSandbox();
    await mounted.sandbox.whenCallbacksSettled();
    await expect.poll(() => callbacks.slice(before).filter((c) => c.body.payload.merchantOrderId === order.id).length).toBe(1);
  });
});
