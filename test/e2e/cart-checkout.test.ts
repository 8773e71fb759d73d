import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Booking } from '../../src/bookings/booking.entity.js';
import {
  AddCartItemDocument, BookingDocument, CartDocument, ProcessCartDocument, MyPaymentUpdatesWithBookingDocument, PaymentWithBookingDocument, WalletDocument,
} from '../graphql/generated.js';
import { addProduct, checkOut, fillCart } from '../helpers/cart.js';
import { topUp } from '../helpers/flows.js';
import { GATEWAY_DRIVERS, notificationsDone, type GatewayDriver, type Session } from '../helpers/gateway-drivers.js';
import { collect, eventually, startTestServer, type TestServer } from '../helpers/server.js';
import { expectBooksBalanced as expectBooksBalancedOf } from '../helpers/assertions.js';

let server: TestServer;
let admin: string;

beforeAll(async () => {
  server = await startTestServer();
  admin = await server.token('cart-admin', 'admin');
});
afterAll(async () => {
  await server?.close();
});

const em = () => server.db.orm.em.fork();

/** processCart through `driver`'s gateway, failing the test on any error. */
async function checkOutThrough(driver: GatewayDriver, token: string, cartId: string, idempotencyKey?: string) {
  const response = await server.gql(ProcessCartDocument, { input: { cartId, method: 'GATEWAY', gateway: driver.gateway, idempotencyKey } }, token);
  if (response.errors) throw new Error(`processCart: ${JSON.stringify(response.errors)}`);
  const result = response.data!.processCart;
  const session: Session = { ...result.checkout!, payment: result.payment };
  return { ...result, session };
}

/** The customer pays at the gateway and the client confirms: the whole round trip. */
async function payAndConfirm(driver: GatewayDriver, token: string, session: Session, options: Parameters<GatewayDriver['pay']>[2] = {}) {
  const attempt = await driver.pay(server, session, options);
  const confirmed = await driver.confirm(server, token, session, attempt);
  expect(confirmed.errors).toBeUndefined();
  return { attempt, payment: confirmed.payment! };
}
const expectBooksBalanced = () => expectBooksBalancedOf(server);

