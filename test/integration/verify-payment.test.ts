/**
 * verifyPayment over real HTTP against real PostgreSQL and the sandbox gateway. The status
 * comes from the gateway, never from the client; a bad signature, a malformed id, someone
 * else's order or a payment id from another order is refused and changes nothing.
 *
 * Checkouts in the "changes nothing" tests drop their webhooks, so the only thing that could
 * move the payment is the verifyPayment under test.
 *
 * verifyPayment's refusals are Razorpay's only (they are about Checkout's signature, which
 * PhonePe does not give); confirming twice, five times at once and as an admin run for both
 * gateways from one table (verifyPayment for Razorpay, confirmPayment for PhonePe), and
 * confirmPayment's own refusals (an unknown or someone else's payment) for both too.
 */
import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Payment } from '../../src/payments/payment.entity.js';
import { PaymentEvent, PaymentEventType } from '../../src/payments/payment-event.entity.js';
import { Transaction } from '../../src/transactions/transaction.entity.js';
import { ConfirmPaymentDocument, CreateOrderDocument, VerifyPaymentDocument, type VerifyPaymentInput } from '../graphql/generated.js';
import { checkoutSignature, pay, type PayOptions } from '../helpers/checkout.js';
import { GATEWAY_DRIVERS, type GatewayDriver } from '../helpers/gateway-drivers.js';
import { startTestServer, type GraphQLResponse, type TestServer } from '../helpers/server.js';

type GraphQLError = NonNullable<GraphQLResponse<unknown>['errors']>[number];

const SAFE_EXTENSION_KEYS = ['code', 'field', 'fields', 'id', 'retryable'];
const INTERNALS = /stacktrace|\n\s+at |node_modules|\.[jt]s:\d+|\bselect\b.+\bfrom\b|\binsert into\b|\bviolates\b|postgres|mikro-?orm|knex/i;

let server: TestServer;
let alice: string;
let bob: string;
let admin: string;

beforeAll(async () => {
  server = await startTestServer();
  [alice, bob, admin] = await Promise.all([server.token('alice'), server.token('bob'), server.token('ops-1', 'admin')]);
});
afterAll(async () => {
  await server?.close();
});

async function createOrder(amount: number, token = alice) {
  const response = await server.gql(CreateOrderDocument, { input: { amount } }, token);
  expect(response.errors).toBeUndefined();
  return response.data!.createOrder;
}

/** An order paid in the sandbox whose webhooks never arrive: only verifyPayment can move it. */
async function paidOrder(amount: number, token = alice, options: PayOptions = {}) {
  const session = await createOrder(amount, token);
  const checkout = await pay(server.url, session.razorpayOrderId, { dropWebhooks: true, ...options });
  const input: VerifyPaymentInput = {
    razorpayOrderId: checkout.razorpay_order_id,
    razorpayPaymentId: checkout.razorpay_payment_id,
    razorpaySignature: checkout.razorpay_signature,
  };
  return { session, paymentId: session.payment.id, orderId: session.razorpayOrderId, input };
}

/** The payment row, its transactions and its audit trail: everything verifyPayment could change. */
async function stateOf(paymentId: string) {
  const em = server.db.orm.em.fork();
  const payment = await em.findOneOrFail(Payment, { id: paymentId });
  const transactions = await em.find(Transaction, { payment: paymentId }, { orderBy: { id: 'asc' } });
  const events = await em.find(PaymentEvent, { payment: paymentId }, { orderBy: { id: 'asc' } });
  return {
    status: payment.status,
    version: payment.version,
    razorpayPaymentId: payment.razorpayPaymentId,
    method: payment.method,
    paidAt: payment.paidAt,
    updatedAt: payment.updatedAt.toISOString(),
    transactions: transactions.map((t) => ({ id: t.id, type: t.type, status: t.status })),
    events: events.map((e) => ({ type: e.type, from: e.fromStatus, to: e.toStatus })),
  };
}

