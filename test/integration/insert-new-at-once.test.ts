/**
 * insertNewAtOnce (a payment change's new rows in one statement inside its transaction, issue
 * 11): the rows are the ones a flush writes; afterwards the unit of work treats them as written
 * (the flush inserts nothing twice, later changes to them are still saved); a rollback leaves none.
 */
import 'reflect-metadata';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { insertNewAtOnce, updateWithNewRows } from '../../src/db/insert-new-at-once.js';
import { createInProcessBus } from '../../src/graphql/pubsub.js';
import { createLogger } from '../../src/logger.js';
import { PaymentCore } from '../../src/payments/payment.core.js';
import { PaymentPublisher } from '../../src/payments/payment.publisher.js';
import { Journal, JournalEntry, JournalKind } from '../../src/ledger/ledger.entities.js';
import { accounts } from '../../src/ledger/ledger.lines.js';
import { LedgerService } from '../../src/ledger/ledger.service.js';
import { Payment, PaymentPurpose } from '../../src/payments/payment.entity.js';
import { PaymentStatus } from '../../src/payments/payment.state.js';
import { PaymentEvent, PaymentEventType } from '../../src/payments/payment-event.entity.js';
import { OutboxMessage } from '../../src/outbox/outbox.entities.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { statementRecorder } from '../helpers/statements.js';

/** A statement's first three words: what it is, without its values. */
const firstWords = (sql: string) => sql.split(' ').slice(0, 3).join(' ');

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ poolMax: 4 });
});
afterAll(async () => {
  await db?.drop();
});

async function newPayment(payerId: string): Promise<string> {
  const em = db.orm.em.fork();
  const payment = Object.assign(new Payment(), {
    purpose: PaymentPurpose.ORDER, amount: 10_000, currency: 'INR', feeBps: 250, platformFee: 250, payeeAmount: 9_750, payerId, payeeId: null,
    reference: null, description: null, notes: {}, idempotencyKey: null,
  });
  await em.persist(payment).flush();
  return payment.id;
}

it('writes the new rows in one statement, sets their generated ids, and the flush then writes only later changes', async () => {
  const paymentId = await newPayment('at-once-1');
  const ledger = new LedgerService();
  const statements = statementRecorder(db.orm, firstWords);
  const { event, journal, message } = await db.orm.em.fork().transactional(async (em) => {
    const payment = await em.findOneOrFail(Payment, paymentId);
    const written = await ledger.post(em, {
      kind: JournalKind.ADJUSTMENT, payment, description: 'at once', currency: 'INR',
      lines: [{ account: accounts.gatewayClearing('INR'), amount: 300 }, { account: accounts.platformFees('INR'), amount: -300 }],
    });
    const audit = Object.assign(new PaymentEvent(), { payment, type: PaymentEventType.ANOMALY, toStatus: payment.status, source: 'test', detail: { n: 1 } });
    em.persist(audit);
    const message = Object.assign(new OutboxMessage(), { type: 'test.at-once', subjectId: payment.id, payload: { step: 1 } });
    em.persist(message);
    statements.start();
    expect(await insertNewAtOnce(em)).toBe(true);
    expect(audit.id).toEqual(expect.any(Number));
    // Changed after it was written: the flush at commit saves the change (and inserts nothing again).
    message.payload = { step: 2 };
    return { event: audit, journal: written, message };
  }).finally(statements.stop);
  expect(statements.seen).toEqual(['with w0 as', 'update "outbox_message" set', 'COMMIT;']);
  const em = db.orm.em.fork();
  expect((await em.findOneOrFail(OutboxMessage, message.id)).payload).toEqual({ step: 2 });
  expect((await em.findOneOrFail(Journal, journal.id)).description).toBe('at once');
  expect(await em.count(JournalEntry, { journal: journal.id })).toBe(2);
  expect((await em.findOneOrFail(PaymentEvent, event.id)).detail).toEqual({ n: 1 });
});

