/**
 * Direct transfers under `PAYOUT_HOLD=released` (Route's direct transfers take no `on_hold`, so
 * the service holds them: nothing is sent until `releasePayout`), and netting under real
 * concurrency: a payee's debt netted once when several of its payouts are released and
 * transferred at the same moment (each intent waits for the payee's netting lock).
 */
import 'reflect-metadata';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PAYOUT_TRANSFER_JOB } from '../../src/payouts/payout.jobs.js';
import { PayoutHold, PayoutMethod, PayoutStatus } from '../../src/payouts/payout.entity.js';
import { ReleasePayoutDocument } from '../graphql/generated.js';
import { control, directTransfersOf, walletPaidOrder, ledgerProblems, paidOrder, payoutWhen, refund, registerPayee } from '../helpers/payouts.js';
import { eventually, startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let admin: string;
let buyer: string;

beforeAll(async () => {
  server = await startTestServer({
    env: { RECONCILE_ENABLED: 'false', RECONCILE_AFTER_MS: '1', PAYOUT_HOLD: 'released', PAYOUT_RETRY_BASE_MS: '1', PAYOUT_MAX_ATTEMPTS: '5', WEBHOOK_RETRY_BASE_MS: '1' },
  });
  admin = await server.token('ops-direct-holds', 'admin');
  buyer = await server.token('buyer-direct-holds');
});
afterEach(() => {
  server.app.sandbox!.resetFaults();
});
afterAll(async () => {
  await server?.close();
});

/** Waits until the payout's transfer job has run (nothing waits or runs under its key), then reads it. */
async function afterItsJob(paymentId: string) {
  const held = await payoutWhen(server, paymentId, (p) => p.onHold, 'held by the service');
  await eventually(async () => {
    const jobs = await server.app.services.jobs.jobsFor(PAYOUT_TRANSFER_JOB, held.id);
    return jobs.length > 0 && jobs.every((job) => job.state === 'completed');
  }, 20_000, 'the transfer job ran');
  return payoutWhen(server, paymentId, () => true, 'payout');
}

async function release(payoutId: string) {
  const answer = await server.gql(ReleasePayoutDocument, { id: payoutId }, admin);
  expect(answer.errors).toBeUndefined();
  return answer.data!.releasePayout;
}

describe('direct transfers held until released', { timeout: 60_000 }, () => {
  it('sends nothing until releasePayout, then the direct transfer', async () => {
    const payee = await registerPayee(server, admin);
    const payment = await walletPaidOrder(server, payee.payeeId, 30_000);
    const held = await afterItsJob(payment.id);
    expect(held).toMatchObject({ method: PayoutMethod.DIRECT, hold: PayoutHold.RELEASED, status: PayoutStatus.PENDING, onHold: true, razorpayTransferId: null, transferRequestedAt: null });
    expect(await directTransfersOf(server, held.id)).toHaveLength(0);
    // The reconciler's pass (oldest PENDING first) starts its job again: still held, and touched so
    // that held payouts never keep the pass's batch from the others.
    await server.app.services.payoutReconciler.runOnce();
    const touched = await payoutWhen(server, payment.id, (p) => p.updatedAt > held.updatedAt, 'held payout touched by its job');
    expect(touched).toMatchObject({ status: PayoutStatus.PENDING, onHold: true, razorpayTransferId: null });
    expect(await directTransfersOf(server, held.id)).toHaveLength(0);
    await release(held.id);
    const paid = await payoutWhen(server, payment.id, (p) => p.status === PayoutStatus.PROCESSED, 'released payout processed');
    expect(paid.onHold).toBe(false);
    expect((await directTransfersOf(server, paid.id)).map((t) => [t.amount, t.on_hold])).toEqual([[payment.payeeAmount, false]]);
    expect(await ledgerProblems(server)).toEqual([]);
  });
});

describe('netting under concurrency', { timeout: 60_000 }, () => {
  it('nets a payee\'s debt once when several of its payouts are transferred at the same moment', async () => {
    const payee = await registerPayee(server, admin);
    // The debt: a transfer (held at Razorpay) whose reversal after a full refund is refused.
    const first = await paidOrder(server, buyer, payee.payeeId, 10_000);
    await payoutWhen(server, first.id, (p) => p.status === PayoutStatus.ON_HOLD, 'first payout processed, held');
    await control(server, '/transfers', { refuseReversals: 1 });
    await refund(server, admin, { paymentId: first.id, amount: 10_000 });
    const debt = (await payoutWhen(server, first.id, (p) => p.amountReceivable > 0, 'a receivable')).amountReceivable;

    // Four payouts of that payee, each larger than the debt, held by the service; released at once.
    const payments: Awaited<ReturnType<typeof walletPaidOrder>>[] = [];
    for (let i = 0; i < 4; i += 1) payments.push(await walletPaidOrder(server, payee.payeeId, 40_000));
    const held = await Promise.all(payments.map((p) => afterItsJob(p.id)));
    expect(held.every((p) => p.transferRequestedAt === null && p.amountNetted === 0)).toBe(true);
    // Their payments' rows locked here, so the four jobs, once released, all wait at the intent's
    // first lock and start netting at the same instant when this transaction ends.
    await server.db.orm.em.fork().transactional(async (em) => {
      await em.execute(`select id from payment where id in (${payments.map(() => '?').join(', ')}) for update`, payments.map((p) => p.id));
      await Promise.all(held.map((p) => release(p.id)));
      await eventually(async () => {
        const jobs = await Promise.all(held.map((p) => server.app.services.jobs.jobsFor(PAYOUT_TRANSFER_JOB, p.id)));
        return jobs.every((list) => list.some((job) => job.state === 'active'));
      }, 20_000, 'the four transfer jobs running, waiting for the payments');
    });

    const paid = await Promise.all(payments.map((p) => payoutWhen(server, p.id, (x) => x.status === PayoutStatus.PROCESSED, 'released payout processed')));
    expect(paid.map((p) => p.amountNetted).sort((a, b) => b - a)).toEqual([debt, 0, 0, 0]);
    for (const payout of paid) expect((await directTransfersOf(server, payout.id)).map((t) => t.amount)).toEqual([payout.amount - payout.amountNetted]);
    expect(await ledgerProblems(server)).toEqual([]);
  });
});
