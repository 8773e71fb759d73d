/**
 * The payout reconciler's accrued-restart path (src/payouts/payout.reconciler.ts) across a real
 * SIGKILL of the service process (the build, as `npm start` runs it): payouts ACCRUED for two
 * payees waiting for activation; the process is killed; while nothing runs, one payee's account
 * becomes ACTIVATED in our database without its payouts' hand-off (an activation whose enqueue
 * was lost: only the reconciler can find them), and the other's is activated at Razorpay with
 * its webhook lost (found by the activation check, which hands its payouts over itself). After a
 * restart each payout is transferred exactly once (one transfer per payout id at the gateway,
 * one attempt), more reconciler passes start nothing again, and the books balance.
 */
import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../src/auth/auth.js';
import { createLogger } from '../../src/logger.js';
import { PayeeAccount, PayeeAccountStatus } from '../../src/payees/payee-account.entity.js';
import { Payout, PayoutStatus } from '../../src/payouts/payout.entity.js';
import { buildService, startChildService, type ChildService } from '../helpers/child-service.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { control, ledgerProblems, paidOrder, payoutWhen, registerPayee } from '../helpers/payouts.js';
import { eventually, startTestServer, TEST_JWT_SECRET, type TestServer } from '../helpers/server.js';

let db: TestDatabase;
let child: ChildService | null = null;
let restarted: TestServer | null = null;

beforeAll(async () => {
  buildService();
  db = await createTestDatabase();
}, 300_000);
afterAll(async () => {
  await child?.kill();
  await restarted?.close();
  await db?.drop();
});

describe('the payout reconciler after a restart', () => {
  it('finds ACCRUED payouts of a payee activated while the service was down (its hand-off lost) and transfers each once', async () => {
    // Before the kill: no reconciler, no activation check, activation by hand, Route webhooks lost.
    child = await startChildService(db.url, { RECONCILE_ENABLED: 'false', PAYOUT_RETRY_BASE_MS: '1' });
    const admin = await signToken({ id: 'ops-restart', role: 'admin' }, TEST_JWT_SECRET);
    const buyer = await signToken({ id: 'buyer-restart', role: 'customer' }, TEST_JWT_SECRET);
    await control(child, '/route', { activation: 'manual', dropWebhooks: true });
    const lostHandOff = await registerPayee(child, admin);
    const activatedWhileDown = await registerPayee(child, admin);
    expect([lostHandOff.status, activatedWhileDown.status]).toEqual(['UNDER_REVIEW', 'UNDER_REVIEW']);
    const payments = [
      await paidOrder(child, buyer, lostHandOff.payeeId, 10_000),
      await paidOrder(child, buyer, lostHandOff.payeeId, 25_000),
      await paidOrder(child, buyer, activatedWhileDown.payeeId, 12_000),
    ];
    const payouts = () => db.orm.em.fork().find(Payout, { payment: { $in: payments.map((p) => p.id) } }, { orderBy: { createdAt: 'asc' } });
    expect((await payouts()).map((p) => p.status)).toEqual([PayoutStatus.ACCRUED, PayoutStatus.ACCRUED, PayoutStatus.ACCRUED]);
    // Razorpay activates both accounts; the webhooks are lost.
    for (const payee of [lostHandOff, activatedWhileDown]) {
      const product = (await db.orm.em.fork().findOneOrFail(PayeeAccount, { payeeId: payee.payeeId })).razorpayProductId;
      expect(product).toMatch(/^acc_prd_/);
      await control(child, `/route/products/${product}/settle`, { status: 'activated' });
    }
    await child.kill();
    child = null;

    // While nothing runs: one account ACTIVATED here without its payouts handed over.
    await db.orm.em.fork().nativeUpdate(PayeeAccount, { payeeId: lostHandOff.payeeId }, { status: PayeeAccountStatus.ACTIVATED });
    expect((await payouts()).map((p) => p.status)).toEqual([PayoutStatus.ACCRUED, PayoutStatus.ACCRUED, PayoutStatus.ACCRUED]);

    const lines: string[] = [];
    restarted = await startTestServer({
      db,
      env: { RECONCILE_INTERVAL_MS: '300', RECONCILE_AFTER_MS: '500', PAYOUT_RETRY_BASE_MS: '1' },
      logger: createLogger('info', { write: (line: string) => void lines.push(line) }),
    });
    for (const payment of payments) {
      const payout = await payoutWhen(restarted, payment.id, (p) => p.status === PayoutStatus.PROCESSED, 'payout transferred after the restart', 60_000);
      expect(payout.amount).toBe(payment.payeeAmount);
    }
    // The reconciler restarted the two payouts of the payee whose hand-off was lost.
    const passes = lines.map((line) => JSON.parse(line) as { msg: string; restarted?: number }).filter((l) => l.msg === 'payout reconciliation pass');
    expect(passes.reduce((sum, pass) => sum + (pass.restarted ?? 0), 0)).toBeGreaterThanOrEqual(2);
    const activated = await db.orm.em.fork().findOneOrFail(PayeeAccount, { payeeId: activatedWhileDown.payeeId });
    expect(activated.status).toBe(PayeeAccountStatus.ACTIVATED);

    // Once each: one transfer per payout id at the gateway, one call each; more passes start nothing.
    const again = await restarted.app.services.payoutReconciler.runOnce();
    expect(again).toMatchObject({ restarted: 0, errors: 0 });
    const transfers = await restarted.app.sandbox!.transfers.all();
    for (const payout of await payouts()) {
      const mine = transfers.filter((t) => !Array.isArray(t.notes) && t.notes.payout_id === payout.id);
      expect(mine.map((t) => [t.id, t.amount, t.status])).toEqual([[payout.razorpayTransferId, payout.amount, 'processed']]);
      expect(payout.attempts).toBe(1);
    }
    await eventually(async () => (await ledgerProblems(restarted!)).length === 0, 10_000, 'the books to balance');
  }, 180_000);
});
