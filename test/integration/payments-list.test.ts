import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PaymentPurpose } from '../../src/payments/payment.entity.js';
import { PaymentStatus } from '../../src/payments/payment.state.js';
import { PaymentsDocument, PaymentsWithTransactionsDocument, TransactionsDocument } from '../graphql/generated.js';
import { seedPayments } from '../helpers/seed.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { statementsOfRequest } from '../helpers/statements.js';

let server: TestServer;
let alice: string;
let admin: string;
const DAY = 86_400_000;
const t0 = Date.UTC(2026, 0, 1);

beforeAll(async () => {
  server = await startTestServer();
  alice = await server.token('alice');
  admin = await server.token('ops', 'admin');
  await seedPayments(server.db.orm, [
    ...Array.from({ length: 55 }, (_, i) => ({ payerId: 'alice', amount: 10_000 + i, createdAt: new Date(t0 + i * DAY), payeeId: i % 5 === 0 ? 'cleaner-1' : null })),
    ...Array.from({ length: 5 }, (_, i) => ({ payerId: 'alice', status: PaymentStatus.FAILED, purpose: PaymentPurpose.WALLET_TOPUP, createdAt: new Date(t0 + (100 + i) * DAY) })),
    ...Array.from({ length: 7 }, (_, i) => ({ payerId: 'bob', createdAt: new Date(t0 + i * DAY) })),
  ]);
});
afterAll(async () => {
  await server?.close();
});

/** How many SQL statements one page request runs (its own only: see statementsOfRequest). */
async function countQueries(first: number): Promise<number> {
  const statements = await statementsOfRequest(server.db.orm, async (headers) => {
    const page = await server.gql(PaymentsWithTransactionsDocument, { first }, alice, headers);
    expect(page.errors).toBeUndefined();
  });
  return statements.length;
}

const listPage = (after: string | null) => server.gql(PaymentsDocument, { first: 25, after }, alice);

describe('payments connection', () => {
  it('pages newest first with stable cursors and a total count', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const page: Awaited<ReturnType<typeof listPage>> = await listPage(after);
      expect(page.errors).toBeUndefined();
      const connection = page.data!.payments;
      expect(connection.totalCount).toBe(60);
      seen.push(...connection.edges.map((e) => e.node.id));
      pages += 1;
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(60);
    const first = await server.gql(PaymentsDocument, { first: 60 }, alice);
    const created = first.data!.payments.edges.map((e) => Date.parse(e.node.createdAt));
    expect([...created].sort((a, b) => b - a)).toEqual(created);
    expect(first.data!.payments.edges.map((e) => e.node.id)).toEqual(seen);
  });

  it('defaults to 20 and refuses page sizes and cursors it did not issue', async () => {
    expect((await server.gql(PaymentsDocument, {}, alice)).data!.payments.edges).toHaveLength(20);
    for (const first of [0, -1, 101]) {
      const response = await server.gql(PaymentsDocument, { first }, alice);
      expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    }
    for (const after of ['nonsense', Buffer.from('2026-01-01T00:00:00.000Z|not-a-uuid').toString('base64url'), 'x'.repeat(300)]) {
      const response = await server.gql(PaymentsDocument, { after }, alice);
      expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    }
  });

  it('filters by status, purpose, payee and date range', async () => {
    const failed = await server.gql(PaymentsDocument, { filter: { status: ['FAILED'] }, first: 100 }, alice);
    expect(failed.data!.payments.totalCount).toBe(5);
    expect(failed.data!.payments.edges.every((e) => e.node.status === 'FAILED' && e.node.purpose === 'WALLET_TOPUP')).toBe(true);
    const topups = await server.gql(PaymentsDocument, { filter: { purpose: ['WALLET_TOPUP', 'CART'] } }, alice);
    expect(topups.data!.payments.totalCount).toBe(5);
    const payee = await server.gql(PaymentsDocument, { filter: { payeeId: 'cleaner-1' }, first: 100 }, alice);
    expect(payee.data!.payments.totalCount).toBe(11);
    const range = await server.gql(PaymentsDocument, {
      filter: { createdFrom: new Date(t0 + 10 * DAY).toISOString(), createdTo: new Date(t0 + 20 * DAY).toISOString() },
      first: 100,
    }, alice);
    expect(range.data!.payments.totalCount).toBe(10);
    const backwards = await server.gql(PaymentsDocument, {
      filter: { createdFrom: new Date(t0 + 20 * DAY).toISOString(), createdTo: new Date(t0 + 10 * DAY).toISOString() },
    }, alice);
    expect(backwards.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.createdTo' });
  });

  it('shows customers only their own payments; admins may filter by payer', async () => {
    const bobs = await server.gql(PaymentsDocument, { filter: { payerId: 'bob' } }, admin);
    expect(bobs.data!.payments.totalCount).toBe(7);
    expect(bobs.data!.payments.edges.every((e) => e.node.payerId === 'bob')).toBe(true);
    const all = await server.gql(PaymentsDocument, {}, admin);
    expect(all.data!.payments.totalCount).toBe(67);
    const bob = await server.token('bob');
    const own = await server.gql(PaymentsDocument, { first: 100 }, bob);
    expect(own.data!.payments.totalCount).toBe(7);
  });

  it('transactions are paged and scoped the same way', async () => {
    const mine = await server.gql(TransactionsDocument, { first: 10, filter: { type: ['CHARGE'], status: ['COMPLETED'] } }, alice);
    expect(mine.data!.transactions.totalCount).toBe(55);
    expect(mine.data!.transactions.edges.every((e) => e.node.payment?.status === 'CAPTURED')).toBe(true);
    const other = await server.gql(TransactionsDocument, { filter: { userId: 'bob' } }, alice);
    expect(other.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const unknownPayment = await server.gql(TransactionsDocument, { filter: { paymentId: 'not-a-uuid' } }, alice);
    expect(unknownPayment.data!.transactions.totalCount).toBe(0);
  });

  it('runs the same small number of SQL queries whatever the page size (no N+1)', async () => {
    const small = await countQueries(5);
    const large = await countQueries(50);
    const page = await server.gql(PaymentsWithTransactionsDocument, { first: 50 }, alice);
    expect(page.data!.payments.edges).toHaveLength(50);
    expect(page.data!.payments.edges.every((e) => e.node.transactions.length === 1 && e.node.transactions[0]!.payment!.id === e.node.id)).toBe(true);
    // rows + count + transactions (one batch) + their payments (one batch)
    expect(large).toBe(4);
    expect(small).toBe(large);
  });
});
