import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerCheck } from '../../src/cli/ledger.commands.js';
import { createLogger } from '../../src/logger.js';
import { Payment } from '../../src/payments/payment.entity.js';
import { Reconciler } from '../../src/reconciliation/reconciler.js';
import { PaymentEvent, PaymentEventType } from '../../src/payments/payment-event.entity.js';
import { PaymentStatus } from '../../src/payments/payment.state.js';
import { Transaction, TransactionType } from '../../src/transactions/transaction.entity.js';
import { AddWalletBalanceDocument, WalletDocument } from '../graphql/generated.js';
import { Booking } from '../../src/bookings/booking.entity.js';
import { OutboxMessage } from '../../src/outbox/outbox.entities.js';
import { addProduct, checkOut, fillCart } from '../helpers/cart.js';
import { pay } from '../helpers/checkout.js';
import { createOrder } from '../helpers/flows.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;

// Reconciliation is driven by hand here (runOnce), with no waiting period, so each test sees exactly its passes.
beforeAll(async () => {
  server = await startTestServer({ env: { RECONCILE_ENABLED: 'false', RECONCILE_AFTER_MS: '0', RECONCILE_INTERVAL_MS: '1000', RECONCILE_BATCH: '100' } });
});
afterAll(async () => {
  await server?.close();
});

const statusOf = async (id: string) => (await server.db.orm.em.fork().findOneOrFail(Payment, { id })).status;
const changesOf = (id: string) => server.db.orm.em.fork().count(PaymentEvent, { payment: id, type: PaymentEventType.STATUS_CHANGED, toStatus: PaymentStatus.CAPTURED });
/** Makes every claimed payment due again, as if its backoff had passed. */
const makeDue = () => server.db.orm.em.fork().getConnection().execute(`update payment set next_reconcile_at = null`);

describe('reconciliation (the janitor)', () => {
  it('a capture whose webhooks were dropped and never verified ends CAPTURED, its wallet credit once', async () => {
    const token = await server.token('rc-alice');
    const order = await createOrder(server, token, 30_000);
    await pay(server.url, order.razorpayOrderId, { dropWebhooks: true });
    const topUp = (await server.gql(AddWalletBalanceDocument, { input: { amount: 25_000 } }, token)).data!.addWalletBalance;
    await pay(server.url, topUp.razorpayOrderId, { dropWebhooks: true });
    expect(await statusOf(order.payment.id)).toBe(PaymentStatus.CREATED);

    const report = await server.app.services.reconciler.runOnce();
    expect(report.claimed).toEqual(expect.arrayContaining([order.payment.id, topUp.payment.id]));
    expect(await statusOf(order.payment.id)).toBe(PaymentStatus.CAPTURED);
    expect(await statusOf(topUp.payment.id)).toBe(PaymentStatus.CAPTURED);
    expect((await server.gql(WalletDocument, {}, token)).data!.wallet.balance).toBe(25_000);

    // Later passes (and late webhooks) change nothing: the credit stays single.
    await makeDue();
    await server.app.services.reconciler.runOnce();
    expect(await server.db.orm.em.fork().count(Transaction, { userId: 'rc-alice', type: TransactionType.WALLET_CREDIT })).toBe(1);
    expect(await changesOf(order.payment.id)).toBe(1);
    expect((await ledgerCheck(server.db.orm, () => undefined)).exitCode).toBe(0);
  });

  it('captures an authorised payment left uncaptured', async () => {
    const token = await server.token('rc-bob');
    const order = await createOrder(server, token, 12_000);
    await pay(server.url, order.razorpayOrderId, { authorizeOnly: true, dropWebhooks: true });
    const report = await server.app.services.reconciler.runOnce();
    expect(report.captured).toBeGreaterThanOrEqual(1);
    expect(await statusOf(order.payment.id)).toBe(PaymentStatus.CAPTURED);
    const gatewayPayment = (await server.app.sandbox!.state()).payments.find((p) => p.order_id === order.razorpayOrderId)!;
    expect(gatewayPayment.status).toBe('captured');
  });

  it('leaves an unpaid order CREATED, and backs off before asking again', async () => {
    const token = await server.token('rc-carol');
    const order = await createOrder(server, token, 5_000);
    const first = await server.app.services.reconciler.runOnce();
    expect(first.claimed).toContain(order.payment.id);
    const again = await server.app.services.reconciler.runOnce();
    expect(again.claimed).not.toContain(order.payment.id);
    const row = await server.db.orm.em.fork().findOneOrFail(Payment, { id: order.payment.id });
    expect(row).toMatchObject({ status: PaymentStatus.CREATED, reconcileAttempts: 1 });
    expect(row.nextReconcileAt!.getTime()).toBeGreaterThan(Date.now());
  });

  it('two workers at once never do the same payment twice', async () => {
    const token = await server.token('rc-dave');
    const orders = await Promise.all(Array.from({ length: 12 }, () => createOrder(server, token, 2_000)));
    await Promise.all(orders.map((o) => pay(server.url, o.razorpayOrderId, { dropWebhooks: true })));
    await makeDue();
    // Two instances' workers with small batches, racing pass after pass.
    const worker = () => new Reconciler(server.db.orm, server.app.gateways, server.app.services.settlement, server.app.services.refunds,
      { ...server.config.reconcile, batch: 4 }, createLogger('silent'));
    const [one, two] = [worker(), worker()];
    const claimed: string[][] = [];
    for (let pass = 0; pass < 4; pass += 1) {
      const [a, b] = await Promise.all([one.runOnce(), two.runOnce()]);
      expect(a.claimed.filter((id) => b.claimed.includes(id))).toEqual([]);
      claimed.push(a.claimed, b.claimed);
    }
    const ids = orders.map((o) => o.payment.id);
    // The unpaid order the test before left is rightly asked again once its 1-2 s backoff has
    // passed, which a loaded machine reaches within these passes: only these orders count.
    const all = claimed.flat().filter((id) => ids.includes(id));
    expect(new Set(all).size).toBe(all.length); // nobody examined twice (each is backed off once claimed)
    expect(all).toEqual(expect.arrayContaining(ids));
    for (const id of ids) {
      expect(await statusOf(id)).toBe(PaymentStatus.CAPTURED);
      expect(await changesOf(id)).toBe(1);
    }
  });

  it('a cart paid at Razorpay whose webhooks never came is booked by reconciliation, once', async () => {
    const admin = await server.token('rc-ops', 'admin');
    const token = await server.token('rc-erin');
    const product = await addProduct(server, admin, 4_500);
    const cart = await fillCart(server, token, [{ productId: product.id, quantity: 2 }]);
    const result = await checkOut(server, token, cart.id);
    await pay(server.url, result.checkout!.razorpayOrderId, { dropWebhooks: true });
    await server.app.services.reconciler.runOnce();
    await makeDue();
    await server.app.services.reconciler.runOnce();
    const em = server.db.orm.em.fork();
    expect(await statusOf(result.payment.id)).toBe(PaymentStatus.CAPTURED);
    const bookings = await em.find(Booking, { payment: result.payment.id });
    expect(bookings).toHaveLength(1);
    expect(bookings[0]!.totalAmount).toBe(9_000);
    expect(await em.count(OutboxMessage, { type: 'booking.created', subjectId: bookings[0]!.id })).toBe(1);
    expect((await ledgerCheck(server.db.orm, () => undefined)).exitCode).toBe(0);
  });
});
