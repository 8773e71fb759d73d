/**
 * Reading payouts, over real HTTP with the sandbox making the transfers: `payouts(filter,
 * first, after)` for staff and for a payee reading its own; `Payment.payouts` batched by its
 * DataLoader; bad filters refused naming the field; the CLI's `payouts list` and
 * `payouts export --format csv`; the daily report's payoutsTransferred (processed transfers
 * less reversals) in GraphQL and in `report daily`.
 */
import 'reflect-metadata';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAYOUT_CSV_COLUMNS, parsePayoutFilter, payoutsExportCsv, payoutsList } from '../../src/cli/payouts.commands.js';
import { reportDaily } from '../../src/cli/payments.commands.js';
import {
  PaymentPayoutsDocument, PaymentStatsDocument, PaymentsWithPayoutsDocument, PayoutsDocument, RefundDocument, RegisterPayeeAccountDocument,
  type PayoutFilterInput,
} from '../graphql/generated.js';
import { createOrder, payAndVerify } from '../helpers/flows.js';
import { eventually, startTestServer, type TestServer } from '../helpers/server.js';
import { statementsOfRequest } from '../helpers/statements.js';

let server: TestServer;
let admin: string;
let alice: string;
const stamp = Date.now();
const payeeA = `tutor-a-${stamp}`;
const payeeB = `tutor-b-${stamp}`;
const payeeC = `tutor-c-${stamp}`;
/** Payments (our ids), by payee. */
const paid: Record<string, string[]> = { [payeeA]: [], [payeeB]: [], [payeeC]: [] };
let dayStart: Date;

async function registerPayee(payeeId: string, n: number): Promise<void> {
  const answer = await server.gql(RegisterPayeeAccountDocument, {
    input: {
      payeeId, email: `${payeeId}@example.com`, phone: '9876543210', legalName: 'Asha Kumari', beneficiaryName: 'Asha Kumari',
      bankAccountNumber: `5010000${n}987654`, ifsc: 'HDFC0001234', pan: `ABCPK${1000 + n}Z`, street1: '12 MG Road', city: 'Bengaluru',
      state: 'Karnataka', postalCode: '560001',
    },
  }, admin);
  expect(answer.errors).toBeUndefined();
  expect(answer.data!.registerPayeeAccount.status).toBe('ACTIVATED');
}

async function payFor(payeeId: string, amount: number): Promise<string> {
  const order = await createOrder(server, alice, amount, { payeeId });
  const { payment } = await payAndVerify(server, alice, order.razorpayOrderId!);
  paid[payeeId]!.push(payment.id);
  return payment.id;
}

const list = (filter: PayoutFilterInput | null, token: string, first?: number, after?: string) =>
  server.gql(PayoutsDocument, { filter, first, after }, token);

beforeAll(async () => {
  dayStart = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate()));
  server = await startTestServer({ env: { RECONCILE_ENABLED: 'false', PAYOUT_RETRY_BASE_MS: '200' } });
  admin = await server.token('ops-payouts', 'admin');
  alice = await server.token(`alice-${stamp}`);
  await registerPayee(payeeA, 1);
  await registerPayee(payeeB, 2);
  // payeeC never registers: its payout accrues.
  await payFor(payeeA, 49_900);
  await payFor(payeeA, 20_000);
  await payFor(payeeB, 30_000);
  await payFor(payeeC, 10_000);
  await eventually(async () => {
    const all = (await list({ statuses: ['PROCESSED'] }, admin)).data?.payouts;
    return all && all.edges.filter((e) => [payeeA, payeeB].includes(e.node.payeeId)).length === 3;
  }, 30_000, 'three payouts processed');
}, 120_000);
afterAll(async () => {
  await server?.close();
});

