import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Journal, JournalKind } from '../../src/ledger/ledger.entities.js';
import { Transaction, TransactionType } from '../../src/transactions/transaction.entity.js';
import { Wallet } from '../../src/wallet/wallet.entity.js';
import {
  AddWalletBalanceDocument, FreezeWalletDocument, MyPaymentUpdatesDocument, PayWithWalletDocument, PaymentDocument, RefundDocument, UnfreezeWalletDocument,
  VerifyPaymentDocument, WalletDocument,
} from '../graphql/generated.js';
import { pay, paymentEvent, postWebhook, wirePayment } from '../helpers/checkout.js';
import { createOrder, topUp } from '../helpers/flows.js';
import { collect, eventually, startTestServer, type TestServer } from '../helpers/server.js';
import { expectBooksBalanced as expectBooksBalancedOf } from '../helpers/assertions.js';

let server: TestServer;
let admin: string;

beforeAll(async () => {
  server = await startTestServer({ env: { WALLET_MIN_TOPUP: '1000', WALLET_MAX_TOPUP: '5000000', WALLET_MAX_BALANCE: '6000000' } });
  admin = await server.token('ops', 'admin');
});
afterAll(async () => {
  await server?.close();
});

const balanceOf = async (token: string) => (await server.gql(WalletDocument, {}, token)).data!.wallet.balance;
const em = () => server.db.orm.em.fork();
const expectBooksBalanced = () => expectBooksBalancedOf(server);

describe('the wallet', () => {
  it('is created on first use, empty', async () => {
    const token = await server.token('w-new');
    const first = await server.gql(WalletDocument, {}, token);
    expect(first.data!.wallet).toMatchObject({ balance: 0, currency: 'INR', status: 'ACTIVE', transactions: { totalCount: 0 } });
    const again = await server.gql(WalletDocument, {}, token);
    expect(again.data!.wallet.id).toBe(first.data!.wallet.id);
    expect(await em().count(Wallet, { userId: 'w-new' })).toBe(1);
  });

  it('a top-up carries no platform fee and is credited exactly once, with its journal, and subscribers see it', async () => {
    const token = await server.token('w-topup');
    const feed = collect(server.ws(token), MyPaymentUpdatesDocument);
    await feed.ready;
    const session = await topUp(server, token, 250_000);
    expect(session.payment).toMatchObject({ purpose: 'WALLET_TOPUP', platformFee: 0, payeeAmount: 250_000 });
    const wallet = (await server.gql(WalletDocument, {}, token)).data!.wallet;
    expect(wallet.balance).toBe(250_000);
    expect(wallet.transactions.edges.map((e) => e.node)).toEqual([
      expect.objectContaining({ type: 'WALLET_CREDIT', status: 'COMPLETED', amount: 250_000, payment: { id: session.payment.id, purpose: 'WALLET_TOPUP' } }),
    ]);
    expect(await em().count(Journal, { payment: session.payment.id, kind: JournalKind.PAYMENT_CAPTURE })).toBe(1);
    await eventually(() => feed.results.some((r) => r.data?.myPaymentUpdates.status === 'CAPTURED'), 5000, 'the top-up on the feed');
    await expectBooksBalanced();
  });

  it('a top-up whose captured webhook arrives 5 times, concurrently with verifyPayment, is credited once', async () => {
    const token = await server.token('w-race');
    const { data } = await server.gql(AddWalletBalanceDocument, { input: { amount: 40_000 } }, token);
    const session = data!.addWalletBalance;
    const checkout = await pay(server.url, session.razorpayOrderId, { dropWebhooks: true });
    const captured = wirePayment(session.razorpayOrderId, checkout.razorpay_payment_id, 'captured', 40_000);
    const deliveries = Array.from({ length: 5 }, () => paymentEvent('payment.captured', captured));
    await Promise.all([
      server.gql(VerifyPaymentDocument, {
        input: { razorpayOrderId: session.razorpayOrderId, razorpayPaymentId: checkout.razorpay_payment_id, razorpaySignature: checkout.razorpay_signature },
      }, token),
      ...deliveries.map((d) => postWebhook(server.url, d.body, { eventId: d.eventId })),
    ]);
    await eventually(async () => (await server.db.orm.em.fork().getConnection().execute(
      `select count(*)::int as n from webhook_event where status in ('PENDING', 'FAILED')`))[0].n === 0, 10_000, 'webhooks processed');
    expect(await balanceOf(token)).toBe(40_000);
    expect(await em().count(Transaction, { userId: 'w-race', type: TransactionType.WALLET_CREDIT })).toBe(1);
    await expectBooksBalanced();
  });

  it('a failed top-up is not credited', async () => {
    const token = await server.token('w-failed');
    const { data } = await server.gql(AddWalletBalanceDocument, { input: { amount: 30_000 } }, token);
    await pay(server.url, data!.addWalletBalance.razorpayOrderId, { outcome: 'failure', awaitWebhooks: true });
    await eventually(async () => (await server.gql(PaymentDocument, { id: data!.addWalletBalance.payment.id }, token)).data?.payment?.status === 'FAILED');
    expect(await balanceOf(token)).toBe(0);
    expect(await em().count(Transaction, { userId: 'w-failed', type: TransactionType.WALLET_CREDIT })).toBe(0);
  });

  it('refuses top-ups outside the limits, naming the amount and the limit', async () => {
    const token = await server.token('w-limits');
    const below = await server.gql(AddWalletBalanceDocument, { input: { amount: 999 } }, token);
    expect(below.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'input.amount' } });
    expect(below.errors?.[0]?.message).toMatch(/between 1000 and 5000000/);
    const above = await server.gql(AddWalletBalanceDocument, { input: { amount: 5_000_001 } }, token);
    expect(above.errors?.[0]?.extensions?.field).toBe('input.amount');
    await topUp(server, token, 5_000_000);
    const overBalance = await server.gql(AddWalletBalanceDocument, { input: { amount: 1_000_001 } }, token);
    expect(overBalance.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'input.amount' } });
    expect(overBalance.errors?.[0]?.message).toMatch(/maximum of ₹60,000\.00: top up at most 1000000/);
    const badKey = await server.gql(AddWalletBalanceDocument, { input: { amount: 5000, idempotencyKey: 'bad key' } }, token);
    expect(badKey.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.idempotencyKey' });
  });

  it('a frozen wallet takes no top-up and cannot be spent; only admins freeze', async () => {
    const token = await server.token('w-frozen');
    await topUp(server, token, 20_000);
    const order = await createOrder(server, token, 5_000);
    const byCustomer = await server.gql(FreezeWalletDocument, { input: { userId: 'w-frozen', reason: 'chargeback review' } }, token);
    expect(byCustomer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const frozen = await server.gql(FreezeWalletDocument, { input: { userId: 'w-frozen', reason: 'chargeback review' } }, admin);
    expect(frozen.data!.freezeWallet).toMatchObject({ status: 'FROZEN', frozenReason: 'chargeback review' });
    const topUpFrozen = await server.gql(AddWalletBalanceDocument, { input: { amount: 5_000 } }, token);
    expect(topUpFrozen.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(topUpFrozen.errors?.[0]?.message).toMatch(/frozen \(chargeback review\)/);
    const spendFrozen = await server.gql(PayWithWalletDocument, { input: { paymentId: order.payment.id } }, token);
    expect(spendFrozen.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await balanceOf(token)).toBe(20_000);
    await server.gql(UnfreezeWalletDocument, { userId: 'w-frozen' }, admin);
    const spent = await server.gql(PayWithWalletDocument, { input: { paymentId: order.payment.id } }, token);
    expect(spent.data!.payWithWallet.status).toBe('CAPTURED');
    expect(await balanceOf(token)).toBe(15_000);
  });
});

