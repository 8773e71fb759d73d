/**
 * The webhook route and inbox over real HTTP: signature checks over the raw bytes, what is
 * stored and acknowledged, duplicates, secret rotation, and the processor's retries, dead
 * letters, replay and single claim. Every refused delivery must leave no trace.
 *
 * Most of this file is Razorpay's: its webhooks are an HMAC over the body with an event id
 * header. PhonePe's callbacks carry neither (a fixed credential hash in `Authorization`, no
 * id), so their refusals and duplicates have their own section below; the inbox's retries,
 * dead letters and replay are the same code for both and are tested once.
 */
import 'reflect-metadata';
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertNewAtOnce, updateWithNewRows } from '../../src/db/insert-new-at-once.js';
import { Payment } from '../../src/payments/payment.entity.js';
import { PaymentEvent, PaymentEventType } from '../../src/payments/payment-event.entity.js';
import { PaymentStatus } from '../../src/payments/payment.state.js';
import { newId } from '../../src/sandbox/razorpay/sandbox.ids.js';
import { WebhookEvent, WebhookEventStatus } from '../../src/webhooks/webhook-event.entity.js';
import { WEBHOOK_PROCESS_JOB } from '../../src/webhooks/webhook.processor.js';
import { CreateOrderDocument } from '../graphql/generated.js';
import { pay, paymentEvent, postWebhook, wirePayment } from '../helpers/checkout.js';
import { eventually, SANDBOX_KEY_SECRET, SANDBOX_WEBHOOK_SECRET, startTestServer, type TestServer } from '../helpers/server.js';
import { handleEventType } from '../helpers/webhooks.js';
import { callbackAuthorization } from '../../src/gateways/phonepe/phonepe.callbacks.js';
import { GATEWAY_DRIVERS } from '../helpers/gateway-drivers.js';

/** Long enough that the interval worker never runs during a test: only the test drives retries. */

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

const sign = (body: string | Buffer, secret = SANDBOX_WEBHOOK_SECRET) => createHmac('sha256', secret).update(body).digest('hex');

/** A complete Razorpay envelope for any event name and payload. */
function envelope(event: string, payload: Record<string, unknown>): string {
  return JSON.stringify({
    entity: 'event',
    account_id: 'acc_TESTACCOUNT001',
    event,
    contains: Object.keys(payload),
    payload,
    created_at: Math.floor(Date.now() / 1000),
  });
}

const eventId = () => newId('evt');

async function newOrder(s: TestServer, user = 'webhook-user', amount = 10_000) {
  const created = await s.gql(CreateOrderDocument, { input: { amount } }, await s.token(user));
  expect(created.errors).toBeUndefined();
  return { paymentId: created.data!.createOrder.payment.id, orderId: created.data!.createOrder.razorpayOrderId, amount };
}

async function webhookRows(s: TestServer): Promise<WebhookEvent[]> {
  return s.db.orm.em.fork().find(WebhookEvent, {}, { orderBy: { receivedAt: 'asc' } });
}

async function rowFor(s: TestServer, id: string): Promise<WebhookEvent | null> {
  return s.db.orm.em.fork().findOne(WebhookEvent, { eventId: id });
}

async function paymentState(s: TestServer, paymentId: string) {
  const em = s.db.orm.em.fork();
  const payment = await em.findOneOrFail(Payment, { id: paymentId });
  const events = await em.find(PaymentEvent, { payment: paymentId }, { orderBy: { id: 'asc' } });
  return { status: payment.status, version: payment.version, razorpayPaymentId: payment.razorpayPaymentId, events: events.map((e) => e.type) };
}

/** Runs `act` and checks it stored no webhook and left the payment exactly as it was. */
async function expectNoTrace(s: TestServer, paymentId: string, act: () => Promise<void>): Promise<void> {
  const rowsBefore = (await webhookRows(s)).length;
  const before = await paymentState(s, paymentId);
  await act();
  expect((await webhookRows(s)).length).toBe(rowsBefore);
  expect(await paymentState(s, paymentId)).toEqual(before);
  expect(before).toMatchObject({ status: PaymentStatus.CREATED, version: 1, events: [PaymentEventType.CREATED] });
}

