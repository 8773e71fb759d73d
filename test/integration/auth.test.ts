/**
 * Who may do what, over real HTTP and graphql-ws: every operation needs a valid HS256 token;
 * customers see and follow only their own payments and transactions, and another user's
 * payment answers exactly like one that does not exist; staff see everyone's.
 */
import 'reflect-metadata';
import { print } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { SignJWT } from 'jose';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../src/auth/auth.js';
import { Payment } from '../../src/payments/payment.entity.js';
import { PaymentEvent } from '../../src/payments/payment-event.entity.js';
import { Transaction } from '../../src/transactions/transaction.entity.js';
import {
  CreateOrderDocument,
  MyPaymentUpdatesDocument,
  PaymentDocument,
  PaymentsDocument,
  PaymentStatusChangedDocument,
  TransactionsDocument,
  VerifyPaymentDocument,
} from '../graphql/generated.js';
import { checkoutSignature, pay } from '../helpers/checkout.js';
import { webhooksDone } from '../helpers/assertions.js';
import { collect, eventually, resultsBeforeMarker, sendMarker, startTestServer, TEST_JWT_SECRET, type GraphQLResponse, type TestServer } from '../helpers/server.js';

type GraphQLError = NonNullable<GraphQLResponse<unknown>['errors']>[number];

const encoder = new TextEncoder();
const now = () => Math.floor(Date.now() / 1000);
const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

let server: TestServer;
let alice: string;
let bob: string;
let admin: string;
/** Alice's and Bob's first payments, created before the tests. */
let alicePaymentIds: string[];
let bobPaymentId: string;

beforeAll(async () => {
  server = await startTestServer();
  [alice, bob, admin] = await Promise.all([server.token('alice'), server.token('bob'), server.token('ops-1', 'admin')]);
  const created = await Promise.all([
    createOrder(alice, 1_000),
    createOrder(alice, 2_000),
    createOrder(bob, 3_000),
  ]);
  alicePaymentIds = [created[0]!.payment.id, created[1]!.payment.id];
  bobPaymentId = created[2]!.payment.id;
});
afterAll(async () => {
  await Promise.all(rawClients.map((client) => client.dispose()));
  await server?.close();
});

async function createOrder(token: string, amount: number) {
  const response = await server.gql(CreateOrderDocument, { input: { amount } }, token);
  expect(response.errors).toBeUndefined();
  return response.data!.createOrder;
}

