/**
 * Races between the ways news of a payment arrives (verifyPayment, webhooks delivered
 * repeatedly, late and out of order, several attempts on one order), with real concurrency
 * over HTTP. Whatever the interleaving, each payment ends in one state, has one CHARGE, its
 * audit trail records each applied change once, and a live subscriber sees each change once,
 * never a step backwards.
 *
 * Sections 1 (first test), 2, 4 and 6 are Razorpay's only: they hand-build Razorpay's signed
 * events and its authorised/captured steps, which PhonePe does not have. Section 8 runs the
 * rest for both gateways from one table (test/helpers/gateway-drivers.ts).
 */
import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Payment } from '../../src/payments/payment.entity.js';
import { PaymentEvent, PaymentEventType } from '../../src/payments/payment-event.entity.js';
import { PaymentStatus } from '../../src/payments/payment.state.js';
import { newId } from '../../src/sandbox/razorpay/sandbox.ids.js';
import { Transaction, TransactionStatus, TransactionType } from '../../src/transactions/transaction.entity.js';
import { WebhookEvent, WebhookEventStatus } from '../../src/webhooks/webhook-event.entity.js';
import {
  CreateOrderDocument,
  PaymentStatusChangedDocument,
  VerifyPaymentDocument,
  type PaymentStatusChangedSubscription,
} from '../graphql/generated.js';
import { pay, paymentEvent, postWebhook, releaseWebhooks, wirePayment } from '../helpers/checkout.js';
import { GATEWAY_DRIVERS, notificationsDone, type GatewayDriver, type Session } from '../helpers/gateway-drivers.js';
import { collect, eventually, resultsBeforeMarker, sendMarker, startTestServer, type TestServer } from '../helpers/server.js';
import { webhooksDone as webhooksDoneOf } from '../helpers/assertions.js';

let server: TestServer;

beforeAll(async () => {
  // Reconciliation by hand (runOnce), with no waiting period, so that it can join a race.
  server = await startTestServer({ env: { RECONCILE_ENABLED: 'false', RECONCILE_AFTER_MS: '0' } });
});
afterAll(async () => {
  await server?.close();
});

/** Forward order of statuses; a FAILED attempt may be followed by a later attempt's success. */
const RANK: Record<string, number> = {
  [PaymentStatus.CREATED]: 0,
  [PaymentStatus.FAILED]: 1,
  [PaymentStatus.AUTHORIZED]: 2,
  [PaymentStatus.CAPTURED]: 3,
};

const CHARGE_STATUS: Record<string, TransactionStatus> = {
  [PaymentStatus.CREATED]: TransactionStatus.PENDING,
  [PaymentStatus.AUTHORIZED]: TransactionStatus.PENDING,
  [PaymentStatus.CAPTURED]: TransactionStatus.COMPLETED,
  [PaymentStatus.FAILED]: TransactionStatus.FAILED,
};

const em = () => server.db.orm.em.fork();

type Watcher = ReturnType<typeof collect<PaymentStatusChangedSubscription>>;

interface Order {
  paymentId: string;
  orderId: string;
  amount: number;
  token: string;
  watcher: Watcher;
  session: Session;
}

/** A new order (Razorpay unless said) and a subscriber to it, which has already received the current state (CREATED). */
async function newOrder(user: string, amount = 20_000, gateway: GatewayDriver['gateway'] = 'RAZORPAY'): Promise<Order> {
  const token = await server.token(user);
  const created = await server.gql(CreateOrderDocument, { input: { amount, gateway } }, token);
  expect(created.errors).toBeUndefined();
  const session = created.data!.createOrder;
  const watcher = await watch(session.payment.id, token);
  return { paymentId: session.payment.id, orderId: session.razorpayOrderId, amount, token, watcher, session };
}

async function watch(paymentId: string, token: string): Promise<Watcher> {
  const watcher = collect(server.ws(token), PaymentStatusChangedDocument, { paymentId });
  await eventually(() => watcher.results.length >= 1, 5000, 'the current state on subscribe');
  expect(watcher.results[0]!.data?.paymentStatusChanged).toMatchObject({ id: paymentId, status: 'CREATED', version: 1 });
  return watcher;
}

