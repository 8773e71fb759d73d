/**
 * The real RazorpayGateway adapter against the sandbox over real HTTP, with webhooks
 * received by a raw-body route the way the service receives them: orders, checkout and
 * payments, refunds, webhooks. Faults, retries and timeouts: razorpay-sandbox-faults.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  adapter, baseUrl, events, expectGatewayError, failAttempt, gateway, KEY_ID, KEY_SECRET, newOrder, pay, post, received,
  router, useRazorpaySandbox, webhookAnswers, type ReceivedWebhook,
} from '../helpers/razorpay-sandbox.js';

useRazorpaySandbox();

describe('orders', () => {
  it('creates and fetches an order with integer amounts', async () => {
    const created = await gateway.createOrder({ amount: 50_000, currency: 'INR', receipt: 'rcpt_1', notes: { cart: 'c1' } });
    expect(created.id).toMatch(/^order_[0-9A-Za-z]{14}$/);
    expect(created).toMatchObject({ amount: 50_000, amountPaid: 0, amountDue: 50_000, status: 'created', attempts: 0, notes: { cart: 'c1' } });
    expect(await gateway.fetchOrder(created.id)).toEqual(created);
  });

  it("answers Razorpay's validation errors as rejected, with the gateway's description", async () => {
    await expectGatewayError(gateway.createOrder({ amount: 50, currency: 'INR', receipt: 'r' }), 'rejected', /atleast INR 1\.00/);
    await expectGatewayError(gateway.createOrder({ amount: 500, currency: 'INR', receipt: 'x'.repeat(41) }), 'rejected', /receipt/);
    const notes = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${i}`, 'v']));
    const error = await expectGatewayError(gateway.createOrder({ amount: 500, currency: 'INR', receipt: 'r', notes }), 'rejected');
    expect(error).toMatchObject({ httpStatus: 400, gatewayCode: 'BAD_REQUEST_ERROR' });
    await expectGatewayError(gateway.createOrder({ amount: 159.2, currency: 'INR', receipt: 'r' }), 'rejected', /integer/);
  });

  it('finds nothing for unknown or malformed ids', async () => {
    const error = await expectGatewayError(gateway.fetchPayment('pay_00000000000000'), 'not_found', /does not exist/);
    expect(error.httpStatus).toBe(404);
    await expectGatewayError(gateway.fetchOrder('order_00000000000000'), 'not_found');
    await expectGatewayError(gateway.listOrderPayments('order_00000000000000'), 'not_found');
    await expectGatewayError(gateway.fetchRefund('pay_00000000000000', 'rfnd_00000000000000'), 'not_found');
    await expectGatewayError(gateway.fetchPayment('pay_../../orders'), 'not_found');
  });

  it('requires basic auth on /v1 and reports wrong credentials as rejected', async () => {
    const response = await fetch(`${baseUrl}/sandbox/razorpay/v1/orders/order_00000000000000`);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: 'BAD_REQUEST_ERROR', description: expect.stringMatching(/api key/) } });
    await expectGatewayError(adapter({ keySecret: 'wrong' }).fetchOrder('order_00000000000000'), 'rejected', /api key provided is invalid/);
  });

  it('answers malformed JSON, unknown paths and bad checkout bodies with Razorpay error bodies', async () => {
    const authorization = `Basic ${Buffer.from(`${KEY_ID}:${KEY_SECRET}`).toString('base64')}`;
    const malformed = await fetch(`${baseUrl}/sandbox/razorpay/v1/orders`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', authorization },
      body: '{"amount":',
    });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ error: { code: 'BAD_REQUEST_ERROR', field: 'body' } });
    const unknownPath = await fetch(`${baseUrl}/sandbox/razorpay/v1/settlements`, { headers: { authorization } });
    expect(unknownPath.status).toBe(404);
    const checkout = await post<{ error: { field: string } }>('/checkout/pay', { order_id: 'order_00000000000000', outcome: 'maybe' });
    expect(checkout).toMatchObject({ status: 400, body: { error: { field: 'outcome' } } });
    const state = await fetch(`${baseUrl}/sandbox/razorpay/control/state`);
    expect(await state.json()).toMatchObject({ orders: expect.any(Array), payments: expect.any(Array), faults: { latencyMs: 0 } });
  });
});

describe('checkout and payments', () => {
  it('pays an order: signed Checkout answer, captured payment, paid order', async () => {
    const orderId = await newOrder();
    const answer = await pay(orderId);
    expect(answer.razorpay_order_id).toBe(orderId);
    expect(gateway.verifyCheckoutSignature(orderId, answer.razorpay_payment_id, answer.razorpay_signature)).toBe(true);
    const payment = await gateway.fetchPayment(answer.razorpay_payment_id);
    expect(payment).toMatchObject({
      orderId,
      amount: 50_000,
      status: 'captured',
      captured: true,
      amountRefunded: 0,
      refundStatus: null,
      methodDetails: { method: 'card', cardNetwork: 'Visa', cardLast4: '1111' },
      fee: 1180,
      tax: 180,
      errorCode: null,
    });
    expect(await gateway.fetchOrder(orderId)).toMatchObject({ status: 'paid', amountPaid: 50_000, amountDue: 0, attempts: 1 });
    const again = await post<{ error: { description: string } }>('/checkout/pay', { order_id: orderId, outcome: 'success', method: 'card' });
    expect(again.status).toBe(400);
  });

  it('reports realistic details per method', async () => {
    const expected = { upi: { vpa: 'success@razorpay' }, netbanking: { bank: 'HDFC' }, wallet: { wallet: 'paytm' } };
    for (const [method, details] of Object.entries(expected)) {
      const answer = await pay(await newOrder(), { method });
      expect((await gateway.fetchPayment(answer.razorpay_payment_id)).methodDetails).toMatchObject({ method, cardLast4: null, ...details });
    }
  });

  it('lists a failed attempt then a successful one, oldest first', async () => {
    const orderId = await newOrder();
    const failure = await failAttempt(orderId);
    expect(failure.error).toMatchObject({ code: 'BAD_REQUEST_ERROR', reason: 'payment_failed', metadata: { order_id: orderId } });
    expect(await gateway.fetchOrder(orderId)).toMatchObject({ status: 'attempted', attempts: 1 });
    const success = await pay(orderId);
    const attempts = await gateway.listOrderPayments(orderId);
    expect(attempts.map((attempt) => [attempt.id, attempt.status])).toEqual([
      [failure.error.metadata.payment_id, 'failed'],
      [success.razorpay_payment_id, 'captured'],
    ]);
    expect(attempts[0]).toMatchObject({ errorCode: 'BAD_REQUEST_ERROR', errorReason: 'payment_failed', methodDetails: { vpa: 'success@razorpay' } });
    expect(await gateway.fetchOrder(orderId)).toMatchObject({ status: 'paid', attempts: 2 });
  });

  it('captures an authorised payment manually, for its exact amount, and tolerates a repeat', async () => {
    const orderId = await newOrder(70_000);
    const { razorpay_payment_id: paymentId } = await pay(orderId, { authorizeOnly: true });
    expect(await gateway.fetchPayment(paymentId)).toMatchObject({ status: 'authorized', captured: false, fee: null });
    expect((await gateway.fetchOrder(orderId)).status).toBe('attempted');
    await expectGatewayError(gateway.capturePayment(paymentId, 60_000, 'INR'), 'rejected', /equal to the amount authorized/);
    const captured = await gateway.capturePayment(paymentId, 70_000, 'INR');
    expect(captured).toMatchObject({ status: 'captured', captured: true });
    expect(await gateway.capturePayment(paymentId, 70_000, 'INR')).toMatchObject({ id: paymentId, status: 'captured' });
    expect((await gateway.fetchOrder(orderId)).status).toBe('paid');
    await router.sandbox.whenWebhooksSettled();
    expect(events()).toEqual(['payment.authorized', 'payment.captured', 'order.paid']);
  });

  it('authorises a failed attempt late and captures it while the order is unpaid', async () => {
    const orderId = await newOrder();
    const failure = await failAttempt(orderId, { awaitWebhooks: true });
    const late = await post<{ status: string; error_code: string | null }>(`/control/payments/${failure.error.metadata.payment_id}/authorize`, {});
    expect(late.body).toMatchObject({ status: 'captured', error_code: null });
    expect((await gateway.fetchOrder(orderId)).status).toBe('paid');
    await router.sandbox.whenWebhooksSettled();
    expect(events()).toEqual(['payment.failed', 'payment.authorized', 'payment.captured', 'order.paid']);
  });
});

describe('refunds', () => {
  it('refunds idempotently per key, refuses over-refunds, and becomes refunded only when full', async () => {
    const { razorpay_payment_id: paymentId } = await pay(await newOrder());
    const request = { paymentId, amount: 20_000, idempotencyKey: 'refund-key-0001', notes: { reason: 'cancelled' } };
    const first = await gateway.refundPayment(request);
    const second = await gateway.refundPayment(request);
    expect(second.id).toBe(first.id);
    expect(first).toMatchObject({ amount: 20_000, status: 'processed', speedRequested: 'normal', speedProcessed: 'normal' });
    expect(first.id).toMatch(/^rfnd_[0-9A-Za-z]{14}$/);
    expect(await gateway.fetchPayment(paymentId)).toMatchObject({ status: 'captured', amountRefunded: 20_000, refundStatus: 'partial' });

    await expectGatewayError(gateway.refundPayment({ ...request, amount: 10_000 }), 'rejected', /idempotency key/);
    await expectGatewayError(gateway.refundPayment({ paymentId, amount: 40_000 }), 'rejected', /greater than/);

    const rest = await gateway.refundPayment({ paymentId, idempotencyKey: 'refund-key-0002' });
    expect(rest.amount).toBe(30_000);
    expect(await gateway.fetchPayment(paymentId)).toMatchObject({ status: 'refunded', amountRefunded: 50_000, refundStatus: 'full' });
    expect(await gateway.fetchRefund(paymentId, first.id)).toEqual(first);
    await router.sandbox.whenWebhooksSettled();
    expect(events().filter((event) => event.startsWith('refund.'))).toEqual([
      'refund.created', 'refund.processed', 'refund.created', 'refund.processed',
    ]);
  });

  it('keeps a refund pending until settled, and a failed refund gives the amount back', async () => {
    const { razorpay_payment_id: paymentId } = await pay(await newOrder());
    await router.sandbox.whenWebhooksSettled();
    received.length = 0;
    expect((await post('/control/faults', { refundOutcome: 'pending' })).status).toBe(200);
    const pending = await gateway.refundPayment({ paymentId, amount: 10_000, speed: 'optimum' });
    expect(pending).toMatchObject({ status: 'pending', speedProcessed: null });
    const settled = await post<{ status: string }>(`/control/refunds/${pending.id}/settle`, { status: 'processed' });
    expect(settled.body.status).toBe('processed');
    expect(await gateway.fetchRefund(paymentId, pending.id)).toMatchObject({ status: 'processed', speedProcessed: 'instant' });

    router.sandbox.setFaults({ refundOutcome: 'failed' });
    const failed = await gateway.refundPayment({ paymentId, amount: 5_000 });
    expect(failed.status).toBe('failed');
    expect(await gateway.fetchPayment(paymentId)).toMatchObject({ amountRefunded: 10_000, refundStatus: 'partial' });
    await router.sandbox.whenWebhooksSettled();
    expect(events()).toEqual(['refund.created', 'refund.processed', 'refund.created', 'refund.failed']);
    expect(received[1]!.envelope.payload.refund?.entity.status).toBe('processed');
  });

  it('does not find a refund through another payment', async () => {
    const { razorpay_payment_id: paid } = await pay(await newOrder());
    const { razorpay_payment_id: other } = await pay(await newOrder());
    const refund = await gateway.refundPayment({ paymentId: paid, amount: 1_000 });
    await expectGatewayError(gateway.fetchRefund(other, refund.id), 'not_found');
  });
});

describe('webhooks', () => {
  it('delivers authorized, captured, order.paid signed over the raw bytes, with snapshots', async () => {
    const orderId = await newOrder();
    const answer = await pay(orderId, { awaitWebhooks: true });
    expect(events()).toEqual(['payment.authorized', 'payment.captured', 'order.paid']);
    for (const webhook of received) {
      expect(gateway.verifyWebhookSignature(webhook.raw, webhook.signature ?? '')).toBe(true);
      expect(webhook.eventId).toMatch(/^evt_[0-9A-Za-z]{14}$/);
      expect(webhook.envelope).toMatchObject({ entity: 'event', account_id: expect.stringMatching(/^acc_/) });
    }
    expect(new Set(received.map((webhook) => webhook.eventId)).size).toBe(3);
    const [authorized, captured, paid] = received.map((webhook) => webhook.envelope);
    expect(authorized!.payload.payment?.entity).toMatchObject({ id: answer.razorpay_payment_id, status: 'authorized', captured: false });
    expect(captured!.payload.payment?.entity).toMatchObject({ status: 'captured', captured: true });
    expect(paid!.contains).toEqual(['payment', 'order']);
    expect(paid!.payload.order?.entity).toMatchObject({ id: orderId, status: 'paid', amount_paid: 50_000 });
  });

  it('sends payment.failed for a failed attempt', async () => {
    const failure = await failAttempt(await newOrder(), { awaitWebhooks: true });
    expect(events()).toEqual(['payment.failed']);
    expect(received[0]!.envelope.payload.payment?.entity).toMatchObject({
      id: failure.error.metadata.payment_id,
      status: 'failed',
      error_reason: 'payment_failed',
    });
  });

  it('duplicates each event with the same id and bytes', async () => {
    await pay(await newOrder(), { duplicateWebhooks: 3, awaitWebhooks: true });
    expect(received).toHaveLength(9);
    const byId = new Map<string | undefined, ReceivedWebhook[]>();
    for (const webhook of received) byId.set(webhook.eventId, [...(byId.get(webhook.eventId) ?? []), webhook]);
    expect(byId.size).toBe(3);
    for (const copies of byId.values()) {
      expect(copies).toHaveLength(3);
      expect(new Set(copies.map((copy) => copy.raw.toString('hex'))).size).toBe(1);
    }
  });

  it('reverses the order when shuffling, so captured arrives before authorized', async () => {
    await pay(await newOrder(), { shuffleWebhooks: true, awaitWebhooks: true });
    expect(events()).toEqual(['order.paid', 'payment.captured', 'payment.authorized']);
  });

  it('drops every event when asked', async () => {
    await pay(await newOrder(), { dropWebhooks: true, awaitWebhooks: true });
    await router.sandbox.whenWebhooksSettled();
    expect(received).toHaveLength(0);
    expect((await router.sandbox.state()).webhooks.slice(-3).map((record) => record.outcome)).toEqual(['dropped', 'dropped', 'dropped']);
  });

  it('delivers late when delayed, after Checkout has answered', async () => {
    const started = Date.now();
    await pay(await newOrder(), { webhookDelayMs: 150 });
    expect(received).toHaveLength(0);
    await router.sandbox.whenWebhooksSettled();
    expect(received).toHaveLength(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(145);
  });

  it('holds the webhooks until released, each batch when its turn comes', async () => {
    const first = await newOrder();
    const second = await newOrder();
    await pay(first, { holdWebhooks: true });
    await pay(second, { holdWebhooks: true });
    const queued = (await router.sandbox.state()).webhooks.slice(-6);
    const firstIds = queued.slice(0, 3).map((record) => record.eventId);
    const secondIds = queued.slice(3).map((record) => record.eventId);
    await router.sandbox.whenWebhooksSettled();
    expect(received).toHaveLength(0);
    expect(queued.map((record) => record.outcome)).toEqual(Array(6).fill('pending'));

    // The second order's batch first, named by one of its events; then everything left.
    const later = await post<{ released: string[] }>('/control/webhooks/release', { eventId: secondIds[1] });
    expect(later).toEqual({ status: 200, body: { released: secondIds } });
    await router.sandbox.whenWebhooksSettled();
    expect(received.map((webhook) => webhook.eventId)).toEqual(secondIds);
    expect((await post('/control/webhooks/release', { all: true })).body).toEqual({ released: firstIds });
    await router.sandbox.whenWebhooksSettled();
    expect(received.map((webhook) => webhook.eventId)).toEqual([...secondIds, ...firstIds]);
    // Released once: naming them again releases nothing.
    expect((await post('/control/webhooks/release', { eventId: firstIds[0] })).body).toEqual({ released: [] });
    const bad = await post<{ error: { field?: string } }>('/control/webhooks/release', { eventId: '' });
    expect(bad.status).toBe(400);
  });

  it('redelivers an event the receiver failed, with the same event id', async () => {
    webhookAnswers.push(500);
    await failAttempt(await newOrder(), { awaitWebhooks: true });
    expect(received).toHaveLength(2);
    expect(received[0]!.eventId).toBe(received[1]!.eventId);
    expect((await router.sandbox.state()).webhooks.at(-1)).toMatchObject({ outcome: 'delivered', attempts: 2 });
  });
});
