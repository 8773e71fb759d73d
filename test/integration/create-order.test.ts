/**
 * createOrder over real HTTP against real PostgreSQL and the sandbox gateway: every bad input
 * is refused with a clear, field-naming error and changes nothing (no row, no gateway order);
 * the happy paths store what was asked; idempotency keys hold under sequential and
 * concurrent repeats and when the gateway fails.
 */
import 'reflect-metadata';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Payment } from '../../src/payments/payment.entity.js';
import { PaymentEvent, PaymentEventType } from '../../src/payments/payment-event.entity.js';
import { Transaction, TransactionStatus, TransactionType } from '../../src/transactions/transaction.entity.js';
import { CreateOrderDocument, type CreateOrderInput } from '../graphql/generated.js';
import { startTestServer, type GraphQLResponse, type TestServer } from '../helpers/server.js';

type GraphQLError = NonNullable<GraphQLResponse<unknown>['errors']>[number];

/** The only extensions a client may see (src/graphql/format-error.ts). */
const SAFE_EXTENSION_KEYS = ['code', 'field', 'fields', 'id', 'retryable'];
/** Traces of internals that must never reach a client: stack frames, SQL, driver names. */
const INTERNALS = /stacktrace|\n\s+at |node_modules|\.[jt]s:\d+|\bselect\b.+\bfrom\b|\binsert into\b|\bviolates\b|duplicate key|postgres|mikro-?orm|knex/i;

let server: TestServer;
/** A second server with a low order ceiling and a 2.5% fee, to prove both come from the environment. */
let configured: TestServer;
let alice: string;
let bob: string;

beforeAll(async () => {
  [server, configured] = await Promise.all([
    startTestServer(),
    startTestServer({ env: { MAX_ORDER_AMOUNT: '100000', PLATFORM_FEE_BPS: '250' } }),
  ]);
  [alice, bob] = await Promise.all([server.token('alice'), server.token('bob')]);
});
afterAll(async () => {
  await Promise.all([server?.close(), configured?.close()]);
});
afterEach(() => {
  server.app.sandbox!.resetFaults();
});

/** Everything a createOrder can add: rows in the three tables and orders at the gateway. */
async function footprint(target: TestServer = server) {
  const em = target.db.orm.em.fork();
  const [payments, transactions, events] = await Promise.all([
    em.count(Payment, {}),
    em.count(Transaction, {}),
    em.count(PaymentEvent, {}),
  ]);
  return { payments, transactions, events, gatewayOrders: (await target.app.sandbox!.state()).orders.length };
}

function expectClientSafe(error: GraphQLError): void {
  expect(Object.keys(error.extensions ?? {}).filter((key) => !SAFE_EXTENSION_KEYS.includes(key))).toEqual([]);
  expect(JSON.stringify(error)).not.toMatch(INTERNALS);
}

/**
 * Sends an input the generated type may not allow (hostile clients do not use our types),
 * expects exactly one error and proves nothing was written anywhere.
 */
async function expectRefused(input: Record<string, unknown>, target: TestServer = server, token = alice): Promise<GraphQLError> {
  const before = await footprint(target);
  const response = await target.gql(CreateOrderDocument, { input: input as CreateOrderInput }, token);
  expect(response.data?.createOrder ?? null).toBeNull();
  expect(response.errors).toHaveLength(1);
  const error = response.errors![0]!;
  expectClientSafe(error);
  expect(await footprint(target)).toEqual(before);
  return error;
}

async function createOrder(input: CreateOrderInput, token = alice, target: TestServer = server) {
  const response = await target.gql(CreateOrderDocument, { input }, token);
  expect(response.errors).toBeUndefined();
  return response.data!.createOrder;
}

const LONG_DESCRIPTION = 'D'.repeat(256);
const LONG_REFERENCE = 'R'.repeat(101);
const LONG_NOTE = 'N'.repeat(257);
const LONG_KEY = 'k'.repeat(101);
const sixteenNotes = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`key${i}`, `value${i}`]));

