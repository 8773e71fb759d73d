/**
 * Payouts (issue 13) through the API over real HTTP, the Route adapter and the sandbox: a
 * capture with an activated payee transferred and processed; a transfer Razorpay fails made
 * again and processed; a timeout after Razorpay made the transfer not paying twice; a payee
 * not yet activated accruing, then paid on activation; partial refunds after a payout
 * reversing exactly the payee's share; a reversal refused for balance booked as the payee's
 * debt; concurrent refunds and transfer webhooks; the ledger check green throughout.
 */
import 'reflect-metadata';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { JournalKind } from '../../src/ledger/ledger.entities.js';
import { OutboxMessage } from '../../src/outbox/outbox.entities.js';
import { PayoutMethod, PayoutReversalStatus, PayoutStatus } from '../../src/payouts/payout.entity.js';
import { PayWithWalletDocument } from '../graphql/generated.js';
import { pay } from '../helpers/checkout.js';
import { createOrder, topUp } from '../helpers/flows.js';
import { eventually, startTestServer, type TestServer } from '../helpers/server.js';
import {
  control, journalsOf, ledgerProblems, paidOrder, payoutOf, payoutWhen, refund, registerPayee, reversalsOf, sandboxTransfersOf,
} from '../helpers/payouts.js';

const TIMEOUT_MS = 3_000;
let server: TestServer;
let admin: string;
let buyer: string;

beforeAll(async () => {
  server = await startTestServer({
    env: { RECONCILE_ENABLED: 'false', RAZORPAY_TIMEOUT_MS: String(TIMEOUT_MS), PAYOUT_RETRY_BASE_MS: '1', PAYOUT_MAX_ATTEMPTS: '5', WEBHOOK_RETRY_BASE_MS: '1' },
  });
  admin = await server.token('ops-payouts', 'admin');
  buyer = await server.token('buyer-payouts');
});
afterEach(() => {
  server.app.sandbox!.resetFaults();
});
afterAll(async () => {
  await server?.close();
});

const outboxOf = (type: string, subjectId: string) => server.db.orm.em.fork().find(OutboxMessage, { type, subjectId });

describe('transfers', () => {
  it('transfers the payee share of a capture, and books it payable → in transit → paid when Razorpay processes it', async () => {
    const payee = await registerPayee(server, admin);
    expect(payee.status).toBe('ACTIVATED');
    const payment = await paidOrder(server, buyer, payee.payeeId, 49_900);
    const payout = await payoutWhen(server, payment.id, (p) => p.status === PayoutStatus.PROCESSED, 'payout processed');
    expect(payout).toMatchObject({ payeeId: payee.payeeId, amount: payment.payeeAmount, amountReversed: 0, currency: 'INR', attempts: 1, lastError: null });
    expect(payout.razorpayTransferId).toMatch(/^trf_/);
    const transfers = await sandboxTransfersOf(server, payment.razorpayPaymentId);
    expect(transfers).toHaveLength(1);
    expect(transfers[0]).toMatchObject({ id: payout.razorpayTransferId, recipient: payee.razorpayAccountId, amount: payment.payeeAmount, notes: { payout_id: payout.id } });
    expect((await journalsOf(server, payout.id)).map((j) => j.kind)).toEqual([JournalKind.PAYOUT_TRANSFER, JournalKind.PAYOUT_PROCESSED]);
    await eventually(async () => (await outboxOf('payout.processed', payout.id)).length === 1, 10_000, 'payout.processed in the outbox');
    expect(await ledgerProblems(server)).toEqual([]);
  });

  it('makes a transfer Razorpay failed again, and it is processed', async () => {
    const payee = await registerPayee(server, admin);
    await control(server, '/transfers', { failTransfers: 1 });
    const payment = await paidOrder(server, buyer, payee.payeeId, 20_000);
    const payout = await payoutWhen(server, payment.id, (p) => p.status === PayoutStatus.PROCESSED, 'payout processed after a failed transfer');
    expect(payout.failedTransfers).toBe(1);
    const transfers = await sandboxTransfersOf(server, payment.razorpayPaymentId);
    expect(transfers.map((t) => t.status).sort()).toEqual(['failed', 'processed']);
    expect(transfers.find((t) => t.status === 'processed')!.id).toBe(payout.razorpayTransferId);
    expect((await journalsOf(server, payout.id)).map((j) => j.kind)).toEqual([
      JournalKind.PAYOUT_TRANSFER, JournalKind.PAYOUT_FAILED, JournalKind.PAYOUT_TRANSFER, JournalKind.PAYOUT_PROCESSED,
    ]);
    expect(await ledgerProblems(server)).toEqual([]);
  });

  it('does not pay twice when Razorpay made the transfer but its answer came after the timeout', async () => {
    const payee = await registerPayee(server, admin);
    // Its webhook is lost too, so only the job's retry can learn of it: by listing the payment's transfers.
    await control(server, '/transfers', { lateAnswers: { count: 1, delayMs: TIMEOUT_MS + 1_000 }, dropWebhooks: true });
    const payment = await paidOrder(server, buyer, payee.payeeId, 30_000);
    const payout = await payoutWhen(server, payment.id, (p) => p.status === PayoutStatus.PROCESSED, 'payout processed after a timeout');
    // The first attempt timed out; the second listed the payment's transfers and found it.
    expect(payout.attempts).toBeGreaterThanOrEqual(2);
    const transfers = await sandboxTransfersOf(server, payment.razorpayPaymentId);
    expect(transfers).toHaveLength(1);
    expect(transfers[0]!.id).toBe(payout.razorpayTransferId);
    expect(await ledgerProblems(server)).toEqual([]);
  });

  it('accrues for a payee not yet activated, and pays on its activation', async () => {
    await control(server, '/route', { activation: 'manual' });
    const payee = await registerPayee(server, admin);
    expect(payee.status).toBe('UNDER_REVIEW');
    const first = await paidOrder(server, buyer, payee.payeeId, 10_000);
    const second = await paidOrder(server, buyer, payee.payeeId, 12_000);
    for (const payment of [first, second]) expect((await payoutOf(server, payment.id))!.status).toBe(PayoutStatus.ACCRUED);
    expect(await sandboxTransfersOf(server, first.razorpayPaymentId)).toHaveLength(0);
    const [product] = (await server.app.sandbox!.route.products()).filter((p) => p.account_id === payee.razorpayAccountId);
    await server.app.sandbox!.route.settleProduct(product!.id, 'activated');
    for (const payment of [first, second]) {
      const payout = await payoutWhen(server, payment.id, (p) => p.status === PayoutStatus.PROCESSED, 'accrued payout paid on activation');
      expect(payout.amount).toBe(payment.payeeAmount);
      expect(await sandboxTransfersOf(server, payment.razorpayPaymentId)).toHaveLength(1);
    }
    expect(await ledgerProblems(server)).toEqual([]);
  });
});

