/**
 * Signed webhooks whose bytes PostgreSQL cannot hold as they are, and absurd nesting, over real
 * HTTP: each is stored (QUARANTINED, raw bytes beside a sanitised copy, never processed) or
 * refused with a stated reason, never answered 503 on every delivery. Every error answer of the
 * webhook routes is a small JSON body that echoes nothing of the request.
 */
import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Payment } from '../../src/payments/payment.entity.js';
import { PaymentStatus } from '../../src/payments/payment.state.js';
import { newId } from '../../src/sandbox/razorpay/sandbox.ids.js';
import { WebhookEvent, WebhookEventStatus } from '../../src/webhooks/webhook-event.entity.js';
import { WEBHOOK_PROCESS_JOB } from '../../src/webhooks/webhook.processor.js';
import { MAX_WEBHOOK_DEPTH } from '../../src/gateways/webhook.body.js';
import { CreateOrderDocument } from '../graphql/generated.js';
import { paymentEvent, postWebhook, wirePayment } from '../helpers/checkout.js';
import { eventually, startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;

beforeAll(async () => {
  // The interval worker never runs: the test calls the processor itself.
  server = await startTestServer({ env: { RECONCILE_ENABLED: 'false' } });
});
afterAll(async () => {
  await server?.close();
});

const em = () => server.db.orm.em.fork();
const rowFor = (eventId: string) => em().findOne(WebhookEvent, { eventId });

/** A captured-payment event for a real order, with `description` as given: processed, it would capture. */
async function capturedEventFor(description: string) {
  const created = await server.gql(CreateOrderDocument, { input: { amount: 10_000 } }, await server.token('storage-user'));
  expect(created.errors).toBeUndefined();
  const { payment, razorpayOrderId } = created.data!.createOrder;
  const wire = { ...wirePayment(razorpayOrderId, newId('pay'), 'captured', 10_000), description };
  return { paymentId: payment.id, ...paymentEvent('payment.captured', wire as unknown as ReturnType<typeof wirePayment>) };
}

/** Posted twice (Razorpay's redelivery), each answered 200; stored once QUARANTINED and never processed. */
async function expectQuarantined(body: Buffer, eventId: string, paymentId: string, problem: RegExp): Promise<WebhookEvent> {
  for (const expected of ['stored', 'duplicate']) {
    const response = await postWebhook(server.url, body, { eventId });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ status: expected });
  }
  const row = (await rowFor(eventId))!;
  expect(row.status).toBe(WebhookEventStatus.QUARANTINED);
  expect(Buffer.from(row.rawBody!, 'base64').equals(body)).toBe(true);
  expect(row.lastError).toMatch(problem);
  // It has no job, a run of the job handler leaves it alone, and an operator's replay does not take it either.
  expect(await server.app.services.jobs.jobsFor(WEBHOOK_PROCESS_JOB, row.id)).toEqual([]);
  expect(await server.app.services.webhookProcessor.process(row.id, { jobId: 'test', attempt: 1, lastAttempt: false })).toBeNull();
  expect(await server.app.services.webhookProcessor.replay(eventId)).toBe(false);
  expect(await server.app.services.jobs.jobsFor(WEBHOOK_PROCESS_JOB, row.id)).toEqual([]);
  expect((await em().findOneOrFail(Payment, { id: paymentId })).status).toBe(PaymentStatus.CREATED);
  expect((await rowFor(eventId))!.status).toBe(WebhookEventStatus.QUARANTINED);
  return row;
}