describe('createOrder refuses bad input and changes nothing', () => {
  it.each([
    { name: 'amount 0', input: { amount: 0 }, field: 'input.amount', message: /at least 100/ },
    { name: 'a negative amount', input: { amount: -500 }, field: 'input.amount', message: /at least 100/ },
    { name: "99 paise, below Razorpay's minimum", input: { amount: 99 }, field: 'input.amount', message: /at least 100/ },
    { name: 'an unknown currency', input: { amount: 1000, currency: 'XYZ' }, field: 'input.currency', message: /must be one of .*INR/ },
    { name: 'a lowercase currency', input: { amount: 1000, currency: 'inr' }, field: 'input.currency', message: /must be one of .*INR/ },
    { name: 'a description of 256 characters', input: { amount: 1000, description: LONG_DESCRIPTION }, field: 'input.description', message: /at most 255/ },
    { name: 'a reference of 101 characters', input: { amount: 1000, reference: LONG_REFERENCE }, field: 'input.reference', message: /at most 100/ },
    { name: 'notes with 16 keys', input: { amount: 1000, notes: sixteenNotes }, field: 'input.notes', message: /at most 15 pairs/ },
    { name: 'a notes value of 257 characters', input: { amount: 1000, notes: { brief: LONG_NOTE } }, field: 'input.notes.brief', message: /at most 256/ },
    { name: 'notes that are an array', input: { amount: 1000, notes: ['a', 'b'] }, field: 'input.notes', message: /object of key\/value pairs/ },
    { name: 'notes holding a nested object', input: { amount: 1000, notes: { job: { id: 1 } } }, field: 'input.notes.job', message: /strings, numbers or booleans/ },
    { name: 'an idempotencyKey that is too short', input: { amount: 1000, idempotencyKey: 'short' }, field: 'input.idempotencyKey', message: /8 to 100 characters/ },
    { name: 'an idempotencyKey of 101 characters', input: { amount: 1000, idempotencyKey: LONG_KEY }, field: 'input.idempotencyKey', message: /8 to 100 characters/ },
    { name: 'an idempotencyKey with spaces', input: { amount: 1000, idempotencyKey: 'has some spaces' }, field: 'input.idempotencyKey', message: /8 to 100 characters/ },
    // PostgreSQL cannot store U+0000: these used to fail in SQL as INTERNAL_SERVER_ERROR.
    { name: 'a reference with a NUL character', input: { amount: 1000, reference: 'job\u0000-1' }, field: 'input.reference', message: /NUL/ },
    { name: 'a description with a NUL character', input: { amount: 1000, description: 'logo\u0000' }, field: 'input.description', message: /NUL/ },
    { name: 'a notes value with a NUL character', input: { amount: 1000, notes: { job: 'a\u0000b' } }, field: 'input.notes.job', message: /NUL/ },
    { name: 'a notes key with a NUL character', input: { amount: 1000, notes: { 'jo\u0000b': 'x' } }, field: 'input.notes', message: /NUL/ },
    { name: 'a payeeId with characters an id never has', input: { amount: 1000, payeeId: 'bob; drop table payment' }, field: 'input.payeeId', message: /letters, digits/ },
  ])('$name → BAD_USER_INPUT naming $field', async ({ input, field, message }) => {
    const error = await expectRefused(input);
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(error.message).toContain(field);
    expect(error.message).toMatch(message);
    // Long values are never echoed back (a 40-character slice would already be an echo).
    for (const long of [LONG_DESCRIPTION, LONG_REFERENCE, LONG_NOTE, LONG_KEY]) expect(error.message).not.toContain(long.slice(0, 40));
  });

  it('an amount above MAX_ORDER_AMOUNT → BAD_USER_INPUT input.amount saying the ceiling', async () => {
    const error = await expectRefused({ amount: 100_001 }, configured);
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.amount' });
    expect(error.message).toMatch(/input\.amount: must be at most 100000/);
    // The ceiling itself is accepted.
    const session = await createOrder({ amount: 100_000 }, alice, configured);
    expect(session.amount).toBe(100_000);
  });

  it('an amount above 2^31 fails GraphQL Int coercion → BAD_USER_INPUT', async () => {
    const error = await expectRefused({ amount: 2 ** 31 });
    expect(error.extensions?.code).toBe('BAD_USER_INPUT');
    expect(error.message).toMatch(/Int cannot represent/);
    expect(error.message).toContain('input.amount');
  });

  it('a fractional amount fails Int coercion → BAD_USER_INPUT', async () => {
    const error = await expectRefused({ amount: 100.5 });
    expect(error.extensions?.code).toBe('BAD_USER_INPUT');
    expect(error.message).toMatch(/Int cannot represent/);
  });

  it('several bad fields at once are all named in extensions.fields', async () => {
    const error = await expectRefused({ amount: 0, currency: 'XYZ', description: LONG_DESCRIPTION });
    expect(error.extensions?.code).toBe('BAD_USER_INPUT');
    const fields = (error.extensions?.fields as { field: string }[]).map((f) => f.field).sort();
    expect(fields).toEqual(['input.amount', 'input.currency', 'input.description']);
  });
});

