/**
 * What one createOrder costs the database (issue 11): the intent in one INSERT statement of
 * its own (payment, its CHARGE, its audit event: atomic without BEGIN … COMMIT), then the
 * gateway order id — and, with a new idempotency key, no lookup first. A repeated key still
 * answers the first order.
 */
import 'reflect-metadata';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CreateOrderDocument } from '../graphql/generated.js';
import { createOrder } from '../helpers/flows.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { statementsOfRequest } from '../helpers/statements.js';

let server: TestServer;
beforeAll(async () => {
  // Reconciliation's recurring passes (payments and PENDING refunds) would interleave their own statements.
  server = await startTestServer({ env: { RECONCILE_ENABLED: 'false' } });
});
afterAll(async () => {
  await server?.close();
});

/** The statements of one createOrder request, each cut to its first three words. */
async function statementsOf(token: string, input: { amount: number; idempotencyKey?: string }): Promise<string[]> {
  const statements = await statementsOfRequest(server.db.orm, async (headers) => {
    const response = await server.gql(CreateOrderDocument, { input }, token, headers);
    expect(response.errors).toBeUndefined();
  });
  return statements.map((sql) => sql.split(' ').slice(0, 3).join(' '));
}

it('a new order is 2 statements: the intent in one statement, then its gateway order id', async () => {
  const token = await server.token('counted');
  await createOrder(server, token, 10_000, { idempotencyKey: 'warm-up-key-1' });
  const statements = await statementsOf(token, { amount: 10_000, idempotencyKey: 'counted-key-1' });
  expect(statements).toEqual([
    'with w0 as', 'update "payment" set',
  ]);
  // Without a key: the same.
  expect(await statementsOf(token, { amount: 10_000 })).toHaveLength(2);
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