it('writes a lone new row itself (the flush then writes nothing), and leaves nothing when the transaction rolls back', async () => {
  const paymentId = await newPayment('at-once-2');
  const statements = statementRecorder(db.orm, firstWords);
  const lone = await db.orm.em.fork().transactional(async (em) => {
    const payment = await em.findOneOrFail(Payment, paymentId);
    const event = Object.assign(new PaymentEvent(), { payment, type: PaymentEventType.ANOMALY, toStatus: payment.status, source: 'lone', detail: { n: 1 } });
    em.persist(event);
    statements.start();
    // One new row: the same one statement as the flush's INSERT, and the unit of work told it is written.
    expect(await insertNewAtOnce(em)).toBe(true);
    expect(em.getUnitOfWork().getPersistStack().size).toBe(0);
    return event;
  }).finally(statements.stop);
  expect(statements.seen).toEqual(['with w0 as', 'COMMIT;']);
  expect(lone.id).toEqual(expect.any(Number));
  expect((await db.orm.em.fork().findOneOrFail(PaymentEvent, lone.id)).detail).toEqual({ n: 1 });

  const attempt = db.orm.em.fork().transactional(async (em) => {
    const payment = await em.findOneOrFail(Payment, paymentId);
    em.persist(Object.assign(new PaymentEvent(), { payment, type: PaymentEventType.ANOMALY, toStatus: payment.status, source: 'rolled back', detail: {} }));
    expect(await insertNewAtOnce(em)).toBe(true);
    em.persist(Object.assign(new PaymentEvent(), { payment, type: PaymentEventType.ANOMALY, toStatus: payment.status, source: 'rolled back', detail: {} }));
    expect(await insertNewAtOnce(em)).toBe(true);
    throw new Error('rolled back on purpose');
  });
  await expect(attempt).rejects.toThrow('rolled back on purpose');
  expect(await db.orm.em.fork().count(PaymentEvent, { source: 'rolled back' })).toBe(0);
});

it("writes the changed entity's UPDATE in the same statement (its onUpdate columns too); the flush then writes only later changes, and a rollback undoes it", async () => {
  const paymentId = await newPayment('at-once-3');
  const statements = statementRecorder(db.orm, firstWords);
  const before = await db.orm.em.fork().findOneOrFail(Payment, paymentId);
  await db.orm.em.fork().transactional(async (em) => {
    const payment = await em.findOneOrFail(Payment, paymentId);
    payment.status = PaymentStatus.AUTHORIZED;
    payment.method = { method: 'upi', cardNetwork: null, cardLast4: null, vpa: 'x@ybl', bank: null, wallet: null };
    payment.version += 1;
    em.persist(Object.assign(new PaymentEvent(), { payment, type: PaymentEventType.STATUS_CHANGED, fromStatus: PaymentStatus.CREATED, toStatus: payment.status, source: 'test', detail: {} }));
    statements.start();
    // One new row and one changed: one statement.
    expect(await insertNewAtOnce(em, payment)).toBe(true);
    // Changed after it was written: the flush at commit saves it.
    payment.failureReason = 'later';
  }).finally(statements.stop);
  expect(statements.seen).toEqual(['with u0 as', 'update "payment" set', 'COMMIT;']);
  const after = await db.orm.em.fork().findOneOrFail(Payment, paymentId);
  expect(after).toMatchObject({ status: PaymentStatus.AUTHORIZED, version: before.version + 1, failureReason: 'later', method: { method: 'upi', vpa: 'x@ybl' } });
  expect(after.updatedAt.getTime()).toBeGreaterThan(before.updatedAt.getTime());
  expect(await db.orm.em.fork().count(PaymentEvent, { payment: paymentId, source: 'test' })).toBe(1);

  // Nothing else changed: no UPDATE at the commit. And a rollback leaves the row as it was.
  statements.seen.length = 0;
  const attempt = db.orm.em.fork().transactional(async (em) => {
    const payment = await em.findOneOrFail(Payment, paymentId);
    payment.status = PaymentStatus.CAPTURED;
    em.persist(Object.assign(new PaymentEvent(), { payment, type: PaymentEventType.STATUS_CHANGED, fromStatus: after.status, toStatus: payment.status, source: 'rolled back', detail: {} }));
    statements.start();
    expect(await insertNewAtOnce(em, payment)).toBe(true);
    await em.flush();
    expect(statements.seen).toEqual(['with u0 as']);
    throw new Error('rolled back on purpose');
  }).finally(statements.stop);
  await expect(attempt).rejects.toThrow('rolled back on purpose');
  expect(await db.orm.em.fork().findOneOrFail(Payment, paymentId)).toMatchObject({ status: PaymentStatus.AUTHORIZED, version: before.version + 1 });
  expect(await db.orm.em.fork().count(PaymentEvent, { source: 'rolled back' })).toBe(0);
});

