import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readGatewayTruth } from '../../chaos/gateway-truth.js';
import { checkInvariants, outstandingWork } from '../../chaos/invariants.js';
import { RefundDocument } from '../graphql/generated.js';
import { webhooksDone } from '../helpers/assertions.js';
import { createOrder, payAndVerify } from '../helpers/flows.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/**
 * The chaos run's checks must be able to fail: on a real service and sandbox they pass for a
 * paid and refunded order, and each broken promise (captured here but not paid there, a
 * refund made twice at the gateway, a browser's payment the service never captured) is named.
 */
describe('chaos invariants', () => {
  let server: TestServer;
  let db: pg.Client;
  let paymentId: string;
  let orderId: string;
  let gatewayPaymentId: string;

  beforeAll(async () => {
    server = await startTestServer();
    db = new pg.Client({ connectionString: server.db.url });
    await db.connect();
    const token = await server.token('chaos-check-user');
    const order = await createOrder(server, token, 40_000);
    const paid = await payAndVerify(server, token, order.razorpayOrderId);
    paymentId = order.payment.id;
    orderId = order.razorpayOrderId;
    gatewayPaymentId = paid.checkout.razorpay_payment_id;
    const refunded = await server.gql(RefundDocument, { input: { paymentId, amount: 5_000 } }, await server.token('ops', 'admin'));
    expect(refunded.errors).toBeUndefined();
    await webhooksDone(server);
  });

  afterAll(async () => {
    await db.end();
    await server.close();
  });

  it('pass when the service and the gateway agree', async () => {
    const truth = await readGatewayTruth([server.url]);
    expect(await outstandingWork(db, truth, [{ orderId, paymentId: gatewayPaymentId }])).toEqual([]);
    const violations = await checkInvariants(db, truth, [{ orderId, paymentId: gatewayPaymentId }], null);
    expect(violations).toEqual([]);
  });

  it('name outbox messages the subscriber never received', async () => {
    const violations = await checkInvariants(db, await readGatewayTruth([server.url]), [], new Map());
    expect(violations.map((v) => v.rule)).toEqual(['outbox-enqueued', 'outbox-received']);
  });

  it('name a refund made twice at the gateway and one the service does not know', async () => {
    const truth = await readGatewayTruth([server.url]);
    const [refund] = truth.refunds;
    truth.refunds.push({ ...refund!, id: 'rfnd_second' }, { ...refund!, id: 'rfnd_stray', receipt: 'not-a-refund' });
    const rules = (await checkInvariants(db, truth, [], null)).map((v) => v.rule);
    expect(rules).toEqual(expect.arrayContaining(['refund-once', 'refund-known']));
  });

  it('name a payment paid in Checkout but never captured here, and one captured here but not paid there', async () => {
    const token = await server.token('chaos-check-user');
    const unpaid = await createOrder(server, token, 10_000);
    await db.query(`update payment set status = 'CAPTURED' where id = $1`, [unpaid.payment.id]);
    const truth = await readGatewayTruth([server.url]);
    const violations = await checkInvariants(db, truth, [{ orderId: 'order_never_seen', paymentId: 'pay_never_seen' }], null);
    expect(violations.map((v) => v.rule)).toEqual(expect.arrayContaining(['gateway-lost-payment', 'paid-once', 'capture-journal-once', 'captured-here-paid-there']));
    expect(await outstandingWork(db, truth, [{ orderId: 'order_never_seen', paymentId: 'pay_never_seen' }])).toEqual(['1 payments paid at the gateway not captured here']);
  });
});