describe('createOrder stores what was asked', () => {
  it('an order in USD keeps its currency in the session, the row and the gateway order', async () => {
    const session = await createOrder({ amount: 2_500, currency: 'USD', reference: 'inv-usd-1' });
    expect(session).toMatchObject({ amount: 2_500, currency: 'USD' });
    expect(session.payment).toMatchObject({ status: 'CREATED', currency: 'USD', amount: 2_500, payerId: 'alice', reference: 'inv-usd-1' });
    const row = await server.db.orm.em.fork().findOneOrFail(Payment, { id: session.payment.id });
    expect(row.currency).toBe('USD');
    const order = (await server.app.sandbox!.state()).orders.find((o) => o.id === session.razorpayOrderId);
    expect(order).toMatchObject({ amount: 2_500, currency: 'USD', receipt: session.payment.id });
  });

  it('notes reach the row and the gateway order, numbers and booleans as strings', async () => {
    const session = await createOrder({ amount: 1_000, notes: { jobId: 42, urgent: true, label: 'logo' } });
    const expected = { jobId: '42', urgent: 'true', label: 'logo' };
    const row = await server.db.orm.em.fork().findOneOrFail(Payment, { id: session.payment.id });
    expect(row.notes).toEqual(expected);
    const order = (await server.app.sandbox!.state()).orders.find((o) => o.id === session.razorpayOrderId);
    expect(order?.notes).toEqual(expected);
  });

  it('the CHARGE transaction and the CREATED audit event are written with the payment', async () => {
    const session = await createOrder({ amount: 1_500 });
    const em = server.db.orm.em.fork();
    const charges = await em.find(Transaction, { payment: session.payment.id });
    expect(charges).toEqual([expect.objectContaining({ type: TransactionType.CHARGE, status: TransactionStatus.PENDING, amount: 1_500, userId: 'alice' })]);
    const events = await em.find(PaymentEvent, { payment: session.payment.id });
    expect(events).toEqual([expect.objectContaining({ type: PaymentEventType.CREATED, source: 'api:createOrder', actorId: 'alice' })]);
  });

  it('PLATFORM_FEE_BPS from the environment splits the fee, rounded half up, and the parts sum to the amount', async () => {
    // 250 bps: 10001 → 250.025 → 250; 10020 → 250.5 → 251 (half up); 10019 → 250.475 → 250.
    for (const [amount, fee] of [[10_001, 250], [10_020, 251], [10_019, 250]] as const) {
      const { payment } = await createOrder({ amount }, alice, configured);
      expect(payment.platformFee).toBe(fee);
      expect(payment.payeeAmount).toBe(amount - fee);
      expect(payment.platformFee + payment.payeeAmount).toBe(amount);
      const row = await configured.db.orm.em.fork().findOneOrFail(Payment, { id: payment.id });
      expect(row).toMatchObject({ feeBps: 250, platformFee: fee, payeeAmount: amount - fee });
    }
  });
});

