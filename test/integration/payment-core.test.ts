import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthUser } from '../../src/auth/auth.js';
import { DomainError } from '../../src/common/errors.js';
import type { GatewayPayment } from '../../src/gateways/gateway.js';
import { Journal, JournalKind } from '../../src/ledger/ledger.entities.js';
import { OutboxMessage } from '../../src/outbox/outbox.entities.js';
import { IllegalPaymentChange } from '../../src/payments/payment.core.js';
import { PAYMENT_UPDATED_TOPIC } from '../../src/payments/payment.publisher.js';
import { Payment, PaymentFunding, PaymentPurpose } from '../../src/payments/payment.entity.js';
import { PaymentEvent, PaymentEventType } from '../../src/payments/payment-event.entity.js';
import { canTransition, MONEY_RECEIVED_STATUSES, PaymentStatus } from '../../src/payments/payment.state.js';
import { Refund, RefundDestination, RefundStatus } from '../../src/refunds/refund.entity.js';
import { Transaction, TransactionStatus, TransactionType } from '../../src/transactions/transaction.entity.js';
import { Wallet } from '../../src/wallet/wallet.entity.js';
import { expectBooksBalanced } from '../helpers/assertions.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
const staff: AuthUser = { id: 'ops-core', role: 'admin' };
const em = () => server.db.orm.em.fork();

beforeAll(async () => {
  server = await startTestServer({ env: { WALLET_MIN_TOPUP: '100', WALLET_MAX_TOPUP: '5000000', WALLET_MAX_BALANCE: '6000000' } });
});

afterAll(async () => {
  await server?.close();
});

/** What the gateway may report about one attempt on the order, as verifyPayment, a webhook or reconciliation would bring it. */
function snapshot(orderId: string, attempt: string, status: 'authorized' | 'captured' | 'failed', amount: number): GatewayPayment {
  return {
    id: attempt,
    orderId,
    amount,
    currency: 'INR',
    status,
    captured: status === 'captured',
    amountRefunded: 0,
    refundStatus: null,
    methodDetails: { method: 'card', cardNetwork: 'Visa', cardLast4: '1111', vpa: null, bank: null, wallet: null },
    fee: null,
    tax: null,
    errorCode: status === 'failed' ? 'BAD_REQUEST_ERROR' : null,
    errorDescription: status === 'failed' ? 'Payment declined by the bank' : null,
    errorReason: null,
    createdAt: new Date(),
  } as GatewayPayment;
}

type Command =
  | { kind: 'gateway'; attempt: number; status: 'authorized' | 'captured' | 'failed'; wrongAmount: boolean }
  | { kind: 'wallet' }
  | { kind: 'refund'; permille: number };

const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 4, arbitrary: fc.record({
    kind: fc.constant('gateway' as const),
    attempt: fc.integer({ min: 0, max: 2 }),
    status: fc.constantFrom('authorized' as const, 'captured' as const, 'failed' as const),
    // Now and then an attempt for the wrong amount: an anomaly, never applied.
    wrongAmount: fc.integer({ min: 0, max: 7 }).map((n) => n === 0),
  }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('wallet' as const) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('refund' as const), permille: fc.integer({ min: 1, max: 1200 }) }) },
);

/** The refusals an API caller may get (already paid, nothing to refund…); anything else is a bug. */
function expectedRefusal(error: unknown): boolean {
  return error instanceof DomainError && ['CONFLICT', 'BAD_USER_INPUT', 'NOT_FOUND'].includes(error.code);
}

