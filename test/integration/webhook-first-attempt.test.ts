/**
 * A first attempt at an event its job carries (issue 11, sixth round): nothing is read or claimed
 * before the handler's transaction, and the outcome is that transaction's last statement, so the
 * change and the outcome commit together or not at all. What must hold: a duplicate delivery is
 * never held up by the handler's transaction; an outcome written in a transaction that then rolls
 * back is undone with it (the attempt is recorded as a failure and retried); an event someone
 * else settled meanwhile rolls the attempt's change back.
 */
import 'reflect-metadata';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Payment } from '../../src/payments/payment.entity.js';
import { PaymentEvent, PaymentEventType } from '../../src/payments/payment-event.entity.js';
import { PaymentStatus } from '../../src/payments/payment.state.js';
import { newId } from '../../src/sandbox/razorpay/sandbox.ids.js';
import { WebhookEvent, WebhookEventStatus } from '../../src/webhooks/webhook-event.entity.js';
import { WEBHOOK_PROCESS_JOB } from '../../src/webhooks/webhook.processor.js';
import { CreateOrderDocument } from '../graphql/generated.js';
import { paymentEvent, postWebhook, wirePayment } from '../helpers/checkout.js';
import { eventually, startTestServer, type TestServer } from '../helpers/server.js';
import { handleEventType } from '../helpers/webhooks.js';

let server: TestServer;

beforeAll(async () => {
  // Retries at once (a base under half a second).
  server = await startTestServer({ env: { WEBHOOK_RETRY_BASE_MS: '100', RECONCILE_ENABLED: 'false' } });
});
afterAll(async () => {
  await server?.close();
});

function envelope(event: string): string {
  return JSON.stringify({ entity: 'event', account_id: 'acc_TESTACCOUNT001', event, contains: [], payload: {}, created_at: Math.floor(Date.now() / 1000) });
}

const rowFor = (eventId: string) => server.db.orm.em.fork().findOne(WebhookEvent, { eventId });

it('the job carries the event; while the handler holds its transaction the row is untouched and a duplicate delivery is answered; the outcome commits with it', async () => {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let holding = false;
  let offered = false;
  handleEventType(server.app.services, 'test.first.held', async ({ settleWith }) => {
    offered = settleWith !== undefined;
    await server.db.orm.em.fork().transactional(async (em) => {
      await em.getConnection().execute('select 1', [], 'all', em.getTransactionContext());
      settleWith?.(em, { outcome: 'processed' });
      holding = true;
      await held;
    });
    return { outcome: 'processed' };
  });
  const id = newId('evt');
  const body = envelope('test.first.held');
  expect((await postWebhook(server.url, body, { eventId: id })).status).toBe(200);
  await eventually(() => holding, 10_000, 'the handler to hold its transaction');
  expect(offered).toBe(true);
  const row = (await rowFor(id))!;
  // Nothing written to the row before the handler's transaction commits: no claim.
  expect(row).toMatchObject({ status: WebhookEventStatus.PENDING, attempts: 0 });
  // The job carries the event: processing reads nothing of the row.
  const jobs: { data: unknown }[] = await server.db.orm.em.fork().getConnection().execute(
    `select data from pgboss.job where name = ? and singleton_key = ?`, [WEBHOOK_PROCESS_JOB, row.id]);
  expect(jobs.map((job) => job.data)).toEqual([
    { id: row.id, event: { gateway: 'razorpay', eventId: id, eventType: 'test.first.held', payload: JSON.parse(body) as unknown } },
  ]);
  // A duplicate delivery's insert … on conflict is answered while the transaction is open (were
  // the row updated in it, the insert would wait for its commit, which waits for this answer).
  const duplicate = await postWebhook(server.url, body, { eventId: id });
  expect(duplicate.status).toBe(200);
  release();
  const done = await eventually(async () => {
    const r = await rowFor(id);
    return r?.status === WebhookEventStatus.PROCESSED ? r : null;
  }, 10_000, 'the event processed');
  expect(done).toMatchObject({ attempts: 1, lastError: null });
  expect(done.processedAt).not.toBeNull();
});

it('an outcome written in a transaction whose commit then fails is undone: the attempt is recorded as failed and retried', async () => {
  let calls = 0;
  handleEventType(server.app.services, 'test.first.refused', async ({ settleWith }) => {
    calls += 1;
    if (calls === 1) {
      await server.db.orm.em.fork().transactional(async (em) => {
        settleWith?.(em, { outcome: 'processed' });
        // Runs after the outcome's statement (registered after it), just before COMMIT: as a crash there.
        em.getEventManager().registerSubscriber({
          beforeTransactionCommit: () => {
            throw new Error('the commit failed after the outcome was written');
          },
        });
      });
    }
    return { outcome: 'processed' };
  });
  const id = newId('evt');
  expect((await postWebhook(server.url, envelope('test.first.refused'), { eventId: id })).status).toBe(200);
  const done = await eventually(async () => {
    const r = await rowFor(id);
    return r?.status === WebhookEventStatus.PROCESSED ? r : null;
  }, 10_000, 'the event processed by its retry');
  // The first attempt counted as a failure (its outcome rolled back with its transaction), the retry processed it.
  expect(done).toMatchObject({ attempts: 2, lastError: null });
  expect(calls).toBe(2);
});

it('a first attempt finding its event settled by someone else rolls its change back', async () => {
  const created = await server.gql(CreateOrderDocument, { input: { amount: 10_000 } }, await server.token('first-attempt-payer'));
  expect(created.errors).toBeUndefined();
  const { razorpayOrderId: orderId, payment } = created.data!.createOrder;
  const attempt = newId('pay');
  const deliver = async (type: 'authorized' | 'captured') => {
    const { body, eventId } = paymentEvent(`payment.${type}`, wirePayment(orderId, attempt, type, 10_000));
    expect((await postWebhook(server.url, body, { eventId })).status).toBe(200);
    return eventually(async () => {
      const r = await rowFor(eventId);
      return r?.status === WebhookEventStatus.PROCESSED ? r : null;
    }, 10_000, `the ${type} event processed`);
  };
  await deliver('captured');
  // A late authorisation: recorded as ignored (an audit event written in its transaction).
  const late = await deliver('authorized');
  const eventsOf = async () => (await server.db.orm.em.fork().find(PaymentEvent, { payment: payment.id }, { orderBy: { id: 'asc' } })).map((e) => e.type);
  const recorded = [PaymentEventType.CREATED, PaymentEventType.STATUS_CHANGED, PaymentEventType.TRANSITION_IGNORED];
  expect(await eventsOf()).toEqual(recorded);

  // The late event's job run again as a first attempt (a job whose lease ran out while it still
  // ran): its handler records the authorisation as ignored again, then its outcome finds the event PROCESSED.
  const processor = server.app.services.webhookProcessor;
  const carried = { gateway: late.gateway, eventId: late.eventId, eventType: late.eventType, payload: late.payload };
  expect(await processor.process(late.id, { jobId: 'a-stale-job', attempt: 1, lastAttempt: false }, carried)).toBeNull();
  // Rolled back: no second TRANSITION_IGNORED, the row as the first run left it.
  expect(await eventsOf()).toEqual(recorded);
  expect(await rowFor(late.eventId)).toMatchObject({ status: WebhookEventStatus.PROCESSED, attempts: 1 });
  expect(await server.db.orm.em.fork().findOneOrFail(Payment, { id: payment.id })).toMatchObject({ status: PaymentStatus.CAPTURED, version: 2 });
});