describe('refunds after a payout', () => {
  it('reverse exactly the payee share in total over partial refunds', async () => {
    const payee = await registerPayee(server, admin);
    // An amount whose fee split rounds: 15% of 49 999.
    const payment = await paidOrder(server, buyer, payee.payeeId, 49_999);
    const payout = await payoutWhen(server, payment.id, (p) => p.status === PayoutStatus.PROCESSED, 'payout processed');
    for (const amount of [10_001, 333, 20_000, 49_999 - 10_001 - 333 - 20_000]) {
      const made = await refund(server, admin, { paymentId: payment.id, amount });
      await eventually(async () => (await reversalsOf(server, payout.id)).some((r) => r.refundId === made.id && r.status === PayoutReversalStatus.PROCESSED),
        20_000, `reversal of refund ${amount}`);
    }
    const reversed = await payoutWhen(server, payment.id, (p) => p.status === PayoutStatus.REVERSED, 'payout reversed');
    expect(reversed.amountReversed).toBe(payment.payeeAmount);
    const reversals = await reversalsOf(server, payout.id);
    expect(reversals.reduce((sum, r) => sum + r.amount, 0)).toBe(payment.payeeAmount);
    const [transfer] = await sandboxTransfersOf(server, payment.razorpayPaymentId);
    expect(transfer).toMatchObject({ status: 'reversed', amount_reversed: payment.payeeAmount });
    await eventually(async () => (await server.db.orm.em.fork().count(OutboxMessage, { type: 'payout.reversed' })) >= 4, 10_000, 'payout.reversed messages');
    expect(await ledgerProblems(server)).toEqual([]);
  });

  it('books a reversal refused for the payee\'s balance as the payee\'s debt (payee_receivable)', async () => {
    const payee = await registerPayee(server, admin);
    const payment = await paidOrder(server, buyer, payee.payeeId, 40_000);
    const payout = await payoutWhen(server, payment.id, (p) => p.status === PayoutStatus.PROCESSED, 'payout processed');
    await control(server, '/transfers', { refuseReversals: 1 });
    await refund(server, admin, { paymentId: payment.id, amount: 10_000 });
    const [reversal] = await eventually(async () => {
      const rows = await reversalsOf(server, payout.id);
      return rows.length === 1 && rows[0]!.status !== PayoutReversalStatus.PENDING ? rows : null;
    }, 20_000, 'reversal settled');
    expect(reversal!.status).toBe(PayoutReversalStatus.REFUSED);
    expect(reversal!.lastError).toMatch(/sufficient balance/);
    const after = (await payoutOf(server, payment.id))!;
    expect(after).toMatchObject({ status: PayoutStatus.PROCESSED, amountReversed: 0, amountReceivable: reversal!.amount });
    expect(after.lastError).toMatch(/refused/);
    expect((await journalsOf(server, payout.id)).map((j) => j.kind)).toContain(JournalKind.PAYOUT_RECEIVABLE);
    expect(await ledgerProblems(server)).toEqual([]);
  });

  it('takes a refund made before the transfer off the payout instead (no reversal)', async () => {
    await control(server, '/route', { activation: 'manual' });
    const payee = await registerPayee(server, admin);
    const payment = await paidOrder(server, buyer, payee.payeeId, 20_000);
    expect((await payoutOf(server, payment.id))!.status).toBe(PayoutStatus.ACCRUED);
    const made = await refund(server, admin, { paymentId: payment.id, amount: 5_000 });
    await eventually(async () => (await payoutOf(server, payment.id))!.amount < payment.payeeAmount, 10_000, 'payout smaller after the refund');
    const payout = (await payoutOf(server, payment.id))!;
    expect(made.status).toBeDefined();
    expect(await reversalsOf(server, payout.id)).toHaveLength(0);
    expect(await ledgerProblems(server)).toEqual([]);
  });
});

