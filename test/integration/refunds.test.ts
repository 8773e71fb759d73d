/**
 * Refunds through the API, on real PostgreSQL and the sandbox over HTTP: full and partial, to
 * the source and to the wallet, pending and failed at the gateway, wallet top-ups, the rules
 * that refuse a refund (each changing nothing), and the books after every one of them.
 */
import 'reflect-metadata';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ledgerCheck } from '../../src/cli/ledger.commands.js';
import { Journal, JournalKind } from '../../src/ledger/ledger.entities.js';
import { Payment } from '../../src/payments/payment.entity.js';
import { Refund } from '../../src/refunds/refund.entity.js';
import { Transaction, TransactionType } from '../../src/transactions/transaction.entity.js';
import {
  PayWithWalletDocument, PaymentRefundStatusDocument, PaymentRefundsDocument, RefundDocument, WalletDocument,
  type RefundInput,
} from '../graphql/generated.js';
import { pay } from '../helpers/checkout.js';
import { createOrder, payAndVerify, topUp } from '../helpers/flows.js';
import { collect, eventually, resultsBeforeMarker, sendMarker, startTestServer, type TestServer } from '../helpers/server.js';
import { expectBooksBalanced as expectBooksBalancedOf, webhooksDone as webhooksDoneOf } from '../helpers/assertions.js';

let server: TestServer;
let admin: string;

beforeAll(async () => {
  server = await startTestServer({ env: { WALLET_MIN_TOPUP: '1000', WALLET_MAX_TOPUP: '5000000', WALLET_MAX_BALANCE: '6000000' } });
  admin = await server.token('ops-refunds', 'admin');
});
afterEach(() => {
  server.app.sandbox!.resetFaults();
});
afterAll(async () => {
  await server?.close();
});

const em = () => server.db.orm.em.fork();
const refund = (input: RefundInput, token: string | null = admin) => server.gql(RefundDocument, { input }, token);
const balanceOf = async (token: string) => (await server.gql(WalletDocument, {}, token)).data!.wallet.balance;
const paymentOf = async (id: string) => (await server.gql(PaymentRefundsDocument, { id }, admin)).data!.payment!;
const sandboxRefunds = async (razorpayPaymentId: string) => (await server.app.sandbox!.state()).refunds.filter((r) => r.payment_id === razorpayPaymentId);

/** A payment of `user`, paid by card in the sandbox and verified: CAPTURED. */
async function capturedPayment(user: string, amount: number, extra: Record<string, unknown> = {}) {
  const token = await server.token(user);
  const order = await createOrder(server, token, amount, extra);
  const { payment } = await payAndVerify(server, token, order.razorpayOrderId, { dropWebhooks: true });
  expect(payment.status).toBe('CAPTURED');
  return { token, payment };
}

const webhooksDone = () => webhooksDoneOf(server);

const expectBooksBalanced = () => expectBooksBalancedOf(server);

/** Net amount per account code over the journals of one payment (all kinds). */
async function netByAccount(paymentId: string): Promise<Record<string, number>> {
  const rows: { code: string; total: string }[] = await em().getConnection().execute(
    `select a.code, sum(e.amount)::text as total from journal j join journal_entry e on e.journal_id = j.id
       join ledger_account a on a.id = e.account_id where j.payment_id = ? group by a.code order by a.code`, [paymentId]);
  return Object.fromEntries(rows.map((r) => [r.code, Number(r.total)]));
}