describe('signed webhooks PostgreSQL cannot hold as they are', () => {
  it('\\u0000 in a string: stored QUARANTINED with the raw bytes and a sanitised copy, acknowledged, not processed', async () => {
    const event = await capturedEventFor('card\u0000holder');
    expect(event.body).toContain('\\u0000');
    const row = await expectQuarantined(Buffer.from(event.body), event.eventId, event.paymentId, /\\u0000/);
    const stored = row.payload as { payload: { payment: { entity: { description: string } } } };
    expect(stored.payload.payment.entity.description).toBe('card\uFFFDholder');
  });

  it('a lone UTF-16 surrogate in a string (and in a key): QUARANTINED, sanitised', async () => {
    const event = await capturedEventFor('x\uD800y');
    const body = event.body.replace('"notes":[]', '"notes":{"\\udc00key":"v"}');
    expect(body).toContain('\\ud800');
    const row = await expectQuarantined(Buffer.from(body), event.eventId, event.paymentId, /lone UTF-16 surrogate/);
    const entity = (row.payload as { payload: { payment: { entity: { description: string; notes: Record<string, string> } } } }).payload.payment.entity;
    expect(entity.description).toBe('x\uFFFDy');
    expect(entity.notes).toEqual({ '\uFFFDkey': 'v' });
  });

  it('bytes that are not UTF-8: QUARANTINED with the exact bytes kept', async () => {
    const event = await capturedEventFor('MARKER');
    const [before, after] = event.body.split('MARKER') as [string, string];
    const body = Buffer.concat([Buffer.from(before), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from(after)]);
    await expectQuarantined(body, event.eventId, event.paymentId, /not valid UTF-8/);
  });

  it('an ordinary event next to them is stored PENDING without raw bytes and processed', async () => {
    const event = await capturedEventFor('an ordinary description é ✓');
    const response = await postWebhook(server.url, event.body, { eventId: event.eventId });
    expect(response.status).toBe(200);
    const row = (await rowFor(event.eventId))!;
    expect(row).toMatchObject({ status: WebhookEventStatus.PENDING, rawBody: null, lastError: null });
    // Acknowledged, then processed at once (its job was stored with it).
    await eventually(async () => (await rowFor(event.eventId))!.status === WebhookEventStatus.PROCESSED, 10_000, 'PROCESSED');
    expect((await em().findOneOrFail(Payment, { id: event.paymentId })).status).toBe(PaymentStatus.CAPTURED);
  });
});

describe('absurd nesting', () => {
  const nested = (depth: number) => `{"entity":"event","event":"payment.captured","payload":{"deep":${'['.repeat(depth)}${']'.repeat(depth)}}}`;

  // Two levels of envelope around the array: 5,000 and one past the limit.
  it.each([5_000, MAX_WEBHOOK_DEPTH - 1])('%i nested arrays (signed) are refused with 400 and a JSON reason, nothing stored', async (depth) => {
    const eventId = newId('evt');
    const response = await postWebhook(server.url, nested(depth), { eventId });
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body)).toEqual({ error: `body nests deeper than ${MAX_WEBHOOK_DEPTH} levels`, code: 'BAD_REQUEST' });
    expect(await rowFor(eventId)).toBeNull();
  });

  it('brackets inside strings do not count, and depth at the limit is accepted', async () => {
    const eventId = newId('evt');
    const body = `{"entity":"event","event":"x.unknown","payload":{"s":"${'[{'.repeat(500)}\\"","d":${'['.repeat(MAX_WEBHOOK_DEPTH - 2)}${']'.repeat(MAX_WEBHOOK_DEPTH - 2)}}}`;
    const response = await postWebhook(server.url, body, { eventId });
    expect(response.status).toBe(200);
    // Stored as it came (what the processor then makes of an event it does not know is its business).
    expect(await rowFor(eventId)).toMatchObject({ eventId, rawBody: null });
  });
});

describe('error answers of the webhook routes', () => {
  it('are small JSON bodies: wrong method, unknown path, body too large, bad signature', async () => {
    const get = await fetch(`${server.url}/webhooks/razorpay`);
    expect([get.status, get.headers.get('allow'), await get.json()]).toEqual([405, 'POST', { error: 'method not allowed: signed events are POSTed here', code: 'METHOD_NOT_ALLOWED' }]);
    const unknown = await fetch(`${server.url}/webhooks/stripe?<script>`, { method: 'POST', body: '{}' });
    expect([unknown.status, await unknown.json()]).toEqual([404, { error: 'no such webhook route', code: 'NOT_FOUND' }]);
    const large = await postWebhook(server.url, `{"entity":"event","pad":"${'x'.repeat(600 * 1024)}"}`);
    expect(large.status).toBe(413);
    expect(JSON.parse(large.body)).toEqual({ error: 'body is larger than 512kb', code: 'PAYLOAD_TOO_LARGE' });
    const forged = await postWebhook(server.url, '{"entity":"event","echo":"<marker>"}', { signature: 'f'.repeat(64) });
    expect(forged.status).toBe(400);
    expect(forged.body).not.toContain('marker');
    expect(JSON.parse(forged.body)).toEqual({ error: 'X-Razorpay-Signature does not match the body', code: 'BAD_REQUEST' });
  });
});