describe('paying from the wallet', () => {
  it('captures the order at once: WALLET_DEBIT, CHARGE completed, capture journal from the wallet, fee split kept', async () => {
    const token = await server.token('w-spend');
    await topUp(server, token, 100_000);
    const order = await createOrder(server, token, 60_000, { payeeId: 'cleaner-9' });
    const paid = await server.gql(PayWithWalletDocument, { input: { paymentId: order.payment.id, idempotencyKey: 'spend-0001' } }, token);
    expect(paid.errors).toBeUndefined();
    expect(paid.data!.payWithWallet).toMatchObject({ status: 'CAPTURED', method: { method: 'wallet_balance' } });
    expect(paid.data!.payWithWallet.transactions).toEqual([expect.objectContaining({ type: 'CHARGE', status: 'COMPLETED' }), expect.objectContaining({ type: 'WALLET_DEBIT', amount: 60_000 })]);
    expect(await balanceOf(token)).toBe(40_000);
    const entries: { code: string; amount: string }[] = await em().getConnection().execute(
      `select a.code, e.amount::text from journal j join journal_entry e on e.journal_id = j.id join ledger_account a on a.id = e.account_id
        where j.payment_id = ? order by e.amount desc`, [order.payment.id]);
    expect(entries).toEqual([
      { code: 'wallet:w-spend:INR', amount: '60000' },
      { code: 'platform_fees:INR', amount: '-9000' },
      { code: 'payee_payable:cleaner-9:INR', amount: '-51000' },
    ]);
    // The same request again: the same result, no second debit; the key for another payment: CONFLICT.
    const again = await server.gql(PayWithWalletDocument, { input: { paymentId: order.payment.id, idempotencyKey: 'spend-0001' } }, token);
    expect(again.data!.payWithWallet.version).toBe(paid.data!.payWithWallet.version);
    const other = await createOrder(server, token, 1_000);
    const reused = await server.gql(PayWithWalletDocument, { input: { paymentId: other.payment.id, idempotencyKey: 'spend-0001' } }, token);
    expect(reused.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect(await balanceOf(token)).toBe(40_000);
    await expectBooksBalanced();
  });

  it('refuses an insufficient balance naming both amounts, and changes nothing', async () => {
    const token = await server.token('w-poor');
    await topUp(server, token, 10_000);
    const order = await createOrder(server, token, 12_345);
    const response = await server.gql(PayWithWalletDocument, { input: { paymentId: order.payment.id } }, token);
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.paymentId' });
    expect(response.errors?.[0]?.message).toContain('₹100.00 (10000)');
    expect(response.errors?.[0]?.message).toContain('₹123.45 (12345)');
    expect(await balanceOf(token)).toBe(10_000);
    expect((await server.gql(PaymentDocument, { id: order.payment.id }, token)).data!.payment!.status).toBe('CREATED');
  });

  it("refuses someone else's order, a top-up, an order already paid through Razorpay, and a malformed id", async () => {
    const token = await server.token('w-rules');
    const stranger = await server.token('w-stranger');
    await topUp(server, token, 50_000);
    const theirs = await createOrder(server, stranger, 1_000);
    expect((await server.gql(PayWithWalletDocument, { input: { paymentId: theirs.payment.id } }, token)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const topUpOrder = (await server.gql(AddWalletBalanceDocument, { input: { amount: 5_000 } }, token)).data!.addWalletBalance;
    expect((await server.gql(PayWithWalletDocument, { input: { paymentId: topUpOrder.payment.id } }, token)).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const paidByCard = await createOrder(server, token, 2_000);
    await pay(server.url, paidByCard.razorpayOrderId, { awaitWebhooks: true });
    await eventually(async () => (await server.gql(PaymentDocument, { id: paidByCard.payment.id }, token)).data?.payment?.status === 'CAPTURED');
    expect((await server.gql(PayWithWalletDocument, { input: { paymentId: paidByCard.payment.id } }, token)).errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect((await server.gql(PayWithWalletDocument, { input: { paymentId: 'nope' } }, token)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(await balanceOf(token)).toBe(50_000);
  });

  it('50 concurrent debits of which only some fit: never negative, the successes sum to the drop, books balance', async () => {
    const token = await server.token('w-rush');
    await topUp(server, token, 23_500);
    const orders = await Promise.all(Array.from({ length: 50 }, () => createOrder(server, token, 1_000)));
    const results = await Promise.all(orders.map((o) => server.gql(PayWithWalletDocument, { input: { paymentId: o.payment.id } }, token)));
    const succeeded = results.filter((r) => r.data?.payWithWallet.status === 'CAPTURED');
    const refused = results.filter((r) => r.errors);
    expect(succeeded).toHaveLength(23);
    expect(refused).toHaveLength(27);
    expect(refused.every((r) => r.errors![0]!.extensions?.code === 'BAD_USER_INPUT' && /wallet balance is/.test(r.errors![0]!.message))).toBe(true);
    expect(await balanceOf(token)).toBe(23_500 - 23 * 1_000);
    const debits = await em().find(Transaction, { userId: 'w-rush', type: TransactionType.WALLET_DEBIT });
    expect(debits.reduce((sum, t) => sum + t.amount, 0)).toBe(23_000);
    const lines = await expectBooksBalanced();
    expect(lines.at(-1)).toMatch(/^OK/);
  });
});

describe('a payment paid from the wallet after a failed Razorpay attempt', () => {
  it('is known to be wallet-funded: refunded into the wallet at once, not sent to the failed attempt', async () => {
    const token = await server.token('w-after-failure');
    await topUp(server, token, 30_000);
    const order = await createOrder(server, token, 12_000);
    await pay(server.url, order.razorpayOrderId, { outcome: 'failure', awaitWebhooks: true });
    const failed = await eventually(async () => {
      const read = (await server.gql(PaymentDocument, { id: order.payment.id }, token)).data?.payment;
      return read?.status === 'FAILED' ? read : null;
    }, 10_000, 'the attempt failed');
    // The failed attempt is recorded on the payment; the wallet then pays it.
    expect(failed.razorpayPaymentId).toMatch(/^pay_/);
    const paid = await server.gql(PayWithWalletDocument, { input: { paymentId: order.payment.id } }, token);
    expect(paid.errors).toBeUndefined();
    expect(await balanceOf(token)).toBe(18_000);

    const refunded = await server.gql(RefundDocument, { input: { paymentId: order.payment.id, amount: 5_000 } }, admin);
    expect(refunded.errors).toBeUndefined();
    expect(refunded.data!.refund).toMatchObject({ status: 'PROCESSED', destination: 'WALLET', razorpayRefundId: null });
    expect(await balanceOf(token)).toBe(23_000);
    await expectBooksBalanced();
  });
});