async function rowCounts() {
  const em = server.db.orm.em.fork();
  const [payments, transactions, events] = await Promise.all([em.count(Payment, {}), em.count(Transaction, {}), em.count(PaymentEvent, {})]);
  return { payments, transactions, events, gatewayOrders: (await server.app.sandbox!.state()).orders.length };
}

function expectClientSafe(error: GraphQLError): void {
  expect(Object.keys(error.extensions ?? {}).filter((key) => !SAFE_EXTENSION_KEYS.includes(key))).toEqual([]);
  expect(JSON.stringify(error)).not.toMatch(INTERNALS);
}

/** Sends verifyPayment, expects one client-safe error and returns it. */
async function verifyRefused(input: VerifyPaymentInput, token = alice): Promise<GraphQLError> {
  const response = await server.gql(VerifyPaymentDocument, { input }, token);
  expect(response.data?.verifyPayment ?? null).toBeNull();
  expect(response.errors).toHaveLength(1);
  const error = response.errors![0]!;
  expectClientSafe(error);
  return error;
}

async function verify(input: VerifyPaymentInput, token = alice) {
  const response = await server.gql(VerifyPaymentDocument, { input }, token);
  expect(response.errors).toBeUndefined();
  return response.data!.verifyPayment;
}

describe('verifyPayment refuses what it cannot trust and changes nothing', () => {
  it('a wrong signature (64 hex characters) → BAD_USER_INPUT input.razorpaySignature; the payment stays CREATED', async () => {
    const { paymentId, input } = await paidOrder(10_000);
    const before = await stateOf(paymentId);
    const forged = checkoutSignature(input.razorpayOrderId, input.razorpayPaymentId, 'not-the-key-secret');
    expect(forged).toMatch(/^[0-9a-f]{64}$/);

    const error = await verifyRefused({ ...input, razorpaySignature: forged });
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.razorpaySignature' });
    expect(error.message).toMatch(/does not match/);
    expect(error.message).not.toContain(forged);

    const after = await stateOf(paymentId);
    expect(after).toEqual(before);
    expect(after.status).toBe('CREATED');
    expect(after.events.filter((e) => e.type === PaymentEventType.STATUS_CHANGED)).toEqual([]);
  });

  it.each([
    { name: 'an order id of the wrong shape', change: { razorpayOrderId: 'order_123' }, field: 'input.razorpayOrderId' },
    { name: 'an order id smuggling a path', change: { razorpayOrderId: 'order_../../v1/pa' }, field: 'input.razorpayOrderId' },
    { name: 'a payment id of the wrong shape', change: { razorpayPaymentId: 'pay_x; drop table' }, field: 'input.razorpayPaymentId' },
    { name: 'an order id where the payment id goes', change: { razorpayPaymentId: 'order_AAAAAAAAAAAAAA' }, field: 'input.razorpayPaymentId' },
    { name: 'a short signature', change: { razorpaySignature: 'abc123' }, field: 'input.razorpaySignature' },
    { name: 'an uppercase hex signature', change: { razorpaySignature: 'A'.repeat(64) }, field: 'input.razorpaySignature' },
    { name: 'a base64 signature', change: { razorpaySignature: Buffer.alloc(32, 7).toString('base64') }, field: 'input.razorpaySignature' },
  ])('$name → BAD_USER_INPUT naming $field', async ({ change, field }) => {
    const { paymentId, input } = await paidOrder(10_100);
    const before = await stateOf(paymentId);
    const counts = await rowCounts();
    const error = await verifyRefused({ ...input, ...change });
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(error.message).toContain(field);
    expect(error.message).not.toContain(Object.values(change)[0]);
    expect(await stateOf(paymentId)).toEqual(before);
    expect(await rowCounts()).toEqual(counts);
  });

  it('an order that does not exist (valid format) → NOT_FOUND', async () => {
    const counts = await rowCounts();
    const orderId = 'order_ZZZZZZZZZZZZZZ';
    const paymentId = 'pay_ZZZZZZZZZZZZZZ';
    const error = await verifyRefused({ razorpayOrderId: orderId, razorpayPaymentId: paymentId, razorpaySignature: checkoutSignature(orderId, paymentId) });
    expect(error.extensions).toMatchObject({ code: 'NOT_FOUND', id: orderId });
    expect(await rowCounts()).toEqual(counts);
  });

  it("another customer's checkout result (bob verifies alice's) → NOT_FOUND, alice's payment unchanged", async () => {
    const { paymentId, orderId, input } = await paidOrder(12_000, alice);
    const before = await stateOf(paymentId);
    const error = await verifyRefused(input, bob);
    expect(error.extensions).toMatchObject({ code: 'NOT_FOUND', id: orderId });
    // The same answer as for an order that does not exist: nothing tells bob it is there.
    expect(error.message).toBe(`Order ${orderId} was not found`);
    expect(await stateOf(paymentId)).toEqual(before);

    // The checkout result itself was genuine: alice can verify it.
    expect(await verify(input, alice)).toMatchObject({ id: paymentId, status: 'CAPTURED' });
  });

  it("a payment id from another order with that payment's own signature → BAD_USER_INPUT input.razorpaySignature", async () => {
    const x = await paidOrder(13_000);
    const y = await paidOrder(14_000);
    const [beforeX, beforeY] = await Promise.all([stateOf(x.paymentId), stateOf(y.paymentId)]);

    const error = await verifyRefused({ razorpayOrderId: x.orderId, razorpayPaymentId: y.input.razorpayPaymentId, razorpaySignature: y.input.razorpaySignature });
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.razorpaySignature' });

    expect(await stateOf(x.paymentId)).toEqual(beforeX);
    expect(await stateOf(y.paymentId)).toEqual(beforeY);
  });

  it('a payment id from another order with a VALID signature for that pair → BAD_USER_INPUT input.razorpayPaymentId', async () => {
    const x = await paidOrder(15_000);
    const y = await paidOrder(16_000);
    const [beforeX, beforeY] = await Promise.all([stateOf(x.paymentId), stateOf(y.paymentId)]);

    // Signed with the real key secret: only the gateway's own record tells the attempt is Y's.
    const error = await verifyRefused({
      razorpayOrderId: x.orderId,
      razorpayPaymentId: y.input.razorpayPaymentId,
      razorpaySignature: checkoutSignature(x.orderId, y.input.razorpayPaymentId),
    });
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.razorpayPaymentId' });
    expect(error.message).toMatch(/belongs to another order/);

    expect(await stateOf(x.paymentId)).toEqual(beforeX);
    expect(await stateOf(y.paymentId)).toEqual(beforeY);
    // Y's own checkout result is still good.
    expect(await verify(y.input)).toMatchObject({ id: y.paymentId, status: 'CAPTURED' });
  });

  it('a validly signed payment id the gateway has never seen → BAD_USER_INPUT input.razorpayPaymentId', async () => {
    const { paymentId, orderId } = await paidOrder(17_000);
    const before = await stateOf(paymentId);
    const unknown = 'pay_AAAAAAAAAAAAAA';
    const error = await verifyRefused({ razorpayOrderId: orderId, razorpayPaymentId: unknown, razorpaySignature: checkoutSignature(orderId, unknown) });
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.razorpayPaymentId' });
    expect(await stateOf(paymentId)).toEqual(before);
  });
});

