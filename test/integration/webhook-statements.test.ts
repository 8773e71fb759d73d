/**
 * What processing one payment event costs the database (issue 11): the statements the webhook
 * job runs for a `payment.authorized`, then a `payment.captured`, a `payment.captured` that
 * arrives first (out of order) and a repeat. Counted inside the job's own async context, so the
 * feeder's and other background statements on the same pool never count. pg-boss's fetch and
 * completion of the job run on its own pool and are not counted here.
 */
import 'reflect-metadata';
import { AsyncLocalStorage } from 'node:async_hooks';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PayeeAccount, PayeeAccountStatus } from '../../src/payees/payee-account.entity.js';
import { PaymentStatus } from '../../src/payments/payment.state.js';
import { Payout, PayoutStatus } from '../../src/payouts/payout.entity.js';
import { WebhookEvent, WebhookEventStatus } from '../../src/webhooks/webhook-event.entity.js';
import { CreateOrderDocument } from '../graphql/generated.js';
import { paymentEvent, postWebhook, wirePayment } from '../helpers/checkout.js';
import { eventually, startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
const context = new AsyncLocalStorage<string>();
const seen = new Map<string, string[]>();

beforeAll(async () => {
  server = await startTestServer({ env: { RECONCILE_ENABLED: 'false' } });
  const processor = server.app.services.webhookProcessor;
  const process = processor.process.bind(processor);
  // Each job's statements under its event row id.
  processor.process = (id, job) => context.run(id, () => process(id, job));
  server.db.orm.em.getConnection().getKnex().on('query', (query: { sql: string }) => {
    const id = context.getStore();
    if (id) seen.set(id, [...(seen.get(id) ?? []), query.sql]);
  });
});
afterAll(async () => {
  await server?.close();
});

async function newOrder(amount = 10_000, payeeId?: string) {
  const created = await server.gql(CreateOrderDocument, { input: { amount, ...(payeeId ? { payeeId } : {}) } }, await server.token('counted-payer'));
  expect(created.errors).toBeUndefined();
  return created.data!.createOrder.razorpayOrderId;
}

/** Delivers the event and returns the statements its job ran, each cut to its first three words. */
async function statementsOf(event: string, orderId: string, paymentId: string, status: 'authorized' | 'captured', again?: string): Promise<string[]> {
  return (await fullStatementsOf(event, orderId, paymentId, status, again)).map((sql) => sql.replace(/\s+/g, ' ').split(' ').slice(0, 3).join(' '));
}

/** Delivers the event and returns the statements its job ran, as sent. */
async function fullStatementsOf(event: string, orderId: string, paymentId: string, status: 'authorized' | 'captured', again?: string): Promise<string[]> {
  const { body, eventId } = paymentEvent(event, wirePayment(orderId, paymentId, status, 10_000));
  const id = again ?? eventId;
  expect((await postWebhook(server.url, body, { eventId: id })).status).toBe(200);
  const row = await eventually(async () => {
    const found = await server.db.orm.em.fork().findOne(WebhookEvent, { eventId: id });
    return found && found.status !== WebhookEventStatus.PENDING ? found : null;
  });
  expect(row.status).toBe(WebhookEventStatus.PROCESSED);
  return seen.get(row.id) ?? [];
}

const CLAIM = 'update "webhook_event" set';
/** The outcome's own UPDATE: only when the handler wrote nothing (since the ninth round the outcome goes out in the change's statement). */
const SETTLE = 'update "webhook_event" set';
/** The payment's lock, with what the handlers read with it (the payee account's status). */
const LOCK = 'select "p0".*, (select';

it('an authorized event: 5 statements; a captured one: 5, the ledger accounts no longer read once known; out of order; a repeat writes its outcome alone', async () => {
  // Warm-up: the first capture creates the ledger accounts (not remembered: not committed yet when
  // read), the second reads them committed and remembers them; from the third on they are not read.
  for (const n of [1, 2]) await statementsOf('payment.captured', await newOrder(), `pay_countedwarm0${n}`, 'captured');
  const orderId = await newOrder();
  const authorized = await statementsOf('payment.authorized', orderId, 'pay_counted00001', 'authorized');
  // The event's outcome, the audit event and the payment's UPDATE: one statement, committed together.
  expect(authorized).toEqual([CLAIM, 'BEGIN;', LOCK, 'with u0 as', 'COMMIT;']);
  const captured = await statementsOf('payment.captured', orderId, 'pay_counted00001', 'captured');
  const capture = [
    CLAIM, 'BEGIN;', LOCK,
    // The event's outcome, the payment's and its CHARGE's UPDATEs, the audit event, the journal, its
    // entries and the outbox message: one statement (before the ninth round the outcome came after the COMMIT).
    'with u0 as',
    'COMMIT;',
  ];
  expect(captured).toEqual(capture);
  // Out of order: captured first, then the late authorized is recorded as ignored.
  const outOfOrder = await newOrder();
  expect(await statementsOf('payment.captured', outOfOrder, 'pay_counted00002', 'captured')).toEqual(capture);
  // Its TRANSITION_IGNORED audit event with the event's outcome: one statement of the settlement's own, not the commit's flush (ninth round).
  expect(await statementsOf('payment.authorized', outOfOrder, 'pay_counted00002', 'authorized'))
    .toEqual([CLAIM, 'BEGIN;', LOCK, 'with u0 as', 'COMMIT;']);
  // A second delivery of the capture under another event id: nothing to change, so the outcome is written alone after the transaction.
  expect(await statementsOf('payment.captured', outOfOrder, 'pay_counted00002', 'captured')).toEqual([CLAIM, 'BEGIN;', LOCK, 'COMMIT;', SETTLE]);
});

it('a captured event of a payment with a payee: its payout in the same one statement, the payee account read with the lock (5 statements)', async () => {
  // Warm-up, as above: the payee's ledger account is created, then read and remembered.
  for (const n of [3, 4]) await statementsOf('payment.captured', await newOrder(10_000, 'counted-payee'), `pay_countedwarm0${n}`, 'captured');
  const orderId = await newOrder(10_000, 'counted-payee');
  // Before the seventh round: the payout's own flush wrote the audit event, journal, entries,
  // outbox message, payout and payment one statement each, and the CHARGE after them (13
  // statements); before the eighth, the payee account was read on its own after the lock (7).
  expect(await statementsOf('payment.captured', orderId, 'pay_counted00003', 'captured')).toEqual([
    // The lock reads whether the payee's account is activated (it is not: the payout waits ACCRUED).
    CLAIM, 'BEGIN;', LOCK,
    'with u0 as',
    'COMMIT;',
  ]);
  const payout = await server.db.orm.em.fork().findOneOrFail(Payout, { payment: { razorpayOrderId: orderId } }, { populate: ['payment'] });
  expect(payout.status).toBe(PayoutStatus.ACCRUED);
  expect(payout.amount).toBe(payout.payment.payeeAmount);
});

it("a captured event of a payment whose payee's account is activated: the lock's read of it makes the payout PENDING and enqueues its transfer", async () => {
  const payeeId = 'counted-payee-active';
  await server.db.orm.em.fork().persist(Object.assign(new PayeeAccount(), {
    payeeId, status: PayeeAccountStatus.ACTIVATED, email: 'active@example.com', phone: '9000000000', legalName: 'Active Payee',
    beneficiaryName: 'Active Payee', bankAccountMasked: 'XXXX1234', ifsc: 'HDFC0000001', panMasked: 'XXXXX1234X', registeredBy: 'counted-admin',
    // A linked account at Razorpay, as an activated one has: without it the transfer job, which runs
    // at once, puts the payout back to ACCRUED, and the assertion below raced it.
    razorpayAccountId: 'acc_countedActive01', activatedAt: new Date(),
  })).flush();
  for (const n of [5, 6]) await statementsOf('payment.captured', await newOrder(10_000, payeeId), `pay_countedwarm0${n}`, 'captured');
  const orderId = await newOrder(10_000, payeeId);
  const statements = await statementsOf('payment.captured', orderId, 'pay_counted00004', 'captured');
  // No read of the payee account of its own (only the lock's), the transfer job inserted in the transaction.
  expect(statements.filter((sql) => sql.startsWith('select'))).toEqual([LOCK]);
  expect(statements.slice(0, 3)).toEqual([CLAIM, 'BEGIN;', LOCK]);
  expect(statements.slice(-2)).toEqual(['with u0 as', 'COMMIT;']);
  const payout = await server.db.orm.em.fork().findOneOrFail(Payout, { payment: { razorpayOrderId: orderId } });
  // PENDING, or already on its way (the transfer job runs at once).
  expect(payout.status).not.toBe(PayoutStatus.ACCRUED);
  const jobs = await server.db.orm.em.getConnection().execute(`select count(*)::int as n from pgboss.job where singleton_key = ?`, [payout.id]);
  expect((jobs[0] as { n: number }).n).toBe(1);
});

it("a payment locked again in the same EntityManager (no first read): the lock's earlier reads are not handed on, the handler reads the payee account itself", async () => {
  const payeeId = 'counted-payee-relock';
  await server.db.orm.em.fork().persist(Object.assign(new PayeeAccount(), {
    payeeId, status: PayeeAccountStatus.UNDER_REVIEW, email: 'relock@example.com', phone: '9000000001', legalName: 'Relock Payee',
    beneficiaryName: 'Relock Payee', bankAccountMasked: 'XXXX4321', ifsc: 'HDFC0000001', panMasked: 'XXXXX4321X', registeredBy: 'counted-admin',
  })).flush();
  const orderId = await newOrder(10_000, payeeId);
  const core = server.app.services.paymentCore;
  const method = { method: 'card', cardNetwork: 'Visa', cardLast4: '1111', vpa: null, bank: null, wallet: null } as const;
  const attempt = (to: PaymentStatus.AUTHORIZED | PaymentStatus.CAPTURED) => ({ kind: 'gateway_attempt' as const, to, attemptId: 'pay_relock0001', method, failureReason: null, detail: {} });
  await server.db.orm.em.fork().transactional(async (tx) => {
    // The first lock reads the account with the payment (UNDER_REVIEW)...
    const first = (await core.lock(tx, { razorpayOrderId: orderId }))!;
    await core.apply(tx, first, attempt(PaymentStatus.AUTHORIZED), { source: 'test:relock' });
    // ...the account is activated in the same transaction, and the payment locked again: findOne's path.
    await tx.nativeUpdate(PayeeAccount, { payeeId }, { status: PayeeAccountStatus.ACTIVATED, activatedAt: new Date() });
    const again = (await core.lock(tx, { razorpayOrderId: orderId }))!;
    expect(again).toBe(first);
    await core.apply(tx, again, attempt(PaymentStatus.CAPTURED), { source: 'test:relock' });
  });
  const payout = await server.db.orm.em.fork().findOneOrFail(Payout, { payment: { razorpayOrderId: orderId } });
  // The first lock's UNDER_REVIEW would have left it ACCRUED.
  expect(payout.status).not.toBe(PayoutStatus.ACCRUED);
});

it("the claim and an outcome written alone commit without waiting for the WAL flush; the money's transaction, and the connection after them, keep synchronous commits", async () => {
  const ASYNC = `set_config('synchronous_commit', 'off', true)`;
  const orderId = await newOrder();
  const captured = await fullStatementsOf('payment.captured', orderId, 'pay_countedasync1', 'captured');
  // The claim: asynchronous. The money's statement and its COMMIT: not (no setting in them, none left by the claim).
  expect(captured[0]).toContain(ASYNC);
  expect(captured.slice(1).filter((sql) => sql.includes('synchronous_commit'))).toEqual([]);
  // A repeat: its claim and its outcome, written alone after the transaction, both asynchronous.
  const repeat = await fullStatementsOf('payment.captured', orderId, 'pay_countedasync1', 'captured', 'evt_countedasync_repeat');
  expect([repeat[0], repeat.at(-1)].map((sql) => sql!.includes(ASYNC))).toEqual([true, true]);
  expect(repeat.slice(1, -1).filter((sql) => sql.includes('synchronous_commit'))).toEqual([]);

  // What the setting does, on one connection: in force for the statement's own transaction (its
  // commit reads it), gone after it, so the pool's next user commits synchronously.
  const claim = captured[0]!;
  let n = 0;
  const text = claim.replace(/\?/g, () => `$${++n}`);
  const event = await server.db.orm.em.fork().findOneOrFail(WebhookEvent, { eventId: 'evt_countedasync_repeat' });
  const client = new pg.Client({ connectionString: server.db.url });
  await client.connect();
  try {
    const show = async () => (await client.query<{ synchronous_commit: string }>('show synchronous_commit')).rows[0]!.synchronous_commit;
    expect(await show()).toBe('on');
    await client.query('begin');
    await client.query("update webhook_event set status = 'FAILED' where id = $1", [event.id]);
    const claimed = await client.query(text, [event.id]);
    expect(claimed.rowCount).toBe(1);
    expect(await show()).toBe('off');
    await client.query('rollback');
    expect(await show()).toBe('on');
    // Run on its own (autocommit), as the processor runs it: the row is claimed, the session unchanged.
    await client.query("update webhook_event set status = 'FAILED' where id = $1", [event.id]);
    expect((await client.query(text, [event.id])).rows[0]).toMatchObject({ id: event.id, attempts: event.attempts + 1 });
    expect(await show()).toBe('on');
  } finally {
    await client.query("update webhook_event set status = 'PROCESSED' where id = $1", [event.id]);
    await client.end();
  }
});
