import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Booking } from '../../src/bookings/booking.entity.js';
import { BOOKING_REFUND_JOB, BookingFailureRefunds, RefundRefusedError, type BookingFailureRefunder } from '../../src/bookings/booking.refunds.js';
import { CartCheckout, CheckoutStatus, BookingRefundState } from '../../src/cart/cart.entity.js';
import { JobRunner } from '../../src/jobs/job-runner.js';
import { createLogger } from '../../src/logger.js';
import { Payment, PaymentPurpose } from '../../src/payments/payment.entity.js';
import {
  AddCartItemDocument, CartDocument, ClearCartDocument, DeactivateProductDocument, PaymentWithBookingDocument, ProcessCartDocument,
  RefundDocument, RemoveCartItemDocument, UpdateCartItemDocument, UpdateProductDocument, WalletDocument,
} from '../graphql/generated.js';
import { pay, setSandboxFaults } from '../helpers/checkout.js';
import { addProduct, checkOut, fillCart } from '../helpers/cart.js';
import { payAndVerify, topUp } from '../helpers/flows.js';
import { eventually, startTestServer, type TestServer } from '../helpers/server.js';
import { expectBooksBalanced as expectBooksBalancedOf } from '../helpers/assertions.js';

let server: TestServer;
let admin: string;

beforeAll(async () => {
  server = await startTestServer();
  admin = await server.token('checkout-admin', 'admin');
});
afterAll(async () => {
  await server?.close();
});

const em = () => server.db.orm.em.fork();
const MINUTE = 60_000;
const readCart = async (token: string, id?: string) => (await server.gql(CartDocument, { id }, token)).data!.cart!;
const processCart = (token: string, cartId: string, method: 'GATEWAY' | 'WALLET' = 'GATEWAY', idempotencyKey?: string) =>
  server.gql(ProcessCartDocument, { input: { cartId, method, idempotencyKey } }, token);
const expectBooksBalanced = () => expectBooksBalancedOf(server);