async function checkInvariants(paymentId: string, payerId: string): Promise<void> {
  const payment = await em().findOneOrFail(Payment, { id: paymentId });
  const changes = await em().find(PaymentEvent, { payment: paymentId, type: PaymentEventType.STATUS_CHANGED }, { orderBy: { id: 'asc' } });
  // No step outside the table (so never backwards), each from where the last one left it.
  let at = PaymentStatus.CREATED;
  for (const change of changes) {
    expect(change.fromStatus).toBe(at);
    expect(canTransition(change.fromStatus!, change.toStatus!), `${change.fromStatus} → ${change.toStatus}`).toBe(true);
    at = change.toStatus!;
  }
  expect(at).toBe(payment.status);

  // One capture at most, with one journal and one announcement, funded as stored.
  const received = MONEY_RECEIVED_STATUSES.includes(payment.status);
  expect(changes.filter((change) => change.toStatus === PaymentStatus.CAPTURED)).toHaveLength(received ? 1 : 0);
  expect(await em().count(Journal, { payment: paymentId, kind: JournalKind.PAYMENT_CAPTURE })).toBe(received ? 1 : 0);
  expect(await em().count(OutboxMessage, { type: 'payment.captured', subjectId: paymentId })).toBe(received ? 1 : 0);
  const walletDebits = await em().count(Transaction, { payment: paymentId, type: TransactionType.WALLET_DEBIT });
  expect(payment.funding).toBe(received ? (walletDebits > 0 ? PaymentFunding.WALLET : PaymentFunding.GATEWAY) : null);
  expect(walletDebits).toBeLessThanOrEqual(1);
  const charge = await em().findOneOrFail(Transaction, { payment: paymentId, type: TransactionType.CHARGE });
  if (received) expect(charge.status).toBe(TransactionStatus.COMPLETED);
  else expect(charge.status).not.toBe(TransactionStatus.COMPLETED);

  // Refunds never exceed what was captured, and the status says how much was given back.
  const refunds = await em().find(Refund, { payment: paymentId });
  const processed = refunds.filter((refund) => refund.status === RefundStatus.PROCESSED).reduce((sum, refund) => sum + refund.amount, 0);
  expect(payment.amountRefunded).toBe(processed);
  expect(processed).toBeLessThanOrEqual(received ? payment.amount : 0);
  if (received) {
    const expected = processed === 0 ? PaymentStatus.CAPTURED : processed === payment.amount ? PaymentStatus.REFUNDED : PaymentStatus.PARTIALLY_REFUNDED;
    expect(payment.status).toBe(expected);
  }
  const wallet = await em().findOne(Wallet, { userId: payerId });
  expect(wallet?.balance ?? 0).toBeGreaterThanOrEqual(0);
}

