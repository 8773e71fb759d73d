/**
 * The operator console's API over real HTTP and graphql-ws: the staff feed of every payment
 * change (admin and service only), a payment's audit trail, the webhook inbox and its replay,
 * the ledger check and hourly volume — each refused to customers, and what each answers.
 */
import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateOrderDocument,
  LedgerCheckDocument,
  PaymentAuditTrailDocument,
  PaymentUpdatesDocument,
  PaymentVolumeByHourDocument,
  ReplayWebhookEventDocument,
  VerifyPaymentDocument,
  WebhookEventsDocument,
} from '../graphql/generated.js';
import { pay, postWebhook } from '../helpers/checkout.js';
import { collect, eventually, startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let alice: string;
let bob: string;
let admin: string;
let service: string;

beforeAll(async () => {
  server = await startTestServer();
  [alice, bob, admin, service] = await Promise.all([server.token('alice'), server.token('bob'), server.token('ops-1', 'admin'), server.token('svc-1', 'service')]);
});
afterAll(async () => {
  await server?.close();
});

async function paidOrder(token: string, amount: number) {
  const created = await server.gql(CreateOrderDocument, { input: { amount } }, token);
  const session = created.data!.createOrder;
  const checkout = await pay(server.url, session.razorpayOrderId, { method: 'upi' });
  const verified = await server.gql(VerifyPaymentDocument, {
    input: { razorpayOrderId: checkout.razorpay_order_id, razorpayPaymentId: checkout.razorpay_payment_id, razorpaySignature: checkout.razorpay_signature },
  }, token);
  expect(verified.data?.verifyPayment.status).toBe('CAPTURED');
  return session.payment.id;
}

function errorCode(response: { errors?: { extensions?: Record<string, unknown> }[] }) {
  return response.errors?.[0]?.extensions?.code;
}

describe('paymentUpdates (staff feed of every payment change)', () => {
  it('is refused without a token (connection closed, UNAUTHENTICATED) and to a customer (FORBIDDEN)', async () => {
    const anonymous = collect(server.ws(null), PaymentUpdatesDocument);
    const customer = collect(server.ws(alice), PaymentUpdatesDocument);
    await eventually(() => anonymous.completed && customer.results.length >= 1, 5_000, 'both refusals');
    // Without a token the socket itself is refused in connection_init (src/graphql/ws.ts).
    expect(anonymous.results).toEqual([]);
    expect(anonymous.error as { code?: number; reason?: string }).toMatchObject({ code: 4403, reason: expect.stringMatching(/^Unauthenticated: /) });
    expect(customer.results[0]?.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(customer.results[0]?.errors?.[0]?.message).toMatch(/admin or service/);
    expect(customer.results.every((r) => !r.data)).toBe(true);
  });

  it.each([['admin'], ['service']])('delivers every payer’s changes to %s', async (role) => {
    const feed = collect(server.ws(role === 'admin' ? admin : service), PaymentUpdatesDocument);
    await feed.ready;
    const [aliceId, bobId] = await Promise.all([paidOrder(alice, 11_100), paidOrder(bob, 22_200)]);
    await eventually(() => {
      const captured = new Set(feed.results.filter((r) => r.data?.paymentUpdates.status === 'CAPTURED').map((r) => r.data!.paymentUpdates.id));
      return captured.has(aliceId) && captured.has(bobId);
    }, 10_000, 'both captures on the staff feed');
    expect(feed.results.every((r) => !r.errors)).toBe(true);
    expect(new Set(feed.results.map((r) => r.data!.paymentUpdates.payerId))).toEqual(new Set(['alice', 'bob']));
    feed.stop();
  });
});

describe('auditTrail', () => {
  it('lists a payment’s changes oldest first for staff, and is FORBIDDEN to its own payer', async () => {
    const id = await paidOrder(alice, 5_000);
    const asAdmin = await server.gql(PaymentAuditTrailDocument, { id }, admin);
    expect(asAdmin.errors).toBeUndefined();
    const trail = asAdmin.data!.payment!.auditTrail;
    expect(trail[0]).toMatchObject({ type: 'CREATED', toStatus: 'CREATED' });
    expect(trail.some((e) => e.type === 'STATUS_CHANGED' && e.toStatus === 'CAPTURED')).toBe(true);
    expect(trail.map((e) => Number(e.id))).toEqual(trail.map((e) => Number(e.id)).sort((a, b) => a - b));

    const asPayer = await server.gql(PaymentAuditTrailDocument, { id }, alice);
    expect(errorCode(asPayer)).toBe('FORBIDDEN');
  });
});

describe('webhook inbox', () => {
  it('lists events for staff, not customers; replay (admin only) processes a dead event again', async () => {
    const eventId = `evt_operator_${Date.now()}`;
    let processings = 0;
    server.app.services.webhookProcessor.onSettled((event) => {
      if (event.eventId === eventId) processings += 1;
    });
    const body = JSON.stringify({ entity: 'event', event: 'payment.captured', payload: { payment: 'not an object' }, created_at: Math.floor(Date.now() / 1000) });
    expect((await postWebhook(server.url, body, { eventId })).status).toBe(200);
    const dead = await eventually(async () => {
      const listed = await server.gql(WebhookEventsDocument, { statuses: ['FAILED', 'DEAD'] }, admin);
      return listed.data?.webhookEvents.find((e) => e.eventId === eventId && e.status === 'DEAD');
    }, 10_000, 'the malformed event to be DEAD');
    expect(dead).toMatchObject({ eventType: 'payment.captured', attempts: 1 });
    expect(dead.lastError).toMatch(/malformed/);
    expect(processings).toBe(1);

    expect(errorCode(await server.gql(WebhookEventsDocument, {}, alice))).toBe('FORBIDDEN');
    expect(errorCode(await server.gql(ReplayWebhookEventDocument, { eventId }, alice))).toBe('FORBIDDEN');
    expect(errorCode(await server.gql(ReplayWebhookEventDocument, { eventId }, service))).toBe('FORBIDDEN');
    expect(errorCode(await server.gql(ReplayWebhookEventDocument, { eventId: 'evt_unknown' }, admin))).toBe('NOT_FOUND');

    const replayed = await server.gql(ReplayWebhookEventDocument, { eventId }, admin);
    expect(replayed.errors).toBeUndefined();
    // Processed again from a fresh count: still malformed, so DEAD after one more attempt.
    expect(replayed.data!.replayWebhookEvent).toMatchObject({ eventId, status: 'DEAD', attempts: 1 });
    expect(processings).toBe(2);

    const bad = await server.gql(WebhookEventsDocument, { first: 500 }, admin);
    expect(bad.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'first' } });
  });
});