describe('refunds to the source', () => {
  it('a partial then the rest: PARTIALLY_REFUNDED then REFUNDED, seen once each by a subscriber; the split is reversed exactly', async () => {
    const { token, payment } = await capturedPayment('rf-full', 10_001, { payeeId: 'cleaner-rf-full' });
    const watcher = collect(server.ws(token), PaymentRefundStatusDocument, { paymentId: payment.id });
    await eventually(() => watcher.results.length >= 1, 5000, 'the current state on subscribe');

    const first = await refund({ paymentId: payment.id, amount: 3_333, reason: 'one session cancelled' });
    expect(first.errors).toBeUndefined();
    expect(first.data!.refund).toMatchObject({
      amount: 3_333, status: 'PROCESSED', destination: 'SOURCE', speed: 'NORMAL', reason: 'one session cancelled', requestedBy: 'ops-refunds',
      payment: { id: payment.id, status: 'PARTIALLY_REFUNDED', amountRefunded: 3_333 },
    });
    expect(first.data!.refund.razorpayRefundId).toMatch(/^rfnd_/);
    expect(first.data!.refund.processedAt).not.toBeNull();

    const rest = await refund({ paymentId: payment.id }, await server.token('svc-billing', 'service'));
    expect(rest.errors).toBeUndefined();
    expect(rest.data!.refund).toMatchObject({ amount: 6_668, status: 'PROCESSED', payment: { status: 'REFUNDED', amountRefunded: 10_001 } });
    await webhooksDone();

    const after = await paymentOf(payment.id);
    expect(after).toMatchObject({ status: 'REFUNDED', amountRefunded: 10_001 });
    expect(after.refunds.map((r) => [r.amount, r.status])).toEqual([[3_333, 'PROCESSED'], [6_668, 'PROCESSED']]);
    expect(after.transactions.map((t) => [t.type, t.status, t.amount])).toEqual([
      ['CHARGE', 'COMPLETED', 10_001], ['REFUND', 'COMPLETED', 3_333], ['REFUND', 'COMPLETED', 6_668],
    ]);
    expect((await sandboxRefunds(payment.razorpayPaymentId!)).map((r) => r.amount).sort()).toEqual([3_333, 6_668]);
    expect(await em().count(Journal, { payment: payment.id, kind: JournalKind.REFUND })).toBe(2);
    // Capture + refunds: fee and payee reversed to the paisa; the money went back out through Razorpay.
    expect(await netByAccount(payment.id)).toEqual({ 'gateway_clearing:INR': 0, 'payee_payable:cleaner-rf-full:INR': 0, 'platform_fees:INR': 0 });

    await eventually(() => watcher.results.some((r) => r.data?.paymentStatusChanged.status === 'REFUNDED'), 5000, 'REFUNDED on the subscription');
    // Every webhook handled (above): a marker behind all that was published; an extra message would be before it.
    await sendMarker(server, payment.id);
    const seen = await resultsBeforeMarker(watcher, (data) => data.paymentStatusChanged.version);
    const statuses = seen.map((r) => r.data!.paymentStatusChanged.status);
    expect(statuses).toEqual(['CAPTURED', 'PARTIALLY_REFUNDED', 'REFUNDED']);
    const versions = seen.map((r) => r.data!.paymentStatusChanged.version);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    await expectBooksBalanced();
  });

  it('partial refunds that leave the payment partial still bump its version and reach subscribers', async () => {
    const { token, payment } = await capturedPayment('rf-partials', 9_000);
    const watcher = collect(server.ws(token), PaymentRefundStatusDocument, { paymentId: payment.id });
    await eventually(() => watcher.results.length >= 1, 5000, 'the current state on subscribe');
    for (const amount of [1_000, 2_000, 3_000]) expect((await refund({ paymentId: payment.id, amount })).errors).toBeUndefined();
    await eventually(() => watcher.results.length >= 4, 5000, 'three updates');
    expect(watcher.results.map((r) => [r.data!.paymentStatusChanged.status, r.data!.paymentStatusChanged.amountRefunded])).toEqual([
      ['CAPTURED', 0], ['PARTIALLY_REFUNDED', 1_000], ['PARTIALLY_REFUNDED', 3_000], ['PARTIALLY_REFUNDED', 6_000],
    ]);
    const stored = await em().findOneOrFail(Payment, { id: payment.id });
    expect(stored.version).toBe(payment.version + 3);
    await webhooksDone();
    await expectBooksBalanced();
  });

  it('a refund the gateway fails is FAILED and releases its amount: the whole amount can then be refunded', async () => {
    const { payment } = await capturedPayment('rf-failed', 5_000);
    server.app.sandbox!.setFaults({ refundOutcome: 'failed' });
    const failed = await refund({ paymentId: payment.id, amount: 4_000 });
    expect(failed.data!.refund).toMatchObject({ status: 'FAILED', payment: { status: 'CAPTURED', amountRefunded: 0 } });
    expect(failed.data!.refund.failureReason).toMatch(/could not process/);
    server.app.sandbox!.resetFaults();
    await webhooksDone();

    const whole = await refund({ paymentId: payment.id, amount: 5_000 });
    expect(whole.data!.refund).toMatchObject({ status: 'PROCESSED', payment: { status: 'REFUNDED', amountRefunded: 5_000 } });
    await webhooksDone();
    const after = await paymentOf(payment.id);
    expect(after.refunds.map((r) => r.status)).toEqual(['FAILED', 'PROCESSED']);
    expect(after.transactions.filter((t) => t.type === 'REFUND').map((t) => t.status)).toEqual(['FAILED', 'COMPLETED']);
    expect(await em().count(Journal, { payment: payment.id, kind: JournalKind.REFUND })).toBe(1);
    await expectBooksBalanced();
  });

  it('a refund Razorpay holds as pending stays PENDING, reserved, until the refund.processed webhook', async () => {
    const { payment } = await capturedPayment('rf-pending', 8_000);
    server.app.sandbox!.setFaults({ refundOutcome: 'pending' });
    const pending = await refund({ paymentId: payment.id, amount: 6_000, speed: 'OPTIMUM' });
    expect(pending.data!.refund).toMatchObject({ status: 'PENDING', speed: 'OPTIMUM', processedAt: null, payment: { status: 'CAPTURED', amountRefunded: 0 } });
    const gatewayId = pending.data!.refund.razorpayRefundId!;
    expect(gatewayId).toMatch(/^rfnd_/);
    expect((await sandboxRefunds(payment.razorpayPaymentId!))[0]).toMatchObject({ speed_requested: 'optimum', notes: { refund_id: pending.data!.refund.id } });
    await webhooksDone();
    expect((await em().findOneOrFail(Refund, { id: pending.data!.refund.id })).status).toBe('PENDING');

    // The pending 6000 counts: only 2000 remains.
    const tooMuch = await refund({ paymentId: payment.id, amount: 2_001 });
    expect(tooMuch.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.amount' });
    expect(tooMuch.errors?.[0]?.message).toContain('(2000) remains refundable');
    expect(tooMuch.errors?.[0]?.message).toContain('(6000) being refunded');

    await server.app.sandbox!.settleRefund(gatewayId, 'processed', { awaitWebhooks: true });
    await webhooksDone();
    const after = await paymentOf(payment.id);
    expect(after).toMatchObject({ status: 'PARTIALLY_REFUNDED', amountRefunded: 6_000 });
    expect(after.refunds[0]).toMatchObject({ status: 'PROCESSED', razorpayRefundId: gatewayId });
    expect(after.transactions.find((t) => t.type === 'REFUND')).toMatchObject({ status: 'COMPLETED' });
    await expectBooksBalanced();
  });

  it('a pending refund that then fails (refund.failed webhook) is released', async () => {
    const { payment } = await capturedPayment('rf-pending-failed', 4_000);
    server.app.sandbox!.setFaults({ refundOutcome: 'pending' });
    const pending = await refund({ paymentId: payment.id });
    expect(pending.data!.refund).toMatchObject({ status: 'PENDING', amount: 4_000 });
    server.app.sandbox!.resetFaults();
    await server.app.sandbox!.settleRefund(pending.data!.refund.razorpayRefundId!, 'failed', { awaitWebhooks: true });
    await webhooksDone();
    const after = await paymentOf(payment.id);
    expect(after).toMatchObject({ status: 'CAPTURED', amountRefunded: 0 });
    expect(after.refunds[0]).toMatchObject({ status: 'FAILED' });
    expect((await refund({ paymentId: payment.id })).data!.refund).toMatchObject({ status: 'PROCESSED', amount: 4_000 });
    await expectBooksBalanced();
  });

  it('an unknown outcome (gateway 5xx after every retry) stays PENDING with the error noted, never FAILED; the same key re-sends it once', async () => {
    const { payment } = await capturedPayment('rf-unknown', 3_000);
    server.app.sandbox!.setFaults({ failNextRequests: { count: 4, status: 503 } });
    const unknown = await refund({ paymentId: payment.id, amount: 1_500, idempotencyKey: 'rf-unknown-0001' });
    expect(unknown.errors).toBeUndefined();
    expect(unknown.data!.refund).toMatchObject({ status: 'PENDING', razorpayRefundId: null, payment: { amountRefunded: 0 } });
    expect(unknown.data!.refund.lastGatewayError).toMatch(/unavailable/);
    expect((await sandboxRefunds(payment.razorpayPaymentId!))).toHaveLength(0);
    // Still reserved: only 1500 more may be refunded meanwhile.
    expect((await refund({ paymentId: payment.id, amount: 1_501 })).errors?.[0]?.extensions?.field).toBe('input.amount');

    const retried = await refund({ paymentId: payment.id, amount: 1_500, idempotencyKey: 'rf-unknown-0001' });
    expect(retried.data!.refund).toMatchObject({ id: unknown.data!.refund.id, status: 'PROCESSED', lastGatewayError: null });
    const again = await refund({ paymentId: payment.id, idempotencyKey: 'rf-unknown-0001' });
    expect(again.data!.refund).toMatchObject({ id: unknown.data!.refund.id, status: 'PROCESSED' });
    expect((await sandboxRefunds(payment.razorpayPaymentId!))).toHaveLength(1);
    await webhooksDone();
    await expectBooksBalanced();
  });

  it('reconciliation settles PENDING refunds whose webhooks never came: fetched, or re-sent with their own key', async () => {
    const { payment } = await capturedPayment('rf-reconcile', 6_000);
    server.app.sandbox!.setFaults({ refundOutcome: 'pending' });
    const pending = await refund({ paymentId: payment.id, amount: 2_000 });
    server.app.sandbox!.setFaults({ refundOutcome: 'processed', failNextRequests: { count: 4, status: 500 } });
    const unknown = await refund({ paymentId: payment.id, amount: 3_000 });
    expect(unknown.data!.refund).toMatchObject({ status: 'PENDING', razorpayRefundId: null });
    server.app.sandbox!.resetFaults();
    await server.app.sandbox!.settleRefund(pending.data!.refund.razorpayRefundId!, 'processed', { drop: true });
    await webhooksDone();

    expect(await server.app.services.refunds.reconcilePending(60_000)).toEqual({ checked: 0, settled: 0 });
    expect(await server.app.services.refunds.reconcilePending(0)).toEqual({ checked: 2, settled: 2 });
    await webhooksDone();
    const after = await paymentOf(payment.id);
    expect(after).toMatchObject({ status: 'PARTIALLY_REFUNDED', amountRefunded: 5_000 });
    expect(after.refunds.map((r) => r.status)).toEqual(['PROCESSED', 'PROCESSED']);
    expect((await sandboxRefunds(payment.razorpayPaymentId!))).toHaveLength(2);
    await expectBooksBalanced();
  });
});

describe('refunds to the wallet', () => {
  it('WALLET: processed at once without the gateway; balance, REFUND transaction and journal in one transaction', async () => {
    const { token, payment } = await capturedPayment('rf-wallet', 20_000, { payeeId: 'tutor-rf-wallet' });
    const before = await balanceOf(token);
    const response = await refund({ paymentId: payment.id, amount: 7_000, destination: 'WALLET', reason: 'goodwill' });
    expect(response.errors).toBeUndefined();
    expect(response.data!.refund).toMatchObject({
      status: 'PROCESSED', destination: 'WALLET', speed: null, razorpayRefundId: null, payment: { status: 'PARTIALLY_REFUNDED', amountRefunded: 7_000 },
    });
    expect((await sandboxRefunds(payment.razorpayPaymentId!))).toHaveLength(0);
    expect(await balanceOf(token)).toBe(before + 7_000);
    const wallet = (await server.gql(WalletDocument, {}, token)).data!.wallet;
    expect(wallet.transactions.edges.map((e) => e.node)).toEqual([
      expect.objectContaining({ type: 'REFUND', status: 'COMPLETED', amount: 7_000, payment: { id: payment.id, purpose: 'ORDER' } }),
    ]);
    const refundTx = await em().findOneOrFail(Transaction, { payment: payment.id, type: TransactionType.REFUND });
    expect(refundTx.wallet?.id).toBe(wallet.id);
    const journal = await em().findOneOrFail(Journal, { payment: payment.id, kind: JournalKind.REFUND });
    expect(journal.refund?.id).toBe(response.data!.refund.id);
    expect(await netByAccount(payment.id)).toEqual({
      'gateway_clearing:INR': 20_000, 'payee_payable:tutor-rf-wallet:INR': -11_050, 'platform_fees:INR': -1_950, 'wallet:rf-wallet:INR': -7_000,
    });
    await expectBooksBalanced();
  });

  it('a payment made from the wallet goes back to the wallet (SOURCE is the wallet); speed is refused for it', async () => {
    const token = await server.token('rf-from-wallet');
    await topUp(server, token, 30_000);
    const order = await createOrder(server, token, 12_000);
    expect((await server.gql(PayWithWalletDocument, { input: { paymentId: order.payment.id } }, token)).errors).toBeUndefined();
    expect(await balanceOf(token)).toBe(18_000);
    const withSpeed = await refund({ paymentId: order.payment.id, speed: 'OPTIMUM' });
    expect(withSpeed.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.speed' });
    const response = await refund({ paymentId: order.payment.id });
    expect(response.data!.refund).toMatchObject({ status: 'PROCESSED', destination: 'WALLET', amount: 12_000, payment: { status: 'REFUNDED' } });
    expect(await balanceOf(token)).toBe(30_000);
    await expectBooksBalanced();
  });
});

describe('wallet top-ups', () => {
  it('are refunded to the source only while their money is unspent; the refunded amount leaves the wallet', async () => {
    const token = await server.token('rf-topup');
    const session = await topUp(server, token, 50_000);
    const order = await createOrder(server, token, 30_000);
    await server.gql(PayWithWalletDocument, { input: { paymentId: order.payment.id } }, token);
    expect(await balanceOf(token)).toBe(20_000);

    const toWallet = await refund({ paymentId: session.payment.id, destination: 'WALLET' });
    expect(toWallet.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.destination' });
    const spent = await refund({ paymentId: session.payment.id, amount: 30_000 });
    expect(spent.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.amount' });
    expect(spent.errors?.[0]?.message).toContain("the payer's wallet holds only ₹200.00 (20000)");
    expect(spent.errors?.[0]?.message).toContain('₹300.00 (30000)');
    expect(await em().count(Refund, { payment: session.payment.id })).toBe(0);

    const unspent = await refund({ paymentId: session.payment.id, amount: 20_000 });
    expect(unspent.data!.refund).toMatchObject({ status: 'PROCESSED', destination: 'SOURCE', payment: { status: 'PARTIALLY_REFUNDED', amountRefunded: 20_000 } });
    expect(await balanceOf(token)).toBe(0);
    const debits = await em().find(Transaction, { userId: 'rf-topup', type: TransactionType.WALLET_DEBIT }, { orderBy: { createdAt: 'asc' } });
    expect(debits.map((d) => [d.amount, d.payment?.id])).toEqual([[30_000, order.payment.id], [20_000, session.payment.id]]);
    expect((await refund({ paymentId: session.payment.id, amount: 1 })).errors?.[0]?.extensions?.field).toBe('input.amount');
    await webhooksDone();
    await expectBooksBalanced();
  });

  it('a pending top-up refund holds the money at once (it cannot be spent); a failure gives it back', async () => {
    const token = await server.token('rf-topup-hold');
    const session = await topUp(server, token, 10_000);
    server.app.sandbox!.setFaults({ refundOutcome: 'pending' });
    const pending = await refund({ paymentId: session.payment.id, amount: 10_000 });
    expect(pending.data!.refund).toMatchObject({ status: 'PENDING' });
    expect(await balanceOf(token)).toBe(0);
    const order = await createOrder(server, token, 5_000);
    const spend = await server.gql(PayWithWalletDocument, { input: { paymentId: order.payment.id } }, token);
    expect(spend.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    await expectBooksBalanced();

    server.app.sandbox!.resetFaults();
    await server.app.sandbox!.settleRefund(pending.data!.refund.razorpayRefundId!, 'failed', { awaitWebhooks: true });
    await webhooksDone();
    expect(await balanceOf(token)).toBe(10_000);
    const kinds = (await em().find(Journal, { payment: session.payment.id }, { orderBy: { createdAt: 'asc' } })).map((j) => j.kind);
    expect(kinds.sort()).toEqual([JournalKind.PAYMENT_CAPTURE, JournalKind.REFUND_HOLD, JournalKind.REFUND_RELEASE].sort());
    expect((await server.gql(PayWithWalletDocument, { input: { paymentId: order.payment.id } }, token)).data!.payWithWallet.status).toBe('CAPTURED');
    await expectBooksBalanced();
  });
});

describe('refusals: a clear error and nothing changed', () => {
  it('a customer may not refund, not even their own payment', async () => {
    const { token, payment } = await capturedPayment('rf-customer', 2_000);
    const response = await refund({ paymentId: payment.id }, token);
    expect(response.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(response.errors?.[0]?.message).toMatch(/admin or service/);
    expect(await em().count(Refund, { payment: payment.id })).toBe(0);
    expect((await refund({ paymentId: payment.id }, null)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('bad inputs, each naming its field', async () => {
    const { payment } = await capturedPayment('rf-bad', 5_000);
    const cases: [RefundInput, string, string, RegExp][] = [
      [{ paymentId: payment.id, amount: 0 }, 'BAD_USER_INPUT', 'input.amount', /must be a positive amount/],
      [{ paymentId: payment.id, amount: -100 }, 'BAD_USER_INPUT', 'input.amount', /must be a positive amount/],
      [{ paymentId: payment.id, amount: 5_001 }, 'BAD_USER_INPUT', 'input.amount', /is ₹50\.01 \(5001\), but only ₹50\.00 \(5000\) remains refundable/],
      [{ paymentId: payment.id, reason: 'x'.repeat(256) }, 'BAD_USER_INPUT', 'input.reason', /at most 255 characters/],
      [{ paymentId: payment.id, reason: 'bad\u0000reason' }, 'BAD_USER_INPUT', 'input.reason', /NUL/],
      [{ paymentId: payment.id, destination: 'WALLET', speed: 'OPTIMUM' }, 'BAD_USER_INPUT', 'input.speed', /SOURCE refunds/],
      [{ paymentId: payment.id, idempotencyKey: 'short' }, 'BAD_USER_INPUT', 'input.idempotencyKey', /8 to 100 characters/],
    ];
    for (const [input, code, field, message] of cases) {
      const response = await refund(input);
      expect(response.errors?.[0]?.extensions, JSON.stringify(input).slice(0, 80)).toMatchObject({ code, field });
      expect(response.errors?.[0]?.message).toMatch(message);
    }
    const notFound = await refund({ paymentId: '00000000-0000-4000-8000-000000000000' });
    expect(notFound.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await refund({ paymentId: 'not-a-uuid' })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(await em().count(Refund, { payment: payment.id })).toBe(0);
    expect(await em().findOneOrFail(Payment, { id: payment.id })).toMatchObject({ status: 'CAPTURED', amountRefunded: 0, version: payment.version });
    expect((await sandboxRefunds(payment.razorpayPaymentId!))).toHaveLength(0);
  });

  it('a payment not captured (CREATED, FAILED) is a CONFLICT; so is one with nothing left to refund', async () => {
    const token = await server.token('rf-uncaptured');
    const created = await createOrder(server, token, 3_000);
    const notPaid = await refund({ paymentId: created.payment.id, amount: 1_000 });
    expect(notPaid.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect(notPaid.errors?.[0]?.message).toMatch(/is CREATED: only a captured payment can be refunded/);
    const failing = await createOrder(server, token, 3_000);
    await pay(server.url, failing.razorpayOrderId, { outcome: 'failure', awaitWebhooks: true });
    await eventually(async () => (await em().findOneOrFail(Payment, { id: failing.payment.id })).status === 'FAILED');
    expect((await refund({ paymentId: failing.payment.id })).errors?.[0]?.message).toMatch(/is FAILED/);

    const { payment } = await capturedPayment('rf-nothing-left', 2_500);
    expect((await refund({ paymentId: payment.id })).data!.refund.payment.status).toBe('REFUNDED');
    const again = await refund({ paymentId: payment.id });
    expect(again.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect(again.errors?.[0]?.message).toMatch(/nothing left to refund: ₹25\.00 \(2500\) refunded/);
    expect(await em().count(Refund, { payment: { $in: [created.payment.id, failing.payment.id] } })).toBe(0);
    expect(await em().count(Refund, { payment: payment.id })).toBe(1);
  });

  it('an idempotencyKey reused for another refund is a CONFLICT', async () => {
    const { payment } = await capturedPayment('rf-key-reuse', 4_000);
    const first = await refund({ paymentId: payment.id, amount: 1_000, idempotencyKey: 'rf-key-reuse-1' });
    expect(first.data!.refund.status).toBe('PROCESSED');
    const otherAmount = await refund({ paymentId: payment.id, amount: 2_000, idempotencyKey: 'rf-key-reuse-1' });
    expect(otherAmount.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    const { payment: other } = await capturedPayment('rf-key-reuse-2', 4_000);
    const otherPayment = await refund({ paymentId: other.id, amount: 1_000, idempotencyKey: 'rf-key-reuse-1' });
    expect(otherPayment.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    // Keys are per caller: another admin may use the same one.
    const otherAdmin = await refund({ paymentId: other.id, amount: 1_000, idempotencyKey: 'rf-key-reuse-1' }, await server.token('ops-2', 'admin'));
    expect(otherAdmin.data!.refund.status).toBe('PROCESSED');
    expect(await em().count(Refund, { payment: payment.id })).toBe(1);
  });
});

describe('random sequences of partial refunds through the API', () => {
  it('end REFUNDED with each account reversed exactly and the books balanced (5 sequences)', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1_000, max: 500_000 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 6 }),
        fc.array(fc.boolean(), { minLength: 7, maxLength: 7 }),
        async (amount, cuts, toWallet) => {
          run += 1;
          const payee = `payee-random-${run}`;
          const { payment } = await capturedPayment(`rf-random-${run}`, amount, { payeeId: payee });
          const points = [...new Set(cuts.map((c) => 1 + (c % (amount - 1))))].sort((a, b) => a - b);
          const parts = [...points, amount].map((point, i, all) => point - (i === 0 ? 0 : all[i - 1]!));
          for (const [i, part] of parts.entries()) {
            const response = await refund({ paymentId: payment.id, amount: part, destination: toWallet[i] ? 'WALLET' : 'SOURCE' });
            expect(response.errors).toBeUndefined();
            expect(response.data!.refund.status).toBe('PROCESSED');
          }
          const after = await paymentOf(payment.id);
          expect(after).toMatchObject({ status: 'REFUNDED', amountRefunded: amount });
          const net = await netByAccount(payment.id);
          expect(net[`payee_payable:${payee}:INR`]).toBe(0);
          expect(net['platform_fees:INR'] ?? 0).toBe(0);
          const toWalletTotal = parts.filter((_, i) => toWallet[i]).reduce((a, b) => a + b, 0);
          expect(net['gateway_clearing:INR']).toBe(toWalletTotal);
        },
      ),
      { numRuns: 5, seed: 20261122 },
    );
    await webhooksDone();
    await expectBooksBalanced();
  });
});

describe('ledger check', () => {
  it('reports a PROCESSED refund without its journal and an amountRefunded that is not the sum of its refunds', async () => {
    const { payment } = await capturedPayment('rf-check', 3_000);
    server.app.sandbox!.setFaults({ refundOutcome: 'failed' });
    const failed = (await refund({ paymentId: payment.id, amount: 1_000 })).data!.refund;
    server.app.sandbox!.resetFaults();
    await webhooksDone();
    await expectBooksBalanced();

    const sql = (query: string, params: unknown[]) => em().getConnection().execute(query, params);
    await sql(`update refund set status = 'PROCESSED' where id = ?`, [failed.id]);
    try {
      const lines: string[] = [];
      const { exitCode, report } = await ledgerCheck(server.db.orm, (line) => lines.push(line));
      expect(exitCode).toBe(1);
      expect(report.problems).toEqual(expect.arrayContaining([
        { rule: 'refund_journal_missing', id: failed.id, detail: 'refund is PROCESSED with no REFUND journal' },
        { rule: 'amount_refunded_mismatch', id: payment.id, detail: "payment's amountRefunded is 0, its PROCESSED refunds sum to 1000" },
      ]));
    } finally {
      await sql(`update refund set status = 'FAILED' where id = ?`, [failed.id]);
    }
    await expectBooksBalanced();
  });
});
