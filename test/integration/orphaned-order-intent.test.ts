import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PaymentPurpose } from '../../src/payments/payment.entity.js';
import { CreateOrderDocument } from '../graphql/generated.js';
import { payAndVerify } from '../helpers/flows.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/**
 * Found by the chaos run (seed 3): a process SIGKILLed after committing an order's intent and
 * before recording its gateway order left the payment without an order id, and every retry
 * with the same idempotency key waited 15 s and answered CONFLICT ("still being created"),
 * forever. Now one retry takes the orphaned intent over and opens its order.
 */
describe('an order intent orphaned by a crash', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ env: { RAZORPAY_TIMEOUT_MS: '1000' } });
  });

  afterAll(async () => {
    await server.close();
  });

  /** What the dead process left: the committed intent, no gateway order, last touched `ageMs` ago. */
  async function orphanedIntent(userId: string, key: string, amount: number, ageMs: number): Promise<string> {
    const request = server.app.services.payments.orderRequest({ amount, idempotencyKey: key }, PaymentPurpose.ORDER);
    const payment = await server.db.orm.em.fork().transactional((em) =>
      server.app.services.payments.recordPayment(em, { id: userId, role: 'customer' }, request));
    await server.db.orm.em.fork().getConnection().execute(`update payment set updated_at = now() - make_interval(secs => ?) where id = ?`, [ageMs / 1000, payment.id]);
    return payment.id;
  }

  it('is opened by a retry with the same key (one order, however many retry at once), and can be paid', async () => {
    const paymentId = await orphanedIntent('orphan-user', 'orphaned-key-1', 25_000, 60_000);
    const token = await server.token('orphan-user');
    const retries = await Promise.all(Array.from({ length: 5 }, () =>
      server.gql(CreateOrderDocument, { input: { amount: 25_000, idempotencyKey: 'orphaned-key-1' } }, token)));
    for (const retry of retries) expect(retry.errors).toBeUndefined();
    const sessions = retries.map((r) => r.data!.createOrder);
    expect(new Set(sessions.map((s) => s.payment.id))).toEqual(new Set([paymentId]));
    expect(new Set(sessions.map((s) => s.razorpayOrderId)).size).toBe(1);
    const { payment } = await payAndVerify(server, token, sessions[0]!.razorpayOrderId);
    expect(payment.status).toBe('CAPTURED');
  });

  it('is left alone while its creator may still be calling the gateway (4 × RAZORPAY_TIMEOUT_MS + 5 s), then opened within the wait', async () => {
    await orphanedIntent('busy-user', 'in-flight-key-1', 25_000, 0);
    const started = Date.now();
    const retry = await server.gql(CreateOrderDocument, { input: { amount: 25_000, idempotencyKey: 'in-flight-key-1' } }, await server.token('busy-user'));
    // Orphaned after 4 × 1 s + 5 s = 9 s, inside the 15 s a retry waits for its twin.
    expect(retry.errors).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(8_000);
  }, 30_000);
});
