import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPayouts, outstandingPayoutWork } from '../../chaos/payout-invariants.js';
import { PayoutReversalStatus, PayoutStatus } from '../../src/payouts/payout.entity.js';
import { paidOrder, payoutWhen, refund, registerPayee, reversalsOf } from '../helpers/payouts.js';
import { eventually, startTestServer, type TestServer } from '../helpers/server.js';

/**
 * The chaos run's payout checks must be able to fail: on a real service and sandbox they pass
 * for a payout transferred and partly reversed, and each broken promise (a payout transferred
 * twice at the gateway, a reversal made twice, amounts that disagree, a payment owing a payout
 * without one) is named. Each change is made in a transaction rolled back afterwards.
 */
describe('chaos payout invariants', () => {
  let server: TestServer;
  let db: pg.Client;

  beforeAll(async () => {
    server = await startTestServer({ env: { RECONCILE_ENABLED: 'false' } });
    db = new pg.Client({ connectionString: server.db.url });
    await db.connect();
    const admin = await server.token('ops', 'admin');
    const payee = await registerPayee(server, admin);
    const payment = await paidOrder(server, await server.token('chaos-payout-buyer'), payee.payeeId, 40_000);
    const payout = await payoutWhen(server, payment.id, (p) => p.status === PayoutStatus.PROCESSED, 'payout processed');
    await refund(server, admin, { paymentId: payment.id, amount: 10_000 });
    await eventually(async () => (await reversalsOf(server, payout.id))[0]?.status === PayoutReversalStatus.PROCESSED, 20_000, 'reversal processed');
  });

  afterAll(async () => {
    await db?.end();
    await server?.close();
  });

  /** The rules broken once `sql` ran (rolled back afterwards). */
  async function rulesAfter(sql: string | null): Promise<string[]> {
    await db.query('begin');
    try {
      if (sql) await db.query(sql);
      const rules: string[] = [];
      await checkPayouts(db, (rule) => rules.push(rule));
      return rules;
    } finally {
      await db.query('rollback');
    }
  }

  it('pass when the service and the gateway agree, with nothing outstanding', async () => {
    expect(await outstandingPayoutWork(db)).toEqual([]);
    expect(await rulesAfter(null)).toEqual([]);
  });

  it('pass for a payout refunded in full before its transfer (REVERSED, nothing owed, no transfer), and name one such with a transfer', async () => {
    const refundedFirst = `delete from sandbox_razorpay.route_reversals; update payout_reversal set status = 'CANCELLED';
      update payout set status = 'REVERSED', amount = 0, amount_reversed = 0, razorpay_transfer_id = null`;
    expect(await rulesAfter(`${refundedFirst}; delete from sandbox_razorpay.route_transfers`)).toEqual([]);
    expect(await rulesAfter(refundedFirst)).toEqual(['unpaid-payout-transferred']);
  });

  it('name a payout transferred twice at the gateway, and a transfer no payout here made', async () => {
    expect(await rulesAfter(`insert into sandbox_razorpay.route_transfers (id, payment_id, account_id, outcome, body)
      select id || 'x', payment_id, account_id, outcome, body from sandbox_razorpay.route_transfers`)).toEqual(['transfer-once']);
    expect(await rulesAfter(`insert into sandbox_razorpay.route_transfers (id, payment_id, account_id, outcome, body)
      select id || 'y', payment_id, account_id, outcome, jsonb_set(body::jsonb, '{notes}', '{"payout_id": "someone-else"}')::json from sandbox_razorpay.route_transfers`)).toEqual(['transfer-known']);
  });

  it('name a reversal made twice at the gateway, reversed amounts that disagree, a transfer amount that differs', async () => {
    expect(await rulesAfter(`insert into sandbox_razorpay.route_reversals (id, transfer_id, body) select id || 'x', transfer_id, body from sandbox_razorpay.route_reversals`))
      .toEqual(['reversal-amount', 'reversal-once']);
    expect(await rulesAfter(`update payout set amount_reversed = amount_reversed + 1`)).toEqual(['payout-reversed-amount']);
    expect(await rulesAfter(`update payout set amount_receivable = 5`)).toEqual(['payout-receivable']);
    expect(await rulesAfter(`update sandbox_razorpay.route_transfers set body = jsonb_set(body::jsonb, '{amount}', '1')::json`)).toEqual(['transfer-amount']);
    // Netting: the gateway is sent the share less what the payee's debt took.
    expect(await rulesAfter(`update payout set amount_netted = 100`)).toEqual(['transfer-amount']);
  });

  it('name a captured payment owing its payee a transfer without a payout, and work left PENDING', async () => {
    // Not INR: owes no transfer (Route is INR only), yet has a payout. A wallet-funded share owes one (a direct transfer).
    expect(await rulesAfter(`update payment set currency = 'USD'`)).toEqual(['payout-once']);
    expect(await rulesAfter(`update payment set funding = 'WALLET'`)).toEqual([]);
    expect(await rulesAfter(`update payout set status = 'PENDING'`)).toEqual(expect.arrayContaining(['payout-settled', 'unpaid-payout-transferred']));
  });
});
