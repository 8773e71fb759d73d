/**
 * The acknowledgement stores the event row and its place in the feeder's table (one statement);
 * the feeder gives stored events their processing jobs in batches, without writing the event rows. Each event gets exactly one job whichever instance's feeder
 * takes it, a duplicate or a QUARANTINED event none; and a queue fetching batches takes the next
 * batch at once while there is a backlog (a one-job fetch waits for the next poll every time).
 */
import 'reflect-metadata';
import { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ormConfig } from '../../src/db/mikro-orm.config.js';
import { JobRunner } from '../../src/jobs/job-runner.js';
import { createLogger } from '../../src/logger.js';
import { WebhookFeeder } from '../../src/webhooks/webhook.feeder.js';
import { WebhookInbox } from '../../src/webhooks/webhook.inbox.js';
import { WEBHOOK_PROCESS_JOB } from '../../src/webhooks/webhook.processor.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { eventually } from '../helpers/server.js';
import { statementsDuring } from '../helpers/statements.js';

let db: TestDatabase;
let secondOrm: MikroORM;
const runners: JobRunner[] = [];
const logger = createLogger('silent');

beforeAll(async () => {
  db = await createTestDatabase();
  // A second instance: its own ORM and pool on the same database.
  secondOrm = await MikroORM.init(ormConfig({ clientUrl: db.url, poolMax: 5 }));
}, 60_000);

afterAll(async () => {
  for (const runner of runners) await runner.stop();
  await secondOrm?.close();
  await db?.drop();
});

function runner(): JobRunner {
  const jobs = new JobRunner({ databaseUrl: db.url, leaseSeconds: 30 }, logger);
  runners.push(jobs);
  return jobs;
}

const body = (n: number) => ({ entity: 'event', account_id: 'acc_TESTACCOUNT001', event: 'test.fed', contains: [], payload: {}, created_at: n });

describe('the webhook feeder', () => {
  it('gives every stored event exactly one job, with two instances feeding at once; a duplicate or QUARANTINED event none', async () => {
    // Neither instance runs workers: the jobs stay queued where the test can count them.
    const [a, b] = [runner(), runner()];
    for (const jobs of [a, b]) jobs.define(WEBHOOK_PROCESS_JOB, { maxAttempts: 3, retryDelaySeconds: 0, retryDelayMaxSeconds: 0, notify: false }, () => Promise.resolve());
    const feeders = [new WebhookFeeder(db.orm, a, logger, { queue: WEBHOOK_PROCESS_JOB, batch: 7 }), new WebhookFeeder(secondOrm, b, logger, { queue: WEBHOOK_PROCESS_JOB, batch: 7 })];
    const pool = new pg.Pool({ connectionString: db.url, max: 4 });
    let woken = 0;
    const inbox = new WebhookInbox(pool, () => (woken += 1));
    try {
      const prefix = `evt_feed_${Date.now()}_`;
      const stored = await Promise.all(Array.from({ length: 120 }, (_, i) => inbox.store({ gateway: 'razorpay', eventId: `${prefix}${i}`, eventType: 'test.fed', payload: body(i) })));
      expect(stored.every((s) => s.stored)).toBe(true);
      // A repeat and a quarantined event: neither wakes the feeder nor gets a job.
      expect((await inbox.store({ gateway: 'razorpay', eventId: `${prefix}0`, eventType: 'test.fed', payload: body(0) })).stored).toBe(false);
      const quarantined = await inbox.store({ gateway: 'razorpay', eventId: `${prefix}q`, eventType: 'test.fed', payload: body(-1), quarantine: { raw: Buffer.from('x'), problems: ['test'] } });
      expect(woken).toBe(120);
      // The acknowledgement inserted no job: every row waits for a feeder, in the feeder's table.
      const waiting = () => db.orm.em.fork().getConnection().execute(
        `select count(*)::int as n from webhook_event e join webhook_event_unqueued u on u.webhook_event_id = e.id where e.event_id like ?`, [`${prefix}%`]);
      expect(await waiting()).toEqual([{ n: 120 }]);
      // The row versions the acknowledgements wrote (xmin: the inserting transaction).
      const versions = () => db.orm.em.fork().getConnection().execute(`select id, xmin::text as version, ctid::text as place from webhook_event where event_id like ? order by id`, [`${prefix}%`]);
      const storedVersions = await versions();

      // Both instances feed at once, in small batches, until neither finds anything.
      const feedAll = async (feeder: WebhookFeeder) => {
        for (let total = 0; ;) {
          const fed = await feeder.feedOnce();
          if (fed === 0) return total;
          total += fed;
        }
      };
      const fed = await Promise.all(feeders.map(feedAll));
      expect(fed[0]! + fed[1]!).toBe(120);

      const jobs: { key: string; n: number }[] = await db.orm.em.fork().getConnection().execute(
        `select singleton_key as key, count(*)::int as n from pgboss.job where name = ? and singleton_key in (?) group by singleton_key`,
        [WEBHOOK_PROCESS_JOB, stored.map((s) => s.id).concat(quarantined.id)],
      );
      expect(jobs).toHaveLength(120);
      expect(jobs.every((job) => job.n === 1)).toBe(true);
      expect(jobs.some((job) => job.key === quarantined.id)).toBe(false);
      expect(await waiting()).toEqual([{ n: 0 }]);
      const left = await db.orm.em.fork().getConnection().execute(`select count(*)::int as n from webhook_event_unqueued`);
      expect(left).toEqual([{ n: 0 }]);
      // Feeding wrote nothing to the event rows: the same versions, in the same places (issue 11:
      // a flag set on each row wrote a whole new version of it, payload and index entries included).
      expect(await versions()).toEqual(storedVersions);
    } finally {
      await pool.end();
    }
  }, 60_000);

  it('a started feeder feeds what was stored before it started, and what a wake-up announces', async () => {
    const jobs = runner();
    jobs.define(WEBHOOK_PROCESS_JOB, { maxAttempts: 3, retryDelaySeconds: 0, retryDelayMaxSeconds: 0, notify: false }, () => Promise.resolve());
    // Polling rarely: only the first pass and the wake-up can feed within the test.
    const feeder = new WebhookFeeder(db.orm, jobs, logger, { queue: WEBHOOK_PROCESS_JOB, pollMs: 600_000 });
    const pool = new pg.Pool({ connectionString: db.url, max: 2 });
    const inbox = new WebhookInbox(pool, () => feeder.wake());
    const queued = async (id: string) => (await db.orm.em.fork().getConnection().execute(`select count(*)::int as n from webhook_event_unqueued where webhook_event_id = ?`, [id]))[0]?.n === 0;
    try {
      const before = await inbox.store({ gateway: 'razorpay', eventId: `evt_before_${Date.now()}`, eventType: 'test.fed', payload: body(1) });
      expect(await queued(before.id)).toBe(false);
      feeder.start();
      await eventually(() => queued(before.id), 10_000, 'the event stored before the start fed');
      const after = await inbox.store({ gateway: 'razorpay', eventId: `evt_after_${Date.now()}`, eventType: 'test.fed', payload: body(2) });
      await eventually(() => queued(after.id), 10_000, 'the event announced by a wake-up fed');
      expect((await jobs.jobsFor(WEBHOOK_PROCESS_JOB, after.id)).map((job) => job.state)).toEqual(['created']);
    } finally {
      await feeder.stop();
      await pool.end();
    }
  }, 60_000);
});

