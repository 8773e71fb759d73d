/**
 * Refunds under real concurrency over HTTP: many refunds of one payment at once, one
 * idempotency key sent many times at once, a webhook that overtakes the API's own answer, an
 * answer that never comes, and top-up refunds racing the wallet's spending. Whatever the
 * interleaving, no more is refunded than was captured, each refund is settled once, the
 * gateway refunds once per refund row, and the books balance.
 *
 * The first two run for both gateways from one table (test/helpers/gateway-drivers.ts); the
 * rest are Razorpay's only: they drive its sandbox's refund timeouts, its refund.processed
 * webhook overtaking the answer and its top-up flow, which the PhonePe adapter's own tests
 * (phonepe-gateway.test.ts) and two-gateways.test.ts cover in PhonePe's terms.
 */
import 'reflect-metadata';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Journal, JournalKind } from '../../src/ledger/ledger.entities.js';
import { Payment } from '../../src/payments/payment.entity.js';
import { gatewayIdempotencyKey, Refund, RefundStatus } from '../../src/refunds/refund.entity.js';
import { readRefundInput } from '../../src/sandbox/razorpay/sandbox.requests.js';
import { Transaction, TransactionType } from '../../src/transactions/transaction.entity.js';
import { WebhookEvent, WebhookEventStatus } from '../../src/webhooks/webhook-event.entity.js';
import { PayWithWalletDocument, RefundDocument, WalletDocument, type RefundInput } from '../graphql/generated.js';
import { postWebhook } from '../helpers/checkout.js';
import { createOrder, payAndVerify, topUp } from '../helpers/flows.js';
import { GATEWAY_DRIVERS, notificationsDone, type GatewayDriver } from '../helpers/gateway-drivers.js';
import { eventually, startTestServer, type TestServer } from '../helpers/server.js';
import { expectBooksBalanced as expectBooksBalancedOf, webhooksDone as webhooksDoneOf } from '../helpers/assertions.js';

let server: TestServer;
let admin: string;

beforeAll(async () => {
  // A short gateway timeout, so that a refund whose answer never comes is quick to test.
  // Reconciliation by hand (runOnce, no waiting period): what settles a refund whose callback the sandbox gave up on.
  server = await startTestServer({ env: { RAZORPAY_TIMEOUT_MS: '1500', WALLET_MIN_TOPUP: '1000', RECONCILE_ENABLED: 'false', RECONCILE_AFTER_MS: '0' } });
  admin = await server.token('ops-races', 'admin');
});
afterEach(() => {
  server.app.sandbox!.resetFaults();
  server.app.phonepeSandbox!.resetFaults();
});
afterAll(async () => {
  await server?.close();
});

const em = () => server.db.orm.em.fork();
const refund = (input: RefundInput, token = admin) => server.gql(RefundDocument, { input }, token);
const sandboxRefunds = async (razorpayPaymentId: string) => (await server.app.sandbox!.state()).refunds.filter((r) => r.payment_id === razorpayPaymentId);

async function capturedPayment(user: string, amount: number) {
  const token = await server.token(user);
  const order = await createOrder(server, token, amount, { payeeId: `payee-${user}` });
  const { payment } = await payAndVerify(server, token, order.razorpayOrderId, { dropWebhooks: true });
  return { token, payment };
}

const webhooksDone = () => webhooksDoneOf(server);

/** A payment captured through `driver`'s gateway (its notifications dropped: the confirmation alone). */
async function capturedThrough(driver: GatewayDriver, user: string, amount: number) {
  const token = await server.token(user);
  const session = await createOrder(server, token, amount, { payeeId: `payee-${user}`, gateway: driver.gateway });
  const attempt = await driver.pay(server, session, { notifications: 'drop' });
  const confirmed = await driver.confirm(server, token, session, attempt);
  expect(confirmed.payment).toMatchObject({ status: 'CAPTURED' });
  return { token, payment: confirmed.payment! };
}

/** What the gateway itself has refunded on the payment (its sandbox's books). */
async function gatewayRefunded(driver: GatewayDriver, payment: { razorpayOrderId: string | null; razorpayPaymentId: string | null }): Promise<{ count: number; total: number }> {
  if (driver.gateway === 'RAZORPAY') {
    const rows = await sandboxRefunds(payment.razorpayPaymentId!);
    return { count: rows.length, total: rows.reduce((sum, r) => sum + r.amount, 0) };
  }
  const [row] = await em().getConnection().execute<{ count: number; total: number }[]>(
    `select count(*)::int as count, coalesce(sum(amount), 0)::int as total from sandbox_phonepe.refunds where original_merchant_order_id = ? and state <> 'FAILED'`,
    [payment.razorpayOrderId],
  );
  return row!;
}