describe('concurrency', () => {
  it('20 concurrent refunds and transfer webhooks leave the books balanced', async () => {
    await control(server, '/transfers', { processing: 'manual' });
    const payee = await registerPayee(server, admin);
    const payments = [];
    for (let i = 0; i < 10; i += 1) payments.push(await paidOrder(server, buyer, payee.payeeId, 10_000 + i * 1_001));
    const payouts = await Promise.all(payments.map((p) => payoutWhen(server, p.id, (o) => o.razorpayTransferId !== null, 'transfer made')));
    // At once: each pending transfer processed at the sandbox (its webhook) and two refunds of its payment.
    await Promise.all([
      ...payouts.map((p) => control(server, `/transfers/${p.razorpayTransferId}/settle`, { status: 'processed' })),
      ...payments.flatMap((p) => [refund(server, admin, { paymentId: p.id, amount: 2_000 }), refund(server, admin, { paymentId: p.id, amount: 3_000 })]),
    ]);
    for (const payment of payments) {
      const payout = await payoutWhen(server, payment.id, (p) => p.status === PayoutStatus.PARTIALLY_REVERSED && p.amountReversed > 0, 'payout partially reversed', 30_000);
      await eventually(async () => {
        const reversals = await reversalsOf(server, payout.id);
        return reversals.length === 2 && reversals.every((r) => r.status === PayoutReversalStatus.PROCESSED);
      }, 30_000, 'both reversals processed');
      const settled = (await payoutOf(server, payment.id))!;
      const [transfer] = await sandboxTransfersOf(server, payment.razorpayPaymentId);
      expect(transfer!.amount_reversed).toBe(settled.amountReversed);
    }
    expect(await ledgerProblems(server)).toEqual([]);
  }, 180_000);

  it('the ledger check is green after the whole mixed workload', async () => {
    // Beside the transfers above: a top-up, an order with a payee paid from the wallet (no
    // Razorpay payment to transfer from: its share goes by a direct transfer) and refunded in
    // part to the wallet (the direct transfer reversed by its payee part), and a failed attempt.
    const payee = await registerPayee(server, admin);
    const spender = await server.token(`spender-${Date.now()}`);
    await topUp(server, spender, 30_000);
    const order = await createOrder(server, spender, 20_000, { payeeId: payee.payeeId });
    const paid = await server.gql(PayWithWalletDocument, { input: { paymentId: order.payment.id, idempotencyKey: `wallet-${Date.now()}` } }, spender);
    expect(paid.errors).toBeUndefined();
    const direct = await payoutWhen(server, order.payment.id, (p) => p.status === PayoutStatus.PROCESSED, 'wallet-paid payout sent directly');
    expect(direct.method).toBe(PayoutMethod.DIRECT);
    await refund(server, admin, { paymentId: order.payment.id, amount: 7_777 });
    await payoutWhen(server, order.payment.id, (p) => p.status === PayoutStatus.PARTIALLY_REVERSED, 'its direct transfer reversed in part');
    const failing = await createOrder(server, buyer, 5_000, { payeeId: payee.payeeId });
    await pay(server.url, failing.razorpayOrderId, { outcome: 'failure' });
    const problems = await ledgerProblems(server);
    expect(problems).toEqual([]);
    const journals = await server.db.orm.em.fork().count(OutboxMessage, { type: { $like: 'payout.%' } });
    expect(journals).toBeGreaterThan(0);
  });
});