describe.each(GATEWAY_DRIVERS)('$gateway: paying for a cart, over real HTTP with the sandbox gateway', (driver) => {
  const g = driver.gateway;

  it(`catalog → cart → processCart → the gateway's page → ${driver.confirmedBy}: the booking appears, on the payment, the cart and the live feed`, async () => {
    const cleaning = await addProduct(server, admin, 249_900, { name: `Deep cleaning ${g}` });
    const cloth = await addProduct(server, admin, 34_900, { name: `Cloth pack ${g}` });
    const user = `e2e-alice-${g}`;
    const token = await server.token(user);
    const cart = await fillCart(server, token, [{ productId: cleaning.id, quantity: 1 }, { productId: cloth.id, quantity: 2 }]);
    expect(cart).toMatchObject({ status: 'ACTIVE', currency: 'INR', itemCount: 3, total: 249_900 + 2 * 34_900 });

    const feed = collect(server.ws(token), MyPaymentUpdatesWithBookingDocument);
    await feed.ready;
    const result = await checkOutThrough(driver, token, cart.id, `e2e-alice-checkout-1-${g}`);
    expect(result.payment).toMatchObject({ status: 'CREATED', purpose: 'CART', amount: 319_700, currency: 'INR', reference: cart.id, booking: null });
    expect(result.checkout).toMatchObject({ keyId: driver.keyId(server), gateway: g, amount: 319_700, currency: 'INR', razorpayOrderId: result.payment.razorpayOrderId });
    expect(result.booking).toBeNull();
    expect(result.cart).toMatchObject({ id: cart.id, status: 'CHECKED_OUT', total: 319_700, payment: { id: result.payment.id } });

    await payAndConfirm(driver, token, result.session, { method: 'upi' });
    const read = await server.gql(PaymentWithBookingDocument, { id: result.payment.id }, token);
    const booking = read.data!.payment!.booking!;
    expect(read.data!.payment).toMatchObject({ status: 'CAPTURED', bookingFailureReason: null });
    expect(booking).toMatchObject({ status: 'CONFIRMED', totalAmount: 319_700, currency: 'INR', cartId: cart.id, userId: user });
    expect(booking.reference).toMatch(/^BK-[0-9A-F]{8}$/);
    expect(booking.items).toEqual([
      { productId: cleaning.id, name: `Deep cleaning ${g}`, quantity: 1, unitPrice: 249_900, lineTotal: 249_900 },
      { productId: cloth.id, name: `Cloth pack ${g}`, quantity: 2, unitPrice: 34_900, lineTotal: 69_800 },
    ]);
    const converted = (await server.gql(CartDocument, { id: cart.id }, token)).data!.cart!;
    expect(converted).toMatchObject({ status: 'CONVERTED', failureReason: null, booking: { id: booking.id } });
    // A converted cart no longer changes and cannot be paid again; the next add starts a new one.
    const edit = await server.gql(AddCartItemDocument, { input: { cartId: cart.id, productId: cloth.id } }, token);
    expect(edit.errors?.[0]).toMatchObject({ extensions: { code: 'CONFLICT' }, message: expect.stringContaining('is CONVERTED (paid and booked)') });
    const payAgain = await server.gql(ProcessCartDocument, { input: { cartId: cart.id, method: 'GATEWAY' } }, token);
    expect(payAgain.errors?.[0]).toMatchObject({ extensions: { code: 'CONFLICT' }, message: expect.stringContaining('already paid and booked') });
    expect((await server.gql(CartDocument, {}, token)).data!.cart).toBeNull();

    // The live feed carries the booking with the CAPTURED status (resolved by a non-caching loader).
    await eventually(() => feed.results.some((r) => r.data?.myPaymentUpdates.status === 'CAPTURED'), 5000, 'CAPTURED on the feed');
    const captured = feed.results.find((r) => r.data?.myPaymentUpdates.status === 'CAPTURED')!;
    expect(captured.data!.myPaymentUpdates.booking).toEqual({ reference: booking.reference, status: 'CONFIRMED', totalAmount: 319_700 });
    feed.stop();

    // booking(id): the owner and staff, nobody else.
    expect((await server.gql(BookingDocument, { id: booking.id }, token)).data!.booking).toMatchObject({ reference: booking.reference, payment: { id: result.payment.id } });
    expect((await server.gql(BookingDocument, { id: booking.id }, admin)).data!.booking!.id).toBe(booking.id);
    const stranger = await server.gql(BookingDocument, { id: booking.id }, await server.token(`e2e-mallory-${g}`));
    expect(stranger.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await server.gql(BookingDocument, { id: 'BK-1' }, token)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('a failed payment releases the cart; checking out again makes a new payment that books; (Razorpay) a late success on the old order books it too', async () => {
    const product = await addProduct(server, admin, 50_000);
    const token = await server.token(`e2e-bob-${g}`);
    const cart = await fillCart(server, token, [{ productId: product.id, quantity: 1 }]);
    const first = await checkOutThrough(driver, token, cart.id, `e2e-bob-attempt-1-${g}`);
    await driver.pay(server, first.session, { outcome: 'failure', awaitNotifications: true });
    const released = await eventually(async () => {
      const current = (await server.gql(CartDocument, { id: cart.id }, token)).data!.cart!;
      return current.status === 'ACTIVE' ? current : null;
    }, 10_000, 'the cart released');
    expect(released.failureReason).toMatch(/^the payment failed \(.+\): check out again to retry$/);
    expect(released.payment).toBeNull();

    // Retry: a new checkout and a new payment (the old order is not reused), paid this time.
    const second = await checkOutThrough(driver, token, cart.id, `e2e-bob-attempt-2-${g}`);
    expect(second.payment.id).not.toBe(first.payment.id);
    expect(second.cart).toMatchObject({ status: 'CHECKED_OUT', failureReason: null });
    await payAndConfirm(driver, token, second.session);
    const booked = (await server.gql(CartDocument, { id: cart.id }, token)).data!.cart!;
    expect(booked).toMatchObject({ status: 'CONVERTED', payment: { id: second.payment.id }, booking: { totalAmount: 50_000 } });
    // PhonePe's sandbox ends an order with its failed attempt: no late success to pay it with.
    if (g === 'PHONEPE') return;

    // The customer pays the first order after all (Checkout lets them retry it): the money
    // arrived, so it is booked from its own checkout; the cart stays with the second payment.
    await payAndConfirm(driver, token, first.session);
    const late = (await server.gql(PaymentWithBookingDocument, { id: first.payment.id }, token)).data!.payment!;
    expect(late).toMatchObject({ status: 'CAPTURED', booking: { totalAmount: 50_000, cartId: cart.id } });
    expect(late.booking!.reference).not.toBe(booked.booking!.reference);
    expect((await server.gql(CartDocument, { id: cart.id }, token)).data!.cart!.payment!.id).toBe(second.payment.id);
    expect(await em().count(Booking, { cart: cart.id })).toBe(2);
  });

  it(`the gateway's "paid" notification 5 times at once, concurrently with ${driver.confirmedBy}: one booking`, async () => {
    const product = await addProduct(server, admin, 77_700);
    const token = await server.token(`e2e-dave-${g}`);
    const cart = await fillCart(server, token, [{ productId: product.id, quantity: 1 }]);
    const result = await checkOutThrough(driver, token, cart.id);
    const attempt = await driver.pay(server, result.session, { notifications: 'drop' });
    const [confirmed, ...statuses] = await Promise.all([
      driver.confirm(server, token, result.session, attempt),
      ...Array.from({ length: 5 }, () => driver.notify(server, result.session, attempt)),
    ]);
    expect(confirmed.payment!.status).toBe('CAPTURED');
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    await notificationsDone(server);
    expect(await em().count(Booking, { payment: result.payment.id })).toBe(1);
    expect((await server.gql(CartDocument, { id: cart.id }, token)).data!.cart!.status).toBe('CONVERTED');
  });
});

// The wallet involves no gateway at checkout (the top-up's gateway is two-gateways.test.ts's).
describe('paying for a cart from the wallet', () => {
  it('WALLET: debited, captured and booked in one go; the balance drops by the total', async () => {
    const product = await addProduct(server, admin, 12_345);
    const token = await server.token('e2e-carol');
    await topUp(server, token, 100_000);
    const cart = await fillCart(server, token, [{ productId: product.id, quantity: 3 }]);
    const result = await checkOut(server, token, cart.id, 'WALLET', 'e2e-carol-wallet-1');
    expect(result.checkout).toBeNull();
    expect(result.payment).toMatchObject({ status: 'CAPTURED', purpose: 'CART', amount: 37_035, razorpayOrderId: null });
    expect(result.booking).toMatchObject({ status: 'CONFIRMED', totalAmount: 37_035, items: [{ productId: product.id, quantity: 3, unitPrice: 12_345, lineTotal: 37_035 }] });
    expect(result.cart).toMatchObject({ status: 'CONVERTED', booking: { id: result.booking!.id } });
    expect((await server.gql(WalletDocument, {}, token)).data!.wallet.balance).toBe(100_000 - 37_035);
    // The same request again: the same answer, no second debit.
    const again = await checkOut(server, token, cart.id, 'WALLET', 'e2e-carol-wallet-1');
    expect(again.booking!.id).toBe(result.booking!.id);
    expect((await server.gql(WalletDocument, {}, token)).data!.wallet.balance).toBe(100_000 - 37_035);
  });

  it('leaves the books balanced after every flow above', async () => {
    await expectBooksBalanced();
  });
});