/**
 * Waits until no refund of the payment is PENDING (PhonePe answers PENDING and settles by
 * callback). The sandbox gives a callback up after 3 tries of 5 s; on a loaded machine the
 * service can be slower than that, and then reconciliation settles the refund, as in production.
 */
async function refundsSettled(paymentId: string): Promise<void> {
  await notificationsDone(server);
  await eventually(async () => {
    if ((await em().count(Refund, { payment: paymentId, status: RefundStatus.PENDING })) === 0) return true;
    await server.app.services.reconciler.runOnce();
    return false;
  }, 30_000, 'every refund settled');
}

/** A refund the service accepted: Razorpay's answer is final, PhonePe's PENDING until its callback. */
const accepted = (status: string | undefined) => status === 'PROCESSED' || status === 'PENDING';

const expectBooksBalanced = () => expectBooksBalancedOf(server);

/** Every refund of the payment settled once: a REFUND journal and a completed REFUND transaction per PROCESSED refund. */
async function expectSettledOnce(paymentId: string): Promise<Refund[]> {
  const refunds = await em().find(Refund, { payment: paymentId }, { populate: ['transaction'] });
  for (const row of refunds) {
    expect(await em().count(Journal, { refund: row.id, kind: JournalKind.REFUND })).toBe(row.status === RefundStatus.PROCESSED ? 1 : 0);
    expect(row.transaction.status).toBe({ PROCESSED: 'COMPLETED', FAILED: 'FAILED', PENDING: 'PENDING' }[row.status]);
  }
  const payment = await em().findOneOrFail(Payment, { id: paymentId });
  const processed = refunds.filter((r) => r.status === RefundStatus.PROCESSED).reduce((sum, r) => sum + r.amount, 0);
  expect(payment.amountRefunded).toBe(processed);
  return refunds;
}

