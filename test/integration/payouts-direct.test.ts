/**
 * Payouts by Razorpay Route's direct transfers, and netting a payee's debt, through the API over
 * real HTTP, the Route adapter and the sandbox: a wallet-paid and a PhonePe-paid order's share
 * sent by a direct transfer; a payment refunded before its transfer paying the rest directly; a
 * direct transfer made but answered after the timeout paid once (its idempotency key); a failed
 * one made again; a refund after one reversing it; a refused reversal becoming the payee's debt,
 * which its next payouts net (in part, and in whole); the ledger check green throughout.
 */
import 'reflect-metadata';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { JournalKind } from '../../src/ledger/ledger.entities.js';
import { OutboxMessage } from '../../src/outbox/outbox.entities.js';
import { PayoutMethod, PayoutReversalStatus, PayoutStatus } from '../../src/payouts/payout.entity.js';
import { PaymentPayoutsDocument } from '../graphql/generated.js';
import { releaseWebhooks } from '../helpers/checkout.js';
import { createOrder } from '../helpers/flows.js';
import { GATEWAY_DRIVERS } from '../helpers/gateway-drivers.js';
import { control, directTransfersOf, walletPaidOrder, journalsOf, ledgerProblems, paidOrder, payoutOf, payoutWhen, refund, registerPayee, reversalsOf, sandboxTransfersOf } from '../helpers/payouts.js';
import { eventually, startTestServer, type TestServer } from '../helpers/server.js';

const TIMEOUT_MS = 3_000;
let server: TestServer;
let admin: string;
let buyer: string;

beforeAll(async () => {
  server = await startTestServer({
    env: { RECONCILE_ENABLED: 'false', RAZORPAY_TIMEOUT_MS: String(TIMEOUT_MS), PAYOUT_RETRY_BASE_MS: '1', PAYOUT_MAX_ATTEMPTS: '5', WEBHOOK_RETRY_BASE_MS: '1' },
  });
  admin = await server.token('ops-direct', 'admin');
  buyer = await server.token('buyer-direct');
});
afterEach(() => {
  server.app.sandbox!.resetFaults();
});
afterAll(async () => {
  await server?.close();
});