/** Moves an event's retry time into the past, so the next pass takes it without waiting for the backoff. */
describe('refused deliveries: 400 and no trace', () => {
  it('without X-Razorpay-Signature', async () => {
    const { paymentId, orderId, amount } = await newOrder(server);
    const { body, eventId: id } = paymentEvent('payment.captured', wirePayment(orderId, newId('pay'), 'captured', amount));
    await expectNoTrace(server, paymentId, async () => {
      const response = await postWebhook(server.url, body, { eventId: id, signature: null });
      expect(response.status).toBe(400);
      expect(JSON.parse(response.body).error).toMatch(/X-Razorpay-Signature/);
    });
  });

  it('with a wrong signature (random hex, empty, not hex)', async () => {
    const { paymentId, orderId, amount } = await newOrder(server);
    const { body, eventId: id } = paymentEvent('payment.captured', wirePayment(orderId, newId('pay'), 'captured', amount));
    await expectNoTrace(server, paymentId, async () => {
      for (const signature of ['ab'.repeat(32), sign(body).slice(0, 62), 'not-a-signature', `${sign(body)}00`]) {
        const response = await postWebhook(server.url, body, { eventId: id, signature });
        expect(response.status, signature).toBe(400);
      }
    });
  });

  it('with a body altered by one byte after signing', async () => {
    const { paymentId, orderId, amount } = await newOrder(server);
    const { body, eventId: id } = paymentEvent('payment.captured', wirePayment(orderId, newId('pay'), 'captured', amount));
    const signature = sign(body);
    const tampered = Buffer.from(body, 'utf8');
    const at = body.indexOf(String(amount));
    tampered[at] = tampered[at]! + 1; // 10000 → 20000: the amount an attacker would want changed
    expect(tampered.toString('utf8')).not.toBe(body);
    await expectNoTrace(server, paymentId, async () => {
      const response = await postWebhook(server.url, tampered, { eventId: id, signature });
      expect(response.status).toBe(400);
    });
  });

  it('signed with the key secret instead of the webhook secret', async () => {
    const { paymentId, orderId, amount } = await newOrder(server);
    const { body, eventId: id } = paymentEvent('payment.captured', wirePayment(orderId, newId('pay'), 'captured', amount));
    await expectNoTrace(server, paymentId, async () => {
      const response = await postWebhook(server.url, body, { eventId: id, secret: SANDBOX_KEY_SECRET });
      expect(response.status).toBe(400);
    });
  });

  it('malformed JSON with a valid signature', async () => {
    const { paymentId, orderId, amount } = await newOrder(server);
    const { body, eventId: id } = paymentEvent('payment.captured', wirePayment(orderId, newId('pay'), 'captured', amount));
    await expectNoTrace(server, paymentId, async () => {
      for (const broken of [body.slice(0, -1), `${body}}`, '', 'null garbage']) {
        const response = await postWebhook(server.url, broken, { eventId: id });
        expect(response.status, broken).toBe(400);
      }
    });
  });

  it('valid JSON that is not an event envelope, with a valid signature', async () => {
    const { paymentId, orderId, amount } = await newOrder(server);
    const payment = wirePayment(orderId, newId('pay'), 'captured', amount);
    const notEnvelopes = [
      JSON.stringify(payment), // the entity without its envelope
      JSON.stringify({ entity: 'payment', event: 'payment.captured', payload: { payment: { entity: payment } } }),
      JSON.stringify({ entity: 'event', payload: { payment: { entity: payment } } }), // no event name
      JSON.stringify({ entity: 'event', event: 'payment.captured' }), // no payload
      JSON.stringify({ entity: 'event', event: 'payment.captured', payload: null }),
      JSON.stringify({ entity: 'event', event: 'x'.repeat(65), payload: {} }),
      JSON.stringify([{ entity: 'event', event: 'payment.captured', payload: {} }]),
      '"just a string"',
      '42',
      'null',
    ];
    await expectNoTrace(server, paymentId, async () => {
      for (const body of notEnvelopes) {
        const response = await postWebhook(server.url, body, { eventId: eventId() });
        expect(response.status, body.slice(0, 80)).toBe(400);
      }
    });
  });

  it('with a malformed X-Razorpay-Event-Id', async () => {
    const { paymentId, orderId, amount } = await newOrder(server);
    const { body } = paymentEvent('payment.captured', wirePayment(orderId, newId('pay'), 'captured', amount));
    await expectNoTrace(server, paymentId, async () => {
      for (const id of ['evt with spaces', 'e'.repeat(101), "evt';drop table payment;--"]) {
        const response = await postWebhook(server.url, body, { eventId: id });
        expect(response.status, id).toBe(400);
      }
    });
  });
});

