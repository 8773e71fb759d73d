/**
 * Webhook processing in a worker thread (WEBHOOK_PROCESSING_THREAD=true), end to end: signed
 * deliveries acknowledged by the main thread are processed by the thread (never by the main
 * thread's processor), each payment ends with its one CHARGE completed, a subscriber on the main
 * thread's graphql-ws is told of the change, the outcome reaches the main thread's /metrics, an
 * operator's replay is run by the thread, a crashed thread is restarted, and shutdown lets the
 * thread finish what it claimed. The thread runs the build (a worker thread runs JavaScript).
 */
import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Payment } from '../../src/payments/payment.entity.js';
import { threadNice } from '../../src/processing-thread/thread-priority.js';
import { PaymentStatus } from '../../src/payments/payment.state.js';
import { newId } from '../../src/sandbox/razorpay/sandbox.ids.js';
import { Transaction, TransactionStatus, TransactionType } from '../../src/transactions/transaction.entity.js';
import { WebhookEvent, WebhookEventStatus } from '../../src/webhooks/webhook-event.entity.js';
import { PaymentStatusChangedDocument, ReplayWebhookEventDocument } from '../graphql/generated.js';
import { paymentEvent, postWebhook, wirePayment } from '../helpers/checkout.js';
import { buildService } from '../helpers/child-service.js';
import { createOrder } from '../helpers/flows.js';
import { collect, eventually, startTestServer, type TestServer } from '../helpers/server.js';

const THREAD_ENV = { WEBHOOK_PROCESSING_THREAD: 'true', WEBHOOK_RETRY_BASE_MS: '100', WORKER_LEASE_SECONDS: '3', RAZORPAY_TIMEOUT_MS: '2000', PHONEPE_TIMEOUT_MS: '2000', OUTBOX_TIMEOUT_MS: '2000', RECONCILE_ENABLED: 'false' };

let server: TestServer;
/** Calls of the main thread's own processor: none may happen in thread mode. */
let mainThreadProcessed = 0;

beforeAll(async () => {
  buildService();
  server = await startTestServer({ env: THREAD_ENV });
  const processor = server.app.services.webhookProcessor;
  const process = processor.process.bind(processor);
  processor.process = (...args) => {
    mainThreadProcessed += 1;
    return process(...args);
  };
}, 300_000);
afterAll(async () => {
  await server?.close();
});

async function newPayment(s: TestServer, user: string, amount = 25_000) {
  const order = await createOrder(s, await s.token(user), amount);
  return { paymentId: order.payment.id, orderId: order.razorpayOrderId, amount };
}

/** Delivers a signed capture of the order (authorized after it: out of order) and a duplicate of the capture. */
async function deliverCapture(s: TestServer, orderId: string, amount: number): Promise<string> {
  const attempt = newId('pay');
  const captured = paymentEvent('payment.captured', wirePayment(orderId, attempt, 'captured', amount));
  const authorized = paymentEvent('payment.authorized', wirePayment(orderId, attempt, 'authorized', amount));
  for (const delivery of [captured, authorized, captured]) {
    expect((await postWebhook(s.url, delivery.body, { eventId: delivery.eventId })).status).toBe(200);
  }
  return captured.eventId;
}

async function settledPayment(s: TestServer, paymentId: string) {
  const em = s.db.orm.em.fork();
  const payment = await em.findOneOrFail(Payment, { id: paymentId });
  const charges = await em.find(Transaction, { payment: paymentId, type: TransactionType.CHARGE });
  return { status: payment.status, charges: charges.map((charge) => charge.status) };
}

const unsettled = (s: TestServer) => s.db.orm.em.fork().count(WebhookEvent, { status: { $in: [WebhookEventStatus.PENDING, WebhookEventStatus.FAILED] } });

