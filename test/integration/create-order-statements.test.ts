/**
 * What one createOrder costs the database (issue 11): the intent in one INSERT statement of
 * its own (payment, its CHARGE, its audit event: atomic without BEGIN … COMMIT), then the
 * gateway order id — and, with a new idempotency key, no lookup first. A repeated key still
 * answers the first order.
 */
import 'reflect-metadata';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createOrder } from '../helpers/flows.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  // Reconciliation's recurring passes (payments and PENDING refunds) would interleave their own statements.
  server = await startTestServer({ env: { RECONCILE_ENABLED: 'false' } });
});
afterAll(async () => {
  await server?.close();
});

/** Tables createOrder writes: a statement outside a transaction counts only if it names one. */
const ORDER_TABLES = /"(payment|transaction|payment_event|idempotency_key)"/;

async function statementsOf(work: () => Promise<unknown>): Promise<string[]> {
  const knex = server.db.orm.em.getConnection().getKnex();
  const seen: { sql: string; tx: string | undefined }[] = [];
  // Background jobs (the cart sweep's recurring pass, the workers) run their own statements on
  // other connections at any moment: a transaction counts only if one of its statements writes
  // an order table, which keeps the sweep's BEGIN … COMMIT out of the count.
  const listener = (query: { sql: string; __knexTxId?: string }) => {
    if (!/webhook_event|outbox_delivery|sandbox_razorpay/.test(query.sql)) seen.push({ sql: query.sql, tx: query.__knexTxId });
  };
  knex.on('query', listener);
  try {
    await work();
  } finally {
    knex.removeListener('query', listener);
  }
  const orderTransactions = new Set(seen.filter((q) => q.tx && ORDER_TABLES.test(q.sql)).map((q) => q.tx));
  return seen
    .filter((q) => (q.tx ? orderTransactions.has(q.tx) : ORDER_TABLES.test(q.sql)))
    .map((q) => q.sql.split(' ').slice(0, 3).join(' '));
}

it('a new order is 2 statements: the intent in one statement, then its gateway order id', async () => {
  const token = await server.token('counted');
  await createOrder(server, token, 10_000, { idempotencyKey: 'warm-up-key-1' });
  const statements = await statementsOf(() => createOrder(server, token, 10_000, { idempotencyKey: 'counted-key-1' }));
  expect(statements).toEqual([
    'with w0 as', 'update "payment" set',
  ]);
  // Without a key: the same.
  expect(await statementsOf(() => createOrder(server, token, 10_000))).toHaveLength(2);
});

it('a key already used: the insert is refused by the unique key and the first order is answered', async () => {
  const token = await server.token('repeater');
  const first = await createOrder(server, token, 12_000, { idempotencyKey: 'repeat-key-1' });
  const again = await createOrder(server, token, 12_000, { idempotencyKey: 'repeat-key-1' });
  expect(again.razorpayOrderId).toBe(first.razorpayOrderId);
  expect(again.payment.id).toBe(first.payment.id);
  const [{ n }] = await server.db.orm.em.getConnection().execute(`select count(*)::int as n from payment where payer_id = 'repeater'`);
  expect(n).toBe(1);
});