describe('the payment core under random arrival orders', () => {
  it('gateway events, wallet payments and refunds in any order and concurrency: no step backwards, one capture, refunds ≤ captured', async () => {
    const { payments, wallets, refunds, settlement } = server.app.services;
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 100, max: 200_000 }),
        fc.boolean(),
        // Batches run one after another; the commands of a batch race each other for real.
        fc.array(fc.array(command, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 4 }),
        async (amount, funded, batches) => {
          run += 1;
          const payer: AuthUser = { id: `core-${run}`, role: 'customer' };
          if (funded) {
            const topUp = await wallets.topUp(payer, amount, null);
            await settlement.applyGatewayPayment(snapshot(topUp.instructions.orderId, `pay_topup${run}`, 'captured', amount), { source: 'test' });
          }
          const order = await payments.createOrder(payer, payments.orderRequest({ amount }));
          const perform = async (step: Command): Promise<void> => {
            if (step.kind === 'gateway') {
              const attempt = `pay_core${run}x${step.attempt}`;
              await settlement.applyGatewayPayment(snapshot(order.instructions.orderId, attempt, step.status, step.wrongAmount ? amount + 1 : amount), { source: 'test' });
            } else if (step.kind === 'wallet') {
              await wallets.payOrder(payer, order.payment.id, null);
            } else {
              const part = Math.max(1, Math.floor((amount * step.permille) / 1000));
              await refunds.refund(staff, refunds.refundRequest({ paymentId: order.payment.id, amount: part, destination: RefundDestination.WALLET }));
            }
          };
          for (const batch of batches) {
            const results = await Promise.allSettled(batch.map(perform));
            for (const result of results) {
              if (result.status === 'rejected' && !expectedRefusal(result.reason)) throw result.reason;
            }
          }
          await checkInvariants(order.payment.id, payer.id);
        },
      ),
      // Each run is real database work: report the first counterexample rather than shrink it for minutes.
      { numRuns: 10, seed: 20261130, endOnFailure: true },
    );
    await expectBooksBalanced(server);
  });

  it('refuses a move the state table does not allow, whoever calls it, and writes nothing', async () => {
    const { payments, paymentCore } = server.app.services;
    const payer: AuthUser = { id: 'core-refusal', role: 'customer' };
    const order = await payments.createOrder(payer, payments.orderRequest({ amount: 5_000 }));
    const attempt = (to: PaymentStatus.AUTHORIZED | PaymentStatus.CAPTURED | PaymentStatus.FAILED) => ({
      kind: 'gateway_attempt' as const, to, attemptId: 'pay_direct', method: snapshot('', '', 'captured', 0).methodDetails, failureReason: null, detail: {},
    });
    const applyDirectly = (change: Parameters<typeof paymentCore.apply>[2]) => server.db.orm.em.fork().transactional(async (tx) => {
      const locked = (await paymentCore.lock(tx, { id: order.payment.id }))!;
      return paymentCore.apply(tx, locked, change, { source: 'test:direct' });
    });

    // Nothing captured: no refund, whoever asks.
    await expect(applyDirectly({ kind: 'refund', refundId: 'r', amount: 1, detail: {} })).rejects.toBeInstanceOf(IllegalPaymentChange);
    const captured = await applyDirectly(attempt(PaymentStatus.CAPTURED));
    expect(captured).toMatchObject({ type: 'captured', funding: PaymentFunding.GATEWAY, from: PaymentStatus.CREATED });
    // Captured: no second capture (from the wallet or the gateway), no step back, no refund beyond the amount.
    await expect(applyDirectly({ kind: 'wallet_capture', walletId: 'w' })).rejects.toBeInstanceOf(IllegalPaymentChange);
    await expect(applyDirectly(attempt(PaymentStatus.AUTHORIZED))).rejects.toBeInstanceOf(IllegalPaymentChange);
    await expect(applyDirectly(attempt(PaymentStatus.FAILED))).rejects.toBeInstanceOf(IllegalPaymentChange);
    await expect(applyDirectly({ kind: 'refund', refundId: 'r', amount: 5_001, detail: {} })).rejects.toBeInstanceOf(IllegalPaymentChange);

    const after = await em().findOneOrFail(Payment, { id: order.payment.id });
    expect(after).toMatchObject({ status: PaymentStatus.CAPTURED, amountRefunded: 0, funding: PaymentFunding.GATEWAY, purpose: PaymentPurpose.ORDER });
    expect(await em().count(PaymentEvent, { payment: order.payment.id, type: PaymentEventType.STATUS_CHANGED })).toBe(1);
    expect(await em().count(Journal, { payment: order.payment.id, kind: JournalKind.PAYMENT_CAPTURE })).toBe(1);
  });
});

describe('publishing', () => {
  it('tells subscribers once, after the outermost transaction commits, and never when it rolls back', async () => {
    const { payments, paymentCore } = server.app.services;
    const payer: AuthUser = { id: 'core-publish', role: 'customer' };
    const order = await payments.createOrder(payer, payments.orderRequest({ amount: 4_000 }));
    const heard: { id: string; status: string; version: number }[] = [];
    const stopListening = await server.app.bus.listen(PAYMENT_UPDATED_TOPIC, (message) => {
      const payment = message as { id: string; status: string; version: number };
      if (payment.id === order.payment.id) heard.push({ id: payment.id, status: payment.status, version: payment.version });
    });
    try {
      const authorise = (tx: Parameters<typeof paymentCore.lock>[0]) => paymentCore.lock(tx, { id: order.payment.id }).then((locked) =>
        paymentCore.apply(tx, locked!, { kind: 'gateway_attempt', to: PaymentStatus.AUTHORIZED, attemptId: 'pay_pub1', method: snapshot('', '', 'authorized', 0).methodDetails, failureReason: null, detail: {} }, { source: 'test' }));
      // Rolled back: nothing is heard.
      await expect(server.db.orm.em.fork().transactional(async (tx) => {
        await authorise(tx);
        throw new Error('changed my mind');
      })).rejects.toThrow('changed my mind');
      // Applied in a nested transaction: heard once the outer one commits, not before.
      await server.db.orm.em.fork().transactional(async (tx) => {
        await tx.transactional((inner) => authorise(inner));
        expect(heard).toEqual([]);
      });
      expect(heard).toEqual([{ id: order.payment.id, status: 'AUTHORIZED', version: 2 }]);
    } finally {
      stopListening();
    }
  });
});
