/**
 * The gateway boundary over real HTTP and PostgreSQL: webhook routes per registered gateway,
 * event ids unique per gateway, untrusted events confirmed with the gateway's API (the sandbox)
 * before any money moves, and the migration that records every payment's gateway.
 */
import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayEvent } from '../../src/gateways/gateway.js';
import { Payment } from '../../src/payments/payment.entity.js';
import { PaymentStatus } from '../../src/payments/payment.state.js';
import { Refund, RefundStatus } from '../../src/refunds/refund.entity.js';
import { newId } from '../../src/sandbox/razorpay/sandbox.ids.js';
import { WebhookEvent } from '../../src/webhooks/webhook-event.entity.js';
import type { StoredEvent } from '../../src/webhooks/webhook.dispatch.js';
import { PaymentDocument, PaymentGatewayDocument, RefundDocument, WebhookEventsDocument } from '../graphql/generated.js';
import { pay, paymentEvent, postWebhook, setSandboxFaults, wirePayment } from '../helpers/checkout.js';
import { createOrder, payAndVerify } from '../helpers/flows.js';
import { eventually, startTestServer, type TestServer } from '../helpers/server.js';

/** The migration that added `payment.gateway` and `webhook_event.gateway`, and the one before it. */
const GATEWAY_MIGRATION = 'Migration20261130031429';
const BEFORE_GATEWAY = 'Migration20261130004523';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

const em = () => server.db.orm.em.fork();
const stored = (eventType: string): StoredEvent => ({ gateway: 'razorpay', eventId: newId('evt'), eventType, payload: {} });

describe('webhook routes', () => {
  // PhonePe is configured in every run outside production (its sandbox); a known gateway that is
  // not configured is the registry's unit test's.
  it('an unknown gateway is a 404 JSON answer and stores nothing', async () => {
    const before = await em().count(WebhookEvent, {});
    for (const path of ['/webhooks/unknown', '/webhooks/paytm', '/webhooks/RAZORPAY', '/webhooks/PHONEPE']) {
      const posted = await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"event":"x"}' });
      expect([path, posted.status, posted.headers.get('content-type')]).toEqual([path, 404, expect.stringMatching(/^application\/json/)]);
      expect(await posted.json()).toEqual({ error: 'no such webhook route', code: 'NOT_FOUND' });
      expect((await fetch(`${server.url}${path}`)).status).toBe(404);
    }
    expect(await em().count(WebhookEvent, {})).toBe(before);
  });

  it('a registered gateway answers other methods 405 on its route', async () => {
    const response = await fetch(`${server.url}/webhooks/razorpay`);
    expect([response.status, response.headers.get('allow')]).toEqual([405, 'POST']);
  });

  it('stores a delivery with the gateway that sent it', async () => {
    const order = await createOrder(server, await server.token('boundary-route'), 5_000);
    const { body, eventId } = paymentEvent('payment.failed', wirePayment(order.razorpayOrderId, newId('pay'), 'failed', 5_000));
    expect((await postWebhook(server.url, body, { eventId })).status).toBe(200);
    expect(await em().findOne(WebhookEvent, { eventId })).toMatchObject({ gateway: 'razorpay', eventType: 'payment.failed' });
    const listed = await server.gql(WebhookEventsDocument, { first: 100 }, await server.token('boundary-ops', 'admin'));
    expect(listed.data?.webhookEvents.find((event) => event.eventId === eventId)).toMatchObject({ gateway: 'RAZORPAY', eventType: 'payment.failed' });
  });
});

describe('the webhook inbox', () => {
  it('keys events by (gateway, event id): the same id from two gateways is two events, from one gateway a duplicate', async () => {
    const eventId = newId('evt');
    const inbox = server.app.services.webhookInbox;
    const fromRazorpay = await inbox.store({ gateway: 'razorpay', eventId, eventType: 'test.same_id', payload: { n: 1 } });
    const fromPhonePe = await inbox.store({ gateway: 'phonepe', eventId, eventType: 'test.same_id', payload: { n: 2 } });
    const again = await inbox.store({ gateway: 'razorpay', eventId, eventType: 'test.same_id', payload: { n: 3 } });
    expect([fromRazorpay.stored, fromPhonePe.stored, again.stored]).toEqual([true, true, false]);
    expect(again.id).toBe(fromRazorpay.id);
    expect(fromPhonePe.id).not.toBe(fromRazorpay.id);
    const rows = await em().find(WebhookEvent, { eventId }, { orderBy: { gateway: 'asc' } });
    expect(rows.map((row) => [row.gateway, row.payload])).toEqual([['phonepe', { n: 2 }], ['razorpay', { n: 1 }]]);
  });
});