describe('verifyPayment applies what the gateway says', () => {
  it('a payment the gateway reports as authorized only → AUTHORIZED with its CHARGE still PENDING', async () => {
    const { paymentId, input } = await paidOrder(18_000, alice, { authorizeOnly: true });
    const verified = await verify(input);
    expect(verified).toMatchObject({ id: paymentId, status: 'AUTHORIZED', razorpayPaymentId: input.razorpayPaymentId, paidAt: null });
    expect(verified.transactions).toEqual([expect.objectContaining({ type: 'CHARGE', status: 'PENDING', amount: 18_000 })]);

    const em = server.db.orm.em.fork();
    const changes = await em.find(PaymentEvent, { payment: paymentId, type: PaymentEventType.STATUS_CHANGED });
    expect(changes).toEqual([expect.objectContaining({ fromStatus: 'CREATED', toStatus: 'AUTHORIZED', source: 'api:verifyPayment', actorId: 'alice' })]);
  });
});

/** An order paid through `driver`'s gateway whose notifications never arrive: only the confirmation can move it. */
async function paidThrough(driver: GatewayDriver, amount: number, token = alice) {
  const response = await server.gql(CreateOrderDocument, { input: { amount, gateway: driver.gateway } }, token);
  expect(response.errors).toBeUndefined();
  const session = response.data!.createOrder;
  const attempt = await driver.pay(server, session, { notifications: 'drop' });
  return { session, paymentId: session.payment.id, attempt };
}

