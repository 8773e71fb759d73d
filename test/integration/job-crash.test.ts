import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { JobRunner } from '../../src/jobs/job-runner.js';
import { createLogger } from '../../src/logger.js';
import { DeliveryStatus, OutboxDelivery } from '../../src/outbox/outbox.entities.js';
import { OUTBOX_DELIVERY_JOB, OutboxService } from '../../src/outbox/outbox.service.js';
import { EVENT_ID_HEADER } from '../../src/outbox/outbox.signature.js';
import { buildService, startChildService, type ChildService } from '../helpers/child-service.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { WebhookEvent, WebhookEventStatus } from '../../src/webhooks/webhook-event.entity.js';
import { WebhookInbox } from '../../src/webhooks/webhook.inbox.js';
import { WEBHOOK_PROCESS_JOB } from '../../src/webhooks/webhook.processor.js';
import { postWebhook } from '../helpers/checkout.js';
import { eventually, startTestServer, type TestServer } from '../helpers/server.js';

/**
 * A real SIGKILL of a real service process (the build, as `npm start` runs it) in the middle of
 * an outbox delivery job, and a message committed while no instance runs: after a restart
 * each is delivered, and delivered once (the job runner retries the killed job after the lease).
 */
const SECRET = 'job-crash-outbox-secret-0123456789-abcdef';
const ENV = {
  OUTBOX_SECRET: SECRET,
  OUTBOX_RETRY_BASE_MS: '200',
  OUTBOX_TIMEOUT_MS: '2000',
  RAZORPAY_TIMEOUT_MS: '2000',
  PHONEPE_TIMEOUT_MS: '2000',
  WORKER_LEASE_SECONDS: '3',
  RECONCILE_ENABLED: 'false',
};

interface Request { eventId: string; answered: boolean }

/** A subscriber that never answers while `hang` is set (the delivery stays in flight), else accepts. */
function startReceiver() {
  const requests: Request[] = [];
  const state = { hang: true };
  const server = http.createServer((req, res) => {
    req.resume();
    const request = { eventId: String(req.headers[EVENT_ID_HEADER]), answered: false };
    requests.push(request);
    if (state.hang) return;
    request.answered = true;
    res.writeHead(200).end();
  });
  return new Promise<{ url: string; requests: Request[]; state: typeof state; close: () => Promise<void> }>((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
      requests,
      state,
      close: () => new Promise((done) => { server.closeAllConnections(); server.close(() => done()); }),
    }));
  });
}

