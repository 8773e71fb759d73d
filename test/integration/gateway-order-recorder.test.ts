/**
 * GatewayOrderRecorder (issue 11): the gateway orders of intents whose gateway calls finish
 * together are set by one statement, and each order is still told exactly what its own
 * statement would have said — set (1) or not, because another order was set first (0) — and
 * gets its own error when its row cannot take it.
 */
import 'reflect-metadata';
import { UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { GatewayOrderRecorder } from '../../src/payments/gateway-order-recorder.js';
import { Payment, PaymentPurpose } from '../../src/payments/payment.entity.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { statementsDuring } from '../helpers/statements.js';

let db: TestDatabase;
let recorder: GatewayOrderRecorder;
beforeAll(async () => {
  db = await createTestDatabase({ poolMax: 4 });
  recorder = new GatewayOrderRecorder(db.orm);
});
afterAll(async () => {
  await db?.drop();
});

async function intents(n: number): Promise<string[]> {
  const em = db.orm.em.fork();
  const payments = Array.from({ length: n }, () => Object.assign(new Payment(), {
    purpose: PaymentPurpose.ORDER, amount: 10_000, currency: 'INR', feeBps: 250, platformFee: 250, payeeAmount: 9_750, payerId: 'recorder',
    payeeId: null, reference: null, description: null, notes: null, idempotencyKey: null,
  }));
  await em.persist(payments).flush();
  return payments.map((payment) => payment.id);
}

async function stored(ids: string[]): Promise<Map<string, { order: string | null; redirect: string | null }>> {
  const rows = await db.orm.em.fork().getConnection().execute<{ id: string; razorpay_order_id: string | null; redirect_url: string | null }[]>(
    'select id, razorpay_order_id, redirect_url from payment where id in (?)', [ids]);
  return new Map(rows.map((row) => [row.id, { order: row.razorpay_order_id, redirect: row.redirect_url }]));
}

const orderId = (tag: string) => `order_${tag}${Math.random().toString(36).slice(2, 10)}`;

it('records the orders finishing together in one statement, each told its own row was set', async () => {
  const ids = await intents(6);
  const orders = ids.map((_, i) => orderId(`Batch${i}`));
  let outcomes: number[] = [];
  const statements = await statementsDuring(db.orm, async () => {
    outcomes = await Promise.all(ids.map((id, i) => recorder.record(id, orders[i]!, i === 0 ? 'https://pay.example/redirect' : null)));
  });
  expect(outcomes).toEqual([1, 1, 1, 1, 1, 1]);
  expect(statements).toHaveLength(1);
  const rows = await stored(ids);
  ids.forEach((id, i) => expect(rows.get(id)).toEqual({ order: orders[i], redirect: i === 0 ? 'https://pay.example/redirect' : null }));
});

it('an intent whose order is set already keeps it, and that order is told 0, in a batch or alone', async () => {
  const [taken, free] = await intents(2);
  expect(await recorder.record(taken!, orderId('First'), null)).toBe(1);
  const before = (await stored([taken!])).get(taken!);
  expect(await Promise.all([recorder.record(taken!, orderId('Late'), null), recorder.record(free!, orderId('Free'), null)])).toEqual([0, 1]);
  expect(await recorder.record(taken!, orderId('Later'), null)).toBe(0);
  expect((await stored([taken!])).get(taken!)).toEqual(before);
});

it('the same intent twice in one batch (two requests racing for an orphaned intent): exactly one is set, the one stored', async () => {
  const [contested, other] = await intents(2);
  const first = orderId('RaceA');
  const second = orderId('RaceB');
  const outcomes = await Promise.all([recorder.record(contested!, first, null), recorder.record(other!, orderId('Other'), null), recorder.record(contested!, second, null)]);
  expect(outcomes[1]).toBe(1);
  expect([outcomes[0], outcomes[2]].sort()).toEqual([0, 1]);
  const winner = outcomes[0] === 1 ? first : second;
  expect((await stored([contested!])).get(contested!)!.order).toBe(winner);
});

it('when the batch fails, each order is tried alone: only the one its row refuses gets the error', async () => {
  const [existing, refused, fine1, fine2] = await intents(4);
  const duplicate = orderId('Dup');
  expect(await recorder.record(existing!, duplicate, null)).toBe(1);
  const [a, b, c] = await Promise.allSettled([
    recorder.record(fine1!, orderId('FineA'), null),
    recorder.record(refused!, duplicate, null),
    recorder.record(fine2!, orderId('FineB'), null),
  ]);
  expect(a).toEqual({ status: 'fulfilled', value: 1 });
  expect(c).toEqual({ status: 'fulfilled', value: 1 });
  expect(b.status).toBe('rejected');
  expect((b as PromiseRejectedResult).reason).toBeInstanceOf(UniqueConstraintViolationException);
  const rows = await stored([refused!, fine1!, fine2!]);
  expect(rows.get(refused!)!.order).toBeNull();
  expect(rows.get(fine1!)!.order).not.toBeNull();
  expect(rows.get(fine2!)!.order).not.toBeNull();
});