describe('a queue fetching batches', () => {
  it('fetches the next batch as soon as one is done while the backlog lasts, not at the next poll', async () => {
    const jobs = runner();
    const batches: { started: number; ended: number }[] = [];
    let current: { started: number; ended: number } | null = null;
    let running = 0;
    let release!: () => void;
    const enqueued = new Promise<void>((resolve) => (release = resolve));
    jobs.define<{ n: number }>('test.burst', { maxAttempts: 1, retryDelaySeconds: 0, retryDelayMaxSeconds: 0, notify: false, concurrency: 1, batchSize: 4 }, async () => {
      await enqueued;
      // The jobs of one fetch start together (one worker): a new batch begins when none is running.
      if (running === 0) batches.push((current = { started: Date.now(), ended: 0 }));
      running += 1;
      await new Promise((resolve) => setTimeout(resolve, 20));
      running -= 1;
      if (running === 0) current!.ended = Date.now();
    });
    await jobs.open();
    // Keyed: the queues are `stately` (one waiting job per key).
    for (let i = 0; i < 24; i += 1) await jobs.enqueueNow('test.burst', { n: i }, `burst-${i}`);
    await jobs.startWorkers();
    release();
    await eventually(() => batches.length === 6 && batches[5]!.ended > 0, 30_000, 'all 24 jobs run');
    // A fetch of one job waits for the next poll (half a second) every time; a full batch fetches again at once.
    const gaps = batches.slice(1).map((batch, i) => batch.started - batches[i]!.ended);
    expect(gaps.every((gap) => gap < 450)).toBe(true);
  }, 60_000);
  it('an idle poll is one statement and opens no transaction', async () => {
    const jobs = runner();
    jobs.define(WEBHOOK_PROCESS_JOB, { maxAttempts: 3, retryDelaySeconds: 0, retryDelayMaxSeconds: 0, notify: false }, () => Promise.resolve());
    const feeder = new WebhookFeeder(db.orm, jobs, logger, { queue: WEBHOOK_PROCESS_JOB });
    // Whatever earlier tests left unqueued is fed first.
    while ((await feeder.feedOnce()) > 0);
    const statements = await statementsDuring(db.orm, async () => expect(await feeder.feedOnce()).toBe(0));
    // Polled every second by every instance: a BEGIN/COMMIT each time was load on an idle database
    // (and two statements inside any request a poll happened to span).
    expect(statements).toEqual(['select 1 from "webhook_event_unqueued" limit 1']);
  });
});