describe('a crash between commit and delivery loses nothing (real SIGKILL)', () => {
  let db: TestDatabase;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let child: ChildService | null = null;
  let restarted: TestServer | null = null;
  let producer: JobRunner;
  let outbox: OutboxService;

  beforeAll(async () => {
    // The service as it runs in production: built once (incremental), started with node.
    buildService();
    db = await createTestDatabase();
    receiver = await startReceiver();
    const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: db.url, OUTBOX_SUBSCRIBER_URLS: receiver.url, ...ENV });
    // This process only writes messages (as a service's transaction would); it runs no workers.
    producer = new JobRunner({ databaseUrl: db.url, leaseSeconds: 3 }, createLogger('silent'));
    outbox = new OutboxService(db.orm, config.outbox, createLogger('silent'), producer);
  }, 300_000);

  afterAll(async () => {
    await child?.kill();
    await restarted?.close();
    await producer?.stop();
    await receiver?.close();
    await db?.drop();
  });

  let childUrl = '';
  async function startChild(): Promise<ChildService> {
    const started = await startChildService(db.url, { LOG_LEVEL: 'info', OUTBOX_SUBSCRIBER_URLS: receiver.url, ...ENV });
    childUrl = started.url;
    return started;
  }

  const deliveriesOf = (messageId: string) => db.orm.em.fork().find(OutboxDelivery, { message: messageId });

  it('a delivery in flight when its process is SIGKILLed, and one committed while nothing runs, are each delivered once after a restart', async () => {
    child = await startChild();
    const inFlight = await db.orm.em.fork().transactional((em) => outbox.enqueue(em, 'test.crash', 'subject-1', { n: 1 }));
    // The child's worker has it: the request reached the receiver, which holds it unanswered.
    await eventually(() => receiver.requests.some((r) => r.eventId === inFlight.id), 20_000, 'the child to start delivering');
    await child.kill();
    child = null;
    // Committed while no instance runs at all.
    const whileDown = await db.orm.em.fork().transactional((em) => outbox.enqueue(em, 'test.crash', 'subject-2', { n: 2 }));
    receiver.state.hang = false;

    restarted = await startTestServer({ db, env: { OUTBOX_SUBSCRIBER_URLS: receiver.url, ...ENV } });
    for (const message of [inFlight, whileDown]) {
      await eventually(async () => (await deliveriesOf(message.id))[0]?.status === DeliveryStatus.DELIVERED, 30_000, `message ${message.payload.n} delivered`);
    }
    // Every job is finished: nothing is left to send either message again.
    await eventually(async () => {
      const rows: { n: number }[] = await db.orm.em.fork().getConnection().execute(
        `select count(*)::int as n from pgboss.job where name = ? and state in ('created', 'retry', 'active')`, [OUTBOX_DELIVERY_JOB]);
      return rows[0]!.n === 0;
    }, 10_000, 'the delivery jobs to finish');
    const accepted = (id: string) => receiver.requests.filter((r) => r.eventId === id && r.answered).length;
    expect([accepted(inFlight.id), accepted(whileDown.id)]).toEqual([1, 1]);
    // The killed attempt and its retry; the other one once.
    expect(receiver.requests.filter((r) => r.eventId === inFlight.id)).toHaveLength(2);
    expect(receiver.requests.filter((r) => r.eventId === whileDown.id)).toHaveLength(1);
    expect((await deliveriesOf(inFlight.id))[0]).toMatchObject({ status: DeliveryStatus.DELIVERED, attempts: 2, lastStatusCode: 200 });
  }, 120_000);

  it('a webhook acknowledged by a process SIGKILLed right after, and one stored while nothing runs, are each processed once after a restart', async () => {
    await restarted?.close();
    restarted = null;
    // This process stores events as the route does (the row alone, its job left to a feeder); it runs no feeder and no workers.
    const inbox = new WebhookInbox(new pg.Pool({ connectionString: db.url, max: 1 }));
    const body = (n: number) => JSON.stringify({ entity: 'event', account_id: 'acc_TESTACCOUNT001', event: 'test.crash', contains: [], payload: {}, created_at: Math.floor(Date.now() / 1000) + n });
    try {
      child = await startChild();
      const acknowledged = `evt_crash_ack_${Date.now()}`;
      expect((await postWebhook(childUrl, body(1), { eventId: acknowledged })).status).toBe(200);
      await child.kill();
      child = null;
      const whileDown = `evt_crash_down_${Date.now()}`;
      expect((await inbox.store({ gateway: 'razorpay', eventId: whileDown, eventType: 'test.crash', payload: JSON.parse(body(2)) as Record<string, unknown> })).stored).toBe(true);

      restarted = await startTestServer({ db, env: { OUTBOX_SUBSCRIBER_URLS: receiver.url, ...ENV } });
      const row = (eventId: string) => db.orm.em.fork().findOneOrFail(WebhookEvent, { eventId });
      for (const eventId of [acknowledged, whileDown]) {
        await eventually(async () => (await row(eventId)).status === WebhookEventStatus.IGNORED, 30_000, `${eventId} processed`);
      }
      await eventually(async () => {
        const rows: { n: number }[] = await db.orm.em.fork().getConnection().execute(
          `select count(*)::int as n from pgboss.job where name = ? and state in ('created', 'retry', 'active')`, [WEBHOOK_PROCESS_JOB]);
        return rows[0]!.n === 0;
      }, 10_000, 'the webhook jobs to finish');
      // Once each: the one stored while down on its only attempt; the acknowledged one at most once more if the kill cut its attempt short.
      expect((await row(whileDown)).attempts).toBe(1);
      expect((await row(acknowledged)).attempts).toBeGreaterThanOrEqual(1);
      expect((await row(acknowledged)).attempts).toBeLessThanOrEqual(2);
      expect((await row(acknowledged)).processedAt).not.toBeNull();
    } finally {
      await inbox.close();
    }
  }, 120_000);
});
