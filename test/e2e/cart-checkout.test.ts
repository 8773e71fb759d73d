import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Booking } from '../../src/bookings/booking.entity.js';
import {
  AddCartItemDocument, BookingDocument, CartDocument, ProcessCartDocument, MyPaymentUpdatesWithBookingDocument, PaymentWithBookingDocument, VerifyPaymentDocument, WalletDocument,
} from '../graphql/generated.js';
import { pay, paymentEvent, postWebhook, wirePayment } from '../helpers/checkout.js';
import { addProduct, checkOut, fillCart } from '../helpers/cart.js';
import { payAndVerify, topUp } from '../helpers/flows.js';
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
const expectBooksBalanced = () => expectBooksBalancedOf(server);

describe('paying for a cart, over real HTTP with the sandbox gateway', () => {
  it('catalog → cart → processCart → Checkout → verifyPayment: the booking appears, on the payment, the cart and the live feed', async () => {
    const cleaning = await addProduct(server, admin, 249_900, { name: 'Deep cleaning' });
    const cloth = await addProduct(server, admin, 34_900, { name: 'Cloth pack' });
    const token = await server.token('e2e-alice');
    const cart = await fillCart(server, token, [{ productId: cleaning.id, quantity: 1 }, { productId: cloth.id, quantity: 2 }]);
    expect(cart).toMatchObject({ status: 'ACTIVE', currency: 'INR', itemCount: 3, total: 249_900 + 2 * 34_900 });

    const feed = collect(server.ws(token), MyPaymentUpdatesWithBookingDocument);
    await feed.ready;
    const result = await checkOut(server, token, cart.id, 'GATEWAY', 'e2e-alice-checkout-1');
    expect(result.payment).toMatchObject({ status: 'CREATED', purpose: 'CART', amount: 319_700, currency: 'INR', reference: cart.id, booking: null });
    expect(result.checkout).toMatchObject({ keyId: server.config.razorpay.keyId, amount: 319_700, currency: 'INR', razorpayOrderId: result.payment.razorpayOrderId });
    expect(result.booking).toBeNull();
    expect(result.cart).toMatchObject({ id: cart.id, status: 'CHECKED_OUT', total: 319_700, payment: { id: result.payment.id } });

    await payAndVerify(server, token, result.checkout!.razorpayOrderId, { method: 'upi', webhookDelayMs: 1000 });
    const read = await server.gql(PaymentWithBookingDocument, { id: result.payment.id }, token);
    const booking = read.data!.payment!.booking!;
    expect(read.data!.payment).toMatchObject({ status: 'CAPTURED', bookingFailureReason: null });
    expect(booking).toMatchObject({ status: 'CONFIRMED', totalAmount: 319_700, currency: 'INR', cartId: cart.id, userId: 'e2e-alice' });
    expect(booking.reference).toMatch(/^BK-[0-9A-F]{8}$/);
    expect(booking.items).toEqual([
      { productId: cleaning.id, name: 'Deep cleaning', quantity: 1, unitPrice: 249_900, lineTotal: 249_900 },
      { productId: cloth.id, name: 'Cloth pack', quantity: 2, unitPrice: 34_900, lineTotal: 69_800 },
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
    const stranger = await server.gql(BookingDocument, { id: booking.id }, await server.token('e2e-mallory'));
    expect(stranger.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await server.gql(BookingDocument, { id: 'BK-1' }, token)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('a failed payment releases the cart; checking out again makes a new payment that books; a late success on the old order books it too', async () => {
    const product = await addProduct(server, admin, 50_000);
    const token = await server.token('e2e-bob');
    const cart = await fillCart(server, token, [{ productId: product.id, quantity: 1 }]);
    const first = await checkOut(server, token, cart.id, 'GATEWAY', 'e2e-bob-attempt-1');
    const failed = await pay(server.url, first.checkout!.razorpayOrderId, { outcome: 'failure', awaitWebhooks: true });
    expect(failed.error.metadata.order_id).toBe(first.checkout!.razorpayOrderId);
    const released = await eventually(async () => {
      const current = (await server.gql(CartDocument, { id: cart.id }, token)).data!.cart!;
      return current.status === 'ACTIVE' ? current : null;
    }, 10_000, 'the cart released');
    expect(released.failureReason).toMatch(/^the payment failed \(.+\): check out again to retry$/);
    expect(released.payment).toBeNull();

    // Retry: a new checkout and a new payment (the old order is not reused), paid this time.
    const second = await checkOut(server, token, cart.id, 'GATEWAY', 'e2e-bob-attempt-2');
    expect(second.payment.id).not.toBe(first.payment.id);
    expect(second.cart).toMatchObject({ status: 'CHECKED_OUT', failureReason: null });
    await payAndVerify(server, token, second.checkout!.razorpayOrderId);
    const booked = (await server.gql(CartDocument, { id: cart.id }, token)).data!.cart!;
    expect(booked).toMatchObject({ status: 'CONVERTED', payment: { id: second.payment.id }, booking: { totalAmount: 50_000 } });

    // The customer pays the first order after all (Checkout lets them retry it): the money
    // arrived, so it is booked from its own checkout; the cart stays with the second payment.
    await payAndVerify(server, token, first.checkout!.razorpayOrderId);
    const late = (await server.gql(PaymentWithBookingDocument, { id: first.payment.id }, token)).data!.payment!;
    expect(late).toMatchObject({ status: 'CAPTURED', booking: { totalAmount: 50_000, cartId: cart.id } });
    expect(late.booking!.reference).not.toBe(booked.booking!.reference);
    expect((await server.gql(CartDocument, { id: cart.id }, token)).data!.cart!.payment!.id).toBe(second.payment.id);
    expect(await em().count(Booking, { cart: cart.id })).toBe(2);
  });

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

  it('the captured webhook 5 times at once, concurrently with verifyPayment: one booking', async () => {
    const product = await addProduct(server, admin, 77_700);
    const token = await server.token('e2e-dave');
    const cart = await fillCart(server, token, [{ productId: product.id, quantity: 1 }]);
    const result = await checkOut(server, token, cart.id);
    const orderId = result.checkout!.razorpayOrderId;
    const checkout = await pay(server.url, orderId, { dropWebhooks: true });
    const captured = wirePayment(orderId, checkout.razorpay_payment_id, 'captured', 77_700);
    const deliveries = Array.from({ length: 5 }, () => paymentEvent('payment.captured', captured));
    const [verified] = await Promise.all([
      server.gql(VerifyPaymentDocument, {
        input: { razorpayOrderId: orderId, razorpayPaymentId: checkout.razorpay_payment_id, razorpaySignature: checkout.razorpay_signature },
      }, token),
      ...deliveries.map((d) => postWebhook(server.url, d.body, { eventId: d.eventId })),
    ]);
    expect(verified.data!.verifyPayment.status).toBe('CAPTURED');
    await eventually(async () => (await em().getConnection().execute(
      `select count(*)::int as n from webhook_event where status in ('PENDING', 'FAILED')`))[0].n === 0, 10_000, 'webhooks processed');
    expect(await em().count(Booking, { payment: result.payment.id })).toBe(1);
    expect((await server.gql(CartDocument, { id: cart.id }, token)).data!.cart!.status).toBe('CONVERTED');
  });

  it('leaves the books balanced after every flow above', async () => {
    await expectBooksBalanced();
  });
});