describe('an untrusted event is confirmed with the gateway before money moves', () => {
  it('a snapshot claiming "captured" for an attempt the gateway says failed captures nothing', async () => {
    const token = await server.token('boundary-untrusted-1');
    const order = await createOrder(server, token, 6_000);
    const failed = await pay(server.url, order.razorpayOrderId, { outcome: 'failure', dropWebhooks: true });
    const attemptId = failed.error.metadata.payment_id;
    const truth = await server.app.gateway.fetchPayment(attemptId);
    expect(truth.status).toBe('failed');

    const claim: GatewayEvent = { kind: 'payment', type: 'payment.captured', payment: { ...truth, status: 'captured', captured: true, errorCode: null, errorDescription: null, errorReason: null }, trusted: false };
    expect(await server.app.services.webhookDispatch.dispatch(stored('payment.captured'), claim)).toEqual({ outcome: 'processed' });
    const payment = await em().findOneOrFail(Payment, { id: order.payment.id });
    // What the gateway said was applied, not what the event claimed.
    expect([payment.status, payment.paidAt, payment.funding]).toEqual([PaymentStatus.FAILED, null, null]);
  });

  it('the gateway\'s account is applied: a snapshot claiming "failed" for a captured attempt captures it', async () => {
    const token = await server.token('boundary-untrusted-2');
    const order = await createOrder(server, token, 7_000);
    const paid = await pay(server.url, order.razorpayOrderId, { dropWebhooks: true });
    const truth = await server.app.gateway.fetchPayment(paid.razorpay_payment_id);
    const claim: GatewayEvent = { kind: 'payment', type: 'payment.failed', payment: { ...truth, status: 'failed', captured: false }, trusted: false };
    expect(await server.app.services.webhookDispatch.dispatch(stored('payment.failed'), claim)).toEqual({ outcome: 'processed' });
    expect((await em().findOneOrFail(Payment, { id: order.payment.id })).status).toBe(PaymentStatus.CAPTURED);
  });

  it('an attempt the gateway does not know on that order is ignored, and the payment stays as it was', async () => {
    const token = await server.token('boundary-untrusted-3');
    const order = await createOrder(server, token, 8_000);
    const real = await pay(server.url, order.razorpayOrderId, { outcome: 'failure', dropWebhooks: true });
    const truth = await server.app.gateway.fetchPayment(real.error.metadata.payment_id);
    const forged: GatewayEvent = { kind: 'payment', type: 'payment.captured', payment: { ...truth, id: newId('pay'), status: 'captured', captured: true }, trusted: false };
    const result = await server.app.services.webhookDispatch.dispatch(stored('payment.captured'), forged);
    expect(result).toEqual({ outcome: 'ignored', reason: expect.stringMatching(/^razorpay does not confirm attempt pay_/) });
    expect((await em().findOneOrFail(Payment, { id: order.payment.id })).status).toBe(PaymentStatus.CREATED);
  });

  it('a refund snapshot claiming "processed" for a refund the gateway still has pending settles nothing', async () => {
    const token = await server.token('boundary-untrusted-4');
    const admin = await server.token('boundary-ops', 'admin');
    const order = await createOrder(server, token, 9_000);
    await payAndVerify(server, token, order.razorpayOrderId, { dropWebhooks: true });
    await setSandboxFaults(server.url, { refundOutcome: 'pending' });
    let refundId: string;
    try {
      const refunded = await server.gql(RefundDocument, { input: { paymentId: order.payment.id, amount: 2_000 } }, admin);
      expect(refunded.errors).toBeUndefined();
      refundId = refunded.data!.refund.id;
    } finally {
      await setSandboxFaults(server.url, { refundOutcome: 'processed' });
    }
    const refund = await eventually(async () => {
      const row = await em().findOneOrFail(Refund, { id: refundId }, { populate: ['payment'] });
      return row.razorpayRefundId ? row : null;
    }, 5000, 'the gateway refund id recorded');
    expect(refund.status).toBe(RefundStatus.PENDING);
    const truth = await server.app.gateway.fetchRefund(refund.payment.razorpayPaymentId!, refund.razorpayRefundId!);
    expect(truth.status).toBe('pending');

    const claim: GatewayEvent = { kind: 'refund', type: 'refund.processed', refund: { ...truth, status: 'processed' }, trusted: false };
    expect(await server.app.services.webhookDispatch.dispatch(stored('refund.processed'), claim)).toEqual({ outcome: 'processed' });
    const after = await em().findOneOrFail(Refund, { id: refundId }, { populate: ['payment'] });
    expect([after.status, after.payment.amountRefunded, after.payment.status]).toEqual([RefundStatus.PENDING, 0, PaymentStatus.CAPTURED]);
  });
});