describe('processCart refuses', () => {
  it('an empty cart, another user’s cart, a malformed cart id, a product no longer offered, a bad key; each naming the field', async () => {
    const token = await server.token('refuse-1');
    const product = await addProduct(server, admin, 10_000);
    const cart = await fillCart(server, token, [{ productId: product.id, quantity: 1 }]);
    await server.gql(ClearCartDocument, {}, token);
    const empty = await processCart(token, cart.id);
    expect(empty.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'input.cartId' } });
    expect(empty.errors?.[0]?.message).toMatch(/is empty: add items before checking out/);

    await fillCart(server, token, [{ productId: product.id, quantity: 1 }]);
    const theirs = await processCart(await server.token('refuse-intruder'), cart.id);
    expect(theirs.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const asAdmin = await processCart(admin, cart.id);
    expect(asAdmin.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    const malformed = await processCart(token, 'cart-42');
    expect(malformed.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'input.cartId' } });
    const badKey = await processCart(token, cart.id, 'GATEWAY', 'short');
    expect(badKey.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.idempotencyKey' });

    await server.gql(DeactivateProductDocument, { id: product.id }, admin);
    const withdrawn = await processCart(token, cart.id);
    expect(withdrawn.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'input.cartId' } });
    expect(withdrawn.errors?.[0]?.message).toContain(`(${product.id}) is no longer offered: remove it from the cart`);
    expect((await readCart(token, cart.id)).status).toBe('ACTIVE');
    expect(await em().count(CartCheckout, { cart: cart.id })).toBe(0);
  });

  it('a total below ₹1.00, and a WALLET payment the balance does not cover (nothing changes)', async () => {
    const token = await server.token('refuse-2');
    const cheap = await addProduct(server, admin, 30);
    const cart = await fillCart(server, token, [{ productId: cheap.id, quantity: 3 }]);
    const tooSmall = await processCart(token, cart.id);
    expect(tooSmall.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.cartId' });
    expect(tooSmall.errors?.[0]?.message).toMatch(/total is ₹0\.90 \(90\), below the smallest payment of ₹1\.00 \(100\)/);

    await server.gql(UpdateCartItemDocument, { input: { productId: cheap.id, quantity: 99 } }, token);
    const poor = await processCart(token, cart.id, 'WALLET');
    expect(poor.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.method' });
    expect(poor.errors?.[0]?.message).toMatch(/wallet balance is ₹0\.00 \(0\), less than the payment's ₹29\.70 \(2970\): top up first/);
    expect(await readCart(token, cart.id)).toMatchObject({ status: 'ACTIVE', payment: null, lines: [{ unitPrice: 30, lineTotal: 2970 }] });
    expect(await em().count(Payment, { reference: cart.id })).toBe(0);
    expect(await em().count(CartCheckout, { cart: cart.id })).toBe(0);
  });
});

describe('the checkout fixes the price', () => {
  it('charges the catalog price at checkout, not when the item was added, and keeps it after later price changes', async () => {
    const token = await server.token('price-1');
    const product = await addProduct(server, admin, 10_000);
    const cart = await fillCart(server, token, [{ productId: product.id, quantity: 3 }]);
    expect(cart.lines[0]).toMatchObject({ unitPrice: 10_000, lineTotal: 30_000 });
    await server.gql(UpdateProductDocument, { input: { id: product.id, price: 12_500 } }, admin);
    expect((await readCart(token, cart.id)).total).toBe(37_500);

    const result = await checkOut(server, token, cart.id);
    expect(result.payment.amount).toBe(37_500);
    expect(result.checkout!.amount).toBe(37_500);
    expect(result.cart).toMatchObject({ status: 'CHECKED_OUT', total: 37_500, lines: [{ quantity: 3, unitPrice: 12_500, lineTotal: 37_500 }] });

    // The catalog changes again before the customer pays: the checkout's price stands.
    await server.gql(UpdateProductDocument, { input: { id: product.id, price: 99_900 } }, admin);
    expect((await readCart(token, cart.id)).lines[0]).toMatchObject({ unitPrice: 12_500, lineTotal: 37_500, product: { price: 99_900 } });
    await payAndVerify(server, token, result.checkout!.razorpayOrderId);
    const booked = await readCart(token, cart.id);
    expect(booked.booking).toMatchObject({ totalAmount: 37_500, items: [{ quantity: 3, unitPrice: 12_500, lineTotal: 37_500 }] });
  });
});

describe('a CHECKED_OUT cart', () => {
  it('refuses every edit with CONFLICT, and a second checkout without the same key', async () => {
    const token = await server.token('locked-1');
    const product = await addProduct(server, admin, 5_000);
    const other = await addProduct(server, admin, 6_000);
    const cart = await fillCart(server, token, [{ productId: product.id, quantity: 2 }]);
    await checkOut(server, token, cart.id, 'GATEWAY', 'locked-1-key-1');
    const edits = await Promise.all([
      server.gql(AddCartItemDocument, { input: { productId: other.id } }, token),
      server.gql(AddCartItemDocument, { input: { cartId: cart.id, productId: product.id } }, token),
      server.gql(UpdateCartItemDocument, { input: { productId: product.id, quantity: 5 } }, token),
      server.gql(RemoveCartItemDocument, { input: { cartId: cart.id, productId: product.id } }, token),
      server.gql(ClearCartDocument, { cartId: cart.id }, token),
    ]);
    for (const edit of edits) {
      expect(edit.errors?.[0]?.extensions?.code).toBe('CONFLICT');
      expect(edit.errors?.[0]?.message).toContain(`cart ${cart.id} is CHECKED_OUT`);
    }
    const again = await processCart(token, cart.id, 'GATEWAY', 'locked-1-key-2');
    expect(again.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect(again.errors?.[0]?.message).toMatch(/is already checked out \(payment [0-9a-f-]{36}\)/);
    expect(await readCart(token, cart.id)).toMatchObject({ status: 'CHECKED_OUT', itemCount: 2 });
  });
});

describe('two processCart calls at once on the same cart', () => {
  it('with the same key: one payment, every caller gets it', async () => {
    const token = await server.token('race-1');
    const product = await addProduct(server, admin, 20_000);
    const cart = await fillCart(server, token, [{ productId: product.id, quantity: 1 }]);
    const results = await Promise.all(Array.from({ length: 6 }, () => processCart(token, cart.id, 'GATEWAY', 'race-1-same-key')));
    expect(results.map((r) => r.errors)).toEqual(Array(6).fill(undefined));
    expect(new Set(results.map((r) => r.data!.processCart.payment.id)).size).toBe(1);
    expect(new Set(results.map((r) => r.data!.processCart.checkout!.razorpayOrderId)).size).toBe(1);
    expect(await em().count(Payment, { reference: cart.id, purpose: PaymentPurpose.CART })).toBe(1);
    expect(await em().count(CartCheckout, { cart: cart.id })).toBe(1);
  });

  it('without a key (or with different keys): one succeeds, the others get CONFLICT', async () => {
    const token = await server.token('race-2');
    const product = await addProduct(server, admin, 20_000);
    const cart = await fillCart(server, token, [{ productId: product.id, quantity: 1 }]);
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => processCart(token, cart.id, 'GATEWAY', i % 2 ? `race-2-key-${i}` : undefined)));
    expect(results.filter((r) => r.data?.processCart)).toHaveLength(1);
    expect(results.filter((r) => r.errors?.[0]?.extensions?.code === 'CONFLICT')).toHaveLength(5);
    expect(await em().count(Payment, { reference: cart.id })).toBe(1);
  });

  it('from the wallet: one debit', async () => {
    const token = await server.token('race-3');
    const product = await addProduct(server, admin, 15_000);
    await topUp(server, token, 100_000);
    const cart = await fillCart(server, token, [{ productId: product.id, quantity: 2 }]);
    const results = await Promise.all(Array.from({ length: 5 }, () => processCart(token, cart.id, 'WALLET')));
    expect(results.filter((r) => r.data?.processCart.booking)).toHaveLength(1);
    expect(results.filter((r) => r.errors?.[0]?.extensions?.code === 'CONFLICT')).toHaveLength(4);
    expect((await server.gql(WalletDocument, {}, token)).data!.wallet.balance).toBe(70_000);
    expect(await em().count(Booking, { cart: cart.id })).toBe(1);
  });

  it('a key already used for another cart, or another method, is a CONFLICT', async () => {
    const token = await server.token('race-4');
    const product = await addProduct(server, admin, 20_000);
    const cart = await fillCart(server, token, [{ productId: product.id, quantity: 1 }]);
    const first = await checkOut(server, token, cart.id, 'GATEWAY', 'race-4-key');
    const otherMethod = await processCart(token, cart.id, 'WALLET', 'race-4-key');
    expect(otherMethod.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    await payAndVerify(server, token, first.checkout!.razorpayOrderId);
    const nextCart = await fillCart(server, token, [{ productId: product.id, quantity: 2 }]);
    expect(nextCart.id).not.toBe(cart.id);
    const otherCartSameKey = await processCart(token, nextCart.id, 'GATEWAY', 'race-4-key');
    expect(otherCartSameKey.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect(otherCartSameKey.errors?.[0]?.message).toContain(`already used for cart ${cart.id} (GATEWAY): use a new key`);
    const otherToken = await server.token('race-4b');
    const otherCart = await fillCart(server, otherToken, [{ productId: product.id, quantity: 1 }]);
    // Keys are per user: another user's same key is theirs to use.
    expect((await processCart(otherToken, otherCart.id, 'GATEWAY', 'race-4-key')).errors).toBeUndefined();
  });
});

describe('when the gateway cannot create the order', () => {
  it('the cart is ACTIVE again, nothing remains, and the same key can try again', async () => {
    const token = await server.token('gw-down');
    const product = await addProduct(server, admin, 20_000);
    const cart = await fillCart(server, token, [{ productId: product.id, quantity: 1 }]);
    await setSandboxFaults(server.url, { failNextRequests: { count: 1, status: 400 } });
    const failed = await processCart(token, cart.id, 'GATEWAY', 'gw-down-key-1');
    expect(failed.errors?.[0]?.extensions?.code).toBe('GATEWAY_ERROR');
    expect(await readCart(token, cart.id)).toMatchObject({ status: 'ACTIVE', payment: null, checkedOutAt: null });
    expect(await em().count(CartCheckout, { cart: cart.id })).toBe(0);
    expect(await em().count(Payment, { reference: cart.id })).toBe(0);
    const retried = await processCart(token, cart.id, 'GATEWAY', 'gw-down-key-1');
    expect(retried.data!.processCart.cart.status).toBe('CHECKED_OUT');
  });
});

describe('the expiry sweep', () => {
  it('releases a checkout left unpaid past the timeout; a late success still books, exactly once', async () => {
    const token = await server.token('expiry-1');
    const product = await addProduct(server, admin, 40_000);
    const cart = await fillCart(server, token, [{ productId: product.id, quantity: 1 }]);
    const result = await checkOut(server, token, cart.id);
    // Not yet due: nothing happens.
    await server.app.services.checkout.releaseExpired(new Date(Date.now() + 29 * MINUTE));
    expect((await readCart(token, cart.id)).status).toBe('CHECKED_OUT');

    expect(await server.app.services.checkout.releaseExpired(new Date(Date.now() + 31 * MINUTE))).toBeGreaterThanOrEqual(1);
    expect(await readCart(token, cart.id)).toMatchObject({
      status: 'ACTIVE', payment: null, failureReason: 'the payment was not completed within 30 minutes: check out again to pay',
    });
    expect(await server.app.services.checkout.releaseExpired(new Date(Date.now() + 31 * MINUTE))).toBe(0);

    // The money arrives after all (verifyPayment and webhooks): booked once, the cart converted.
    await payAndVerify(server, token, result.checkout!.razorpayOrderId, { duplicateWebhooks: 2 });
    await eventually(async () => (await em().getConnection().execute(
      `select count(*)::int as n from webhook_event where status in ('PENDING', 'FAILED')`))[0].n === 0, 10_000, 'webhooks processed');
    expect(await em().count(Booking, { payment: result.payment.id })).toBe(1);
    expect(await readCart(token, cart.id)).toMatchObject({ status: 'CONVERTED', payment: { id: result.payment.id }, booking: { totalAmount: 40_000 } });
  });

  it('a cart edited after release: the booking is the paid lines; the edits move to a fresh ACTIVE cart', async () => {
    const token = await server.token('expiry-2');
    const paidFor = await addProduct(server, admin, 10_000, { name: 'Paid for' });
    const addedLater = await addProduct(server, admin, 3_000, { name: 'Added later' });
    const cart = await fillCart(server, token, [{ productId: paidFor.id, quantity: 2 }]);
    const result = await checkOut(server, token, cart.id);
    await server.app.services.checkout.releaseExpired(new Date(Date.now() + 31 * MINUTE));
    await server.gql(UpdateCartItemDocument, { input: { productId: paidFor.id, quantity: 5 } }, token);
    await fillCart(server, token, [{ productId: addedLater.id, quantity: 1 }]);
    await server.gql(UpdateProductDocument, { input: { id: paidFor.id, price: 11_000 } }, admin);

    await payAndVerify(server, token, result.checkout!.razorpayOrderId);
    const converted = await readCart(token, cart.id);
    expect(converted).toMatchObject({ status: 'CONVERTED', total: 20_000, lines: [{ product: { id: paidFor.id }, quantity: 2, unitPrice: 10_000, lineTotal: 20_000 }] });
    expect(converted.booking!.items).toEqual([{ productId: paidFor.id, name: 'Paid for', quantity: 2, unitPrice: 10_000, lineTotal: 20_000 }]);
    const fresh = await readCart(token);
    expect(fresh.id).not.toBe(cart.id);
    expect(fresh).toMatchObject({ status: 'ACTIVE', total: 5 * 11_000 + 3_000 });
    expect(fresh.lines.map((l) => [l.product.id, l.quantity])).toEqual([[paidFor.id, 5], [addedLater.id, 1]]);
  });

  it('leaves a checkout whose payment is authorised (its capture is on its way)', async () => {
    const token = await server.token('expiry-3');
    const product = await addProduct(server, admin, 40_000);
    const cart = await fillCart(server, token, [{ productId: product.id, quantity: 1 }]);
    const result = await checkOut(server, token, cart.id);
    await pay(server.url, result.checkout!.razorpayOrderId, { authorizeOnly: true, awaitWebhooks: true });
    await eventually(async () => (await em().findOneOrFail(Payment, { id: result.payment.id })).status === 'AUTHORIZED', 10_000, 'AUTHORIZED');
    await server.app.services.checkout.releaseExpired(new Date(Date.now() + 31 * MINUTE));
    expect((await readCart(token, cart.id)).status).toBe('CHECKED_OUT');
  });
});

describe('a booking that cannot be made after the money was captured', () => {
  it('GATEWAY: the capture commits, no booking, the cart and the payment say why, and the payment is refunded in full', async () => {
    const token = await server.token('bkfail-1');
    const product = await addProduct(server, admin, 45_000, { name: 'Withdrawn service' });
    const cart = await fillCart(server, token, [{ productId: product.id, quantity: 1 }]);
    const result = await checkOut(server, token, cart.id);
    await server.gql(DeactivateProductDocument, { id: product.id }, admin);
    const { payment } = await payAndVerify(server, token, result.checkout!.razorpayOrderId);
    expect(payment.status).toBe('CAPTURED');

    const failed = await readCart(token, cart.id);
    expect(failed).toMatchObject({ status: 'BOOKING_FAILED', booking: null, payment: { id: result.payment.id } });
    expect(failed.failureReason).toBe('"Withdrawn service" is no longer offered (withdrawn after checkout)');
    const refunded = await eventually(async () => {
      const read = (await server.gql(PaymentWithBookingDocument, { id: result.payment.id }, token)).data!.payment!;
      return read.status === 'REFUNDED' ? read : null;
    }, 10_000, 'the payment refunded');
    expect(refunded).toMatchObject({ amountRefunded: 45_000, booking: null, bookingFailureReason: failed.failureReason });
    const checkout = await em().findOneOrFail(CartCheckout, { cart: cart.id });
    expect(checkout).toMatchObject({ status: CheckoutStatus.BOOKING_FAILED, refundState: BookingRefundState.REQUESTED, refundAttempts: 1, refundError: null });
    expect(await em().count(Booking, { payment: result.payment.id })).toBe(0);
    await expectBooksBalanced();
  });

  it('WALLET: the answer already shows the failure and the refund; the wallet has its money back', async () => {
    const token = await server.token('bkfail-2');
    const product = await addProduct(server, admin, 25_000);
    await topUp(server, token, 60_000);
    const cart = await fillCart(server, token, [{ productId: product.id, quantity: 2 }]);
    // Withdrawn between the checkout's pricing and the capture: simulated by deactivating it
    // from inside the transaction, through a handler that runs before the booking handler.
    const core = server.app.services.paymentCore as unknown as { handlers: { handle: (...args: never[]) => Promise<void> }[] };
    const withdraw = { handle: async () => { await em().getConnection().execute(`update product set active = false where id = ?`, [product.id]); } };
    core.handlers.unshift(withdraw);
    let result;
    try {
      result = await checkOut(server, token, cart.id, 'WALLET');
    } finally {
      core.handlers.splice(core.handlers.indexOf(withdraw), 1);
    }
    expect(result.booking).toBeNull();
    expect(result.cart).toMatchObject({ status: 'BOOKING_FAILED', failureReason: expect.stringContaining('is no longer offered') });
    expect(result.payment).toMatchObject({ status: 'REFUNDED', bookingFailureReason: result.cart.failureReason });
    expect((await server.gql(WalletDocument, {}, token)).data!.wallet.balance).toBe(60_000);
    await expectBooksBalanced();
  });
});

describe('a booked payment refunded in full', () => {
  it('cancels its booking in the same transaction', async () => {
    const token = await server.token('cancel-1');
    const product = await addProduct(server, admin, 30_000);
    const cart = await fillCart(server, token, [{ productId: product.id, quantity: 1 }]);
    const result = await checkOut(server, token, cart.id);
    await payAndVerify(server, token, result.checkout!.razorpayOrderId);
    const partial = await server.gql(RefundDocument, { input: { paymentId: result.payment.id, amount: 10_000 } }, admin);
    expect(partial.errors).toBeUndefined();
    expect((await readCart(token, cart.id)).booking!.status).toBe('CONFIRMED');
    const rest = await server.gql(RefundDocument, { input: { paymentId: result.payment.id } }, admin);
    expect(rest.errors).toBeUndefined();
    const read = (await server.gql(PaymentWithBookingDocument, { id: result.payment.id }, token)).data!.payment!;
    expect(read).toMatchObject({ status: 'REFUNDED', booking: { status: 'CANCELLED' } });
    expect(read.booking!.cancelledAt).not.toBeNull();
    await expectBooksBalanced();
  });
});

describe('the refunds owed by failed bookings', () => {
  /** A captured cart payment whose checkout is marked as owing a refund, for the refunder under test. */
  async function owedRefund(userId: string): Promise<{ checkoutId: string; paymentId: string }> {
    const token = await server.token(userId);
    const product = await addProduct(server, admin, 20_000);
    const cart = await fillCart(server, token, [{ productId: product.id, quantity: 1 }]);
    const result = await checkOut(server, token, cart.id);
    await payAndVerify(server, token, result.checkout!.razorpayOrderId, { dropWebhooks: true });
    const checkout = await em().findOneOrFail(CartCheckout, { payment: result.payment.id });
    await em().nativeUpdate(CartCheckout, { id: checkout.id }, {
      status: CheckoutStatus.BOOKING_FAILED, failureReason: 'test', refundState: BookingRefundState.PENDING, refundNextAttemptAt: new Date(),
    });
    return { checkoutId: checkout.id, paymentId: result.payment.id };
  }
  const logger = createLogger('silent');

  /**
   * Booking refunds on a job runner of their own (a schema apart from the test server's, whose
   * workers would otherwise take these jobs with the real refunder), as many instances as asked.
   */
  const runners: JobRunner[] = [];
  async function refundWorkers(count: number, refunder: BookingFailureRefunder) {
    const made = [];
    for (let i = 0; i < count; i += 1) {
      const jobs = new JobRunner({ databaseUrl: server.db.url, leaseSeconds: 30, schema: 'booking_refund_test' }, logger);
      runners.push(jobs);
      const refunds = new BookingFailureRefunds(server.db.orm, refunder, logger, jobs);
      await jobs.startWorkers();
      made.push({ jobs, refunds });
    }
    return made;
  }
  afterEach(async () => {
    await Promise.all(runners.splice(0).map((jobs) => jobs.stop()));
  });
  /** Enqueues the refund as the transaction recording the failure does. */
  const enqueue = (refunds: BookingFailureRefunds, checkoutId: string) => server.db.orm.em.fork().transactional((tx) => refunds.enqueue(tx, checkoutId));
  const checkoutRow = (id: string) => em().findOneOrFail(CartCheckout, { id });
  const jobsDone = (jobs: JobRunner, key: string, count: number) => eventually(async () => {
    const all = await jobs.jobsFor(BOOKING_REFUND_JOB, key);
    return all.length >= count && all.every((job) => job.state === 'completed') ? all : null;
  }, 15_000, `${count} booking.refund job(s) of ${key} to complete`);

  it('a failed request is recorded and retried with the library’s backoff; success marks it REQUESTED', async () => {
    const { checkoutId, paymentId } = await owedRefund('owed-1');
    const calls: string[] = [];
    let failures = 1;
    const [{ jobs, refunds }] = await refundWorkers(1, {
      async refundInFull(id, reason) {
        calls.push(`${id}|${reason}`);
        if (failures-- > 0) throw new Error('refund service unavailable');
      },
    });
    const before = Date.now();
    await enqueue(refunds, checkoutId);
    const [retrying] = await eventually(async () => {
      const all = await jobs.jobsFor(BOOKING_REFUND_JOB, checkoutId);
      return all.length === 1 && all[0]!.state === 'retry' ? all : null;
    }, 10_000, 'the first attempt to fail');
    const failedAt = Date.now();
    expect(calls).toEqual([`${paymentId}|The booking could not be made: test`]);
    const failed = await checkoutRow(checkoutId);
    expect(failed).toMatchObject({ refundState: BookingRefundState.PENDING, refundAttempts: 1, refundError: 'refund service unavailable' });
    // Operators see when it is asked again: not before 5 s (the library waits 5 to 10 s after a first failure).
    expect(failed.refundNextAttemptAt!.getTime()).toBeGreaterThanOrEqual(before + 5_000);
    expect(failed.refundNextAttemptAt!.getTime()).toBeLessThanOrEqual(failedAt + 5_000);
    expect(retrying!.startAfter.getTime()).toBeGreaterThanOrEqual(failed.refundNextAttemptAt!.getTime() - 1_000);

    const requested = await eventually(async () => {
      const row = await checkoutRow(checkoutId);
      return row.refundState === BookingRefundState.REQUESTED ? row : null;
    }, 20_000, 'the retry to succeed');
    expect(Date.now() - failedAt).toBeGreaterThanOrEqual(4_000);
    expect(calls).toHaveLength(2);
    expect(requested).toMatchObject({ refundAttempts: 2, refundError: null, refundNextAttemptAt: null });
    await jobsDone(jobs, checkoutId, 1);
    // Nothing more is owed: another job calls nobody.
    await enqueue(refunds, checkoutId);
    await jobsDone(jobs, checkoutId, 2);
    expect(calls).toHaveLength(2);
  });

  it('three instances asking at once, and again while it runs: the refunder is called once', async () => {
    const { checkoutId, paymentId } = await owedRefund('owed-2');
    const probe = await owedRefund('owed-2-probe');
    let calls = 0;
    const probed: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    // The refunder holds the first checkout's refund until the asks made while it runs have had
    // their chance to run beside it (wrongly) or to wait.
    const slow = {
      async refundInFull(id: string) {
        if (id !== paymentId) return void probed.push(id);
        calls += 1;
        await held;
      },
    };
    const instances = await refundWorkers(3, slow);
    await Promise.all(instances.map(({ refunds }) => enqueue(refunds, checkoutId)));
    await eventually(() => calls >= 1, 10_000, 'one instance to ask for the refund');
    await Promise.all(instances.map(({ refunds }) => enqueue(refunds, checkoutId)));
    const states = (await instances[0]!.jobs.jobsFor(BOOKING_REFUND_JOB, checkoutId)).map((job) => job.state).sort();
    expect(states).toEqual(['active', 'created']);
    // A job queued after the waiting one is run: the workers have fetched since, and passed the waiting one by.
    await enqueue(instances[1]!.refunds, probe.checkoutId);
    await eventually(() => probed.length === 1 || calls > 1, 10_000, 'a later job to run');
    expect(calls).toBe(1);
    release();
    await jobsDone(instances[0]!.jobs, checkoutId, 2);
    expect(calls).toBe(1);
    expect(await checkoutRow(checkoutId)).toMatchObject({ refundState: BookingRefundState.REQUESTED, refundAttempts: 1 });
  });

  it('a definite refusal is left for an operator, not retried', async () => {
    const { checkoutId } = await owedRefund('owed-3');
    let calls = 0;
    const [{ jobs, refunds }] = await refundWorkers(1, {
      async refundInFull() {
        calls += 1;
        throw new RefundRefusedError('refund rfnd_X was refused: insufficient balance');
      },
    });
    await enqueue(refunds, checkoutId);
    const [job] = await jobsDone(jobs, checkoutId, 1);
    expect(job!.retryCount).toBe(0);
    expect(calls).toBe(1);
    expect(await checkoutRow(checkoutId)).toMatchObject({
      refundState: BookingRefundState.REFUSED, refundError: 'refund rfnd_X was refused: insufficient balance', refundNextAttemptAt: null, refundAttempts: 1,
    });
  });

  it('an attempt cut short (its process died, IN_PROGRESS left behind) is taken again by the next attempt', async () => {
    const { checkoutId, paymentId } = await owedRefund('owed-4');
    await em().nativeUpdate(CartCheckout, { id: checkoutId }, { refundState: BookingRefundState.IN_PROGRESS, refundAttempts: 1, refundNextAttemptAt: null });
    const calls: string[] = [];
    const [{ jobs, refunds }] = await refundWorkers(1, { async refundInFull(id) { calls.push(id); } });
    await enqueue(refunds, checkoutId);
    await jobsDone(jobs, checkoutId, 1);
    expect(calls).toEqual([paymentId]);
    expect(await checkoutRow(checkoutId)).toMatchObject({ refundState: BookingRefundState.REQUESTED, refundAttempts: 2 });
  });

  it('the job exists exactly when the transaction recording the failure commits', async () => {
    const { checkoutId } = await owedRefund('owed-5');
    const calls: string[] = [];
    const [{ jobs, refunds }] = await refundWorkers(1, { async refundInFull(id) { calls.push(id); } });
    await expect(server.db.orm.em.fork().transactional(async (tx) => {
      await refunds.enqueue(tx, checkoutId);
      throw new Error('abort');
    })).rejects.toThrow('abort');
    expect(await jobs.jobsFor(BOOKING_REFUND_JOB, checkoutId)).toEqual([]);
    await expect(refunds.enqueue(server.db.orm.em.fork(), checkoutId)).rejects.toThrow(/needs an open transaction/);
    await enqueue(refunds, checkoutId);
    await jobsDone(jobs, checkoutId, 1);
    expect(calls).toHaveLength(1);
  });

  it('a refund owed without a job (recorded before the job runner took them) is queued when the workers start', async () => {
    const { checkoutId, paymentId } = await owedRefund('owed-6');
    const calls: string[] = [];
    const [{ jobs, refunds }] = await refundWorkers(1, { async refundInFull(id) { calls.push(id); } });
    expect(await refunds.requeueOwed()).toBeGreaterThanOrEqual(1);
    await jobsDone(jobs, checkoutId, 1);
    expect(calls).toContain(paymentId);
    expect((await checkoutRow(checkoutId)).refundState).toBe(BookingRefundState.REQUESTED);
  });
});

describe('the sweep timer', () => {
  it('releases an unpaid checkout by itself once CART_CHECKOUT_TIMEOUT_MS has passed', async () => {
    const quick = await startTestServer({ env: { CART_CHECKOUT_TIMEOUT_MS: '600' } });
    try {
      expect(quick.config.cart).toEqual({ checkoutTimeoutMs: 600, sweepIntervalMs: 120 });
      const boss = await quick.token('quick-admin', 'admin');
      const token = await quick.token('quick-1');
      const product = await addProduct(quick, boss, 10_000);
      const cart = await fillCart(quick, token, [{ productId: product.id, quantity: 1 }]);
      await checkOut(quick, token, cart.id);
      const released = await eventually(async () => {
        const current = (await quick.gql(CartDocument, { id: cart.id }, token)).data!.cart!;
        return current.status === 'ACTIVE' ? current : null;
      }, 5_000, 'the timer to release the cart');
      expect(released.failureReason).toBe('the payment was not completed within 1 second: check out again to pay');
    } finally {
      await quick.close();
    }
  });
});
