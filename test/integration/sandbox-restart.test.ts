/**
 * The sandbox keeps its state in PostgreSQL: the service is closed and started again on the
 * same database, and what was paid, refunded or still to be delivered before the restart is
 * known after it, as with a real Razorpay that does not forget when we restart.
 */
import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Payment } from '../../src/payments/payment.entity.js';
import { PaymentStatus } from '../../src/payments/payment.state.js';
import { Refund } from '../../src/refunds/refund.entity.js';
import { RefundDocument } from '../graphql/generated.js';
import { pay, releaseWebhooks } from '../helpers/checkout.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { createOrder, payAndVerify } from '../helpers/flows.js';
import { eventually, startTestServer, type TestServer } from '../helpers/server.js';

// Reconciliation runs only when a test asks, so what settles a payment is known.
const ENV = { RECONCILE_ENABLED: 'false', RECONCILE_AFTER_MS: '0' };

let db: TestDatabase;
let server: TestServer;

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startTestServer({ db, env: ENV });
});
afterAll(async () => {
  await server?.close();
  await db?.drop();
});

/** Closes the running service (its sandbox included) and starts a new one on the same database. */
async function restart(): Promise<void> {
  await server.close();
  server = await startTestServer({ db, env: ENV });
}

const statusOf = async (id: string) => (await db.orm.em.fork().findOneOrFail(Payment, { id })).status;
const webhookOutcomes = async (): Promise<Record<string, string>> => {
  const rows = await db.orm.em.fork().getConnection().execute<{ event_id: string; outcome: string }[]>(
    'select event_id, outcome from sandbox_razorpay.webhooks',
  );
  return Object.fromEntries(rows.map((row) => [row.event_id, row.outcome]));
};

describe('the sandbox across a restart of the service', () => {
  it('an order paid before the restart (its webhooks lost) is found and reconciled after it', async () => {
    const token = await server.token('restart-ann');
    const order = await createOrder(server, token, 42_000);
    const checkout = await pay(server.url, order.razorpayOrderId, { dropWebhooks: true });
    expect(await statusOf(order.payment.id)).toBe(PaymentStatus.CREATED);

    await restart();
    // The new sandbox answers for the order and payment the old one made.
    expect(await server.app.sandbox!.store.order(order.razorpayOrderId)).toMatchObject({ status: 'paid', amount_paid: 42_000 });
    expect(await server.app.sandbox!.store.payment(checkout.razorpay_payment_id)).toMatchObject({ status: 'captured' });
    const report = await server.app.services.reconciler.runOnce();
    expect(report.claimed).toContain(order.payment.id);
    expect(await statusOf(order.payment.id)).toBe(PaymentStatus.CAPTURED);
  });

  it('a refund pending at the gateway before the restart is processed after it', async () => {
    const admin = await server.token('restart-ops', 'admin');
    const token = await server.token('restart-bea');
    const order = await createOrder(server, token, 15_000);
    const { payment } = await payAndVerify(server, token, order.razorpayOrderId, { dropWebhooks: true });
    server.app.sandbox!.setFaults({ refundOutcome: 'pending' });
    const pending = await server.gql(RefundDocument, { input: { paymentId: payment.id, amount: 5_000 } }, admin);
    expect(pending.data!.refund).toMatchObject({ status: 'PENDING' });
    const gatewayId = pending.data!.refund.razorpayRefundId!;

    await restart();
    // Settled at the gateway after the restart: the new sandbox knows the refund and its payment.
    const settled = await fetch(`${server.url}/sandbox/razorpay/control/refunds/${gatewayId}/settle`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'processed' }),
    });
    expect(settled.status).toBe(200);
    await server.app.sandbox!.whenWebhooksSettled();
    await eventually(async () => (await db.orm.em.fork().findOneOrFail(Refund, { id: pending.data!.refund.id })).status === 'PROCESSED', 10_000, 'refund PROCESSED');
    expect(await server.app.sandbox!.store.payment(payment.razorpayPaymentId!)).toMatchObject({ amount_refunded: 5_000, refund_status: 'partial' });
  });

  it('webhooks still to be delivered when the service stopped are delivered after the restart', async () => {
    const token = await server.token('restart-cid');
    const order = await createOrder(server, token, 9_900);
    const before = await webhookOutcomes();
    await pay(server.url, order.razorpayOrderId, { holdWebhooks: true });
    const queued = Object.keys(await webhookOutcomes()).filter((id) => !(id in before));
    expect(queued).toHaveLength(3); // payment.authorized, payment.captured, order.paid

    await server.close();
    // The premise: they were still pending when the old instance stopped.
    const stopped = await webhookOutcomes();
    expect(queued.map((id) => stopped[id])).toEqual(['pending', 'pending', 'pending']);
    server = await startTestServer({ db, env: ENV });
    // Still held by the new instance until released: the hold outlives the restart.
    await server.app.sandbox!.whenWebhooksSettled();
    const held = await webhookOutcomes();
    expect(queued.map((id) => held[id])).toEqual(['pending', 'pending', 'pending']);
    expect(await statusOf(order.payment.id)).toBe(PaymentStatus.CREATED);
    expect((await releaseWebhooks(server.url, { all: true })).sort()).toEqual([...queued].sort());

    await eventually(async () => (await statusOf(order.payment.id)) === PaymentStatus.CAPTURED, 15_000, 'CAPTURED by the delivered webhooks');
    await server.app.sandbox!.whenWebhooksSettled();
    const after = await webhookOutcomes();
    expect(queued.map((id) => after[id])).toEqual(['delivered', 'delivered', 'delivered']);
    const inbox = await db.orm.em.fork().getConnection().execute<{ event_id: string }[]>(
      `select event_id from webhook_event where event_id in (${queued.map(() => '?').join(', ')})`,
      queued,
    );
    expect(inbox.map((row) => row.event_id).sort()).toEqual([...queued].sort());
  });
});