describe('stored and acknowledged, nothing to do', () => {
  it('an unknown event type (subscription.charged) is stored, IGNORED with its reason, and moves no payment', async () => {
    const { paymentId, orderId, amount } = await newOrder(server);
    const id = eventId();
    // It even carries a captured payment of a real order: still not ours to act on.
    const body = envelope('subscription.charged', {
      subscription: { entity: { id: 'sub_AAAAAAAAAAAAAA', entity: 'subscription', status: 'active' } },
      payment: { entity: wirePayment(orderId, newId('pay'), 'captured', amount) },
    });
    const response = await postWebhook(server.url, body, { eventId: id });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ status: 'stored' });
    const row = await eventually(async () => {
      const r = await rowFor(server, id);
      return r?.status === WebhookEventStatus.IGNORED ? r : null;
    }, 5000, 'the unknown event to be handled');
    expect(row).toMatchObject({ eventType: 'subscription.charged', attempts: 1 });
    expect(row.lastError).toMatch(/no handler.*subscription\.charged/);
    expect(row.processedAt).not.toBeNull();
    expect(await paymentState(server, paymentId)).toMatchObject({ status: PaymentStatus.CREATED, version: 1, events: [PaymentEventType.CREATED] });
  });

  it('a payment event for an order this service does not know is stored and IGNORED', async () => {
    const id = eventId();
    const unknownOrder = newId('order');
    const paymentEventsBefore = await server.db.orm.em.fork().count(PaymentEvent, {});
    const { body } = paymentEvent('payment.captured', wirePayment(unknownOrder, newId('pay'), 'captured', 5_000));
    const response = await postWebhook(server.url, body, { eventId: id });
    expect(response.status).toBe(200);
    const row = await eventually(async () => {
      const r = await rowFor(server, id);
      return r?.status === WebhookEventStatus.IGNORED ? r : null;
    }, 5000, 'the event to be ignored');
    expect(row.lastError).toContain(unknownOrder);
    expect(await server.db.orm.em.fork().count(PaymentEvent, {})).toBe(paymentEventsBefore);
  });

  it('a payment without an order (order_id: null) is stored and IGNORED', async () => {
    const id = eventId();
    const paymentEventsBefore = await server.db.orm.em.fork().count(PaymentEvent, {});
    const payment = { ...wirePayment('order_unused', newId('pay'), 'captured', 5_000), order_id: null };
    const response = await postWebhook(server.url, envelope('payment.captured', { payment: { entity: payment } }), { eventId: id });
    expect(response.status).toBe(200);
    const row = await eventually(async () => {
      const r = await rowFor(server, id);
      return r?.status === WebhookEventStatus.IGNORED ? r : null;
    }, 5000, 'the event to be ignored');
    expect(row.lastError).toMatch(/no order/);
    expect(await server.db.orm.em.fork().count(PaymentEvent, {})).toBe(paymentEventsBefore);
  });

  it('a signed envelope with a malformed payment (a float amount) is stored, DEAD at once naming the field, never applied', async () => {
    const { paymentId, orderId, amount } = await newOrder(server);
    const id = eventId();
    const payment = { ...wirePayment(orderId, newId('pay'), 'captured', amount), amount: amount + 0.5 };
    const response = await postWebhook(server.url, envelope('payment.captured', { payment: { entity: payment } }), { eventId: id });
    expect(response.status).toBe(200);
    const row = await eventually(async () => {
      const r = await rowFor(server, id);
      return r?.status === WebhookEventStatus.DEAD ? r : null;
    }, 5000, 'the event to be set aside');
    // Retrying cannot fix a malformed event: no retries are spent on it; an operator replays it.
    expect(row.lastError).toContain('malformed event');
    expect(row.lastError).toContain('payload.payment.entity.amount');
    expect(row.attempts).toBe(1);
    expect(await paymentState(server, paymentId)).toMatchObject({ status: PaymentStatus.CREATED, version: 1, events: [PaymentEventType.CREATED] });
  });

  it('a duplicate event id is answered 200 {status:"duplicate"} and stored once', async () => {
    const { paymentId, orderId, amount } = await newOrder(server);
    const { body, eventId: id } = paymentEvent('payment.captured', wirePayment(orderId, newId('pay'), 'captured', amount));
    const first = await postWebhook(server.url, body, { eventId: id });
    expect(first).toEqual({ status: 200, body: JSON.stringify({ status: 'stored' }) });
    await eventually(async () => (await rowFor(server, id))?.status === WebhookEventStatus.PROCESSED, 5000, 'the first delivery processed');
    const again = await postWebhook(server.url, body, { eventId: id });
    expect(again.status).toBe(200);
    expect(JSON.parse(again.body)).toEqual({ status: 'duplicate' });
    expect((await webhookRows(server)).filter((r) => r.eventId === id)).toHaveLength(1);
    // The redelivery was not processed again: still one change, attempted once.
    expect((await rowFor(server, id))!.attempts).toBe(1);
    expect(await paymentState(server, paymentId)).toMatchObject({
      status: PaymentStatus.CAPTURED,
      version: 2,
      events: [PaymentEventType.CREATED, PaymentEventType.STATUS_CHANGED],
    });
  });

  it('without X-Razorpay-Event-Id the body hash makes redelivery idempotent', async () => {
    const { paymentId, orderId, amount } = await newOrder(server);
    const { body } = paymentEvent('payment.failed', wirePayment(orderId, newId('pay'), 'failed', amount));
    const first = await postWebhook(server.url, body);
    const again = await postWebhook(server.url, body);
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(JSON.parse(again.body)).toEqual({ status: 'duplicate' });
    await eventually(async () => (await paymentState(server, paymentId)).status === PaymentStatus.FAILED, 5000, 'FAILED');
    const rows = (await webhookRows(server)).filter((r) => r.eventId.startsWith('sha256:'));
    expect(rows).toHaveLength(1);
  });
});