// 20 refunds, each through the gateway and (PhonePe) its callback: slow on a loaded machine.
describe.each(GATEWAY_DRIVERS)('$gateway: refund races for both gateways', { timeout: 90_000 }, (driver) => {
  it('20 concurrent partial refunds adding up to more than was captured: never more than captured, the rest refused clearly', async () => {
    const { payment } = await capturedThrough(driver, `race-many-${driver.gateway}`, 10_000);
    const results = await Promise.all(Array.from({ length: 20 }, () => refund({ paymentId: payment.id, amount: 700 })));
    const processed = results.filter((r) => accepted(r.data?.refund.status));
    const refused = results.filter((r) => r.errors);
    expect(processed).toHaveLength(14);
    expect(refused).toHaveLength(6);
    for (const response of refused) {
      expect(response.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.amount' });
      expect(response.errors![0]!.message).toMatch(/is ₹7\.00 \(700\), but only ₹2\.00 \(200\) remains refundable/);
    }
    await refundsSettled(payment.id);
    const rows = await expectSettledOnce(payment.id);
    expect(rows).toHaveLength(14);
    expect(await em().findOneOrFail(Payment, { id: payment.id })).toMatchObject({ status: 'PARTIALLY_REFUNDED', amountRefunded: 9_800 });
    expect(await gatewayRefunded(driver, payment)).toEqual({ count: 14, total: 9_800 });

    // Uneven amounts: whatever the interleaving, the sum of what succeeded never exceeds the rest.
    const amounts = Array.from({ length: 20 }, (_, i) => 7 + ((i * 37) % 50));
    const uneven = await Promise.all(amounts.map((amount) => refund({ paymentId: payment.id, amount })));
    const refunded = uneven.filter((r) => accepted(r.data?.refund.status)).reduce((sum, r) => sum + r.data!.refund.amount, 0);
    expect(refunded).toBeLessThanOrEqual(200);
    expect(uneven.filter((r) => r.errors).every((r) => r.errors![0]!.extensions?.field === 'input.amount' || r.errors![0]!.extensions?.code === 'CONFLICT')).toBe(true);
    await refundsSettled(payment.id);
    await expectSettledOnce(payment.id);
    expect((await em().findOneOrFail(Payment, { id: payment.id })).amountRefunded).toBe(9_800 + refunded);
    expect((await gatewayRefunded(driver, payment)).total).toBe(9_800 + refunded);
    await expectBooksBalanced();
  });

  it('the same idempotencyKey 5 times at once: one refund, one gateway refund, five identical answers', async () => {
    const { payment } = await capturedThrough(driver, `race-key-${driver.gateway}`, 6_000);
    const input = { paymentId: payment.id, amount: 2_500, idempotencyKey: `race-key-refund-${driver.gateway}` };
    const results = await Promise.all(Array.from({ length: 5 }, () => refund(input)));
    expect(results.map((r) => r.errors)).toEqual([undefined, undefined, undefined, undefined, undefined]);
    const ids = new Set(results.map((r) => r.data!.refund.id));
    expect(ids.size).toBe(1);
    expect(results.every((r) => accepted(r.data!.refund.status) && r.data!.refund.razorpayRefundId !== null)).toBe(true);
    expect(await em().count(Refund, { payment: payment.id })).toBe(1);
    expect((await gatewayRefunded(driver, payment)).count).toBe(1);
    await refundsSettled(payment.id);
    expect(await em().findOneOrFail(Payment, { id: payment.id })).toMatchObject({ amountRefunded: 2_500, version: payment.version + 1 });
    await expectSettledOnce(payment.id);
    await expectBooksBalanced();
  });
});

describe('refund races (Razorpay only: its sandbox\'s timeouts, webhook order and top-ups)', () => {
  it('refund.processed arriving before the API call returned (and before its gateway id was stored) settles the refund once', async () => {
    const { payment } = await capturedPayment('race-webhook-first', 5_000);
    server.app.sandbox!.setFaults({ latencyMs: 1_200 });
    let answered = false;
    const call = refund({ paymentId: payment.id, amount: 3_000 }).finally(() => {
      answered = true;
    });
    // The row is committed PENDING before the gateway is called; the call now waits in the gateway.
    const row = await eventually(() => em().findOne(Refund, { payment: payment.id }), 5_000, 'the PENDING refund row');
    expect(row).toMatchObject({ status: 'PENDING', razorpayRefundId: null });
    // Razorpay makes the refund (same key, same body as the API's request) and its webhooks overtake the answer.
    const body = { amount: 3_000, speed: 'normal', notes: { refund_id: row.id }, receipt: row.id };
    const made = await server.app.sandbox!.refundPayment(payment.razorpayPaymentId!, readRefundInput(body), gatewayIdempotencyKey(row), { awaitWebhooks: true });
    await eventually(async () => (await em().findOneOrFail(Refund, { id: row.id })).status === RefundStatus.PROCESSED, 5_000, 'settled by the webhook');
    expect((await em().findOneOrFail(Refund, { id: row.id })).razorpayRefundId).toBe(made.id);
    expect(answered).toBe(false);

    const response = await call;
    expect(response.errors).toBeUndefined();
    expect(response.data!.refund).toMatchObject({ id: row.id, status: 'PROCESSED', razorpayRefundId: made.id, payment: { amountRefunded: 3_000 } });
    await webhooksDone();
    expect((await sandboxRefunds(payment.razorpayPaymentId!))).toHaveLength(1);
    expect(await em().findOneOrFail(Payment, { id: payment.id })).toMatchObject({ status: 'PARTIALLY_REFUNDED', amountRefunded: 3_000, version: payment.version + 1 });
    expect(await em().count(Transaction, { payment: payment.id, type: TransactionType.REFUND })).toBe(1);
    await expectSettledOnce(payment.id);
    await expectBooksBalanced();
  });

  it('an answer that never comes (every attempt times out) leaves the refund PENDING, never FAILED; the webhook settles it', async () => {
    const { payment } = await capturedPayment('race-timeout', 4_000);
    server.app.sandbox!.setFaults({ latencyMs: 1_800 });
    const response = await refund({ paymentId: payment.id, amount: 4_000 });
    server.app.sandbox!.resetFaults();
    expect(response.errors).toBeUndefined();
    // The webhook may already have settled it; if not, it is PENDING with the timeout noted.
    if (response.data!.refund.status === 'PENDING') expect(response.data!.refund.lastGatewayError).toMatch(/did not answer in time/);
    else expect(response.data!.refund.status).toBe('PROCESSED');
    await webhooksDone();
    const row = await em().findOneOrFail(Refund, { payment: payment.id });
    expect(row).toMatchObject({ status: RefundStatus.PROCESSED, lastGatewayError: null });
    expect((await sandboxRefunds(payment.razorpayPaymentId!))).toHaveLength(1);
    expect(await em().findOneOrFail(Payment, { id: payment.id })).toMatchObject({ status: 'REFUNDED', amountRefunded: 4_000 });
    await expectSettledOnce(payment.id);
    await expectBooksBalanced();
  });

  it('refund webhooks delivered many times at once, and for refunds that are not ours, change nothing more', async () => {
    const { payment } = await capturedPayment('race-dup-webhooks', 3_000);
    server.app.sandbox!.setFaults({ refundOutcome: 'pending' });
    const pending = (await refund({ paymentId: payment.id, amount: 1_000 })).data!.refund;
    await server.app.sandbox!.settleRefund(pending.razorpayRefundId!, 'processed', { duplicates: 5, awaitWebhooks: true });
    // The same news under five different event ids, at once: the inbox cannot dedupe these, the row lock does.
    const wire = await server.app.sandbox!.store.refund(pending.razorpayRefundId!);
    const envelope = (id: number) => JSON.stringify({
      entity: 'event', account_id: 'acc_TESTACCOUNT001', event: 'refund.processed', contains: ['refund'],
      payload: { refund: { entity: wire } }, created_at: Math.floor(Date.now() / 1000) + id,
    });
    const posted = await Promise.all([1, 2, 3, 4, 5].map((i) => postWebhook(server.url, envelope(i), { eventId: `evt_refund_dup_${i}` })));
    expect(posted.map((p) => p.status)).toEqual([200, 200, 200, 200, 200]);
    await webhooksDone();
    expect(await em().findOneOrFail(Payment, { id: payment.id })).toMatchObject({ amountRefunded: 1_000, version: payment.version + 1 });
    await expectSettledOnce(payment.id);

    const stranger = {
      entity: 'event', account_id: 'acc_TESTACCOUNT001', event: 'refund.processed', contains: ['refund'],
      payload: {
        refund: {
          entity: {
            id: 'rfnd_NOTOURS0000001', entity: 'refund', amount: 500, currency: 'INR', payment_id: payment.razorpayPaymentId, notes: [],
            receipt: null, status: 'processed', speed_requested: 'normal', speed_processed: 'normal', created_at: Math.floor(Date.now() / 1000),
          },
        },
      },
      created_at: Math.floor(Date.now() / 1000),
    };
    expect((await postWebhook(server.url, JSON.stringify(stranger), { eventId: 'evt_refund_not_ours_1' })).status).toBe(200);
    const stored = await eventually(async () => {
      const event = await em().findOne(WebhookEvent, { eventId: 'evt_refund_not_ours_1' });
      return event?.status === WebhookEventStatus.IGNORED ? event : null;
    }, 5_000, 'the unknown refund IGNORED');
    expect(stored.lastError).toMatch(/no refund here for rfnd_NOTOURS0000001/);
    expect((await em().findOneOrFail(Payment, { id: payment.id })).amountRefunded).toBe(1_000);
    await expectBooksBalanced();
  });

  it('top-up refunds racing the wallet being spent: the money is refunded or spent, never both, and never below zero', async () => {
    const token = await server.token('race-topup');
    const session = await topUp(server, token, 10_000);
    const orders = await Promise.all(Array.from({ length: 8 }, () => createOrder(server, token, 1_000)));
    const results = await Promise.all([
      ...orders.map((o) => server.gql(PayWithWalletDocument, { input: { paymentId: o.payment.id } }, token)),
      ...Array.from({ length: 4 }, () => refund({ paymentId: session.payment.id, amount: 2_000 })),
    ]);
    const spent = results.slice(0, 8).filter((r) => !r.errors).length * 1_000;
    const refunded = results.slice(8).filter((r) => !r.errors).length * 2_000;
    expect(spent + refunded).toBeLessThanOrEqual(10_000);
    const balance = (await server.gql(WalletDocument, {}, token)).data!.wallet.balance;
    expect(balance).toBe(10_000 - spent - refunded);
    expect(balance).toBeGreaterThanOrEqual(0);
    for (const r of results.slice(8).filter((x) => x.errors)) expect(r.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.amount' });
    await webhooksDone();
    await expectSettledOnce(session.payment.id);
    await expectBooksBalanced();
  });
});