describe('ledgerCheck and paymentVolumeByHour', () => {
  it('proves the books for staff and is FORBIDDEN to customers', async () => {
    await paidOrder(bob, 7_700);
    const check = await server.gql(LedgerCheckDocument, {}, service);
    expect(check.errors).toBeUndefined();
    expect(check.data!.ledgerCheck).toMatchObject({ ok: true, problems: [] });
    expect(check.data!.ledgerCheck.capturedPayments).toBeGreaterThan(0);
    expect(errorCode(await server.gql(LedgerCheckDocument, {}, alice))).toBe('FORBIDDEN');
  });

  it('buckets payments by the hour of the asked zone (Asia/Kolkata hours start at :30 UTC)', async () => {
    const from = new Date(Date.now() - 3 * 3_600_000);
    const to = new Date(Date.now() + 3_600_000);
    const before = await server.gql(PaymentVolumeByHourDocument, { from: from.toISOString(), to: to.toISOString(), timeZone: 'Asia/Kolkata' }, admin);
    const totals = (rows: typeof before.data) => rows!.paymentVolumeByHour.reduce((sum, h) => ({ count: sum.count + h.count, volume: sum.volume + h.volume }), { count: 0, volume: 0 });
    const start = totals(before.data);
    await paidOrder(alice, 12_345);
    const after = await server.gql(PaymentVolumeByHourDocument, { from: from.toISOString(), to: to.toISOString(), timeZone: 'Asia/Kolkata' }, admin);
    expect(totals(after.data)).toEqual({ count: start.count + 1, volume: start.volume + 12_345 });
    for (const hour of after.data!.paymentVolumeByHour) expect(new Date(hour.hour).getUTCMinutes()).toBe(30);

    const badZone = await server.gql(PaymentVolumeByHourDocument, { from: from.toISOString(), to: to.toISOString(), timeZone: 'Mars/Olympus' }, admin);
    expect(badZone.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'timeZone' } });
    const customer = await server.gql(PaymentVolumeByHourDocument, { from: from.toISOString(), to: to.toISOString() }, alice);
    expect(errorCode(customer)).toBe('FORBIDDEN');
  });
});
