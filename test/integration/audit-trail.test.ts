import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PaymentEvent, PaymentEventType } from '../../src/payments/payment-event.entity.js';
import { CreateOrderDocument, VerifyPaymentDocument } from '../graphql/generated.js';
import { pay } from '../helpers/checkout.js';
import { eventually, startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

async function post(query: string, variables: Record<string, unknown>, token: string, requestId?: string) {
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...(requestId ? { 'x-request-id': requestId } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { requestId: response.headers.get('x-request-id'), body: (await response.json()) as { data: Record<string, Record<string, unknown>> } };
}

describe('the audit trail', () => {
  it('records the request id of the request that caused each change, and echoes it', async () => {
    const token = await server.token('audit-alice');
    const created = await post(print(CreateOrderDocument), { input: { amount: 9_900 } }, token, 'req-audit-0001');
    expect(created.requestId).toBe('req-audit-0001');
    const session = created.body.data.createOrder as { razorpayOrderId: string; payment: { id: string } };
    const checkout = await pay(server.url, session.razorpayOrderId, { dropWebhooks: true });
    await post(print(VerifyPaymentDocument), {
      input: { razorpayOrderId: session.razorpayOrderId, razorpayPaymentId: checkout.razorpay_payment_id, razorpaySignature: checkout.razorpay_signature },
    }, token, 'req-audit-0002');
    const events = await eventually(async () => {
      const rows = await server.db.orm.em.fork().find(PaymentEvent, { payment: session.payment.id }, { orderBy: { id: 'asc' } });
      return rows.length === 2 ? rows : null;
    });
    expect(events.map((e) => [e.type, e.source, e.actorId, e.requestId])).toEqual([
      [PaymentEventType.CREATED, 'api:createOrder', 'audit-alice', 'req-audit-0001'],
      [PaymentEventType.STATUS_CHANGED, 'api:verifyPayment', 'audit-alice', 'req-audit-0002'],
    ]);
  });

  it('replaces a malformed X-Request-Id by its own', async () => {
    const token = await server.token('audit-bob');
    const created = await post(print(CreateOrderDocument), { input: { amount: 9_900 } }, token, 'bad id with spaces');
    expect(created.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });
});