describe('PhonePe callbacks (their own: a shared-credential Authorization header, no signature, no event id)', () => {
  const phonepe = GATEWAY_DRIVERS.find((d) => d.gateway === 'PHONEPE')!;

  async function phonepeOrder(user: string) {
    const created = await server.gql(CreateOrderDocument, { input: { amount: 10_000, gateway: 'PHONEPE' } }, await server.token(user));
    expect(created.errors).toBeUndefined();
    return created.data!.createOrder;
  }

  /** A callback claiming the order was paid (what a forger would send). */
  function completedBody(merchantOrderId: string, amount: number): string {
    const payload = {
      merchantOrderId, orderId: 'OMOFORGED', state: 'COMPLETED', amount, expireAt: Date.now() + 60_000,
      paymentDetails: [{ transactionId: 'OMFORGED1', paymentMode: 'UPI_INTENT', timestamp: Date.now(), amount, state: 'COMPLETED' }],
    };
    return JSON.stringify({ type: 'CHECKOUT_ORDER_COMPLETED', event: 'checkout.order.completed', payload });
  }

  const postCallback = async (body: string, authorization?: string) => {
    const response = await fetch(`${server.url}/webhooks/phonepe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization !== undefined && { authorization }) },
      body,
    });
    return { status: response.status, body: await response.text() };
  };

  it('without Authorization, with a wrong one, with another credential\'s hash or with a scheme: 400 and no trace', async () => {
    const session = await phonepeOrder('phonepe-forger');
    const body = completedBody(session.razorpayOrderId, 10_000);
    const { webhookUsername, webhookPassword } = server.config.phonepe;
    const right = callbackAuthorization(webhookUsername, webhookPassword);
    await expectNoTrace(server, session.payment.id, async () => {
      for (const authorization of [undefined, '', 'f'.repeat(64), callbackAuthorization(webhookUsername, `${webhookPassword}x`), `SHA256 ${right}`, right.slice(1)]) {
        const response = await postCallback(body, authorization);
        expect(response.status, `Authorization: ${String(authorization)}`).toBe(400);
        expect(response.body).not.toContain(right);
      }
    });
  });

  it('the same callback twice: 200 both times, stored once, the payment captured once', async () => {
    const session = await phonepeOrder('phonepe-twice');
    const attempt = await phonepe.pay(server, session, { notifications: 'drop' });
    const statuses = await Promise.all([phonepe.notify(server, session, attempt), phonepe.notify(server, session, attempt)]);
    expect(statuses).toEqual([200, 200]);
    await eventually(async () => (await paymentState(server, session.payment.id)).status === PaymentStatus.CAPTURED, 10_000, 'CAPTURED by the callback');
    const rows = (await webhookRows(server)).filter((r) => r.gateway === 'phonepe' && r.eventType === 'checkout.order.completed');
    expect(new Set(rows.map((r) => r.eventId)).size).toBe(rows.length);
    expect(await paymentState(server, session.payment.id)).toMatchObject({ status: PaymentStatus.CAPTURED, version: 2 });
  });
});

describe('the raw bytes are what is verified', () => {
  it('a body with unusual whitespace and key order verifies, although /graphql parses JSON', async () => {
    const { paymentId, orderId, amount } = await newOrder(server);
    const payment = wirePayment(orderId, newId('pay'), 'captured', amount);
    // Keys reversed, tabs, newlines, spaces before colons, a unicode escape: any re-serialisation breaks it.
    const reversed = Object.fromEntries(Object.entries(payment).reverse());
    const body = `\n  {\t"payload" : { "payment" :{"entity":${JSON.stringify(reversed, null, 3)}}},\r\n` +
      `"created_at":${Math.floor(Date.now() / 1000)} , "contains":[ "payment" ],"event":"payment.captured",` +
      `"account_id":"acc_\\u0054ESTACCOUNT001","entity" :"event"   }\n\n`;
    expect(JSON.stringify(JSON.parse(body))).not.toBe(body);
    const id = eventId();
    const response = await postWebhook(server.url, body, { eventId: id });
    expect(response.status).toBe(200);
    await eventually(async () => (await rowFor(server, id))?.status === WebhookEventStatus.PROCESSED, 5000, 'processed');
    expect((await paymentState(server, paymentId)).status).toBe(PaymentStatus.CAPTURED);

    // The same bytes sent as another content type still verify (the route reads bytes, not JSON).
    const id2 = eventId();
    const { body: failed } = paymentEvent('payment.failed', wirePayment(orderId, newId('pay'), 'failed', amount));
    const asText = await fetch(`${server.url}/webhooks/razorpay`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', 'x-razorpay-signature': sign(failed), 'x-razorpay-event-id': id2 },
      body: failed,
    });
    expect(asText.status).toBe(200);
    // A re-serialisation of a signed body does not verify.
    const reserialised = JSON.stringify(JSON.parse(body));
    const refused = await postWebhook(server.url, reserialised, { eventId: eventId(), signature: sign(body) });
    expect(refused.status).toBe(400);
  });

  it('after a secret rotation both the new and the previous secret verify, a third does not', async () => {
    const rotated = await startTestServer({
      env: {
        RAZORPAY_MODE: 'sandbox',
        RAZORPAY_WEBHOOK_SECRET: 'new-secret-0123456789-rotated',
        RAZORPAY_WEBHOOK_SECRET_PREVIOUS: 'old-secret-0123456789-retired',
      },
    });
    try {
      const { paymentId, orderId, amount } = await newOrder(rotated, 'rotation-user');
      const attempt = newId('pay');
      const authorized = paymentEvent('payment.authorized', wirePayment(orderId, attempt, 'authorized', amount));
      const captured = paymentEvent('payment.captured', wirePayment(orderId, attempt, 'captured', amount));

      await expectNoTrace(rotated, paymentId, async () => {
        for (const secret of ['some-third-secret-0123456789', SANDBOX_WEBHOOK_SECRET, SANDBOX_KEY_SECRET]) {
          const response = await postWebhook(rotated.url, authorized.body, { eventId: authorized.eventId, secret });
          expect(response.status, secret).toBe(400);
        }
      });

      // Events signed before the rotation still arrive signed with the old secret.
      const old = await postWebhook(rotated.url, authorized.body, { eventId: authorized.eventId, secret: 'old-secret-0123456789-retired' });
      expect(old.status).toBe(200);
      await eventually(async () => (await paymentState(rotated, paymentId)).status === PaymentStatus.AUTHORIZED, 5000, 'AUTHORIZED');
      const fresh = await postWebhook(rotated.url, captured.body, { eventId: captured.eventId, secret: 'new-secret-0123456789-rotated' });
      expect(fresh.status).toBe(200);
      await eventually(async () => (await paymentState(rotated, paymentId)).status === PaymentStatus.CAPTURED, 5000, 'CAPTURED');

      // The sandbox signs with the current secret, and its deliveries are accepted.
      const second = await newOrder(rotated, 'rotation-user');
      await pay(rotated.url, second.orderId, { awaitWebhooks: true });
      expect((await rotated.app.sandbox!.state()).webhooks.filter((w) => w.outcome !== 'delivered')).toEqual([]);
      await eventually(async () => (await paymentState(rotated, second.paymentId)).status === PaymentStatus.CAPTURED, 5000, 'sandbox payment CAPTURED');
    } finally {
      await rotated.close();
    }
  });
});

describe('processing failures are recorded and retried, never lost', () => {
  let quiet: TestServer;
  let mortal: TestServer;

  beforeAll(async () => {
    [quiet, mortal] = await Promise.all([
      // Retries after 1–2 s, then 2–4 s (the job runner's backoff from a 1 s base).
      startTestServer({ env: { WEBHOOK_RETRY_BASE_MS: '1000' } }),
      startTestServer({ env: { WEBHOOK_MAX_ATTEMPTS: '2', WEBHOOK_RETRY_BASE_MS: '1000' } }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([quiet?.close(), mortal?.close()]);
  });

  const jobsOf = (s: TestServer, rowId: string) => s.app.services.jobs.jobsFor(WEBHOOK_PROCESS_JOB, rowId);

  it('a handler failing twice: FAILED with attempts, error and a retry time, retried with growing backoff, then PROCESSED', async () => {
    const calledAt: number[] = [];
    handleEventType(quiet.app.services, 'test.flaky', async () => {
      calledAt.push(Date.now());
      if (calledAt.length <= 2) throw new Error(`flaky failure #${calledAt.length}`);
      return { outcome: 'processed' };
    });
    const id = eventId();
    const response = await postWebhook(quiet.url, envelope('test.flaky', {}), { eventId: id });
    expect(response.status).toBe(200);

    const first = await eventually(async () => {
      const r = await rowFor(quiet, id);
      return r?.status === WebhookEventStatus.FAILED ? r : null;
    }, 5000, 'the first failure recorded');
    expect(first).toMatchObject({ attempts: 1, lastError: 'flaky failure #1', processedAt: null });
    expect(first.nextAttemptAt.getTime()).toBeGreaterThan(calledAt[0]!);

    const done = await eventually(async () => {
      const r = await rowFor(quiet, id);
      return r?.status === WebhookEventStatus.PROCESSED ? r : null;
    }, 20_000, 'the event processed on its third attempt');
    expect(done).toMatchObject({ attempts: 3, lastError: null });
    expect(done.processedAt).not.toBeNull();
    expect(calledAt).toHaveLength(3);
    // Backoff: the first retry waited at least the base (1 s), the second at least twice it.
    expect(calledAt[1]! - calledAt[0]!).toBeGreaterThanOrEqual(900);
    expect(calledAt[2]! - calledAt[1]!).toBeGreaterThanOrEqual(1900);
    // One job for the event, completed (the runner records that just after the row says
    // PROCESSED): a processed event is not taken again.
    await eventually(async () => (await jobsOf(quiet, done.id)).every((j) => j.state === 'completed'), 5000, 'the job to finish');
    const jobs = await jobsOf(quiet, done.id);
    expect(jobs.map((j) => [j.state, j.retryCount])).toEqual([['completed', 2]]);
  });

  it("an outcome a handler's transaction writes with its change commits with it: rolled back after the statement, the event is FAILED and retried; committed, PROCESSED with no statement after", async () => {
    let calls = 0;
    const inside: string[] = [];
    handleEventType(quiet.app.services, 'test.with-change', async ({ processedWithChange }) => {
      calls += 1;
      await quiet.db.orm.em.fork().transactional(async (em) => {
        // The handler's change statement, carrying the event's outcome (here alone: no new rows).
        updateWithNewRows(em, processedWithChange!);
        await insertNewAtOnce(em);
        const [row] = await em.getConnection().execute<{ status: string }[]>(
          `select "status" from "webhook_event" where "event_id" = ?`, [id], 'all', em.getTransactionContext());
        inside.push(row!.status);
        if (calls === 1) throw new Error('rolled back after the outcome was written');
      });
      return { outcome: 'processed' };
    });
    const id = eventId();
    expect((await postWebhook(quiet.url, envelope('test.with-change', {}), { eventId: id })).status).toBe(200);
    const failed = await eventually(async () => {
      const r = await rowFor(quiet, id);
      return r?.status === WebhookEventStatus.FAILED ? r : null;
    }, 5000, 'the rolled-back attempt recorded as FAILED');
    expect(failed).toMatchObject({ attempts: 1, lastError: 'rolled back after the outcome was written', processedAt: null });
    const done = await eventually(async () => {
      const r = await rowFor(quiet, id);
      return r?.status === WebhookEventStatus.PROCESSED ? r : null;
    }, 20_000, 'the retry committed with its outcome');
    expect(done).toMatchObject({ attempts: 2, lastError: null });
    expect(done.processedAt).not.toBeNull();
    // Each attempt saw its own outcome inside its transaction; only the committed one stayed.
    expect(inside).toEqual(['PROCESSED', 'PROCESSED']);
    expect(calls).toBe(2);
  });

  it('a failed event waits for its backoff: nothing runs it sooner', async () => {
    let calls = 0;
    handleEventType(mortal.app.services, 'test.backoff', async () => {
      calls += 1;
      throw new Error('still down');
    });
    const id = eventId();
    expect((await postWebhook(mortal.url, envelope('test.backoff', {}), { eventId: id })).status).toBe(200);
    const failed = await eventually(async () => {
      const r = await rowFor(mortal, id);
      return r?.status === WebhookEventStatus.FAILED ? r : null;
    }, 5000, 'the first failure');
    // The row says FAILED as the handler's attempt ends; the runner records the job's failure
    // (state `retry`) just after, so wait for that rather than read the job at once.
    const retry = await eventually(async () => {
      const jobs = await jobsOf(mortal, failed.id);
      return jobs.length === 1 && jobs[0]!.state === 'retry' ? jobs[0] : null;
    }, 5000, 'the job waiting for its retry');
    // Waiting for its retry, due 1–2 s after the failure (the runner's backoff), not before.
    expect(retry.startAfter.getTime()).toBeGreaterThanOrEqual(failed.nextAttemptAt.getTime() - 2 * 1000 + 900);
    // Startup's requeue leaves the waiting retry alone: no second job runs it before its time.
    expect(await mortal.app.services.webhookProcessor.requeueUnsettled()).toBe(0);
    expect((await jobsOf(mortal, failed.id)).map((j) => j.id)).toEqual([retry.id]);
    await eventually(async () => (await rowFor(mortal, id))?.status === WebhookEventStatus.DEAD, 10_000, 'the second, last attempt');
    expect(calls).toBe(2);
  });

  it('after WEBHOOK_MAX_ATTEMPTS failures the event is DEAD; replay(eventId) puts it back and it is processed', async () => {
    let broken = true;
    let calls = 0;
    handleEventType(mortal.app.services, 'test.doomed', async () => {
      calls += 1;
      if (broken) throw new Error('downstream is down');
      return { outcome: 'processed' };
    });
    const id = eventId();
    expect((await postWebhook(mortal.url, envelope('test.doomed', {}), { eventId: id })).status).toBe(200);
    const dead = await eventually(async () => {
      const r = await rowFor(mortal, id);
      return r?.status === WebhookEventStatus.DEAD ? r : null;
    }, 10_000, 'the event DEAD after two attempts');
    expect(dead).toMatchObject({ attempts: 2, lastError: 'downstream is down', processedAt: null });
    expect(calls).toBe(2);
    // A dead event's job is over (its last attempt recorded DEAD): nothing takes it again, not even a restart's requeue.
    await eventually(async () => (await jobsOf(mortal, dead.id)).every((j) => j.state === 'completed'), 5000, 'the last job to finish');
    await mortal.app.services.webhookProcessor.requeueUnsettled();
    expect((await jobsOf(mortal, dead.id)).map((j) => j.state)).toEqual(['completed']);
    expect(calls).toBe(2);

    broken = false;
    expect(await mortal.app.services.webhookProcessor.replay(id)).toBe(true);
    await eventually(async () => (await rowFor(mortal, id))?.status === WebhookEventStatus.PROCESSED, 10_000, 'the replayed event processed');
    expect(await rowFor(mortal, id)).toMatchObject({ status: WebhookEventStatus.PROCESSED, attempts: 1, lastError: null });
    expect(calls).toBe(3);
    expect(await mortal.app.services.webhookProcessor.replay('evt_doesNotExist00')).toBe(false);
  });

  it('a replayed payment event applies nothing twice', async () => {
    const { paymentId, orderId, amount } = await newOrder(quiet, 'replay-user');
    const { body, eventId: id } = paymentEvent('payment.captured', wirePayment(orderId, newId('pay'), 'captured', amount));
    expect((await postWebhook(quiet.url, body, { eventId: id })).status).toBe(200);
    await eventually(async () => (await rowFor(quiet, id))?.status === WebhookEventStatus.PROCESSED, 5000, 'processed');
    const replayed = await quiet.app.services.webhookProcessor.replayAndWait(id);
    expect(replayed).toMatchObject({ status: WebhookEventStatus.PROCESSED, attempts: 1 });
    expect(await paymentState(quiet, paymentId)).toMatchObject({
      status: PaymentStatus.CAPTURED,
      version: 2,
      events: [PaymentEventType.CREATED, PaymentEventType.STATUS_CHANGED],
    });
  });

  it('replay does not take an event away from the processor holding it', async () => {
    let calls = 0;
    let running = 0;
    let mostAtOnce = 0;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    handleEventType(quiet.app.services, 'test.held', async () => {
      calls += 1;
      running += 1;
      mostAtOnce = Math.max(mostAtOnce, running);
      await held; // until the test has tried to take the event away
      running -= 1;
      return { outcome: 'processed' };
    });
    const evtId = eventId();
    const { id } = await quiet.app.services.webhookInbox.store({
      gateway: 'razorpay',
      eventId: evtId,
      eventType: 'test.held',
      payload: JSON.parse(envelope('test.held', {})) as Record<string, unknown>,
    });
    const processor = quiet.app.services.webhookProcessor;
    await eventually(() => running === 1, 5000, 'the handler to be running');
    expect(await processor.replay(evtId)).toBe(false);
    release();
    await eventually(async () => (await rowFor(quiet, evtId))?.status === WebhookEventStatus.PROCESSED, 5000, 'processed');
    expect([calls, mostAtOnce]).toEqual([1, 1]);
    // Once it is done, an operator may replay it.
    expect(await processor.replayAndWait(evtId)).toMatchObject({ status: WebhookEventStatus.PROCESSED, attempts: 1 });
    expect([calls, mostAtOnce]).toEqual([2, 1]);
    await eventually(async () => (await jobsOf(quiet, id)).filter((j) => j.state === 'completed').length === 2, 5000, 'both jobs completed');
    expect((await jobsOf(quiet, id)).map((j) => j.state)).toEqual(['completed', 'completed']);
  });

  it('two workers never process the same event at once: its job, enqueued again from two instances while it runs, runs once at a time', async () => {
    // A second instance on the same database: its workers take from the same queue.
    const other = await startTestServer({ db: quiet.db, env: { WEBHOOK_RETRY_BASE_MS: '1000' } });
    try {
      let calls = 0;
      let running = 0;
      let mostAtOnce = 0;
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      for (const s of [quiet, other]) {
        handleEventType(s.app.services, 'test.slow', async () => {
          calls += 1;
          running += 1;
          mostAtOnce = Math.max(mostAtOnce, running);
          await held; // hold the event while the others try
          running -= 1;
          return { outcome: 'processed' };
        });
      }
      const { stored, id } = await quiet.app.services.webhookInbox.store({
        gateway: 'razorpay',
        eventId: eventId(),
        eventType: 'test.slow',
        payload: JSON.parse(envelope('test.slow', {})) as Record<string, unknown>,
      });
      expect(stored).toBe(true);
      await eventually(() => running === 1, 5000, 'one worker to run the event');
      // Both instances enqueue it again (a restart's requeue does this) while it runs.
      await Promise.all([quiet.app.services.webhookProcessor.requeueUnsettled(), other.app.services.webhookProcessor.requeueUnsettled(), quiet.app.services.webhookProcessor.requeueUnsettled()]);
      const queued = await jobsOf(quiet, id);
      expect(queued.filter((j) => j.state === 'active')).toHaveLength(1);
      expect(queued.filter((j) => j.state === 'created').length).toBeLessThanOrEqual(1);
      expect(running).toBe(1);
      release();
      await eventually(async () => (await jobsOf(quiet, id)).every((j) => j.state === 'completed'), 10_000, 'every job of the event done');
      expect([calls, mostAtOnce]).toEqual([1, 1]);
      const row = await quiet.db.orm.em.fork().findOneOrFail(WebhookEvent, { id });
      expect(row).toMatchObject({ status: WebhookEventStatus.PROCESSED, attempts: 1 });
    } finally {
      await other.close();
    }
  });
});
