/**
 * A day of mixed activity through the API — a wallet top-up, an order paid from that wallet,
 * gateway orders with and without a payee, a failure, an unpaid order, a partial refund — and
 * every figure of `report daily` and `paymentStats` checked against a computation by hand.
 * The bug it guards: top-ups counted as revenue and as payouts, and the wallet spend counted
 * as revenue a second time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePaymentFilter, paymentsExportCsv, paymentsList, reportDaily } from '../../src/cli/payments.commands.js';
import { PayWithWalletDocument, PaymentStatsDocument, RefundDocument } from '../graphql/generated.js';
import { pay } from '../helpers/checkout.js';
import { createOrder, payAndVerify, topUp } from '../helpers/flows.js';
import { eventually, startTestServer, type TestServer } from '../helpers/server.js';
import { Payment } from '../../src/payments/payment.entity.js';
import { PaymentStatus } from '../../src/payments/payment.state.js';

let server: TestServer;
const DAY = '2026-10-20';
const MORNING = new Date('2026-10-20T10:00:00Z');
const LATE_EVENING_UTC = new Date('2026-10-20T20:00:00Z'); // 01:30 on the 21st in India

beforeAll(async () => {
  server = await startTestServer({ env: { PLATFORM_FEE_BPS: '1500' } });
  const alice = await server.token('rep-alice');
  const bob = await server.token('rep-bob');
  const carol = await server.token('rep-carol');
  const dave = await server.token('rep-dave');
  const admin = await server.token('rep-admin', 'admin');

  // Alice tops up ₹3,000, then pays ₹2,749 to tutor-1 from that wallet.
  await topUp(server, alice, 300_000);
  const fromWallet = await createOrder(server, alice, 274_900, { payeeId: 'tutor-1' });
  const spent = await server.gql(PayWithWalletDocument, { input: { paymentId: fromWallet.payment.id } }, alice);
  expect(spent.errors).toBeUndefined();
  // Bob pays ₹499 to freelancer-7 and ₹1,000 for something the platform sells itself, by card.
  const toFreelancer = await createOrder(server, bob, 49_900, { payeeId: 'freelancer-7' });
  await payAndVerify(server, bob, toFreelancer.razorpayOrderId);
  const ownSale = await createOrder(server, bob, 100_000);
  await payAndVerify(server, bob, ownSale.razorpayOrderId);
  // ₹100 of Bob's ₹499 comes back.
  const refunded = await server.gql(RefundDocument, { input: { paymentId: toFreelancer.payment.id, amount: 10_000 } }, admin);
  expect(refunded.errors).toBeUndefined();
  expect(refunded.data!.refund.status).toBe('PROCESSED');
  // Carol's card is declined (late in the UTC day); Dave never pays.
  const declined = await createOrder(server, carol, 20_000, { payeeId: 'tutor-1' });
  await pay(server.url, declined.razorpayOrderId, { outcome: 'failure' });
  await eventually(async () => (await server.db.orm.em.fork().findOneOrFail(Payment, { id: declined.payment.id })).status === PaymentStatus.FAILED);
  await createOrder(server, dave, 30_000, { payeeId: 'tutor-1' });

  // The whole day happened on 2026-10-20 (the flows ran now; the report reads created_at).
  const connection = server.db.orm.em.getConnection();
  await connection.execute('update payment set created_at = ?', [MORNING]);
  await connection.execute('update payment set created_at = ? where id = ?', [LATE_EVENING_UTC, declined.payment.id]);
});
afterAll(async () => {
  await server?.close();
});

// By hand, at 15% (1500 bps), rounded half up to the paisa:
//   top-up 300_000: no fee, no payee — owed to Alice through her wallet
//   wallet spend 274_900 → fee 41_235, tutor-1 233_665
//   card 49_900 → fee 7_485, freelancer-7 42_415; 10_000 refunded
//   card 100_000, no payee → fee 15_000, the platform's own sale 85_000
const expectedUtc = {
  currency: 'INR',
  count: 6, // top-up, wallet spend, two card orders, the declined one, the unpaid one
  succeeded: 4,
  failed: 1,
  collected: 300_000 + 49_900 + 100_000, // new money through the gateway: 449_900
  topUps: 300_000,
  walletSpends: 274_900,
  fees: 41_235 + 7_485 + 15_000, // 63_720
  sales: 85_000,
  revenue: 63_720 + 85_000, // 148_720
  payouts: 233_665 + 42_415, // 276_080
  payoutsTransferred: 0, // no payee has a linked account: nothing transferred
  refunds: 10_000,
};

describe('report daily and paymentStats, checked by hand', () => {
  it('paymentStats: every figure, each payment counted once (money in = what it became)', async () => {
    const admin = await server.token('rep-admin', 'admin');
    const response = await server.gql(PaymentStatsDocument, { from: '2026-10-20T00:00:00Z', to: '2026-10-21T00:00:00Z' }, admin);
    expect(response.errors).toBeUndefined();
    expect(response.data!.paymentStats).toEqual([expectedUtc]);
    const [s] = response.data!.paymentStats;
    expect(s!.collected + s!.walletSpends).toBe(s!.topUps + s!.revenue + s!.payouts);
  });

  it("revenue is what the ledger credited the platform's fee and sales accounts at capture", async () => {
    const rows: { credited: string }[] = await server.db.orm.em.getConnection().execute(
      `select coalesce(-sum(e.amount), 0)::text as credited
         from journal_entry e join ledger_account a on a.id = e.account_id join journal j on j.id = e.journal_id
        where j.kind = 'PAYMENT_CAPTURE' and a.code in ('platform_fees:INR', 'platform_sales:INR')`,
    );
    expect(Number(rows[0]!.credited)).toBe(expectedUtc.revenue);
  });

  it('report daily prints the same figures for the UTC day, and names the zone', async () => {
    const lines: string[] = [];
    await reportDaily(server.db.orm, DAY, 'UTC', (line) => lines.push(line));
    const text = lines.join('\n');
    expect(text).toContain('2026-10-20T00:00:00.000Z to 2026-10-21T00:00:00.000Z (2026-10-20, UTC+00:00)');
    const row = (label: string) => new RegExp(`${label.replace(/[()+]/g, '\\$&')}\\s*│ ([^│]+?)\\s*│`).exec(text)?.[1];
    expect(row('payments created')).toBe('6');
    expect(row('succeeded')).toBe('4');
    expect(row('failed')).toBe('1');
    expect(row('collected through the gateway')).toBe('₹4,499.00');
    expect(row('paid from wallets')).toBe('₹2,749.00');
    expect(row('wallet top-ups (owed to wallet holders)')).toBe('₹3,000.00');
    expect(row('platform fees')).toBe('₹637.20');
    expect(row("platform's own sales")).toBe('₹850.00');
    expect(row('revenue (fees + own sales)')).toBe('₹1,487.20');
    expect(row('payouts (owed to payees)')).toBe('₹2,760.80');
    expect(row('refunded')).toBe('₹100.00');
  });

  it('report daily in India time starts at 18:30 UTC the day before, so the late decline falls on the 21st', async () => {
    const lines: string[] = [];
    const stats = await reportDaily(server.db.orm, DAY, 'Asia/Kolkata', (line) => lines.push(line));
    expect(lines[0]).toContain('2026-10-19T18:30:00.000Z to 2026-10-20T18:30:00.000Z (2026-10-20, UTC+05:30 (Asia/Kolkata))');
    expect(stats).toEqual([{ ...expectedUtc, count: 5, failed: 0 }]);
    const next: string[] = [];
    expect(await reportDaily(server.db.orm, '2026-10-21', '+05:30', (line) => next.push(line))).toEqual([
      { currency: 'INR', count: 1, succeeded: 0, failed: 1, collected: 0, topUps: 0, walletSpends: 0, fees: 0, sales: 0, revenue: 0, payouts: 0, payoutsTransferred: 0, refunds: 0 },
    ]);
    await expect(reportDaily(server.db.orm, DAY, 'Mars/Olympus', () => undefined)).rejects.toThrow(/--timezone must be an IANA time zone/);
    await expect(reportDaily(server.db.orm, '2026-02-30', 'UTC', () => undefined)).rejects.toThrow(/--date is not a real day/);
  });

  it('payments list and the CSV export show no payee share for a top-up', async () => {
    const lines: string[] = [];
    await paymentsList(server.db.orm, parsePaymentFilter({ user: 'rep-alice' }), (line) => lines.push(line));
    const topUpRow = lines.join('\n').split('\n').find((line) => line.includes('WALLET_TOPUP'))!;
    expect(topUpRow).toMatch(/│ WALLET_TOPUP\s*│ ₹3,000\.00\s*│ ₹0\.00\s*│\s*│ ₹0\.00/);
    const csv = await paymentsExportCsv(server.db.orm, parsePaymentFilter({ user: 'rep-alice' }));
    expect(csv.split('\n').find((line) => line.includes('WALLET_TOPUP'))).toMatch(/,WALLET_TOPUP,300000,INR,0,,0,rep-alice,/);
  });
});