describe('idempotencyKey', () => {
  it('the same key twice in a row returns the same payment and gateway order, stored once', async () => {
    const before = await footprint();
    const input = { amount: 5_000, reference: 'job-seq', idempotencyKey: 'seq-key-0001' };
    const first = await createOrder(input);
    const second = await createOrder(input);
    expect(second.payment.id).toBe(first.payment.id);
    expect(second.razorpayOrderId).toBe(first.razorpayOrderId);
    const after = await footprint();
    expect(after).toEqual({
      payments: before.payments + 1,
      transactions: before.transactions + 1,
      events: before.events + 1,
      gatewayOrders: before.gatewayOrders + 1,
    });
    expect(await server.db.orm.em.fork().count(Payment, { idempotencyKey: 'seq-key-0001' })).toBe(1);
  });

  it('the same key 10 times at once: one payment, one gateway order, one CHARGE', async () => {
    const before = await footprint();
    const input = { amount: 7_700, idempotencyKey: 'concurrent-key-0001' };
    const responses = await Promise.all(Array.from({ length: 10 }, () => server.gql(CreateOrderDocument, { input }, alice)));
    for (const response of responses) expect(response.errors).toBeUndefined();
    const sessions = responses.map((r) => r.data!.createOrder);
    expect(new Set(sessions.map((s) => s.payment.id)).size).toBe(1);
    expect(new Set(sessions.map((s) => s.razorpayOrderId)).size).toBe(1);

    const em = server.db.orm.em.fork();
    expect(await em.count(Payment, { idempotencyKey: 'concurrent-key-0001' })).toBe(1);
    expect(await em.count(Transaction, { payment: sessions[0]!.payment.id, type: TransactionType.CHARGE })).toBe(1);
    expect(await footprint()).toEqual({
      payments: before.payments + 1,
      transactions: before.transactions + 1,
      events: before.events + 1,
      gatewayOrders: before.gatewayOrders + 1,
    });
  });

  it('keys are per caller: the same key from another user is another payment', async () => {
    const input = { amount: 3_000, idempotencyKey: 'shared-key-0001' };
    const fromAlice = await createOrder(input, alice);
    const fromBob = await createOrder(input, bob);
    expect(fromBob.payment.id).not.toBe(fromAlice.payment.id);
    expect(fromBob.razorpayOrderId).not.toBe(fromAlice.razorpayOrderId);
    expect(fromBob.payment.payerId).toBe('bob');
    expect(await server.db.orm.em.fork().count(Payment, { idempotencyKey: 'shared-key-0001' })).toBe(2);
  });

  it('the same key with a different amount → CONFLICT, and the first order is untouched', async () => {
    const first = await createOrder({ amount: 4_000, idempotencyKey: 'conflict-key-0001' });
    const error = await expectRefused({ amount: 4_001, idempotencyKey: 'conflict-key-0001' });
    expect(error.extensions?.code).toBe('CONFLICT');
    expect(error.message).toMatch(/already used for a different order/);
    const row = await server.db.orm.em.fork().findOneOrFail(Payment, { idempotencyKey: 'conflict-key-0001' });
    expect(row).toMatchObject({ id: first.payment.id, amount: 4_000 });
  });

  it('a gateway that rejects the order (400) → GATEWAY_ERROR, no row left, and the key works again', async () => {
    server.app.sandbox!.setFaults({ failNextRequests: { count: 1, status: 400 } });
    const input = { amount: 6_000, idempotencyKey: 'gateway-400-key-0001' };
    const error = await expectRefused(input);
    expect(error.extensions).toMatchObject({ code: 'GATEWAY_ERROR', retryable: false });
    expect(error.message).toMatch(/Razorpay/);
    expect(await server.db.orm.em.fork().count(Payment, { idempotencyKey: input.idempotencyKey })).toBe(0);

    const retried = await createOrder(input);
    expect(retried.payment).toMatchObject({ amount: 6_000, status: 'CREATED' });
    expect(retried.razorpayOrderId).toMatch(/^order_/);
  });

  it('a gateway that keeps failing (500) → GATEWAY_ERROR with retryable true after the adapter retries', async () => {
    server.app.sandbox!.setFaults({ failNextRequests: { count: 10, status: 500 } });
    const started = Date.now();
    const error = await expectRefused({ amount: 6_500, idempotencyKey: 'gateway-500-key-0001' });
    expect(error.extensions).toMatchObject({ code: 'GATEWAY_ERROR', retryable: true });
    expect(error.message).toMatch(/try again/);
    // One attempt and three retries used four of the ten injected failures.
    expect(server.app.sandbox!.faults().failNextRequests.count).toBe(6);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
