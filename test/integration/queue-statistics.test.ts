/**
 * The job table's statistics follow a backlog as it builds (issue 11, thirteenth round): analysed
 * while nearly empty, then thousands of jobs added, a worker's fetch was planned for a handful of
 * waiting jobs and read, sorted and dropped every waiting one at each fetch. The runner analyses
 * the table once enough jobs were added: PostgreSQL's row count of it then holds the backlog, and
 * the fetch's plan reads the jobs it takes off its index.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobRunner } from '../../src/jobs/job-runner.js';
import { createLogger } from '../../src/logger.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { eventually } from '../helpers/server.js';

let db: TestDatabase;
let jobs: JobRunner;

beforeAll(async () => {
  db = await createTestDatabase();
  jobs = new JobRunner({ databaseUrl: db.url, leaseSeconds: 30, statistics: { minJobs: 500, minIntervalMs: 200, settleMs: 100 } }, createLogger('silent'));
  // No workers: the jobs stay waiting, as a backlog does before processing catches up.
  jobs.define('test.backlog', { maxAttempts: 1, retryDelaySeconds: 0, retryDelayMaxSeconds: 0, notify: false }, () => Promise.resolve());
  await jobs.open();
}, 60_000);

afterAll(async () => {
  await jobs?.stop();
  await db?.drop();
});

const sql = async <T>(text: string): Promise<T[]> => db.orm.em.fork().getConnection().execute(text);

describe('the job table statistics', () => {
  it('follow a backlog added after the table was analysed nearly empty', async () => {
    await sql(`analyze pgboss.job_common`);
    const tuples = async () => Number((await sql<{ n: number }>(`select reltuples::int as n from pg_class where oid = 'pgboss.job_common'::regclass`))[0]!.n);
    expect(await tuples()).toBeLessThan(100);
    for (let batch = 0; batch < 6; batch += 1) {
      await db.orm.em.fork().transactional((em) => jobs.enqueueMany(em, 'test.backlog', Array.from({ length: 500 }, (_, i) => ({ data: { n: i }, key: `b${batch}-${i}` }))));
    }
    await eventually(async () => (await tuples()) >= 3_000, 15_000, 'the job table analysed with the backlog in it');
    // The fetch of a stately queue as pg-boss sends it is planned off the fetch's index (job_i11), with no sort of every waiting job.
    const plan = (await sql<{ 'QUERY PLAN': string }>(`explain select j.id from pgboss.job_common j
      where j.name = 'test.backlog' and j.state < 'active' and not j.blocked and j.start_after <= now()
      order by j.priority desc, j.created_on limit 8 for update of j skip locked`)).map((row) => row['QUERY PLAN']).join('\n');
    expect(plan).toContain('job_common_i11');
    expect(plan).not.toContain('Sort');
  }, 60_000);
});
