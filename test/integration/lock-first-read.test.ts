/**
 * lockFirstRead (the payment's lock as a transaction's first read, its statement text built once:
 * issue 11): the same statement as findOne's, the same entity state, the row really locked, later
 * changes flushed at commit; and findOne's own path whenever the EntityManager holds anything.
 */
import 'reflect-metadata';
import { helper, LockMode, wrap } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { lockFirstRead } from '../../src/db/lock-first-read.js';
import { Payment, PaymentPurpose } from '../../src/payments/payment.entity.js';
import { PaymentStatus } from '../../src/payments/payment.state.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { eventually } from '../helpers/server.js';
import { statementRecorder } from '../helpers/statements.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ poolMax: 4 });
});
afterAll(async () => {
  await db?.drop();
});

async function newPayment(orderId: string): Promise<string> {
  const em = db.orm.em.fork();
  const payment = Object.assign(new Payment(), {
    purpose: PaymentPurpose.ORDER, amount: 10_000, currency: 'INR', feeBps: 250, platformFee: 250, payeeAmount: 9_750, payerId: 'lock-payer',
    payeeId: null, reference: null, description: null, notes: { a: 'b' }, idempotencyKey: null, razorpayOrderId: orderId,
    method: { method: 'card', cardNetwork: 'Visa', cardLast4: '1111', vpa: null, bank: null, wallet: null }, paidAt: new Date('2026-01-02T03:04:05.678Z'),
  });
  await em.persist(payment).flush();
  return payment.id;
}

const findLocked = (orderId: string) => db.orm.em.fork().transactional((em) =>
  em.findOne(Payment, { razorpayOrderId: orderId }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true }));

it("sends findOne's statement, and leaves the payment as findOne leaves it: managed, its read state the one to compare with", async () => {
  await newPayment('order_lock_1');
  const statements = statementRecorder(db.orm);
  statements.start();
  const viaFindOne = await findLocked('order_lock_1');
  const [found, held] = await db.orm.em.fork().transactional(async (em) => {
    const payment = (await lockFirstRead(em, Payment, 'razorpayOrderId', 'order_lock_1'))?.found;
    return [payment, em.getUnitOfWork().getIdentityMap().values()] as const;
  });
  statements.stop();
  const [, findOneSql, , , ownSql] = statements.seen;
  expect(statements.seen).toHaveLength(6);
  // The same statement, its value bound instead of written into the text (so the text repeats: prepared once per connection).
  expect(ownSql.replace(' = $1', ` = 'order_lock_1'`)).toBe(findOneSql);
  expect(ownSql).toMatch(/ for update$/);
  expect(found).toBeInstanceOf(Payment);
  expect(held).toEqual([found]);
  expect(helper(found!).__managed).toBe(true);
  expect(wrap(found!).toObject()).toEqual(wrap(viaFindOne!).toObject());
  expect(helper(found!).__originalEntityData).toEqual(helper(viaFindOne!).__originalEntityData);
  expect(found!.paidAt).toEqual(new Date('2026-01-02T03:04:05.678Z'));
});

it('null for no such row; by id too', async () => {
  const id = await newPayment('order_lock_2');
  await db.orm.em.fork().transactional(async (em) => {
    expect(await lockFirstRead(em, Payment, 'razorpayOrderId', 'order_lock_none')).toBeNull();
  });
  await db.orm.em.fork().transactional(async (em) => {
    expect((await lockFirstRead(em, Payment, 'id', id))?.found.razorpayOrderId).toBe('order_lock_2');
  });
});

it("a change made after it is written by the commit's flush (never lost)", async () => {
  const id = await newPayment('order_lock_3');
  await db.orm.em.fork().transactional(async (em) => {
    const payment = (await lockFirstRead(em, Payment, 'razorpayOrderId', 'order_lock_3'))!.found;
    payment.status = PaymentStatus.AUTHORIZED;
    payment.razorpayPaymentId = 'pay_lock_3';
  });
  const read = await db.orm.em.fork().findOneOrFail(Payment, id);
  expect(read.status).toBe(PaymentStatus.AUTHORIZED);
  expect(read.razorpayPaymentId).toBe('pay_lock_3');
});

it('holds the row: a second lock waits until the first transaction ends', async () => {
  await newPayment('order_lock_4');
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let locked!: () => void;
  const firstLocked = new Promise<void>((resolve) => (locked = resolve));
  const order: string[] = [];
  const first = db.orm.em.fork().transactional(async (em) => {
    await lockFirstRead(em, Payment, 'razorpayOrderId', 'order_lock_4');
    locked();
    await held;
    order.push('first done');
  });
  await firstLocked;
  const second = db.orm.em.fork().transactional(async (em) => {
    await lockFirstRead(em, Payment, 'razorpayOrderId', 'order_lock_4');
    order.push('second locked');
  });
  // The second is waiting on the row lock in PostgreSQL (not merely not yet sent).
  await eventually(async () => {
    // The lock's value is bound (not in the text): the one lock statement of this database waiting.
    const rows = await db.orm.em.getConnection().execute(`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database() and query like '%"razorpay_order_id" = $1 limit 1 for update'`);
    return (rows[0] as { n: number }).n === 1;
  });
  expect(order).toEqual([]);
  release();
  await Promise.all([first, second]);
  expect(order).toEqual(['first done', 'second locked']);
});

it("leaves it to findOne (undefined) when the EntityManager already holds anything: findOne's auto-flush and refresh then apply", async () => {
  const id = await newPayment('order_lock_5');
  await db.orm.em.fork().transactional(async (em) => {
    const payment = await em.findOneOrFail(Payment, id);
    expect(await lockFirstRead(em, Payment, 'razorpayOrderId', 'order_lock_5')).toBeUndefined();
    payment.description = 'pending';
  });
  await db.orm.em.fork().transactional(async (em) => {
    em.persist(Object.assign(new Payment(), {
      purpose: PaymentPurpose.ORDER, amount: 1, currency: 'INR', feeBps: 0, platformFee: 0, payeeAmount: 1, payerId: 'lock-payer', razorpayOrderId: 'order_lock_6',
    }));
    expect(await lockFirstRead(em, Payment, 'razorpayOrderId', 'order_lock_5')).toBeUndefined();
  });
  await expect(lockFirstRead(db.orm.em.fork(), Payment, 'razorpayOrderId', 'order_lock_5')).resolves.toBeUndefined();
});

it("reads its reads in the same statement: their values by name, the payment as without them, a read's null kept", async () => {
  const id = await newPayment('order_lock_7');
  const reads = { ownOrder: `select "razorpay_order_id" from "payment" where "id" = "p0"."id"`, none: `select 1 where false` };
  const statements = statementRecorder(db.orm);
  statements.start();
  const locked = await db.orm.em.fork().transactional((em) => lockFirstRead(em, Payment, 'id', id, reads));
  statements.stop();
  expect(statements.seen).toHaveLength(3);
  expect(statements.seen[1]).toMatch(/^select "p0"\.\*, \(select .*\) as "lock_read_0", \(select 1 where false\) as "lock_read_1" from "payment" as "p0" .* for update$/);
  expect(locked!.reads).toEqual({ ownOrder: 'order_lock_7', none: null });
  const plain = (await db.orm.em.fork().transactional((em) => lockFirstRead(em, Payment, 'id', id)))?.found;
  expect(wrap(locked!.found).toObject()).toEqual(wrap(plain!).toObject());
  expect(helper(locked!.found).__originalEntityData).toEqual(helper(plain!).__originalEntityData);
  expect(Object.keys(helper(locked!.found).__originalEntityData!)).not.toContain('lock_read_0');
});