describe('direct transfers', { timeout: 60_000 }, () => {
  it('sends the share of a wallet-paid order by a direct transfer, booked payable → in transit → paid', async () => {
    const payee = await registerPayee(server, admin);
    const payment = await walletPaidOrder(server, payee.payeeId, 40_000);
    const payout = await payoutWhen(server, payment.id, (p) => p.status === PayoutStatus.PROCESSED, 'wallet-paid payout processed');
    expect(payout).toMatchObject({ method: PayoutMethod.DIRECT, amount: payment.payeeAmount, amountNetted: 0, attempts: 1, lastError: null });
    const transfers = await directTransfersOf(server, payout.id);
    expect(transfers).toHaveLength(1);
    expect(transfers[0]).toMatchObject({ id: payout.razorpayTransferId, recipient: payee.razorpayAccountId, amount: payment.payeeAmount, status: 'processed' });
    expect(transfers[0]!.source).toMatch(/^acc_/);
    expect((await journalsOf(server, payout.id)).map((j) => j.kind)).toEqual([JournalKind.PAYOUT_TRANSFER, JournalKind.PAYOUT_PROCESSED]);
    const [message] = await eventually(async () => {
      const found = await server.db.orm.em.fork().find(OutboxMessage, { type: 'payout.processed', subjectId: payout.id });
      return found.length > 0 ? found : null;
    }, 10_000, 'payout.processed in the outbox');
    expect(message!.payload).toMatchObject({ method: 'DIRECT', amountNetted: 0, amount: payment.payeeAmount });
    expect(await ledgerProblems(server)).toEqual([]);
  });

  it('sends the share of a PhonePe-paid order by a direct transfer', async () => {
    const driver = GATEWAY_DRIVERS.find((d) => d.gateway === 'PHONEPE')!;
    const payee = await registerPayee(server, admin);
    const session = await createOrder(server, buyer, 25_000, { payeeId: payee.payeeId, gateway: 'PHONEPE' });
    const attempt = await driver.pay(server, session);
    const confirmed = await driver.confirm(server, buyer, session, attempt);
    expect(confirmed.errors).toBeUndefined();
    const payout = await payoutWhen(server, session.payment.id, (p) => p.status === PayoutStatus.PROCESSED, 'PhonePe-paid payout processed');
    expect(payout.method).toBe(PayoutMethod.DIRECT);
    expect((await directTransfersOf(server, payout.id)).map((t) => t.amount)).toEqual([payout.amount]);
    expect(await ledgerProblems(server)).toEqual([]);
  });

  it('pays the rest of a payment refunded before its transfer by a direct transfer (Razorpay refuses a transfer from it)', async () => {
    await control(server, '/route', { activation: 'manual' });
    const payee = await registerPayee(server, admin);
    const payment = await paidOrder(server, buyer, payee.payeeId, 30_000);
    expect((await payoutOf(server, payment.id))!.status).toBe(PayoutStatus.ACCRUED);
    await refund(server, admin, { paymentId: payment.id, amount: 10_000 });
    const shrunk = await payoutWhen(server, payment.id, (p) => p.amount < payment.payeeAmount, 'the refund took its payee part off the payout');
    const [product] = (await server.app.sandbox!.route.products()).filter((p) => p.account_id === payee.razorpayAccountId);
    await server.app.sandbox!.route.settleProduct(product!.id, 'activated');
    const payout = await payoutWhen(server, payment.id, (p) => p.status === PayoutStatus.PROCESSED, 'refunded payout paid directly');
    expect(payout).toMatchObject({ method: PayoutMethod.DIRECT, amount: shrunk.amount });
    expect(await sandboxTransfersOf(server, payment.razorpayPaymentId)).toHaveLength(0);
    expect((await directTransfersOf(server, payout.id)).map((t) => t.amount)).toEqual([shrunk.amount]);
    expect(await ledgerProblems(server)).toEqual([]);
  });

  it('pays the rest directly when a refund lands after the transfer was asked for, before it is made (Razorpay refuses it then)', async () => {
    const payee = await registerPayee(server, admin);
    // The first transfer is made and fails, its transfer.failed held: the refund comes while the payout waits for news.
    await control(server, '/transfers', { failTransfers: 1, holdWebhooks: true });
    const payment = await paidOrder(server, buyer, payee.payeeId, 30_000);
    await payoutWhen(server, payment.id, (p) => p.razorpayTransferId !== null, 'first transfer made');
    await eventually(async () => (await sandboxTransfersOf(server, payment.razorpayPaymentId)).some((t) => t.status === 'failed'), 10_000, 'first transfer failed at Razorpay');
    const made = await refund(server, admin, { paymentId: payment.id, amount: 10_000 });
    const [waiting] = await eventually(async () => {
      const found = (await reversalsOf(server, (await payoutOf(server, payment.id))!.id)).filter((r) => r.refundId === made.id);
      return found.length > 0 ? found : null;
    }, 10_000, 'the refund\'s payee part waits as a reversal');
    await control(server, '/transfers', { holdWebhooks: false });
    await releaseWebhooks(server.url, { all: true });
    const payout = await payoutWhen(server, payment.id, (p) => p.status === PayoutStatus.PROCESSED, 'paid directly after the refused transfer');
    expect(payout).toMatchObject({ method: PayoutMethod.DIRECT, failedTransfers: 1, amount: payment.payeeAmount - waiting!.amount });
    expect((await reversalsOf(server, payout.id)).map((r) => r.status)).toEqual([PayoutReversalStatus.CANCELLED]);
    expect((await sandboxTransfersOf(server, payment.razorpayPaymentId)).map((t) => t.status)).toEqual(['failed']);
    expect((await directTransfersOf(server, payout.id)).map((t) => t.amount)).toEqual([payout.amount]);
    expect(await ledgerProblems(server)).toEqual([]);
  });

  it('pays once when Razorpay made the direct transfer but answered after the timeout (its idempotency key)', async () => {
    const payee = await registerPayee(server, admin);
    // The webhook is lost too: only the retry with the same key can learn of the transfer.
    await control(server, '/transfers', { lateAnswers: { count: 1, delayMs: TIMEOUT_MS + 1_000 }, dropWebhooks: true });
    const payment = await walletPaidOrder(server, payee.payeeId, 35_000);
    const payout = await payoutWhen(server, payment.id, (p) => p.status === PayoutStatus.PROCESSED, 'payout processed after a timeout');
    const transfers = await directTransfersOf(server, payout.id);
    expect(transfers).toHaveLength(1);
    expect(transfers[0]!.id).toBe(payout.razorpayTransferId);
    expect((await journalsOf(server, payout.id)).map((j) => j.kind)).toEqual([JournalKind.PAYOUT_TRANSFER, JournalKind.PAYOUT_PROCESSED]);
    expect(await ledgerProblems(server)).toEqual([]);
  });

  it('makes a direct transfer Razorpay failed again, with a new idempotency key, and it is processed', async () => {
    const payee = await registerPayee(server, admin);
    await control(server, '/transfers', { failTransfers: 1 });
    const payment = await walletPaidOrder(server, payee.payeeId, 20_000);
    const payout = await payoutWhen(server, payment.id, (p) => p.status === PayoutStatus.PROCESSED, 'payout processed after a failed direct transfer');
    expect(payout.failedTransfers).toBe(1);
    const transfers = await directTransfersOf(server, payout.id);
    expect(transfers.map((t) => t.status).sort()).toEqual(['failed', 'processed']);
    expect(transfers.find((t) => t.status === 'processed')!.id).toBe(payout.razorpayTransferId);
    expect((await journalsOf(server, payout.id)).map((j) => j.kind)).toEqual([
      JournalKind.PAYOUT_TRANSFER, JournalKind.PAYOUT_FAILED, JournalKind.PAYOUT_TRANSFER, JournalKind.PAYOUT_PROCESSED,
    ]);
    expect(await ledgerProblems(server)).toEqual([]);
  });

  it('reverses a direct transfer by the payee part of a refund after it', async () => {
    const payee = await registerPayee(server, admin);
    const payment = await walletPaidOrder(server, payee.payeeId, 40_000);
    const payout = await payoutWhen(server, payment.id, (p) => p.status === PayoutStatus.PROCESSED, 'payout processed');
    const made = await refund(server, admin, { paymentId: payment.id, amount: 10_000 });
    const [reversal] = await eventually(async () => {
      const found = (await reversalsOf(server, payout.id)).filter((r) => r.refundId === made.id && r.status === PayoutReversalStatus.PROCESSED);
      return found.length > 0 ? found : null;
    }, 20_000, 'reversal processed');
    const reversed = await payoutWhen(server, payment.id, (p) => p.status === PayoutStatus.PARTIALLY_REVERSED, 'payout partially reversed');
    expect(reversed.amountReversed).toBe(reversal!.amount);
    const [transfer] = await directTransfersOf(server, payout.id);
    expect(transfer).toMatchObject({ status: 'partially_reversed', amount_reversed: reversal!.amount });
    expect(await ledgerProblems(server)).toEqual([]);
  });
});

