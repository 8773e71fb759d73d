/**
 * A job the feeder adds carries its event (issue 11, sixteenth round): its first attempt claims
 * nothing and counts itself in the statement that writes its outcome. That statement is the only
 * guard left against a second run of an event already settled: it writes only while the event is
 * PENDING or FAILED, and when it refuses, the handler's change rolls back with it — no money moves
 * for an event some other run settled.
 */
import 'reflect-metadata';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Payment } from '../../src/payments/payment.entity.js';
import { PaymentStatus } from '../../src/payments/payment.state.js';
import { Transaction, TransactionStatus, TransactionType } from '../../src/transactions/transaction.entity.js';
import { newId } from '../../src/sandbox/razorpay/sandbox.ids.js';
import { WebhookEvent, WebhookEventStatus } from '../../src/webhooks/webhook-event.entity.js';
import type { CarriedEvent } from '../../src/webhooks/webhook.job.js';
import { CreateOrderDocument } from '../graphql/generated.js';
import { paymentEvent, postWebhook, wirePayment } from '../helpers/checkout.js';
import { eventually, startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ env: { RECONCILE_ENABLED: 'false' } });
});
afterAll(async () => {
  await server?.close();
});

const em = () => server.db.orm.em.fork();
const firstAttempt = { jobId: 'test', attempt: 1, lastAttempt: false };

async function newOrder(): Promise<{ paymentId: string; orderId: string }> {
  const created = await server.gql(CreateOrderDocument, { input: { amount: 10_000 } }, await server.token('carried-payer'));
  expect(created.errors).toBeUndefined();
  return { paymentId: created.data!.createOrder.payment.id, orderId: created.data!.createOrder.razorpayOrderId };
}

/** The event as the feeder's job carries it, read from its row. */
async function carried(id: string): Promise<CarriedEvent> {
  const [row] = await em().getConnection().execute(
    `select gateway, event_id as "eventId", event_type as "eventType", payload, received_at::text as "receivedAt" from webhook_event where id = ?`, [id]);
  return row as CarriedEvent;
}

async function charges(paymentId: string) {
  return em().find(Transaction, { payment: paymentId, type: TransactionType.CHARGE });
}

it('a delivered event is processed on its first attempt and counted once: PROCESSED, attempts 1', async () => {
  const { paymentId, orderId } = await newOrder();
  const { body, eventId } = paymentEvent('payment.captured', wirePayment(orderId, newId('pay'), 'captured', 10_000));
  expect((await postWebhook(server.url, body, { eventId })).status).toBe(200);
  const row = await eventually(async () => {
    const found = await em().findOne(WebhookEvent, { eventId });
    return found?.status === WebhookEventStatus.PROCESSED ? found : null;
  }, 10_000, 'the event PROCESSED');
  expect(row.attempts).toBe(1);
  expect((await em().findOneOrFail(Payment, paymentId)).status).toBe(PaymentStatus.CAPTURED);
});

it("a carried first attempt of an event settled meanwhile (DEAD here) changes no money and leaves the event's outcome as it was", async () => {
  const { paymentId, orderId } = await newOrder();
  const { body, eventId } = paymentEvent('payment.captured', wirePayment(orderId, newId('pay'), 'captured', 10_000));
  // Stored as settled, with no place in the feeder's table (no job of its own): as an operator's
  // or another run's outcome would have left it.
  const payload = JSON.parse(body) as Record<string, unknown>;
  const [stored] = await em().getConnection().execute(
    `insert into webhook_event (id, gateway, event_id, event_type, payload, status, attempts, last_error, received_at, next_attempt_at)
     values (gen_random_uuid(), 'razorpay', ?, 'payment.captured', ?, 'DEAD', 3, 'settled elsewhere', now(), now()) returning id`,
    [eventId, JSON.stringify(payload)],
  );
  const id = (stored as { id: string }).id;
  const before = await em().findOneOrFail(WebhookEvent, id);

  // Processed, its capture would apply (the payment is CREATED): the outcome's guard refuses, and the capture rolls back with it.
  const status = await server.app.services.webhookProcessor.process(id, firstAttempt, await carried(id));
  expect(status).toBe(WebhookEventStatus.FAILED);
  expect((await em().findOneOrFail(Payment, paymentId)).status).toBe(PaymentStatus.CREATED);
  expect((await charges(paymentId)).map((t) => t.status)).toEqual([TransactionStatus.PENDING]);
  const after = await em().findOneOrFail(WebhookEvent, id);
  expect({ status: after.status, attempts: after.attempts, lastError: after.lastError, processedAt: after.processedAt })
    .toEqual({ status: WebhookEventStatus.DEAD, attempts: 3, lastError: 'settled elsewhere', processedAt: before.processedAt });
});

it('a carried first attempt of an event already PROCESSED, with nothing left to change, writes no outcome over it', async () => {
  const { paymentId, orderId } = await newOrder();
  const { body, eventId } = paymentEvent('payment.captured', wirePayment(orderId, newId('pay'), 'captured', 10_000));
  expect((await postWebhook(server.url, body, { eventId })).status).toBe(200);
  const processed = await eventually(async () => {
    const found = await em().findOne(WebhookEvent, { eventId });
    return found?.status === WebhookEventStatus.PROCESSED ? found : null;
  }, 10_000, 'the event PROCESSED');

  // Run again as a first attempt on what a job carried: the payment is already CAPTURED (nothing to apply).
  await server.app.services.webhookProcessor.process(processed.id, firstAttempt, await carried(processed.id));
  const after = await em().findOneOrFail(WebhookEvent, processed.id);
  expect({ status: after.status, attempts: after.attempts, processedAt: after.processedAt })
    .toEqual({ status: WebhookEventStatus.PROCESSED, attempts: 1, processedAt: processed.processedAt });
  expect((await charges(paymentId)).map((t) => t.status)).toEqual([TransactionStatus.COMPLETED]);
});