describe('a payment records its gateway', () => {
  it('new payments go through the default gateway, shown in the API', async () => {
    const token = await server.token('boundary-api');
    const order = await createOrder(server, token, 3_000);
    const read = await server.gql(PaymentGatewayDocument, { id: order.payment.id }, token);
    expect(read.data?.payment).toEqual({ id: order.payment.id, gateway: 'RAZORPAY' });
  });

  it('the migration backfills every existing payment and webhook event with razorpay', async () => {
    const token = await server.token('boundary-backfill');
    const paid = await createOrder(server, token, 4_000);
    await payAndVerify(server, token, paid.razorpayOrderId);
    await createOrder(server, token, 2_500);
    await eventually(async () => (await server.gql(PaymentDocument, { id: paid.payment.id }, token)).data?.payment?.status === 'CAPTURED');
    // Every webhook the sandbox sends for the payment stored before counting: the payment is
    // CAPTURED at payment.captured, and a later delivery (order.paid) stored after the count made
    // it one more than counted (a flake seen once in CI).
    await server.app.sandbox!.whenWebhooksSettled();
    // Only Razorpay's events may be there when going back: the old key holds one gateway.
    await em().nativeDelete(WebhookEvent, { gateway: { $ne: 'razorpay' } });
    const eventCount = await em().count(WebhookEvent, {});
    expect(eventCount).toBeGreaterThan(0);

    const migrator = server.db.orm.getMigrator();
    await migrator.down({ to: BEFORE_GATEWAY });
    const connection = em().getConnection();
    const columns = await connection.execute(`select table_name from information_schema.columns where column_name = 'gateway' and table_name in ('payment', 'webhook_event')`);
    expect(columns).toEqual([]);
    await migrator.up({ to: GATEWAY_MIGRATION });

    const payments = await connection.execute<{ gateway: string; n: string }[]>(`select "gateway", count(*) as n from "payment" group by "gateway"`);
    expect(payments.map((row) => row.gateway)).toEqual(['razorpay']);
    const events = await connection.execute<{ gateway: string; n: string }[]>(`select "gateway", count(*) as n from "webhook_event" group by "gateway"`);
    expect(events).toEqual([{ gateway: 'razorpay', n: String(eventCount) }]);
    const nullable = await connection.execute<{ table_name: string; is_nullable: string }[]>(
      `select table_name, is_nullable from information_schema.columns where column_name = 'gateway' and table_name in ('payment', 'webhook_event') order by table_name`);
    expect(nullable).toEqual([{ table_name: 'payment', is_nullable: 'NO' }, { table_name: 'webhook_event', is_nullable: 'NO' }]);
    // And the service keeps working on the backfilled rows: the paid payment reads as Razorpay's.
    expect((await server.gql(PaymentGatewayDocument, { id: paid.payment.id }, token)).data?.payment?.gateway).toBe('RAZORPAY');
  });
});