describe('netting what a payee owes', { timeout: 60_000 }, () => {
  /** A payee whose first payout's reversal was refused: it owes `debt` (payee_receivable). */
  async function indebtedPayee(amount: number) {
    const payee = await registerPayee(server, admin);
    const payment = await paidOrder(server, buyer, payee.payeeId, amount);
    const first = await payoutWhen(server, payment.id, (p) => p.status === PayoutStatus.PROCESSED, 'first payout processed');
    await control(server, '/transfers', { refuseReversals: 1 });
    await refund(server, admin, { paymentId: payment.id, amount });
    const owing = await payoutWhen(server, payment.id, (p) => p.amountReceivable > 0, 'reversal refused: a receivable');
    expect(owing.amountReceivable).toBe(first.amount);
    expect(await ledgerProblems(server)).toEqual([]);
    return { payee, debt: owing.amountReceivable };
  }

  it('keeps the debt back from the next payout (amount sent = share − debt), and the books stay balanced', async () => {
    const { payee, debt } = await indebtedPayee(10_000);
    const next = await paidOrder(server, buyer, payee.payeeId, 50_000);
    const payout = await payoutWhen(server, next.id, (p) => p.status === PayoutStatus.PROCESSED, 'next payout processed');
    expect(payout).toMatchObject({ amount: next.payeeAmount, amountNetted: debt, method: PayoutMethod.PAYMENT });
    const transfers = await sandboxTransfersOf(server, next.razorpayPaymentId);
    expect(transfers.map((t) => t.amount)).toEqual([next.payeeAmount - debt]);
    expect((await journalsOf(server, payout.id)).map((j) => j.kind)).toEqual([JournalKind.PAYOUT_NETTED, JournalKind.PAYOUT_TRANSFER, JournalKind.PAYOUT_PROCESSED]);
    const read = await server.gql(PaymentPayoutsDocument, { id: next.id }, admin);
    expect(read.data!.payment!.payouts).toEqual([expect.objectContaining({ amount: next.payeeAmount, amountNetted: debt, method: 'PAYMENT', status: 'PROCESSED' })]);
    const [message] = await eventually(async () => {
      const found = await server.db.orm.em.fork().find(OutboxMessage, { type: 'payout.processed', subjectId: payout.id });
      return found.length > 0 ? found : null;
    }, 10_000, 'payout.processed in the outbox');
    expect(message!.payload).toMatchObject({ amountNetted: debt, amount: next.payeeAmount });
    // Netted once: the payout after it sends its whole share.
    const after = await paidOrder(server, buyer, payee.payeeId, 20_000);
    const third = await payoutWhen(server, after.id, (p) => p.status === PayoutStatus.PROCESSED, 'third payout processed');
    expect(third.amountNetted).toBe(0);
    expect(await ledgerProblems(server)).toEqual([]);
  });

  it('completes a payout the debt takes whole without a transfer, and nets the rest from the one after', async () => {
    const { payee, debt } = await indebtedPayee(40_000);
    const small = await walletPaidOrder(server, payee.payeeId, 10_000);
    const absorbed = await payoutWhen(server, small.id, (p) => p.status === PayoutStatus.PROCESSED, 'absorbed payout completed');
    expect(absorbed).toMatchObject({ amountNetted: small.payeeAmount, razorpayTransferId: null });
    expect(await directTransfersOf(server, absorbed.id)).toHaveLength(0);
    expect((await journalsOf(server, absorbed.id)).map((j) => j.kind)).toEqual([JournalKind.PAYOUT_NETTED]);
    const big = await walletPaidOrder(server, payee.payeeId, 50_000);
    const rest = await payoutWhen(server, big.id, (p) => p.status === PayoutStatus.PROCESSED, 'next payout processed');
    expect(rest.amountNetted).toBe(debt - small.payeeAmount);
    expect((await directTransfersOf(server, rest.id)).map((t) => t.amount)).toEqual([big.payeeAmount - rest.amountNetted]);
    expect(await ledgerProblems(server)).toEqual([]);
  });

  it('makes a refund of a payout netted whole the payee\'s debt again (nothing was sent to reverse)', async () => {
    const { payee } = await indebtedPayee(40_000);
    const small = await walletPaidOrder(server, payee.payeeId, 10_000);
    const absorbed = await payoutWhen(server, small.id, (p) => p.status === PayoutStatus.PROCESSED, 'absorbed payout completed');
    await refund(server, admin, { paymentId: small.id, amount: 10_000 });
    const owing = await payoutWhen(server, small.id, (p) => p.amountReceivable === absorbed.amount, 'the refund\'s payee part owed again');
    expect((await reversalsOf(server, owing.id)).map((r) => r.status)).toEqual([PayoutReversalStatus.REFUSED]);
    expect(await ledgerProblems(server)).toEqual([]);
  });
});