describe('webhook processing in a worker thread', () => {
  it('signed deliveries are processed in the thread: one CHARGE, the live message, the metrics', async () => {
    expect(server.app.processingThread).not.toBeNull();
    const { paymentId, orderId, amount } = await newPayment(server, 'thread-payer');
    const feed = collect(server.ws(await server.token('thread-payer')), PaymentStatusChangedDocument, { paymentId });
    await feed.ready;

    const eventId = await deliverCapture(server, orderId, amount);

    await eventually(async () => (await unsettled(server)) === 0 && (await server.db.orm.em.fork().count(WebhookEvent, {})) === 2, 15_000, 'both events processed');
    expect(await settledPayment(server, paymentId)).toEqual({ status: PaymentStatus.CAPTURED, charges: [TransactionStatus.COMPLETED] });
    const row = await server.db.orm.em.fork().findOneOrFail(WebhookEvent, { eventId });
    expect(row).toMatchObject({ status: WebhookEventStatus.PROCESSED, attempts: 1 });
    // The subscriber on the main thread's socket was told, by the thread's publish.
    await eventually(() => feed.results.some((result) => result.data?.paymentStatusChanged.status === PaymentStatus.CAPTURED), 10_000, 'the CAPTURED message');
    expect(feed.results.map((result) => result.errors)).toEqual(feed.results.map(() => undefined));
    // The thread's outcomes reach the main thread's registry.
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/^webhook_processing_lag_seconds_count\{outcome="PROCESSED"\} [1-9]/m);
    expect(metrics).toMatch(/^payment_publish_delay_seconds_count [1-9]/m);
    expect(mainThreadProcessed).toBe(0);
  });

  it('the thread runs at a lower OS priority than the acknowledging thread (WEBHOOK_PROCESSING_THREAD_NICE, default 10)', async () => {
    const priority = server.app.processingThread!.priority;
    if (process.platform !== 'linux') {
      expect(priority).toMatchObject({ threadId: null });
      return;
    }
    expect(priority).toMatchObject({ nice: 10 });
    const threadId = (priority as { threadId: number }).threadId;
    // The kernel's own view: the processing thread at 10, the main (acknowledging) thread at the process's.
    expect(threadNice(threadId)).toBe(10);
    expect(threadId).not.toBe(process.pid);
    expect(threadNice(process.pid)).toBe(0);
  });

  it('an operator replay is run by the thread and changes nothing twice', async () => {
    const { paymentId, orderId, amount } = await newPayment(server, 'thread-replay');
    const eventId = await deliverCapture(server, orderId, amount);
    await eventually(async () => (await server.db.orm.em.fork().findOne(WebhookEvent, { eventId }))?.status === WebhookEventStatus.PROCESSED, 15_000, 'the capture processed');

    const replayed = await server.gql(ReplayWebhookEventDocument, { eventId }, await server.token('ops', 'admin'));
    expect(replayed.errors).toBeUndefined();
    expect(replayed.data!.replayWebhookEvent).toMatchObject({ eventId, status: WebhookEventStatus.PROCESSED, attempts: 1 });
    expect(await settledPayment(server, paymentId)).toEqual({ status: PaymentStatus.CAPTURED, charges: [TransactionStatus.COMPLETED] });
    expect(mainThreadProcessed).toBe(0);
  });

  it('a thread that dies is restarted and processes what came meanwhile', async () => {
    const thread = server.app.processingThread!;
    const before = thread.restarts;
    await thread.worker!.terminate();
    const { paymentId, orderId, amount } = await newPayment(server, 'thread-crash');
    await deliverCapture(server, orderId, amount);
    await eventually(async () => (await settledPayment(server, paymentId)).status === PaymentStatus.CAPTURED, 20_000, 'the capture processed by the restarted thread');
    expect(thread.restarts).toBe(before + 1);
    expect(await settledPayment(server, paymentId)).toEqual({ status: PaymentStatus.CAPTURED, charges: [TransactionStatus.COMPLETED] });
    expect(mainThreadProcessed).toBe(0);
  });
});

describe('shutdown with the thread processing', () => {
  it('the events the thread claimed are settled before the app closes', async () => {
    const s = await startTestServer({ env: THREAD_ENV });
    let closed = false;
    try {
      const payments = await Promise.all(Array.from({ length: 30 }, (_, i) => newPayment(s, `thread-stop-${i}`)));
      await Promise.all(payments.map(({ orderId, amount }) => deliverCapture(s, orderId, amount)));
      // Closed while the thread is under way: some events processed, others not yet.
      await eventually(async () => (await s.db.orm.em.fork().count(WebhookEvent, { status: WebhookEventStatus.PROCESSED })) > 0, 15_000, 'processing under way');
      await s.app.close();
      closed = true;
      // Nothing claimed is left half done: an event is settled, or was never started (its job waits).
      const claimedNotSettled = await s.db.orm.em.fork().count(WebhookEvent, { status: WebhookEventStatus.PENDING, attempts: { $gt: 0 } });
      expect(claimedNotSettled).toBe(0);
      expect(await s.db.orm.em.fork().count(WebhookEvent, { status: { $in: [WebhookEventStatus.FAILED, WebhookEventStatus.DEAD] } })).toBe(0);
    } finally {
      if (!closed) await s.app.close();
      await s.db.drop();
    }
  });
});
