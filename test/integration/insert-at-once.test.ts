/**
 * insertPersistedAtOnce (createOrder's intent in one statement, issue 11): the rows it writes
 * are the rows a flush writes, all of them or none, and it refuses what a plain insert cannot do.
 */
import 'reflect-metadata';
import { UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { insertPersistedAtOnce } from '../../src/db/insert-at-once.js';
import { createInProcessBus } from '../../src/graphql/pubsub.js';
import { createLogger } from '../../src/logger.js';
import { PaymentCore } from '../../src/payments/payment.core.js';
import type { PaymentDomainEvent } from '../../src/payments/payment.events.js';
import { PaymentPublisher } from '../../src/payments/payment.publisher.js';
import { ChargeTransactionHandler } from '../../src/transactions/transaction.handlers.js';
import { Payment, PaymentPurpose } from '../../src/payments/payment.entity.js';
import { PaymentEvent, PaymentEventType } from '../../src/payments/payment-event.entity.js';
import { PaymentStatus } from '../../src/payments/payment.state.js';
import { Transaction, TransactionStatus, TransactionType } from '../../src/transactions/transaction.entity.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { statementsDuring } from '../helpers/statements.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ poolMax: 4 });
});
afterAll(async () => {
  await db?.drop();
});

/** A payment with its audit event and CHARGE, as the core persists them for `created`. */
function persistOrder(em: ReturnType<TestDatabase['orm']['em']['fork']>, payerId: string, key: string | null): Payment {
  const payment = Object.assign(new Payment(), {
    purpose: PaymentPurpose.ORDER, amount: 123_456_789_012, currency: 'INR', feeBps: 250, platformFee: 3_086_425_225, payeeAmount: 120_370_363_787,
    payerId, payeeId: 'payee-1', reference: 'ref-1', description: 'desc', notes: { a: '1', 'key with "quotes"': "it's" }, idempotencyKey: key,
  });
  em.persist(payment);
  em.persist(Object.assign(new PaymentEvent(), { payment, type: PaymentEventType.CREATED, toStatus: payment.status, source: 'test', detail: { amount: payment.amount } }));
  em.persist(Object.assign(new Transaction(), { type: TransactionType.CHARGE, status: TransactionStatus.PENDING, amount: payment.amount, currency: 'INR', userId: payerId, payment }));
  return payment;
}

/** The rows as the database holds them, without what differs between two orders by nature (ids, times). */
async function rowsOf(paymentId: string) {
  const conn = db.orm.em.getConnection();
  const strip = ({ id: _id, payment_id: _p, created_at: _c, updated_at: _u, payer_id: _payer, idempotency_key: _k, user_id: _user, ...rest }: Record<string, unknown>) => rest;
  const [payment] = await conn.execute(`select * from payment where id = ?`, [paymentId]);
  const events = await conn.execute(`select * from payment_event where payment_id = ?`, [paymentId]);
  const charges = await conn.execute(`select * from "transaction" where payment_id = ?`, [paymentId]);
  return { payment: strip(payment), events: events.map(strip), charges: charges.map(strip) };
}

