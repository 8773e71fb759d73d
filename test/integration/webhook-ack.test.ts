/**
 * Acknowledging a webhook never waits on processing: the route stores through a pool of its own,
 * so processing that holds every connection of the service's (MikroORM's) pool — long
 * transactions, a slow handler — does not hold up the next delivery's 200.
 */
import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/sandbox/razorpay/sandbox.ids.js';
import { WebhookEvent, WebhookEventStatus } from '../../src/webhooks/webhook-event.entity.js';
import { WEBHOOK_PROCESS_JOB } from '../../src/webhooks/webhook.processor.js';
import { postWebhook } from '../helpers/checkout.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { eventually, startTestServer, type TestServer } from '../helpers/server.js';
import { handleEventType } from '../helpers/webhooks.js';

let db: TestDatabase;
let server: TestServer;

beforeAll(async () => {
  // Two connections for everything but the inbox: two held transactions exhaust them.
  db = await createTestDatabase({ poolMax: 2 });
  server = await startTestServer({ db, env: { WEBHOOK_CONCURRENCY: '4' } });
}, 60_000);

afterAll(async () => {
  await server?.close();
  await db?.drop();
});

const envelope = (event: string) => JSON.stringify({
  entity: 'event', account_id: 'acc_TESTACCOUNT001', event, contains: [], payload: {}, created_at: Math.floor(Date.now() / 1000),
});
const statusOf = async (eventId: string) => (await db.orm.em.fork().findOne(WebhookEvent, { eventId }))?.status;

describe('the webhook acknowledgement', () => {
  it('is stored and answered 200 while processing holds every connection of the service pool', async () => {
    let holding = 0;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    // Each run holds a transaction (one of the pool's two connections) until the test releases it.
    handleEventType(server.app.services, 'test.hold', async () => {
      await db.orm.em.fork().transactional(async () => {
        holding += 1;
        await held;
      });
      return { outcome: 'processed' };
    });
    // One after the other: a held event must not keep the next one from starting either.
    const holders = [newId('evt'), newId('evt')];
    for (const [i, eventId] of holders.entries()) {
      expect((await postWebhook(server.url, envelope('test.hold'), { eventId })).status).toBe(200);
      await eventually(() => holding === i + 1, 10_000, `handler ${i + 1} to hold a connection`);
    }

    // The service pool is exhausted now: a delivery is still stored with its job and acknowledged.
    const later = newId('evt');
    const answer = await postWebhook(server.url, envelope('test.later'), { eventId: later });
    const duplicate = await postWebhook(server.url, envelope('test.later'), { eventId: later });
    expect(holding).toBe(2);
    expect([answer.status, JSON.parse(answer.body)]).toEqual([200, { status: 'stored' }]);
    expect([duplicate.status, JSON.parse(duplicate.body)]).toEqual([200, { status: 'duplicate' }]);

    release();
    for (const eventId of holders) await eventually(async () => (await statusOf(eventId)) === WebhookEventStatus.PROCESSED, 10_000, `${eventId} processed`);
    // No handler for test.later: its job ran once the pool was free, and it is IGNORED (processed, nothing to do).
    await eventually(async () => (await statusOf(later)) === WebhookEventStatus.IGNORED, 10_000, 'the later event processed');
  }, 120_000);

  it('enqueues without NOTIFY: a NOTIFY makes each commit take a database-wide lock, which would queue the acknowledgements behind each other', async () => {
    const rows: { notify: boolean }[] = await db.orm.em.fork().getConnection().execute(`select notify from pgboss.queue where name = ?`, [WEBHOOK_PROCESS_JOB]);
    expect(rows).toEqual([{ notify: false }]);
  });
});