describe.each(GATEWAY_DRIVERS)('$gateway: the client\'s confirmation applies what the gateway says', (driver) => {
  it(`${driver.confirmedBy} twice changes the payment once`, async () => {
    const { session, paymentId, attempt } = await paidThrough(driver, 19_000);
    const first = await driver.confirm(server, alice, session, attempt);
    const second = await driver.confirm(server, alice, session, attempt);
    expect(first.errors).toBeUndefined();
    expect(second.payment).toMatchObject({ id: paymentId, status: 'CAPTURED', version: first.payment!.version });
    const em = server.db.orm.em.fork();
    expect(await em.count(PaymentEvent, { payment: paymentId, type: PaymentEventType.STATUS_CHANGED })).toBe(1);
  });

  it(`${driver.confirmedBy} 5 times at once changes the payment once`, async () => {
    const { session, paymentId, attempt } = await paidThrough(driver, 19_500);
    const results = await Promise.all(Array.from({ length: 5 }, () => driver.confirm(server, alice, session, attempt)));
    for (const result of results) expect(result.payment).toMatchObject({ id: paymentId, status: 'CAPTURED' });
    const after = await stateOf(paymentId);
    expect(after.version).toBe(2);
    expect(after.transactions).toEqual([expect.objectContaining({ type: 'CHARGE', status: 'COMPLETED' })]);
    expect(after.events.filter((e) => e.type === PaymentEventType.STATUS_CHANGED)).toEqual([{ type: 'STATUS_CHANGED', from: 'CREATED', to: 'CAPTURED' }]);
  });

  it(`an admin may confirm any customer's payment (${driver.confirmedBy})`, async () => {
    const { session, paymentId, attempt } = await paidThrough(driver, 20_000, bob);
    const confirmed = await driver.confirm(server, admin, session, attempt);
    expect(confirmed.payment).toMatchObject({ id: paymentId, status: 'CAPTURED' });
    const em = server.db.orm.em.fork();
    const changes = await em.find(PaymentEvent, { payment: paymentId, type: PaymentEventType.STATUS_CHANGED });
    expect(changes).toEqual([expect.objectContaining({ toStatus: 'CAPTURED', actorId: 'ops-1', source: `api:${driver.confirmedBy}` })]);
  });

  it('confirmPayment of an unknown id, a malformed one, or someone else\'s payment → NOT_FOUND naming it; nothing changes', async () => {
    const { paymentId } = await paidThrough(driver, 21_000);
    const before = await stateOf(paymentId);
    for (const [id, token] of [['00000000-0000-4000-8000-000000000000', alice], ['not-a-payment-id', alice], [paymentId, bob]] as const) {
      const response = await server.gql(ConfirmPaymentDocument, { paymentId: id }, token);
      expect(response.data?.confirmPayment ?? null).toBeNull();
      expect(response.errors).toHaveLength(1);
      expectClientSafe(response.errors![0]!);
      expect(response.errors![0]!.extensions).toMatchObject({ code: 'NOT_FOUND' });
      // A well-formed id is named; a malformed one is not echoed (error-answers.test.ts).
      if (id !== 'not-a-payment-id') expect(response.errors![0]!.message).toContain(id);
    }
    expect(await stateOf(paymentId)).toEqual(before);
  });
});