const webhooksDone = () => webhooksDoneOf(server);

async function paymentEvents(paymentId: string): Promise<PaymentEvent[]> {
  return em().find(PaymentEvent, { payment: paymentId }, { orderBy: { id: 'asc' } });
}

async function statusOf(paymentId: string): Promise<PaymentStatus> {
  return (await em().findOneOrFail(Payment, { id: paymentId })).status;
}

async function webhookRow(eventId: string): Promise<WebhookEvent | null> {
  return em().findOne(WebhookEvent, { eventId });
}

/**
 * The invariants every race must keep, checked on the database and on the live subscriber:
 * the final state; one CHARGE whose status follows it; one CREATED event and a STATUS_CHANGED
 * chain (each from the previous one's status, never backwards, one per version); and the
 * subscriber's messages after the first equal that chain, versions strictly increasing.
 */
async function expectSettled(order: Order, expected: { status: PaymentStatus; razorpayPaymentId?: string | null; anomalies?: number }) {
  const payment = await em().findOneOrFail(Payment, { id: order.paymentId });
  expect(payment.status).toBe(expected.status);
  if (expected.razorpayPaymentId !== undefined) expect(payment.razorpayPaymentId).toBe(expected.razorpayPaymentId);

  const charges = await em().find(Transaction, { payment: order.paymentId, type: TransactionType.CHARGE });
  expect(charges).toHaveLength(1);
  expect(charges[0]!.status).toBe(CHARGE_STATUS[expected.status]);
  expect(await em().count(Transaction, { payment: order.paymentId })).toBe(1);

  const events = await paymentEvents(order.paymentId);
  expect(events.filter((e) => e.type === PaymentEventType.CREATED)).toHaveLength(1);
  expect(events.filter((e) => e.type === PaymentEventType.ANOMALY)).toHaveLength(expected.anomalies ?? 0);
  const changes = events.filter((e) => e.type === PaymentEventType.STATUS_CHANGED);
  expect(changes).toHaveLength(payment.version - 1);
  let previous: PaymentStatus = PaymentStatus.CREATED;
  for (const change of changes) {
    expect(change.fromStatus).toBe(previous);
    expect(RANK[change.toStatus!]).toBeGreaterThan(RANK[previous]!);
    previous = change.toStatus!;
  }
  expect(previous).toBe(expected.status);
  if (expected.status === PaymentStatus.CAPTURED) {
    expect(changes.filter((e) => e.toStatus === PaymentStatus.CAPTURED)).toHaveLength(1);
  }

  await eventually(
    () => order.watcher.results.at(-1)?.data?.paymentStatusChanged.version === payment.version,
    5000,
    `the subscriber to reach version ${payment.version}`,
  );
  // A marker behind every message published so far: a wrong extra one would be before it.
  await sendMarker(server, order.paymentId);
  const beforeMarker = await resultsBeforeMarker(order.watcher, (data) => data.paymentStatusChanged.version);
  const seen = beforeMarker.map((r) => {
    expect(r.errors).toBeUndefined();
    return r.data!.paymentStatusChanged;
  });
  const versions = seen.map((m) => m.version);
  expect(versions).toEqual([...versions].sort((a, b) => a - b));
  expect(new Set(versions).size).toBe(versions.length);
  expect(seen.slice(1).map((m) => [m.version, m.status])).toEqual(changes.map((c, i) => [i + 2, c.toStatus]));
  expect(seen.at(-1)).toMatchObject({ status: expected.status, version: payment.version, razorpayPaymentId: payment.razorpayPaymentId });
  order.watcher.stop();
  return { payment, events, changes, seen };
}

/** A signed-ready `order.paid` envelope carrying the order and the paying attempt. */
function orderPaidEvent(order: Record<string, unknown>, payment: Record<string, unknown>): { body: string; eventId: string } {
  const body = JSON.stringify({
    entity: 'event',
    account_id: 'acc_TESTACCOUNT001',
    event: 'order.paid',
    contains: ['payment', 'order'],
    payload: { payment: { entity: payment }, order: { entity: order } },
    created_at: Math.floor(Date.now() / 1000),
  });
  return { body, eventId: newId('evt') };
}