it('writes the same rows a flush writes, in one statement', async () => {
  const flushed = db.orm.em.fork();
  const viaFlush = persistOrder(flushed, 'flush-payer', 'k1');
  await flushed.flush();

  const em = db.orm.em.fork();
  const atOnce = persistOrder(em, 'once-payer', 'k1');
  const statements = await statementsDuring(db.orm, () => insertPersistedAtOnce(em));
  expect(statements).toHaveLength(1);
  expect(statements[0]).toMatch(/^with w0 as \(insert into "payment"/);

  const [a, b] = [await rowsOf(viaFlush.id), await rowsOf(atOnce.id)];
  expect(b.payment).toEqual(a.payment);
  expect(b.payment).toMatchObject({ status: PaymentStatus.CREATED, amount: '123456789012', notes: { a: '1', 'key with "quotes"': "it's" } });
  expect(b.events.map(({ id: _id, ...rest }) => rest)).toEqual(a.events.map(({ id: _id, ...rest }) => rest));
  expect(b.charges).toEqual(a.charges);
  expect(b.charges).toHaveLength(1);
});

it('writes nothing when one of the rows is refused, and raises the exception a flush raises', async () => {
  const first = db.orm.em.fork();
  persistOrder(first, 'atomic-payer', 'taken');
  await insertPersistedAtOnce(first);

  // The payment and its event are new; the last row, a CHARGE, collides with a transaction already written (same user and key).
  const em = db.orm.em.fork();
  const again = persistOrder(em, 'atomic-payer', 'fresh');
  for (const entity of em.getUnitOfWork().getPersistStack()) if (entity instanceof Transaction) entity.idempotencyKey = 'charge-key';
  const other = db.orm.em.fork();
  persistOrder(other, 'atomic-payer', 'other');
  for (const entity of other.getUnitOfWork().getPersistStack()) if (entity instanceof Transaction) entity.idempotencyKey = 'charge-key';
  await insertPersistedAtOnce(other);
  await expect(insertPersistedAtOnce(em)).rejects.toBeInstanceOf(UniqueConstraintViolationException);
  const [{ n }] = await db.orm.em.getConnection().execute(`select count(*)::int as n from payment where id = ?`, [again.id]);
  expect(n).toBe(0);
  const [{ e }] = await db.orm.em.getConnection().execute(`select count(*)::int as e from payment_event where payment_id = ?`, [again.id]);
  expect(e).toBe(0);

  // The same idempotency key: the unique key's exception, as createOrder's replay expects it.
  const em2 = db.orm.em.fork();
  persistOrder(em2, 'atomic-payer', 'taken');
  await expect(insertPersistedAtOnce(em2)).rejects.toThrow(/payment_payer_idempotency_key_unique/);
});

it('refuses an EntityManager that read something or runs inside a transaction', async () => {
  const em = db.orm.em.fork();
  const read = persistOrder(em, 'reader', 'r1');
  await em.flush();
  const reading = db.orm.em.fork();
  await reading.findOneOrFail(Payment, { id: read.id });
  persistOrder(reading, 'reader', 'r2');
  await expect(insertPersistedAtOnce(reading)).rejects.toThrow(/read or removes/);
  await expect(db.orm.em.fork().transactional(async (tx) => {
    persistOrder(tx, 'reader', 'r3');
    await insertPersistedAtOnce(tx);
  })).rejects.toThrow(/outside one/);
});

it('reuses a statement per shape with each call its own values, and builds another for another shape', async () => {
  const write = async (payerId: string, fields: Partial<Payment>) => {
    const em = db.orm.em.fork();
    const payment = persistOrder(em, payerId, `${payerId}-key`);
    Object.assign(payment, fields);
    const statements = await statementsDuring(db.orm, () => insertPersistedAtOnce(em));
    return { payment, sql: statements[0]! };
  };
  // Same shape, different values (the second call reuses the first one's text).
  const a = await write('shape-a', { amount: 10_000, reference: 'ref-a', notes: { n: 'a' } });
  const b = await write('shape-b', { amount: 20_000, reference: null, description: 'b', notes: null });
  expect(b.sql).toBe(a.sql);
  // Another shape: a column with a database default left to it (no gateway column written).
  const c = await write('shape-c', { amount: 30_000, gateway: undefined });
  expect(c.sql).not.toBe(a.sql);
  expect(c.sql).not.toContain('"gateway"');
  const d = await write('shape-d', { amount: 40_000 });
  expect(d.sql).toBe(a.sql);

  const conn = db.orm.em.getConnection();
  const rows = await conn.execute(`select payer_id, amount, reference, description, notes, gateway, idempotency_key from payment where payer_id like 'shape-%' order by payer_id`);
  expect(rows).toEqual([
    { payer_id: 'shape-a', amount: '10000', reference: 'ref-a', description: 'desc', notes: { n: 'a' }, gateway: 'razorpay', idempotency_key: 'shape-a-key' },
    { payer_id: 'shape-b', amount: '20000', reference: null, description: 'b', notes: null, gateway: 'razorpay', idempotency_key: 'shape-b-key' },
    { payer_id: 'shape-c', amount: '30000', reference: 'ref-1', description: 'desc', notes: { a: '1', 'key with "quotes"': "it's" }, gateway: 'razorpay', idempotency_key: 'shape-c-key' },
    { payer_id: 'shape-d', amount: '40000', reference: 'ref-1', description: 'desc', notes: { a: '1', 'key with "quotes"': "it's" }, gateway: 'razorpay', idempotency_key: 'shape-d-key' },
  ]);
  const charges = await conn.execute<{ user_id: string }[]>(`select user_id from "transaction" where user_id like 'shape-%' order by user_id`);
  // Each CHARGE is its payment's own (persisted with the payment's amount at the time).
  expect(charges.map((row) => row.user_id)).toEqual(['shape-a', 'shape-b', 'shape-c', 'shape-d']);
  const events = await conn.execute(`select p.payer_id from payment_event e join payment p on p.id = e.payment_id where p.payer_id like 'shape-%' order by p.payer_id`);
  expect(events).toHaveLength(4);
});

it('writes entities built without the unit of work first, then those persisted, each once', async () => {
  const flushed = db.orm.em.fork();
  const viaFlush = persistOrder(flushed, 'built-flush', 'b1');
  await flushed.flush();

  // The same three entities built, not persisted; the CHARGE persisted instead (reaching the built payment by cascade).
  const source = db.orm.em.fork();
  persistOrder(source, 'built-once', 'b1');
  const [payment, event, charge] = [...source.getUnitOfWork().getPersistStack()] as [Payment, PaymentEvent, Transaction];
  const em = db.orm.em.fork();
  em.persist(charge);
  const statements = await statementsDuring(db.orm, () => insertPersistedAtOnce(em, [payment, event]));
  expect(statements).toHaveLength(1);
  expect(statements[0]).toMatch(/^with w0 as \(insert into "payment".*w1 as \(insert into "payment_event".*\) insert into "transaction"/);
  const [a, b] = [await rowsOf(viaFlush.id), await rowsOf(payment.id)];
  expect(b.payment).toEqual(a.payment);
  expect(b.events.map(({ id: _id, ...rest }) => rest)).toEqual(a.events.map(({ id: _id, ...rest }) => rest));
  expect(b.charges).toEqual(a.charges);
  expect(b.charges).toHaveLength(1);
});

it("writes an intent's rows from the handlers' intentEntities, and still hands `created` to a handler without them", async () => {
  const core = new PaymentCore(db.orm, new PaymentPublisher(createInProcessBus(), createLogger('silent')));
  const charges = new ChargeTransactionHandler();
  const chargeEvents: string[] = [];
  const handle = charges.handle.bind(charges);
  charges.handle = async (em, event) => {
    chargeEvents.push(event.type);
    await handle(em, event);
  };
  core.subscribe(charges);
  // A feature that writes a row of its own for `created` by persisting it (no intentEntities).
  const heard: PaymentDomainEvent['type'][] = [];
  core.subscribe({
    async handle(em, event) {
      heard.push(event.type);
      if (event.type === 'created') {
        em.persist(Object.assign(new PaymentEvent(), { payment: event.payment, type: PaymentEventType.ANOMALY, source: 'persisting-handler' }));
      }
    },
  });
  const fields = {
    purpose: PaymentPurpose.ORDER, amount: 50_000, currency: 'INR', feeBps: 200, platformFee: 1_000, payeeAmount: 49_000,
    payerId: 'intent-payer', payeeId: null, reference: null, description: null, notes: { n: '1' }, idempotencyKey: 'intent-key',
  };
  let payment: Payment | undefined;
  const statements = await statementsDuring(db.orm, async () => {
    payment = await core.createAtOnce(db.orm.em.fork(), fields, { source: 'test', actorId: 'intent-payer' });
  });
  expect(statements).toHaveLength(1);
  // The CHARGE came from intentEntities: its handler was not handed `created`; the other handler was.
  expect(chargeEvents).toEqual([]);
  expect(heard).toEqual(['created']);
  const rows = await rowsOf(payment!.id);
  expect(rows.payment).toMatchObject({ status: PaymentStatus.CREATED, amount: '50000', platform_fee: '1000', notes: { n: '1' } });
  expect(rows.events.map((e) => [e.type, e.source]).sort()).toEqual([[PaymentEventType.ANOMALY, 'persisting-handler'], [PaymentEventType.CREATED, 'test']]);
  expect(rows.events.find((e) => e.type === PaymentEventType.CREATED)).toMatchObject({ to_status: PaymentStatus.CREATED, actor_id: 'intent-payer', detail: { amount: 50_000, currency: 'INR', feeBps: 200, platformFee: 1_000 } });
  expect(rows.charges).toEqual([expect.objectContaining({ type: TransactionType.CHARGE, status: TransactionStatus.PENDING, amount: '50000', currency: 'INR' })]);
});
