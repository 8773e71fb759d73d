/**
 * The sandbox's PostgreSQL state under real concurrency, over HTTP: many requests at once on
 * one payment or one order must leave it exactly as Razorpay would (row locks and unique keys,
 * not luck). A second instance on the same database leaves the first one's deliveries alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pay, releaseWebhooks } from '../helpers/checkout.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let auth: string;

beforeAll(async () => {
  server = await startTestServer({ env: { RECONCILE_ENABLED: 'false' } });
  auth = `Basic ${Buffer.from(`${server.config.razorpay.keyId}:${server.config.razorpay.keySecret}`).toString('base64')}`;
});
afterAll(async () => {
  await server?.close();
});

async function api<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${server.url}/sandbox/razorpay/v1${path}`, {
    method,
    headers: { authorization: auth, 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as T };
}

async function capturedPayment(amount: number): Promise<string> {
  const order = await api<{ id: string }>('POST', '/orders', { amount, currency: 'INR' });
  return (await pay(server.url, order.body.id, { dropWebhooks: true })).razorpay_payment_id;
}

describe('sandbox state under concurrency', () => {
  it('20 refunds of one payment at once never refund more than was captured', async () => {
    const paymentId = await capturedPayment(10_000);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) =>
      api<{ id?: string; error?: { description: string } }>('POST', `/payments/${paymentId}/refund`, { amount: 700 }, {
        'x-refund-idempotency': `race-key-${paymentId}-${i}`,
      })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(14);
    const refused = results.filter((r) => r.status !== 200);
    expect(refused).toHaveLength(6);
    for (const r of refused) {
      expect(r.status).toBe(400);
      expect(r.body.error?.description).toMatch(/greater than the refund payment amount/);
    }
    const payment = await api<{ amount_refunded: number; refund_status: string }>('GET', `/payments/${paymentId}`);
    expect(payment.body).toMatchObject({ amount_refunded: 9_800, refund_status: 'partial' });
  });

  it('one idempotency key sent 10 times at once makes one refund, answered 10 times', async () => {
    const paymentId = await capturedPayment(5_000);
    const results = await Promise.all(Array.from({ length: 10 }, () =>
      api<{ id: string }>('POST', `/payments/${paymentId}/refund`, { amount: 1_000 }, { 'x-refund-idempotency': `same-key-${paymentId}` })));
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    const refunds = (await server.app.sandbox!.state()).refunds.filter((r) => r.payment_id === paymentId);
    expect(refunds).toHaveLength(1);
    expect((await api<{ amount_refunded: number }>('GET', `/payments/${paymentId}`)).body.amount_refunded).toBe(1_000);
  });

  it('10 successful Checkout attempts on one order at once: it is paid once, the others refused', async () => {
    const order = await api<{ id: string }>('POST', '/orders', { amount: 3_000, currency: 'INR' });
    const results = await Promise.all(Array.from({ length: 10 }, () =>
      fetch(`${server.url}/sandbox/razorpay/checkout/pay`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ order_id: order.body.id, outcome: 'success', dropWebhooks: true }),
      })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 400)).toHaveLength(9);
    const paid = await api<{ status: string; amount_paid: number; attempts: number }>('GET', `/orders/${order.body.id}`);
    expect(paid.body).toMatchObject({ status: 'paid', amount_paid: 3_000, attempts: 1 });
    const payments = await api<{ count: number }>('GET', `/orders/${order.body.id}/payments`);
    expect(payments.body.count).toBe(1);
  });

  it('a second instance on the same database leaves the deliveries of a live one alone', async () => {
    // The refunds above send webhooks nobody waited for; under load some are still pending here.
    await server.app.sandbox!.whenWebhooksSettled();
    const order = await api<{ id: string }>('POST', '/orders', { amount: 2_000, currency: 'INR' });
    await pay(server.url, order.body.id, { holdWebhooks: true });
    const pendingIds = (await server.app.sandbox!.state()).webhooks.filter((w) => w.outcome === 'pending').map((w) => w.eventId);
    expect(pendingIds).toHaveLength(3);
    const second = await startTestServer({ db: server.db, env: { RECONCILE_ENABLED: 'false' } });
    try {
      // The premise: the second instance started while they were still pending.
      const atStart = (await second.app.sandbox!.state()).webhooks.filter((w) => pendingIds.includes(w.eventId));
      expect(atStart.map((w) => w.outcome)).toEqual(['pending', 'pending', 'pending']);
      // The second instance holds no claim on them: releasing there releases nothing.
      expect(await releaseWebhooks(second.url, { all: true })).toEqual([]);
      expect((await releaseWebhooks(server.url, { all: true })).sort()).toEqual([...pendingIds].sort());
      await server.app.sandbox!.whenWebhooksSettled();
      await second.app.sandbox!.whenWebhooksSettled();
      const records = (await server.app.sandbox!.state()).webhooks.filter((w) => pendingIds.includes(w.eventId));
      // Delivered once each by the first instance: one attempt each, none by the second.
      expect(records.map((w) => [w.outcome, w.attempts])).toEqual([['delivered', 1], ['delivered', 1], ['delivered', 1]]);
    } finally {
      await second.close();
    }
  });
});
