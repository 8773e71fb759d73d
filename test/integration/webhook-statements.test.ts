/**
 * What processing one payment event costs the database (issue 11): the statements the webhook
 * job runs for a `payment.authorized`, then a `payment.captured`, a `payment.captured` that
 * arrives first (out of order) and a repeat. Counted inside the job's own async context, so the
 * feeder's and other background statements on the same pool never count. pg-boss's fetch and
 * completion of the job run on its own pool and are not counted here.
 */
import 'reflect-metadata';
import { AsyncLocalStorage } from 'node:async_hooks';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Payout, PayoutStatus } from '../../src/payouts/payout.entity.js';
import { WebhookEvent, WebhookEventStatus } from '../../src/webhooks/webhook-event.entity.js';
import { CreateOrderDocument } from '../graphql/generated.js';
import { paymentEvent, postWebhook, wirePayment } from '../helpers/checkout.js';
import { eventually, startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
const context = new AsyncLocalStorage<string>();
const seen = new Map<string, string[]>();

beforeAll(async () => {
  server = await startTestServer({ env: { RECONCILE_ENABLED: 'false' } });
  const processor = server.app.services.webhookProcessor;
  const process = processor.process.bind(processor);
  // Each job's statements under its event row id.
  processor.process = (id, job) => context.run(id, () => process(id, job));
  server.db.orm.em.getConnection().getKnex().on('query', (query: { sql: string }) => {
    const id = context.getStore();
    if (id) seen.set(id, [...(seen.get(id) ?? []), query.sql]);
  });
});
afterAll(async () => {
  await server?.close();
});

async function newOrder(amount = 10_000, payeeId?: string) {
  const created = await server.gql(CreateOrderDocument, { input: { amount, ...(payeeId ? { payeeId } : {}) } }, await server.token('counted-payer'));
  expect(created.errors).toBeUndefined();
  return created.data!.createOrder.razorpayOrderId;
}

/** Delivers the event and returns the statements its job ran, each cut to its first three words. */
async function statementsOf(event: string, orderId: string, paymentId: string, status: 'authorized' | 'captured', again?: string): Promise<string[]> {
  const { body, eventId } = paymentEvent(event, wirePayment(orderId, paymentId, status, 10_000));
  const id = again ?? eventId;
  expect((await postWebhook(server.url, body, { eventId: id })).status).toBe(200);
  const row = await eventually(async () => {
    const found = await server.db.orm.em.fork().findOne(WebhookEvent, { eventId: id });
    return found && found.status !== WebhookEventStatus.PENDING ? found : null;
  });
  expect(row.status).toBe(WebhookEventStatus.PROCESSED);
  return (seen.get(row.id) ?? []).map((sql) => sql.replace(/\s+/g, ' ').split(' ').slice(0, 3).join(' '));
}

const CLAIM = 'update "webhook_event" set';
const SETTLE = 'update "webhook_event" set';

it('an authorized event: 6 statements; a captured one: 6, the ledger accounts no longer read once known; and out of order', async () => {
  // Warm-up: the first capture creates the ledger accounts (not remembered: not committed yet when
  // read), the second reads them committed and remembers them; from the third on they are not read.
  for (const n of [1, 2]) await statementsOf('payment.captured', await newOrder(), `pay_countedwarm0${n}`, 'captured');
  const orderId = await newOrder();
  const authorized = await statementsOf('payment.authorized', orderId, 'pay_counted00001', 'authorized');
  // The audit event and the payment's UPDATE: one statement.
  expect(authorized).toEqual([CLAIM, 'BEGIN;', 'select "p0".* from', 'with u0 as', 'COMMIT;', SETTLE]);
  const captured = await statementsOf('payment.captured', orderId, 'pay_counted00001', 'captured');
  const capture = [
    CLAIM, 'BEGIN;', 'select "p0".* from',
    // The payment's and its CHARGE's UPDATEs, the audit event, the journal, its entries and the outbox message: one statement.
    'with u0 as',
    'COMMIT;', SETTLE,
  ];
  expect(captured).toEqual(capture);
  // Out of order: captured first, then the late authorized is recorded as ignored.
  const outOfOrder = await newOrder();
  expect(await statementsOf('payment.captured', outOfOrder, 'pay_counted00002', 'captured')).toEqual(capture);
  expect(await statementsOf('payment.authorized', outOfOrder, 'pay_counted00002', 'authorized'))
    .toEqual([CLAIM, 'BEGIN;', 'select "p0".* from', 'insert into "payment_event"', 'COMMIT;', SETTLE]);
});

it('a captured event of a payment with a payee: its payout in the same one statement (7 with the payee account read), not a flush of its own', async () => {
  // Warm-up, as above: the payee's ledger account is created, then read and remembered.
  for (const n of [3, 4]) await statementsOf('payment.captured', await newOrder(10_000, 'counted-payee'), `pay_countedwarm0${n}`, 'captured');
  const orderId = await newOrder(10_000, 'counted-payee');
  // Before: the payout's own flush wrote the audit event, journal, entries, outbox message, payout
  // and payment one statement each, and the CHARGE after them (13 statements).
  expect(await statementsOf('payment.captured', orderId, 'pay_counted00003', 'captured')).toEqual([
    CLAIM, 'BEGIN;', 'select "p0".* from',
    // Whether the payee's account is activated (it is not: the payout waits ACCRUED).
    'select "p0".* from',
    'with u0 as',
    'COMMIT;', SETTLE,
  ]);
  const payout = await server.db.orm.em.fork().findOneOrFail(Payout, { payment: { razorpayOrderId: orderId } }, { populate: ['payment'] });
  expect(payout.status).toBe(PayoutStatus.ACCRUED);
  expect(payout.amount).toBe(payout.payment.payeeAmount);
});