async function verify(order: Order, checkout: { razorpay_payment_id: string; razorpay_signature: string }) {
  return server.gql(VerifyPaymentDocument, {
    input: { razorpayOrderId: order.orderId, razorpayPaymentId: checkout.razorpay_payment_id, razorpaySignature: checkout.razorpay_signature },
  }, order.token);
}

describe('1. the same webhook delivered many times at once', () => {
  it('10 concurrent deliveries of one event id: one inbox row, one transition', async () => {
    const order = await newOrder('dup-alice');
    const attempt = newId('pay');
    const { body, eventId } = paymentEvent('payment.captured', wirePayment(order.orderId, attempt, 'captured', order.amount));
    const responses = await Promise.all(Array.from({ length: 10 }, () => postWebhook(server.url, body, { eventId })));
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200));
    const answers = responses.map((r) => (JSON.parse(r.body) as { status: string }).status).sort();
    expect(answers).toEqual([...Array(9).fill('duplicate'), 'stored']);
    await webhooksDone();
    expect(await em().count(WebhookEvent, { eventId })).toBe(1);
    expect(await webhookRow(eventId)).toMatchObject({ status: WebhookEventStatus.PROCESSED, attempts: 1 });
    const { changes } = await expectSettled(order, { status: PaymentStatus.CAPTURED, razorpayPaymentId: attempt });
    expect(changes.map((c) => [c.fromStatus, c.toStatus, c.source])).toEqual([['CREATED', 'CAPTURED', `webhook:${eventId}`]]);
  });

});

describe('2. payment.captured before payment.authorized', () => {
  it('sandbox shuffleWebhooks (order.paid, captured, authorized): CAPTURED, authorized never applied after it', async () => {
    const order = await newOrder('shuffle-carol');
    const checkout = await pay(server.url, order.orderId, { shuffleWebhooks: true, awaitWebhooks: true });
    await webhooksDone();
    const records = (await server.app.sandbox!.state()).webhooks.slice(-3);
    expect(records.map((r) => r.event)).toEqual(['payment.authorized', 'payment.captured', 'order.paid']); // sealed in this order, sent reversed
    const { events } = await expectSettled(order, { status: PaymentStatus.CAPTURED, razorpayPaymentId: checkout.razorpay_payment_id });
    // The authorized event, handled concurrently with the others, either came too late and was
    // refused (TRANSITION_IGNORED), or was a no-op, or (only if it won the row lock before the
    // capture) moved CREATED → AUTHORIZED; the chain check above proves it never followed CAPTURED.
    const fromAuthorized = events.filter((e) => e.source === `webhook:${records[0]!.eventId}`);
    expect(fromAuthorized.length).toBeLessThanOrEqual(1);
    if (fromAuthorized[0]?.type === PaymentEventType.TRANSITION_IGNORED) {
      expect(fromAuthorized[0]).toMatchObject({ fromStatus: PaymentStatus.CAPTURED, toStatus: PaymentStatus.AUTHORIZED });
    } else if (fromAuthorized[0]) {
      expect(fromAuthorized[0]).toMatchObject({ type: PaymentEventType.STATUS_CHANGED, fromStatus: PaymentStatus.CREATED });
    }
  });

  it('hand-built: captured handled first, then authorized arrives: recorded TRANSITION_IGNORED, not applied', async () => {
    const order = await newOrder('late-auth-dave');
    const attempt = newId('pay');
    const captured = paymentEvent('payment.captured', wirePayment(order.orderId, attempt, 'captured', order.amount));
    const authorized = paymentEvent('payment.authorized', wirePayment(order.orderId, attempt, 'authorized', order.amount));
    expect((await postWebhook(server.url, captured.body, { eventId: captured.eventId })).status).toBe(200);
    await webhooksDone();
    expect((await postWebhook(server.url, authorized.body, { eventId: authorized.eventId })).status).toBe(200);
    await webhooksDone();
    expect(await webhookRow(authorized.eventId)).toMatchObject({ status: WebhookEventStatus.PROCESSED });
    const { events } = await expectSettled(order, { status: PaymentStatus.CAPTURED, razorpayPaymentId: attempt });
    expect(events.filter((e) => e.source === `webhook:${authorized.eventId}`).map((e) => [e.type, e.fromStatus, e.toStatus])).toEqual([
      [PaymentEventType.TRANSITION_IGNORED, PaymentStatus.CAPTURED, PaymentStatus.AUTHORIZED],
    ]);
  });

  it('hand-built: captured and authorized posted at the same moment: CAPTURED, never back', async () => {
    const order = await newOrder('both-erin');
    const attempt = newId('pay');
    const captured = paymentEvent('payment.captured', wirePayment(order.orderId, attempt, 'captured', order.amount));
    const authorized = paymentEvent('payment.authorized', wirePayment(order.orderId, attempt, 'authorized', order.amount));
    const responses = await Promise.all([
      postWebhook(server.url, captured.body, { eventId: captured.eventId }),
      postWebhook(server.url, authorized.body, { eventId: authorized.eventId }),
    ]);
    expect(responses.map((r) => r.status)).toEqual([200, 200]);
    await webhooksDone();
    await expectSettled(order, { status: PaymentStatus.CAPTURED, razorpayPaymentId: attempt });
  });
});

