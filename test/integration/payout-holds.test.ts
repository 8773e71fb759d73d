/**
 * Payouts held until an operator releases them (PAYOUT_HOLD=released), who may release, and
 * the payouts reconciler finding a transfer whose webhook was lost; over the sandbox.
 */
import 'reflect-metadata';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PayoutStatus } from '../../src/payouts/payout.entity.js';
import { ReleasePayoutDocument } from '../graphql/generated.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { control, ledgerProblems, paidOrder, payoutOf, payoutWhen, registerPayee, sandboxTransfersOf } from '../helpers/payouts.js';

let server: TestServer;
let admin: string;
let buyer: string;

beforeAll(async () => {
  server = await startTestServer({ env: { RECONCILE_ENABLED: 'false', RECONCILE_AFTER_MS: '0', PAYOUT_HOLD: 'released', PAYOUT_RETRY_BASE_MS: '1' } });
  admin = await server.token('ops-holds', 'admin');
  buyer = await server.token('buyer-holds');
});
afterEach(() => {
  server.app.sandbox!.resetFaults();
});
afterAll(async () => {
  await server?.close();
});

const release = (id: string, token: string | null = admin) => server.gql(ReleasePayoutDocument, { id }, token);

describe('holds', () => {
  it('holds the transfer at Razorpay until an admin releases the payout', async () => {
    const payee = await registerPayee(server, admin);
    const payment = await paidOrder(server, buyer, payee.payeeId, 25_000);
    const held = await payoutWhen(server, payment.id, (p) => p.status === PayoutStatus.ON_HOLD, 'payout processed and held');
    expect(held).toMatchObject({ onHold: true, releasedAt: null, hold: 'RELEASED' });
    expect((await sandboxTransfersOf(server, payment.razorpayPaymentId))[0]).toMatchObject({ on_hold: true });

    const answer = await release(held.id);
    expect(answer.errors).toBeUndefined();
    expect(answer.data!.releasePayout).toMatchObject({ id: held.id, status: 'PROCESSED', onHold: false });
    expect(answer.data!.releasePayout.releasedAt).not.toBeNull();
    expect((await sandboxTransfersOf(server, payment.razorpayPaymentId))[0]).toMatchObject({ on_hold: false });
    // Again: answered as it is.
    expect((await release(held.id)).data!.releasePayout).toMatchObject({ status: 'PROCESSED', onHold: false });
    expect(await ledgerProblems(server)).toEqual([]);
  });

  it('sends a payout released before its transfer unheld', async () => {
    await control(server, '/route', { activation: 'manual' });
    const payee = await registerPayee(server, admin);
    const payment = await paidOrder(server, buyer, payee.payeeId, 15_000);
    const accrued = (await payoutOf(server, payment.id))!;
    expect(accrued.status).toBe(PayoutStatus.ACCRUED);
    expect((await release(accrued.id)).data!.releasePayout).toMatchObject({ status: 'ACCRUED', onHold: false });
    const [product] = (await server.app.sandbox!.route.products()).filter((p) => p.account_id === payee.razorpayAccountId);
    await server.app.sandbox!.route.settleProduct(product!.id, 'activated');
    const paid = await payoutWhen(server, payment.id, (p) => p.status === PayoutStatus.PROCESSED, 'payout processed unheld');
    expect(paid.onHold).toBe(false);
    expect((await sandboxTransfersOf(server, payment.razorpayPaymentId))[0]).toMatchObject({ on_hold: false });
  });

  it('lets only an admin release, and names a bad id', async () => {
    const customer = await server.token('someone');
    const service = await server.token('svc', 'service');
    const id = '00000000-0000-4000-8000-000000000000';
    expect((await release(id, customer)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await release(id, service)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await release(id, null)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await release(id)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const bad = (await release('not-a-uuid')).errors?.[0];
    expect(bad?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(bad?.extensions?.field).toBe('id');
  });
});

describe('reconciliation', () => {
  it('finds a transfer processed at Razorpay whose webhook was lost', async () => {
    await control(server, '/transfers', { processing: 'manual', dropWebhooks: true });
    const payee = await registerPayee(server, admin);
    const payment = await paidOrder(server, buyer, payee.payeeId, 18_000);
    const pending = await payoutWhen(server, payment.id, (p) => p.razorpayTransferId !== null, 'transfer made');
    expect(pending.status).toBe(PayoutStatus.PENDING);
    await control(server, `/transfers/${pending.razorpayTransferId}/settle`, { status: 'processed' });
    expect((await payoutOf(server, payment.id))!.status).toBe(PayoutStatus.PENDING);
    const report = await server.app.services.payoutReconciler.runOnce();
    expect(report.changed).toBeGreaterThanOrEqual(1);
    expect(report.errors).toBe(0);
    expect((await payoutOf(server, payment.id))!.status).toBe(PayoutStatus.ON_HOLD);
    expect(await ledgerProblems(server)).toEqual([]);
  });
});