describe('payouts(filter, first, after)', () => {
  it('staff: every payout newest first, each filter, keyset pages', async () => {
    const mine = (await list({ payeeId: payeeA }, admin)).data!.payouts;
    expect(mine.totalCount).toBe(2);
    expect(mine.edges.map((e) => e.node.paymentId)).toEqual([...paid[payeeA]!].reverse());
    for (const { node } of mine.edges) {
      expect(node).toMatchObject({ payeeId: payeeA, status: 'PROCESSED', currency: 'INR', amountReversed: 0 });
      expect(node.razorpayTransferId).toMatch(/^trf_/);
    }
    expect((await list({ payeeId: payeeC }, admin)).data!.payouts.edges.map((e) => e.node.status)).toEqual(['ACCRUED']);
    expect((await list({ paymentId: paid[payeeB]![0]! }, admin)).data!.payouts.edges.map((e) => e.node.payeeId)).toEqual([payeeB]);
    expect((await list({ statuses: ['ACCRUED'], payeeId: payeeA }, admin)).data!.payouts.totalCount).toBe(0);
    expect((await list({ payeeId: payeeA, createdFrom: new Date(Date.now() + 60_000).toISOString() }, admin)).data!.payouts.totalCount).toBe(0);

    const first = (await list({ payeeId: payeeA }, admin, 1)).data!.payouts;
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = (await list({ payeeId: payeeA }, admin, 1, first.pageInfo.endCursor!)).data!.payouts;
    expect(second.pageInfo.hasNextPage).toBe(false);
    expect([first.edges[0]!.node.id, second.edges[0]!.node.id]).toEqual(mine.edges.map((e) => e.node.id));
  });

  it('a payee reads its own only; another payee, or the payer, reads none', async () => {
    const asA = await server.token(payeeA);
    const own = (await list(null, asA)).data!.payouts;
    expect(own.totalCount).toBe(2);
    expect(own.edges.every((e) => e.node.payeeId === payeeA)).toBe(true);
    expect((await list({ payeeId: payeeB }, asA)).data!.payouts).toMatchObject({ totalCount: 0, edges: [] });
    expect((await list(null, alice)).data!.payouts.totalCount).toBe(0);
    expect((await list(null, null as unknown as string)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('refuses bad input naming the field', async () => {
    const cases: [PayoutFilterInput, string][] = [
      [{ payeeId: 'no spaces allowed' }, 'filter.payeeId'],
      [{ paymentId: 'pay_NotOurId' }, 'filter.paymentId'],
      [{ createdFrom: '2026-11-02T00:00:00Z', createdTo: '2026-11-01T00:00:00Z' }, 'filter.to'],
    ];
    for (const [filter, field] of cases) {
      const error = (await list(filter, admin)).errors?.[0];
      expect(error?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    expect((await list(null, admin, 0)).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    expect((await list(null, admin, 10, 'garbage')).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });
});

describe('Payment.payouts', () => {
  it('staff see the payout; the payer (not its payee) sees none', async () => {
    const paymentId = paid[payeeB]![0]!;
    const asStaff = (await server.gql(PaymentPayoutsDocument, { id: paymentId }, admin)).data!.payment!;
    expect(asStaff.payouts).toHaveLength(1);
    expect(asStaff.payouts[0]).toMatchObject({ paymentId, payeeId: payeeB, amount: asStaff.payeeAmount, status: 'PROCESSED' });
    const asPayer = await server.gql(PaymentPayoutsDocument, { id: paymentId }, alice);
    expect(asPayer.errors).toBeUndefined();
    expect(asPayer.data!.payment!.payouts).toEqual([]);
  });

  it('one query for the payouts of a whole page of payments (DataLoader)', async () => {
    // Only the request's own statements: a payout job's query on the shared pool never counts.
    const statements = await statementsOfRequest(server.db.orm, async (headers) => {
      const page = await server.gql(PaymentsWithPayoutsDocument, { first: 20 }, admin, headers);
      expect(page.errors).toBeUndefined();
      expect(page.data!.payments.edges.filter((e) => e.node.payouts.length === 1).length).toBeGreaterThanOrEqual(4);
    });
    expect(statements.filter((sql) => /from "payout"/.test(sql))).toHaveLength(1);
  });
});

describe('CLI: payouts list and export', () => {
  it('lists a table and exports RFC 4180 CSV with every column, filtered', async () => {
    const lines: string[] = [];
    expect(await payoutsList(server.db.orm, parsePayoutFilter({ payee: payeeA }, 50), (line) => lines.push(line))).toBe(2);
    expect(lines.join('\n')).toContain(payeeA);
    expect(lines.at(-1)).toBe('2 payout(s)');

    const csv = await payoutsExportCsv(server.db.orm, parsePayoutFilter({ status: 'processed,accrued', payee: payeeC }, 10_000));
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0]!)).toEqual([...PAYOUT_CSV_COLUMNS]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ payee_id: payeeC, status: 'ACCRUED', payment_id: paid[payeeC]![0], razorpay_transfer_id: '', currency: 'INR' });
    const all = parse(await payoutsExportCsv(server.db.orm, parsePayoutFilter({ from: dayStart.toISOString() }, 10_000)), { columns: true }) as Record<string, string>[];
    expect(all.filter((r) => r.status === 'PROCESSED' && [payeeA, payeeB].includes(r.payee_id!))).toHaveLength(3);
    for (const row of all) expect(row.amount).toMatch(/^[0-9]+$/);
  });

  it('refuses bad options naming them', async () => {
    expect(() => parsePayoutFilter({ status: 'PAID' }, 50)).toThrow(/--status must be among ACCRUED/);
    expect(() => parsePayoutFilter({ limit: '0' }, 50)).toThrow(/--limit/);
    expect(() => parsePayoutFilter({ from: 'yesterday' }, 50)).toThrow(/--from must be a date/);
    await expect(payoutsList(server.db.orm, parsePayoutFilter({ payee: 'a b' }, 50), () => undefined)).rejects.toThrow(/^--payee must be/);
    await expect(payoutsExportCsv(server.db.orm, parsePayoutFilter({ payment: 'x' }, 50))).rejects.toThrow(/^--payment must be a payment id/);
  });
});

describe("the daily report's payouts transferred", () => {
  it('counts processed transfers less reversals, in paymentStats and report daily', async () => {
    const before = (await server.gql(PaymentStatsDocument, { from: dayStart.toISOString(), to: new Date(dayStart.getTime() + 86_400_000).toISOString() }, admin)).data!.paymentStats[0]!;
    // A partial refund after the transfer: the payee's part is reversed.
    const paymentId = paid[payeeA]![0]!;
    const refund = await server.gql(RefundDocument, { input: { paymentId, amount: 10_000, idempotencyKey: `payout-reads-${stamp}` } }, admin);
    expect(refund.errors).toBeUndefined();
    const reversed = await eventually(async () => {
      const node = (await list({ paymentId }, admin)).data!.payouts.edges[0]?.node;
      return node && node.amountReversed > 0 ? node : null;
    }, 30_000, 'the reversal processed');
    const after = (await server.gql(PaymentStatsDocument, { from: dayStart.toISOString(), to: new Date(dayStart.getTime() + 86_400_000).toISOString() }, admin)).data!.paymentStats[0]!;
    expect(before.payoutsTransferred - after.payoutsTransferred).toBe(reversed.amountReversed);

    // Exactly the processed payouts of the day's payments, net of reversals.
    const all = parse(await payoutsExportCsv(server.db.orm, parsePayoutFilter({ from: dayStart.toISOString() }, 10_000)), { columns: true }) as Record<string, string>[];
    const expected = all.filter((r) => ['PROCESSED', 'ON_HOLD', 'PARTIALLY_REVERSED', 'REVERSED'].includes(r.status!))
      .reduce((sum, r) => sum + Number(r.amount) - Number(r.amount_reversed), 0);
    expect(after.payoutsTransferred).toBe(expected);
    expect(after.payoutsTransferred).toBeLessThan(after.payouts); // payeeC's share is owed, not transferred

    const lines: string[] = [];
    await reportDaily(server.db.orm, dayStart.toISOString().slice(0, 10), 'UTC', (line) => lines.push(line));
    const rupees = (paise: number) => `₹${(paise / 100).toLocaleString('en-IN', { minimumFractionDigits: 2 })}`;
    expect(lines.join('\n')).toMatch(new RegExp(`payouts transferred \\(processed transfers − reversals\\)\\s*│ ${rupees(after.payoutsTransferred).replace(/[.]/g, '\\.')}`));
  });
});
