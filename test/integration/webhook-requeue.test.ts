/**
 * Startup's requeue (`WebhookProcessor.requeueUnsettled`) with a backlog: the events whose job is
 * waiting are found by one listing of the queue, not asked about one by one (issue 11: a restart
 * with 11,250 waiting events spent ~35 s of PostgreSQL's CPU on one job-table scan per event),
 * and an event whose job is missing still gets exactly one.
 */
import 'reflect-metadata';
import type { PgBoss } from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/sandbox/razorpay/sandbox.ids.js';
import { WebhookEvent, WebhookEventStatus } from '../../src/webhooks/webhook-event.entity.js';
import { WEBHOOK_PROCESS_JOB } from '../../src/webhooks/webhook.processor.js';
import { paymentEvent, postWebhook, wirePayment } from '../helpers/checkout.js';
import { eventually, startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;

beforeAll(async () => {
  // Stores and queues the events, runs none of them: the backlog a restart finds.
  server = await startTestServer({ env: { WEBHOOK_PROCESSING: 'false' } });
});

afterAll(async () => {
  await server?.close();
});

describe('requeue of a backlog at startup', () => {
  it('leaves events whose job waits without asking per event, and gives a missing job exactly once', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 12; i += 1) {
      const { body, eventId } = paymentEvent('payment.captured', wirePayment(newId('order'), newId('pay'), 'captured', 500));
      expect((await postWebhook(server.url, body, { eventId })).status).toBe(200);
      ids.push(eventId);
    }
    const rows = async () => server.db.orm.em.fork().find(WebhookEvent, { eventId: { $in: ids } });
    const waiting = async () => (await server.db.orm.em.fork().getConnection().execute(
      `select count(*)::int as n from webhook_event_unqueued u join webhook_event e on e.id = u.webhook_event_id where e.event_id in (?)`, [ids]))[0].n as number;
    await eventually(async () => (await waiting()) === 0, 10_000, 'every event given its job by the feeder');
    const stored = await rows();
    expect(stored.every((row) => row.status === WebhookEventStatus.PENDING)).toBe(true);

    const jobs = server.app.services.jobs;
    const asked: string[] = [];
    const original = jobs.enqueueUnlessPending.bind(jobs);
    jobs.enqueueUnlessPending = async (name, data, key) => {
      asked.push(key);
      return original(name, data, key);
    };
    try {
      // Every job waits: nothing added, and no event asked about on its own.
      expect(await server.app.services.webhookProcessor.requeueUnsettled()).toBe(0);
      expect(asked).toEqual([]);

      // One event's job gone (as if never added): that one, and only it, is asked about and given one.
      const lost = stored[3]!;
      await server.db.orm.em.fork().getConnection().execute(`delete from pgboss.job where name = ? and singleton_key = ?`, [WEBHOOK_PROCESS_JOB, lost.id]);
      expect(await server.app.services.webhookProcessor.requeueUnsettled()).toBe(1);
      expect(asked).toEqual([lost.id]);
      for (const row of stored) {
        const queued = (await jobs.jobsFor(WEBHOOK_PROCESS_JOB, row.id)).filter((job) => job.state === 'created');
        expect(queued, `event ${row.eventId}`).toHaveLength(1);
      }
    } finally {
      jobs.enqueueUnlessPending = original;
    }
  });

  it('lists the waiting keys in pages, and stops early without failing when a page\'s anchor job was deleted meanwhile', async () => {
    const jobs = server.app.services.jobs;
    const all = await jobs.queuedKeys(WEBHOOK_PROCESS_JOB);
    expect(all.size).toBe(12);
    // Pages of 5: 5, 5, 2, each after the last job of the one before.
    expect(await jobs.queuedKeys(WEBHOOK_PROCESS_JOB, 5)).toEqual(all);

    // An operator's replay deletes a waiting job between two pages: the library refuses the next page.
    const boss = (jobs as unknown as { boss: PgBoss }).boss;
    const findJobs = boss.findJobs.bind(boss);
    let deleted: string | null = null;
    boss.findJobs = (async (name: string, options: { after?: string }) => {
      if (options.after && !deleted) {
        deleted = options.after;
        await boss.deleteJob(name, options.after);
      }
      return findJobs(name, options as never);
    }) as typeof boss.findJobs;
    try {
      const partial = await jobs.queuedKeys(WEBHOOK_PROCESS_JOB, 5);
      expect(deleted).not.toBeNull();
      expect(partial.size).toBe(5);
      for (const key of partial) expect(all.has(key)).toBe(true);
    } finally {
      boss.findJobs = findJobs;
    }
  });
});