// Razorpay's order.paid joins this race; section 8 races confirm, notification and reconciliation for both gateways.
describe('3. verifyPayment and the captured webhooks at the same moment', () => {
  it('10 orders, each raced by verifyPayment, payment.captured and order.paid: one capture each', async () => {
    const orders = await Promise.all(Array.from({ length: 10 }, (_, i) => newOrder(`race-frank-${i}`, 10_000 + i * 100)));
    // The customer pays; Razorpay's webhooks are lost on the way, so the test sends them itself.
    const checkouts = await Promise.all(orders.map((o) => pay(server.url, o.orderId, { dropWebhooks: true })));
    const sandbox = server.app.sandbox!;
    const results = await Promise.all(orders.map(async (order, i) => {
      const checkout = checkouts[i]!;
      const attempt = await sandbox.store.payment(checkout.razorpay_payment_id);
      expect(attempt).toMatchObject({ status: 'captured', amount: order.amount, order_id: order.orderId });
      const captured = paymentEvent('payment.captured', wirePayment(order.orderId, attempt.id, 'captured', attempt.amount));
      const paid = orderPaidEvent(await sandbox.store.order(order.orderId) as unknown as Record<string, unknown>, attempt as unknown as Record<string, unknown>);
      const [verified, ...hooks] = await Promise.all([
        verify(order, checkout),
        postWebhook(server.url, captured.body, { eventId: captured.eventId }),
        postWebhook(server.url, paid.body, { eventId: paid.eventId }),
      ]);
      return { verified, hooks, attempt: attempt.id };
    }));
    for (const { verified, hooks, attempt } of results) {
      expect(verified.errors).toBeUndefined();
      // Whoever won, verifyPayment answers the settled state.
      expect(verified.data!.verifyPayment).toMatchObject({ status: 'CAPTURED', razorpayPaymentId: attempt });
      expect(verified.data!.verifyPayment.transactions).toEqual([expect.objectContaining({ type: 'CHARGE', status: 'COMPLETED' })]);
      expect(hooks.map((h) => h.status)).toEqual([200, 200]);
    }
    await webhooksDone();
    await Promise.all(orders.map(async (order, i) => {
      const { changes } = await expectSettled(order, { status: PaymentStatus.CAPTURED, razorpayPaymentId: results[i]!.attempt });
      expect(changes).toHaveLength(1);
      expect(changes[0]!.source).toMatch(/^(api:verifyPayment|webhook:evt_)/);
    }));
  });
});

