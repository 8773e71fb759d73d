import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryStatus, OutboxAttempt, OutboxDelivery, OutboxMessage } from '../../src/outbox/outbox.entities.js';
import { EVENT_ID_HEADER, SIGNATURE_HEADER, verifyOutboxSignature } from '../../src/outbox/outbox.signature.js';
import { OutboxDeliveriesDocument, RedeliverOutboxDeliveryDocument, RefundDocument } from '../graphql/generated.js';
import { pay } from '../helpers/checkout.js';
import { createOrder, payAndVerify, topUp } from '../helpers/flows.js';
import { eventually, startTestServer, type TestServer } from '../helpers/server.js';

const SECRET = 'outbox-secret-'.padEnd(40, 'x');

interface Received { eventId: string; signature: string; body: string; status: number }

/** A subscriber that fails the first `failures` deliveries of each event, then accepts. */
function startSubscriber(failures: number) {
  const received: Received[] = [];
  const seen = new Map<string, number>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      const eventId = String(req.headers[EVENT_ID_HEADER]);
      const count = (seen.get(eventId) ?? 0) + 1;
      seen.set(eventId, count);
      const status = count <= failures ? 500 : 200;
      received.push({ eventId, signature: String(req.headers[SIGNATURE_HEADER]), body, status });
      res.writeHead(status).end();
    });
  });
  return new Promise<{ url: string; received: Received[]; close: () => Promise<void> }>((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/payments`,
      received,
      close: () => new Promise((done) => server.close(() => done())),
    }));
  });
}

let subscriber: Awaited<ReturnType<typeof startSubscriber>>;
let server: TestServer;

beforeAll(async () => {
  subscriber = await startSubscriber(3);
  server = await startTestServer({
    env: { OUTBOX_SUBSCRIBER_URLS: subscriber.url, OUTBOX_SECRET: SECRET, OUTBOX_RETRY_BASE_MS: '40', OUTBOX_MAX_ATTEMPTS: '6' },
  });
});
afterAll(async () => {
  await server?.close();
  await subscriber?.close();
});

const bodiesOf = (type: string) => subscriber.received.filter((r) => JSON.parse(r.body).type === type);

describe('notifying other services (transactional outbox)', () => {
  it('a subscriber failing 3 times then succeeding gets the capture once more: signed, same event id, every attempt logged', async () => {
    const token = await server.token('ob-alice');
    const order = await createOrder(server, token, 45_000, { payeeId: 'tutor-3' });
    await payAndVerify(server, token, order.razorpayOrderId);
    const ofThisPayment = () => bodiesOf('payment.captured').filter((r) => JSON.parse(r.body).data.paymentId === order.payment.id);
    const deliveries = await eventually(() => {
      const captured = ofThisPayment();
      return captured.some((r) => r.status === 200) ? captured : null;
    }, 10_000, 'the capture to be delivered');
    expect(deliveries.map((d) => d.status)).toEqual([500, 500, 500, 200]);
    expect(new Set(deliveries.map((d) => d.eventId)).size).toBe(1);
    for (const d of deliveries) expect(verifyOutboxSignature([SECRET], d.signature, d.body)).toBe(true);
    const message = JSON.parse(deliveries[0]!.body);
    expect(message).toMatchObject({ id: deliveries[0]!.eventId, type: 'payment.captured', data: { paymentId: order.payment.id, amount: 45_000, platformFee: 6750, payeeAmount: 38_250, payeeId: 'tutor-3', status: 'CAPTURED' } });
    // The success is recorded (DELIVERED, so never due again): no delivery can follow it.
    await eventually(async () => (await server.db.orm.em.fork().findOne(OutboxDelivery, { message: { type: 'payment.captured', subjectId: order.payment.id } }))?.status === DeliveryStatus.DELIVERED, 5000, 'the success recorded');
    expect(ofThisPayment()).toHaveLength(4); // no delivery after the success
    expect(await server.db.orm.em.fork().count(OutboxMessage, { type: 'payment.captured', subjectId: order.payment.id })).toBe(1);
    expect(await server.db.orm.em.fork().count(OutboxAttempt, {})).toBeGreaterThanOrEqual(4);
  });

  it('admins list deliveries and redeliver one: the same event id again', async () => {
    const admin = await server.token('ob-ops', 'admin');
    // Its own capture, delivered (the subscriber fails each event 3 times first): no other test's.
    const token = await server.token('ob-dave');
    const order = await createOrder(server, token, 15_000);
    await payAndVerify(server, token, order.razorpayOrderId);
    const { eventId } = await eventually(() => bodiesOf('payment.captured').find((r) => r.status === 200 && JSON.parse(r.body).data.paymentId === order.payment.id), 10_000, 'the capture delivered');
    const delivered = await eventually(async () => {
      const list = await server.gql(OutboxDeliveriesDocument, { status: 'DELIVERED' }, admin);
      expect(list.errors).toBeUndefined();
      return list.data!.outboxDeliveries.edges.map((e) => e.node).find((n) => n.eventId === eventId);
    }, 5000, 'the delivery listed as DELIVERED');
    expect(delivered).toMatchObject({ eventType: 'payment.captured', attempts: 4, lastStatusCode: 200, subscriberUrl: subscriber.url, lastError: null });
    const before = subscriber.received.filter((r) => r.eventId === delivered.eventId).length;
    const again = await server.gql(RedeliverOutboxDeliveryDocument, { id: delivered.id }, admin);
    expect(again.data!.redeliverOutboxDelivery.status).toBe('PENDING');
    await eventually(() => subscriber.received.filter((r) => r.eventId === delivered.eventId).length === before + 1, 5000, 'the redelivery');
    const customer = await server.token('ob-alice');
    expect((await server.gql(OutboxDeliveriesDocument, {}, customer)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await server.gql(RedeliverOutboxDeliveryDocument, { id: 'nope' }, admin)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('announces failures and wallet credits; a payment that never moves announces nothing', async () => {
    const token = await server.token('ob-bob');
    const failing = await createOrder(server, token, 10_000);
    await pay(server.url, failing.razorpayOrderId, { outcome: 'failure', awaitWebhooks: true });
    await topUp(server, token, 20_000);
    const idle = await createOrder(server, token, 5_000);
    await eventually(() => bodiesOf('payment.failed').some((r) => JSON.parse(r.body).data.paymentId === failing.payment.id), 10_000, 'payment.failed');
    await eventually(() => bodiesOf('wallet.credited').some((r) => JSON.parse(r.body).data.userId === 'ob-bob' && r.status === 200), 10_000, 'wallet.credited');
    expect(await server.db.orm.em.fork().count(OutboxMessage, { subjectId: idle.payment.id })).toBe(0);
  });

  it('announces a processed refund with the fee and payee parts it reversed', async () => {
    const token = await server.token('ob-carol');
    const admin = await server.token('ob-ops', 'admin');
    const order = await createOrder(server, token, 20_000, { payeeId: 'tutor-9' });
    await payAndVerify(server, token, order.razorpayOrderId);
    const refunded = await server.gql(RefundDocument, { input: { paymentId: order.payment.id, amount: 5_000, reason: 'one lesson cancelled' } }, admin);
    expect(refunded.errors).toBeUndefined();
    const message = await eventually(() => bodiesOf('refund.processed').map((r) => JSON.parse(r.body)).find((m) => m.data.paymentId === order.payment.id), 10_000, 'refund.processed');
    expect(message.data).toMatchObject({ amount: 5_000, platformFeePart: 750, payeePart: 4_250, amountRefunded: 5_000, payeeId: 'tutor-9' });
  });
});