const rawClients: Client[] = [];
/** A graphql-ws client sending `connectionParams.authorization` exactly as given. */
function wsWithHeader(authorization: string): Client {
  const client = createClient({
    url: `${server.url.replace('http', 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization },
    retryAttempts: 0,
    lazy: true,
  });
  rawClients.push(client);
  return client;
}

/** POSTs an operation with the Authorization header exactly as given (null: none). */
async function postWithHeader(authorization: string | null, query = print(PaymentsDocument), variables: Record<string, unknown> = {}) {
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization !== null ? { authorization } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as GraphQLResponse<Record<string, unknown>>;
}

function onlyError(response: GraphQLResponse<unknown>): GraphQLError {
  expect(response.errors).toHaveLength(1);
  const error = response.errors![0]!;
  expect(Object.keys(error.extensions ?? {}).filter((key) => !['code', 'field', 'fields', 'id', 'retryable'].includes(key))).toEqual([]);
  return error;
}

async function dbFootprint() {
  const em = server.db.orm.em.fork();
  const [payments, transactions, events] = await Promise.all([em.count(Payment, {}), em.count(Transaction, {}), em.count(PaymentEvent, {})]);
  return { payments, transactions, events, gatewayOrders: (await server.app.sandbox!.state()).orders.length };
}

/** Tokens that must all be refused, and what the refusal must say. */
const badHeaders: { name: string; header: () => Promise<string>; message: RegExp }[] = [
  {
    name: 'an expired token',
    header: async () => `Bearer ${await new SignJWT({ role: 'customer' }).setProtectedHeader({ alg: 'HS256' }).setSubject('alice')
      .setIssuedAt(now() - 3_600).setExpirationTime(now() - 60).sign(encoder.encode(TEST_JWT_SECRET))}`,
    message: /expired/,
  },
  {
    name: 'a token signed with another secret',
    header: async () => `Bearer ${await signToken({ id: 'alice', role: 'admin' }, 'another-secret-of-sufficient-length-0123456789')}`,
    message: /signature is invalid/,
  },
  {
    name: 'an alg:none token',
    header: async () => `Bearer ${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ sub: 'alice', role: 'admin', exp: now() + 600 })}.`,
    message: /not an HS256 JWT/,
  },
  {
    name: 'an HS512 token with the right secret (only HS256 is accepted)',
    header: async () => `Bearer ${await new SignJWT({ role: 'customer' }).setProtectedHeader({ alg: 'HS512' }).setSubject('alice')
      .setExpirationTime('1h').sign(encoder.encode(TEST_JWT_SECRET))}`,
    message: /not an HS256 JWT/,
  },
  {
    name: "a role claim of 'superuser'",
    header: async () => `Bearer ${await new SignJWT({ role: 'superuser' }).setProtectedHeader({ alg: 'HS256' }).setSubject('alice')
      .setExpirationTime('1h').sign(encoder.encode(TEST_JWT_SECRET))}`,
    message: /role claim must be one of customer, admin, service/,
  },
  {
    name: 'a token without a sub claim',
    header: async () => `Bearer ${await new SignJWT({ role: 'customer' }).setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('1h').sign(encoder.encode(TEST_JWT_SECRET))}`,
    message: /sub claim/,
  },
  { name: 'a malformed header "Token abc"', header: async () => 'Token abc', message: /Bearer <token>/ },
  { name: 'a bearer of garbage', header: async () => 'Bearer abc.def.ghi', message: /malformed/ },
];

describe('authentication over HTTP', () => {
  const orderId = 'order_AAAAAAAAAAAAAA';
  const paymentId = 'pay_AAAAAAAAAAAAAA';
  const operations = [
    { name: 'payment', query: print(PaymentDocument), variables: () => ({ id: bobPaymentId }) },
    { name: 'payments', query: print(PaymentsDocument), variables: () => ({}) },
    { name: 'transactions', query: print(TransactionsDocument), variables: () => ({}) },
    { name: 'createOrder', query: print(CreateOrderDocument), variables: () => ({ input: { amount: 5_000 } }) },
    {
      name: 'verifyPayment',
      query: print(VerifyPaymentDocument),
      variables: () => ({ input: { razorpayOrderId: orderId, razorpayPaymentId: paymentId, razorpaySignature: checkoutSignature(orderId, paymentId) } }),
    },
  ];

  it.each(operations)('no token → UNAUTHENTICATED on $name, nothing written', async ({ query, variables }) => {
    const before = await dbFootprint();
    const response = await postWithHeader(null, query, variables());
    const error = onlyError(response);
    expect(error.extensions?.code).toBe('UNAUTHENTICATED');
    expect(error.message).toMatch(/Authorization: Bearer <token>/);
    // Nullable fields answer null, non-null ones null the whole data: either way nothing is revealed.
    expect(Object.values(response.data ?? {}).filter((value) => value !== null)).toEqual([]);
    expect(await dbFootprint()).toEqual(before);
  });

  it.each(badHeaders)('$name → UNAUTHENTICATED saying why, on a query and on createOrder', async ({ header, message }) => {
    const value = await header();
    const read = onlyError(await postWithHeader(value));
    expect(read.extensions?.code).toBe('UNAUTHENTICATED');
    expect(read.message).toMatch(message);

    const before = await dbFootprint();
    const write = onlyError(await postWithHeader(value, print(CreateOrderDocument), { input: { amount: 5_000 } }));
    expect(write.extensions?.code).toBe('UNAUTHENTICATED');
    expect(await dbFootprint()).toEqual(before);
  });

  it('a valid token with the lowercase "bearer" scheme is accepted', async () => {
    const response = await postWithHeader(`bearer ${alice}`);
    expect(response.errors).toBeUndefined();
  });
});

describe("customers see only their own data; staff see everyone's", () => {
  it("alice reading bob's payment → NOT_FOUND, exactly as for a payment that does not exist", async () => {
    const theirs = onlyError(await server.gql(PaymentDocument, { id: bobPaymentId }, alice));
    expect(theirs.extensions).toMatchObject({ code: 'NOT_FOUND', id: bobPaymentId });
    const missingId = '00000000-0000-4000-8000-000000000000';
    const missing = onlyError(await server.gql(PaymentDocument, { id: missingId }, alice));
    expect(missing.extensions).toMatchObject({ code: 'NOT_FOUND', id: missingId });
    expect(theirs.message.replace(bobPaymentId, '<id>')).toBe(missing.message.replace(missingId, '<id>'));
    const notAnId = onlyError(await server.gql(PaymentDocument, { id: 'not-a-uuid' }, alice));
    expect(notAnId.extensions?.code).toBe('NOT_FOUND');

    // bob and an admin can read it.
    expect((await server.gql(PaymentDocument, { id: bobPaymentId }, bob)).data?.payment?.id).toBe(bobPaymentId);
    expect((await server.gql(PaymentDocument, { id: bobPaymentId }, admin)).data?.payment?.payerId).toBe('bob');
  });

  it('payments lists only the caller’s own, and totalCount counts only those', async () => {
    const response = await server.gql(PaymentsDocument, { first: 100 }, alice);
    expect(response.errors).toBeUndefined();
    const { totalCount, edges } = response.data!.payments;
    const ownCount = await server.db.orm.em.fork().count(Payment, { payerId: 'alice', razorpayOrderId: { $ne: null } });
    expect(totalCount).toBe(ownCount);
    expect(edges.length).toBe(ownCount);
    expect(edges.every((e) => e.node.payerId === 'alice')).toBe(true);
    expect(edges.map((e) => e.node.id)).toEqual(expect.arrayContaining(alicePaymentIds));
    expect(edges.map((e) => e.node.id)).not.toContain(bobPaymentId);

    // Filtering by her own payerId is the same list.
    const filtered = await server.gql(PaymentsDocument, { first: 100, filter: { payerId: 'alice' } }, alice);
    expect(filtered.data!.payments.totalCount).toBe(ownCount);
  });

  it("alice filtering payments by bob's payerId → FORBIDDEN, not a silently empty page", async () => {
    const response = await server.gql(PaymentsDocument, { filter: { payerId: 'bob' } }, alice);
    const error = onlyError(response);
    expect(error.extensions?.code).toBe('FORBIDDEN');
    expect(error.message).toMatch(/filter\.payerId/);
    expect(response.data ?? null).toBeNull();
  });

  it("an admin listing with payerId bob sees bob's payments, and all payments without a filter", async () => {
    const em = server.db.orm.em.fork();
    const bobs = await server.gql(PaymentsDocument, { first: 100, filter: { payerId: 'bob' } }, admin);
    expect(bobs.errors).toBeUndefined();
    expect(bobs.data!.payments.totalCount).toBe(await em.count(Payment, { payerId: 'bob', razorpayOrderId: { $ne: null } }));
    expect(bobs.data!.payments.edges.map((e) => e.node.id)).toContain(bobPaymentId);
    expect(bobs.data!.payments.edges.every((e) => e.node.payerId === 'bob')).toBe(true);

    const everyone = await server.gql(PaymentsDocument, { first: 100 }, admin);
    expect(everyone.data!.payments.totalCount).toBe(await em.count(Payment, { razorpayOrderId: { $ne: null } }));
  });

  it("bob's transactions are not visible to alice, whatever she filters by", async () => {
    const own = await server.gql(TransactionsDocument, { first: 100 }, alice);
    expect(own.errors).toBeUndefined();
    const ownCount = await server.db.orm.em.fork().count(Transaction, { userId: 'alice' });
    expect(own.data!.transactions.totalCount).toBe(ownCount);
    const paymentIds = own.data!.transactions.edges.map((e) => e.node.payment?.id);
    expect(paymentIds).not.toContain(bobPaymentId);
    expect(paymentIds).toEqual(expect.arrayContaining(alicePaymentIds));

    const byPayment = await server.gql(TransactionsDocument, { filter: { paymentId: bobPaymentId } }, alice);
    expect(byPayment.errors).toBeUndefined();
    expect(byPayment.data!.transactions).toMatchObject({ totalCount: 0, edges: [] });

    const byUser = onlyError(await server.gql(TransactionsDocument, { filter: { userId: 'bob' } }, alice));
    expect(byUser.extensions?.code).toBe('FORBIDDEN');

    const asAdmin = await server.gql(TransactionsDocument, { filter: { paymentId: bobPaymentId } }, admin);
    expect(asAdmin.data!.transactions.edges.map((e) => e.node.payment?.id)).toEqual([bobPaymentId]);
  });
});

describe('subscriptions over graphql-ws', () => {
  it("alice following bob's payment → an error result NOT_FOUND and no data, as for a payment that does not exist", async () => {
    const theirs = collect(server.ws(alice), PaymentStatusChangedDocument, { paymentId: bobPaymentId });
    const missing = collect(server.ws(alice), PaymentStatusChangedDocument, { paymentId: '00000000-0000-4000-8000-000000000000' });
    await eventually(() => theirs.completed && missing.completed, 5_000, 'both subscriptions to end');
    for (const feed of [theirs, missing]) {
      expect(feed.error).toBeNull();
      expect(feed.results).toHaveLength(1);
      const [result] = feed.results;
      expect(result!.data ?? null).toBeNull();
      expect(result!.errors).toHaveLength(1);
      expect(result!.errors![0]!.extensions?.code).toBe('NOT_FOUND');
    }
    expect(theirs.results[0]!.errors![0]!.message).toBe(`Payment ${bobPaymentId} was not found`);

    // An admin may follow it: the current state comes first.
    const staff = collect(server.ws(admin), PaymentStatusChangedDocument, { paymentId: bobPaymentId });
    await eventually(() => staff.results.length >= 1, 5_000, "the admin's first result");
    expect(staff.results[0]!.data?.paymentStatusChanged).toMatchObject({ id: bobPaymentId, status: 'CREATED' });
    staff.stop();
  });

  /**
   * Waits for the subscription to end and expects the connection refused in connection_init
   * (close 4403, the reason saying why) with no result: nothing runs without a valid token.
   */
  async function expectRefusedFeed(feed: ReturnType<typeof collect<unknown>>, message: RegExp) {
    await eventually(() => feed.completed, 5_000, 'the subscription to end');
    expect(feed.results).toEqual([]);
    const close = feed.error as { code?: number; reason?: string };
    expect(close.code).toBe(4403);
    expect(close.reason).toMatch(/^Unauthenticated: /);
    expect(close.reason).toMatch(message);
  }

  it('subscribing to paymentStatusChanged without a token → connection refused, UNAUTHENTICATED', async () => {
    await expectRefusedFeed(collect(server.ws(null), PaymentStatusChangedDocument, { paymentId: bobPaymentId }), /authorization = "Bearer <token>"/);
  });

  it('subscribing to myPaymentUpdates without a token → connection refused, UNAUTHENTICATED', async () => {
    await expectRefusedFeed(collect(server.ws(null), MyPaymentUpdatesDocument), /authorization = "Bearer <token>"/);
  });

  it.each(badHeaders)('subscribing with $name → connection refused, saying why', async ({ header, message }) => {
    await expectRefusedFeed(collect(wsWithHeader(await header()), MyPaymentUpdatesDocument), message);
  });

  it("alice's myPaymentUpdates does not receive bob's payment changes; bob's does", async () => {
    const bobsOrder = await createOrder(bob, 4_500);
    const alicesOrder = await createOrder(alice, 4_600);
    const aliceClient = server.ws(alice);
    const bobClient = server.ws(bob);
    const aliceMine = collect(aliceClient, MyPaymentUpdatesDocument);
    const bobMine = collect(bobClient, MyPaymentUpdatesDocument);
    // A second subscription on each socket answers at once with the current state: once it
    // has, the socket is open and the myPaymentUpdates sent before it is listening.
    const aliceReady = collect(aliceClient, PaymentStatusChangedDocument, { paymentId: alicesOrder.payment.id });
    const bobReady = collect(bobClient, PaymentStatusChangedDocument, { paymentId: bobsOrder.payment.id });
    await eventually(() => aliceReady.results.length >= 1 && bobReady.results.length >= 1, 5_000, 'both sockets subscribed');

    const checkout = await pay(server.url, bobsOrder.razorpayOrderId, { awaitWebhooks: true });
    expect(checkout.razorpay_payment_id).toMatch(/^pay_/);
    await eventually(() => bobMine.results.some((r) => r.data?.myPaymentUpdates.status === 'CAPTURED'), 10_000, "bob's CAPTURED update");
    expect(bobMine.results.every((r) => r.data?.myPaymentUpdates.id === bobsOrder.payment.id)).toBe(true);

    // A marker on alice's own payment, published after bob's messages: anything of bob's that
    // reached alice's feeds would be before it.
    await webhooksDone(server);
    await sendMarker(server, alicesOrder.payment.id);
    expect(await resultsBeforeMarker(aliceMine, (data) => data.myPaymentUpdates.version)).toEqual([]);
    const aliceSeen = await resultsBeforeMarker(aliceReady, (data) => data.paymentStatusChanged.version);
    expect(aliceSeen.map((r) => r.data?.paymentStatusChanged.status)).toEqual(['CREATED']);
    for (const feed of [aliceMine, bobMine, aliceReady, bobReady]) feed.stop();
  });
});