describe('4. a failed attempt and a captured attempt on the same order', () => {
  async function postAndSettle(event: { body: string; eventId: string }) {
    expect((await postWebhook(server.url, event.body, { eventId: event.eventId })).status).toBe(200);
    await webhooksDone();
  }

  function attempts(order: Order) {
    const payA = newId('pay');
    const payB = newId('pay');
    return {
      payA,
      payB,
      failedA: paymentEvent('payment.failed', wirePayment(order.orderId, payA, 'failed', order.amount)),
      capturedB: paymentEvent('payment.captured', wirePayment(order.orderId, payB, 'captured', order.amount)),
      lateFailedA: paymentEvent('payment.failed', wirePayment(order.orderId, payA, 'failed', order.amount)),
    };
  }

  it('pay_A failed arrives first, then pay_B captured: FAILED → CAPTURED by pay_B; a late failure of pay_A is ignored', async () => {
    const order = await newOrder('attempts-gina');
    const { payA, payB, failedA, capturedB, lateFailedA } = attempts(order);
    await postAndSettle(failedA);
    expect(await statusOf(order.paymentId)).toBe(PaymentStatus.FAILED);
    await postAndSettle(capturedB);
    await postAndSettle(lateFailedA);
    const { changes, events, payment } = await expectSettled(order, { status: PaymentStatus.CAPTURED, razorpayPaymentId: payB });
    expect(changes.map((c) => [c.fromStatus, c.toStatus, c.gatewayPaymentId])).toEqual([
      [PaymentStatus.CREATED, PaymentStatus.FAILED, payA],
      [PaymentStatus.FAILED, PaymentStatus.CAPTURED, payB],
    ]);
    expect(payment.failureReason).toBeNull();
    expect(events.filter((e) => e.source === `webhook:${lateFailedA.eventId}`).map((e) => [e.type, e.toStatus, e.gatewayPaymentId])).toEqual([
      [PaymentEventType.TRANSITION_IGNORED, PaymentStatus.FAILED, payA],
    ]);
  });

  it('pay_B captured arrives first, then pay_A failed: CAPTURED by pay_B, the failure recorded TRANSITION_IGNORED', async () => {
    const order = await newOrder('attempts-hari');
    const { payA, payB, failedA, capturedB, lateFailedA } = attempts(order);
    await postAndSettle(capturedB);
    await postAndSettle(failedA);
    await postAndSettle(lateFailedA);
    const { changes, events } = await expectSettled(order, { status: PaymentStatus.CAPTURED, razorpayPaymentId: payB });
    expect(changes.map((c) => [c.fromStatus, c.toStatus, c.gatewayPaymentId])).toEqual([[PaymentStatus.CREATED, PaymentStatus.CAPTURED, payB]]);
    const ignored = events.filter((e) => e.type === PaymentEventType.TRANSITION_IGNORED);
    expect(ignored.map((e) => [e.source, e.fromStatus, e.toStatus, e.gatewayPaymentId])).toEqual([
      [`webhook:${failedA.eventId}`, PaymentStatus.CAPTURED, PaymentStatus.FAILED, payA],
      [`webhook:${lateFailedA.eventId}`, PaymentStatus.CAPTURED, PaymentStatus.FAILED, payA],
    ]);
  });

  it('both posted at the same moment, on 5 orders: CAPTURED by pay_B every time', async () => {
    const orders = await Promise.all(Array.from({ length: 5 }, (_, i) => newOrder(`attempts-isha-${i}`)));
    const plans = orders.map(attempts);
    const responses = await Promise.all(plans.flatMap(({ failedA, capturedB }, i) => {
      // Alternate which is sent first, for good measure.
      const pair = i % 2 === 0 ? [failedA, capturedB] : [capturedB, failedA];
      return pair.map((e) => postWebhook(server.url, e.body, { eventId: e.eventId }));
    }));
    expect(responses.every((r) => r.status === 200)).toBe(true);
    await webhooksDone();
    await Promise.all(plans.map(({ lateFailedA }) => postWebhook(server.url, lateFailedA.body, { eventId: lateFailedA.eventId })));
    await webhooksDone();
    await Promise.all(orders.map(async (order, i) => {
      const { changes, events } = await expectSettled(order, { status: PaymentStatus.CAPTURED, razorpayPaymentId: plans[i]!.payB });
      expect(changes.at(-1)).toMatchObject({ toStatus: PaymentStatus.CAPTURED, gatewayPaymentId: plans[i]!.payB });
      expect(events.filter((e) => e.source === `webhook:${plans[i]!.lateFailedA.eventId}`).map((e) => e.type)).toEqual([PaymentEventType.TRANSITION_IGNORED]);
    }));
  });

  it('through the sandbox: the failed attempt\'s webhook held until the successful one\'s is processed', async () => {
    const order = await newOrder('attempts-jai');
    const failed = await pay(server.url, order.orderId, { outcome: 'failure', holdWebhooks: true });
    const failedRecord = (await server.app.sandbox!.state()).webhooks.at(-1)!;
    expect(failedRecord.event).toBe('payment.failed');
    const success = await pay(server.url, order.orderId, { awaitWebhooks: true });
    await eventually(async () => (await statusOf(order.paymentId)) === PaymentStatus.CAPTURED, 5000, 'pay_B captured');
    // The premise: pay_A's failure is still on its way when pay_B's capture is recorded.
    expect((await server.app.sandbox!.state()).webhooks.find((w) => w.eventId === failedRecord.eventId)!.outcome).toBe('pending');
    // Only now is it let go: it arrives after pay_B's, by construction rather than by a clock.
    expect(await releaseWebhooks(server.url, { eventId: failedRecord.eventId })).toEqual([failedRecord.eventId]);
    await webhooksDone();
    expect((await server.app.sandbox!.state()).webhooks.find((w) => w.eventId === failedRecord.eventId)!.outcome).toBe('delivered');
    const { events } = await expectSettled(order, { status: PaymentStatus.CAPTURED, razorpayPaymentId: success.razorpay_payment_id });
    const aboutA = events.filter((e) => e.gatewayPaymentId === failed.error.metadata.payment_id);
    // pay_A's failure came last: refused, never applied after the capture.
    expect(aboutA.map((e) => [e.type, e.fromStatus, e.toStatus])).toEqual([[PaymentEventType.TRANSITION_IGNORED, PaymentStatus.CAPTURED, PaymentStatus.FAILED]]);
  });
});