it('runs an update left to it (updateWithNewRows) in its statement, or alone when it writes none; a wrong row count or an update never run rolls the transaction back', async () => {
  const paymentId = await newPayment('at-once-4');
  const statements = statementRecorder(db.orm, firstWords);
  const counted: number[] = [];
  const markUpdate = (note: string) => ({
    sql: `update "payment" set "description" = ? where "id" = ?`,
    bindings: [note, paymentId],
    check(rows: number) {
      counted.push(rows);
      if (rows !== 1) throw new Error(`changed ${rows} rows`);
    },
  });
  // With new rows: one statement.
  await db.orm.em.fork().transactional(async (em) => {
    const payment = await em.findOneOrFail(Payment, paymentId);
    em.persist(Object.assign(new PaymentEvent(), { payment, type: PaymentEventType.ANOMALY, toStatus: payment.status, source: 'deferred', detail: {} }));
    updateWithNewRows(em, markUpdate('with rows'));
    statements.start();
    expect(await insertNewAtOnce(em)).toBe(true);
  }).finally(statements.stop);
  expect(statements.seen).toEqual(['with u0 as', 'COMMIT;']);
  expect(counted).toEqual([1]);
  expect((await db.orm.em.fork().findOneOrFail(Payment, paymentId)).description).toBe('with rows');

  // Nothing else to write: the update alone, before insertNewAtOnce returns.
  statements.seen.length = 0;
  await db.orm.em.fork().transactional(async (em) => {
    updateWithNewRows(em, markUpdate('alone'));
    statements.start();
    expect(await insertNewAtOnce(em)).toBe(false);
  }).finally(statements.stop);
  expect(statements.seen).toEqual(['update "payment" set', 'COMMIT;']);
  expect((await db.orm.em.fork().findOneOrFail(Payment, paymentId)).description).toBe('alone');

  // A row count its check refuses: the change is rolled back.
  const wrong = db.orm.em.fork().transactional(async (em) => {
    const payment = await em.findOneOrFail(Payment, paymentId);
    em.persist(Object.assign(new PaymentEvent(), { payment, type: PaymentEventType.ANOMALY, toStatus: payment.status, source: 'refused', detail: {} }));
    updateWithNewRows(em, { ...markUpdate('refused'), bindings: ['refused', '00000000-0000-0000-0000-000000000000'] });
    await insertNewAtOnce(em);
  });
  await expect(wrong).rejects.toThrow('changed 0 rows');
  expect(await db.orm.em.fork().count(PaymentEvent, { source: 'refused' })).toBe(0);

  // Left to an insertNewAtOnce that never ran: the payment core refuses the commit.
  // Constructing the core registers its transaction hooks (beforeTransactionCommit) with the ORM.
  void new PaymentCore(db.orm, new PaymentPublisher(createInProcessBus(), createLogger('silent')));
  const leftOver = db.orm.em.fork().transactional(async (em) => {
    updateWithNewRows(em, markUpdate('never run'));
    em.persist(Object.assign(new PaymentEvent(), { payment: em.getReference(Payment, paymentId), type: PaymentEventType.ANOMALY, toStatus: PaymentStatus.CREATED, source: 'left over', detail: {} }));
  });
  await expect(leftOver).rejects.toThrow('left an update');
  expect(await db.orm.em.fork().count(PaymentEvent, { source: 'left over' })).toBe(0);
  expect((await db.orm.em.fork().findOneOrFail(Payment, paymentId)).description).toBe('alone');
});