describe('6. late authorisation of a failed attempt', () => {
  it('failed, then authorised late by the bank (auto-capture follows): FAILED → … → CAPTURED', async () => {
    const order = await newOrder('late-lena');
    const failed = await pay(server.url, order.orderId, { outcome: 'failure', awaitWebhooks: true });
    await webhooksDone();
    expect(await statusOf(order.paymentId)).toBe(PaymentStatus.FAILED);
    const attempt = failed.error.metadata.payment_id;
    const late = await server.app.sandbox!.authorizeLatePayment(attempt, { awaitWebhooks: true });
    expect(late.status).toBe('captured'); // the order wanted auto-capture and nothing else paid it
    await webhooksDone();
    const { changes, payment } = await expectSettled(order, { status: PaymentStatus.CAPTURED, razorpayPaymentId: attempt });
    expect(changes[0]).toMatchObject({ fromStatus: PaymentStatus.CREATED, toStatus: PaymentStatus.FAILED });
    expect(changes.every((c) => c.gatewayPaymentId === attempt)).toBe(true);
    expect(payment.failureReason).toBeNull();
    expect(payment.paidAt).not.toBeNull();
  });

  it('failed, then only the late payment.authorized (no capture yet): AUTHORIZED, CHARGE still pending', async () => {
    const order = await newOrder('late-manu');
    const attempt = newId('pay');
    const failed = paymentEvent('payment.failed', wirePayment(order.orderId, attempt, 'failed', order.amount));
    const authorized = paymentEvent('payment.authorized', wirePayment(order.orderId, attempt, 'authorized', order.amount));
    expect((await postWebhook(server.url, failed.body, { eventId: failed.eventId })).status).toBe(200);
    await webhooksDone();
    expect((await postWebhook(server.url, authorized.body, { eventId: authorized.eventId })).status).toBe(200);
    await webhooksDone();
    const { changes } = await expectSettled(order, { status: PaymentStatus.AUTHORIZED, razorpayPaymentId: attempt });
    expect(changes.map((c) => c.toStatus)).toEqual([PaymentStatus.FAILED, PaymentStatus.AUTHORIZED]);
  });

  it('a late authorisation after another attempt paid the order changes nothing; capturing it too is an ANOMALY, not a second payment', async () => {
    const order = await newOrder('late-nina');
    const failed = await pay(server.url, order.orderId, { outcome: 'failure', awaitWebhooks: true });
    // Processed before the next attempt pays: the jobs that process stored webhooks run in no
    // fixed order, and this test is about what comes after a FAILED attempt.
    await webhooksDone();
    const success = await pay(server.url, order.orderId, { awaitWebhooks: true });
    await webhooksDone();
    const attemptA = failed.error.metadata.payment_id;
    const late = await server.app.sandbox!.authorizeLatePayment(attemptA, { awaitWebhooks: true });
    expect(late.status).toBe('authorized'); // the order is paid: the sandbox does not auto-capture it
    await webhooksDone();
    expect(await statusOf(order.paymentId)).toBe(PaymentStatus.CAPTURED);
    // Someone captures the stray attempt by hand at the gateway: money arrived twice.
    await server.app.sandbox!.capturePayment(attemptA, { amount: order.amount, currency: 'INR' }, { awaitWebhooks: true });
    await webhooksDone();
    const { events } = await expectSettled(order, { status: PaymentStatus.CAPTURED, razorpayPaymentId: success.razorpay_payment_id, anomalies: 1 });
    const aboutA = events.filter((e) => e.gatewayPaymentId === attemptA && e.type !== PaymentEventType.STATUS_CHANGED);
    expect(aboutA.map((e) => [e.type, e.fromStatus, e.toStatus])).toEqual([
      [PaymentEventType.TRANSITION_IGNORED, PaymentStatus.CAPTURED, PaymentStatus.AUTHORIZED],
      [PaymentEventType.ANOMALY, PaymentStatus.CAPTURED, PaymentStatus.CAPTURED],
    ]);
    expect(aboutA[1]!.detail).toMatchObject({ reason: expect.stringMatching(/refund one of them/) });
  });
});

/** How many notifications each gateway sends for one successful payment (Razorpay: authorized, captured, order.paid). */
const NOTIFICATIONS_PER_PAYMENT = { RAZORPAY: 3, PHONEPE: 1 } as const;

describe.each(GATEWAY_DRIVERS)('8. $gateway: the same races for both gateways', (driver) => {
  const gateway = driver.gateway;

  it('every notification delivered 10 times, no confirmation: CAPTURED once, each event stored once', async () => {
    const order = await newOrder(`dup-bob-${gateway}`, 20_000, gateway);
    const rowsBefore = await em().count(WebhookEvent, {});
    const attempt = await driver.pay(server, order.session, { notifications: { copies: 10 }, awaitNotifications: true });
    await notificationsDone(server);
    const rows = await em().find(WebhookEvent, {}, { orderBy: { receivedAt: 'desc' }, limit: NOTIFICATIONS_PER_PAYMENT[gateway] });
    expect(await em().count(WebhookEvent, {})).toBe(rowsBefore + NOTIFICATIONS_PER_PAYMENT[gateway]);
    for (const row of rows) expect(row).toMatchObject({ status: WebhookEventStatus.PROCESSED });
    await expectSettled(order, { status: PaymentStatus.CAPTURED, razorpayPaymentId: attempt.gatewayPaymentId });
  });

  it(`5 orders, each raced by ${driver.confirmedBy}, the gateway's notification and reconciliation: one capture each`, async () => {
    const orders = await Promise.all(Array.from({ length: 5 }, (_, i) => newOrder(`race-${gateway}-${i}`, 10_000 + i * 100, gateway)));
    // The customer pays; the gateway's own notifications are lost, so the test sends one itself.
    const attempts = await Promise.all(orders.map((o) => driver.pay(server, o.session, { notifications: 'drop' })));
    const results = await Promise.all(orders.map(async (order, i) => {
      const [confirmed, status] = await Promise.all([
        driver.confirm(server, order.token, order.session, attempts[i]!),
        driver.notify(server, order.session, attempts[i]!),
        server.app.services.reconciler.runOnce(),
      ]);
      return { confirmed, status };
    }));
    for (const [i, { confirmed, status }] of results.entries()) {
      expect(confirmed.errors).toBeUndefined();
      // Whoever won, the confirmation answers the settled state.
      expect(confirmed.payment).toMatchObject({ status: 'CAPTURED', razorpayPaymentId: attempts[i]!.gatewayPaymentId });
      expect(status).toBe(200);
    }
    await notificationsDone(server);
    await Promise.all(orders.map(async (order, i) => {
      const { changes } = await expectSettled(order, { status: PaymentStatus.CAPTURED, razorpayPaymentId: attempts[i]!.gatewayPaymentId });
      expect(changes).toHaveLength(1);
      expect(changes[0]!.source).toMatch(/^(api:(verifyPayment|confirmPayment)|webhook:|reconciliation$)/);
    }));
  });

  it('the same idempotencyKey sent to createOrder 10 times at once: one gateway order, one payment, one CHARGE; then it settles like any other', async () => {
    const user = `idem-kiran-${gateway}`;
    const token = await server.token(user);
    const input = { amount: 31_400, reference: 'job-idem', gateway, idempotencyKey: `idem-key-0001-race-${gateway}` };
    const responses = await Promise.all(Array.from({ length: 10 }, () => server.gql(CreateOrderDocument, { input }, token)));
    for (const r of responses) expect(r.errors).toBeUndefined();
    expect(new Set(responses.map((r) => r.data!.createOrder.payment.id)).size).toBe(1);
    expect(new Set(responses.map((r) => r.data!.createOrder.razorpayOrderId)).size).toBe(1);
    expect(new Set(responses.map((r) => r.data!.createOrder.redirectUrl)).size).toBe(1);
    expect(await em().count(Payment, { payerId: user })).toBe(1);
    const session = responses[0]!.data!.createOrder;
    if (gateway === 'RAZORPAY') {
      expect((await server.app.sandbox!.state()).orders.filter((o) => o.receipt === session.payment.id)).toHaveLength(1);
    } else {
      // The order the session names exists at PhonePe (one merchantOrderId, one page).
      expect(await server.app.phonepeSandbox!.store.order(session.razorpayOrderId)).toMatchObject({ state: 'PENDING', amount: input.amount });
    }

    const order: Order = { paymentId: session.payment.id, orderId: session.razorpayOrderId, amount: input.amount, token, watcher: await watch(session.payment.id, token), session };
    const attempt = await driver.pay(server, session, { awaitNotifications: true });
    expect((await driver.confirm(server, token, session, attempt)).payment!.status).toBe('CAPTURED');
    await notificationsDone(server);
    await expectSettled(order, { status: PaymentStatus.CAPTURED, razorpayPaymentId: attempt.gatewayPaymentId });
  });

  it('notifications dropped and no confirmation: the payment stays CREATED, nothing is invented', async () => {
    const order = await newOrder(`dropped-omar-${gateway}`, 20_000, gateway);
    const rowsBefore = await em().count(WebhookEvent, {});
    await driver.pay(server, order.session, { notifications: 'drop', awaitNotifications: true });
    await notificationsDone(server);
    expect(await em().count(WebhookEvent, {})).toBe(rowsBefore);
    const { events, payment, seen } = await expectSettled(order, { status: PaymentStatus.CREATED, razorpayPaymentId: null });
    expect(events.map((e) => e.type)).toEqual([PaymentEventType.CREATED]);
    expect(payment.version).toBe(1);
    expect(seen).toHaveLength(1);
  });
});
