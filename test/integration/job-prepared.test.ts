/**
 * pg-boss's repeated statements go to PostgreSQL as named (prepared) statements (issue 11, eighth
 * round): a queue's fetch is planned once per connection, not at every poll, and jobs still run
 * once each, failures are retried. Bounded: one-off texts and texts of several statements stay unnamed.
 */
import 'reflect-metadata';
import type pg from 'pg';
import { PgBoss } from 'pg-boss';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { JobRunner } from '../../src/jobs/job-runner.js';
import { MAX_NAMED_STATEMENTS, prepareRepeatedStatements } from '../../src/jobs/prepared-statements.js';
import { createLogger } from '../../src/logger.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { eventually } from '../helpers/server.js';

interface Prepared { name: string; statement: string; generic_plans: string; custom_plans: string; prepared_at: number }

let db: TestDatabase;
const stops: (() => Promise<void>)[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
}, 60_000);

afterAll(async () => {
  for (const stop of stops) await stop();
  await db?.drop();
});

/** The named statements of every connection of the library's pool (each holds its own). */
async function preparedOf(boss: PgBoss): Promise<Prepared[]> {
  const pool = (boss.getDb() as unknown as { pool: pg.Pool }).pool;
  const clients = await Promise.all(Array.from({ length: pool.totalCount }, () => pool.connect()));
  try {
    const rows = await Promise.all(clients.map(async (client) => (await client.query<Prepared>(
      `select name, statement, generic_plans::text, custom_plans::text, (extract(epoch from prepare_time) * 1000)::float8 as prepared_at from pg_prepared_statements where name like 'pgboss\\_%'`,
    )).rows));
    return rows.flat();
  } finally {
    for (const client of clients) client.release();
  }
}

it('a queue\'s fetch and completion are prepared, its fetch never planned again; jobs run once, a failure is retried', async () => {
  const runner = new JobRunner({ databaseUrl: db.url, leaseSeconds: 30 }, createLogger('silent'));
  stops.push(() => runner.stop());
  const queue = 'test.prepared';
  const runs = new Map<number, number>();
  runner.define<{ n: number }>(queue, { maxAttempts: 3, retryDelaySeconds: 0, retryDelayMaxSeconds: 0, concurrency: 2, batchSize: 2, notify: false }, async ({ n }, attempt) => {
    runs.set(n, (runs.get(n) ?? 0) + 1);
    if (n === 7 && attempt.attempt === 1) throw new Error('first attempt of 7 fails');
  });
  await runner.open();
  const total = 30;
  for (let n = 0; n < total; n += 1) await runner.enqueueNow(queue, { n }, `prepared-${n}`);
  await runner.startWorkers();
  await eventually(async () => {
    expect(runs.size).toBe(total);
    expect((await runner.jobsFor(queue, 'prepared-7'))[0]?.state).toBe('completed');
    return true;
  }, 20_000);
  for (let n = 0; n < total; n += 1) expect(runs.get(n)).toBe(n === 7 ? 2 : 1);

  const boss = (runner as unknown as { boss: PgBoss }).boss;
  const prepared = await preparedOf(boss);
  const fetches = prepared.filter((row) => row.statement.includes('SKIP LOCKED') && row.statement.includes(`'${queue}'`));
  expect(fetches.length).toBeGreaterThan(0);
  // No parameters: one plan, kept; the fetch ran many times on each connection, never planned anew.
  for (const fetch of fetches) {
    expect(Number(fetch.custom_plans)).toBe(0);
    expect(Number(fetch.generic_plans)).toBeGreaterThan(0);
  }
  expect(prepared.some((row) => row.statement.includes(`'completed'`) && row.statement.includes('json_to_recordset'))).toBe(true);
  expect(new Set(prepared.map((row) => row.name)).size).toBeLessThanOrEqual(MAX_NAMED_STATEMENTS);
}, 60_000);

it('names a text from its second run, never one of several statements, and at most a bounded number', async () => {
  const boss = new PgBoss({ connectionString: db.url, schema: 'pgboss', max: 1, supervise: false, schedule: false });
  prepareRepeatedStatements(boss.getDb());
  await boss.start();
  stops.push(() => boss.stop({ graceful: false, close: true }));
  const sql = boss.getDb();
  const before = (await preparedOf(boss)).length;

  await sql.executeSql('select $1::int as once', [1]);
  expect((await preparedOf(boss)).some((row) => row.statement.includes('as once'))).toBe(false);
  await sql.executeSql('select $1::int as once', [2]);
  expect((await preparedOf(boss)).some((row) => row.statement.includes('as once'))).toBe(true);

  const several = 'select 1 as a; select 2 as b';
  for (let run = 0; run < 3; run += 1) await sql.executeSql(several);
  expect((await preparedOf(boss)).some((row) => row.statement.includes('select 2 as b'))).toBe(false);

  for (let text = 0; text < MAX_NAMED_STATEMENTS + 10; text += 1) {
    for (let run = 0; run < 2; run += 1) {
      const { rows } = await sql.executeSql(`select $1::int + ${text} as n`, [run]);
      expect(rows[0]).toEqual({ n: run + text });
    }
  }
  const named = await preparedOf(boss);
  expect(named.length).toBeLessThanOrEqual(MAX_NAMED_STATEMENTS);
  expect(named.some((row) => row.statement === 'select $1::int + 0 as n')).toBe(before + 1 < MAX_NAMED_STATEMENTS);
  expect(named.some((row) => row.statement === `select $1::int + ${MAX_NAMED_STATEMENTS + 9} as n`)).toBe(false);
}, 60_000);

it('a schema change under a prepared statement is not seen by the caller: the statement is sent again, unnamed, and the next ones are named anew', async () => {
  const boss = new PgBoss({ connectionString: db.url, schema: 'pgboss', max: 1, supervise: false, schedule: false });
  prepareRepeatedStatements(boss.getDb());
  await boss.start();
  stops.push(() => boss.stop({ graceful: false, close: true }));
  const sql = boss.getDb();
  await sql.executeSql('create table pgboss.prep_probe (id int primary key, a int)');
  await sql.executeSql('insert into pgboss.prep_probe values (1, 1)');
  const text = 'select * from pgboss.prep_probe where id = $1';
  for (let run = 0; run < 2; run += 1) expect((await sql.executeSql(text, [1])).rows).toEqual([{ id: 1, a: 1 }]);
  const before = (await preparedOf(boss)).filter((row) => row.statement === text).map((row) => row.name);
  expect(before).toHaveLength(1);

  // Another instance migrates the table while this one is up (its one connection keeps the old plan).
  const other = new PgBoss({ connectionString: db.url, schema: 'pgboss', max: 1, supervise: false, schedule: false });
  await other.start();
  await other.getDb().executeSql('alter table pgboss.prep_probe add column b int');
  await other.stop({ graceful: false, close: true });

  for (let run = 0; run < 3; run += 1) expect((await sql.executeSql(text, [1])).rows).toEqual([{ id: 1, a: 1, b: null }]);
  // Prepared again under a new name (pg's pool dropped the connection that failed, and the old name with it).
  const after = (await preparedOf(boss)).filter((row) => row.statement === text).map((row) => row.name);
  expect(after).toHaveLength(1);
  expect(after[0]).not.toBe(before[0]);
  await sql.executeSql('drop table pgboss.prep_probe');
}, 60_000);

it("a prepared fetch is planned again on a new connection after the plan's lifetime: one prepared while the queue was empty does not outlive it", async () => {
  // A fetch prepared on an empty queue keeps a plan that scans every job of the queue once
  // thousands wait (the in-process webhook bench: pg-boss's PostgreSQL time an event tripled).
  const runner = new JobRunner({ databaseUrl: db.url, leaseSeconds: 30, planLifetimeSeconds: 1 }, createLogger('silent'));
  stops.push(() => runner.stop());
  const queue = 'test.prepared.lifetime';
  let done = 0;
  runner.define<{ n: number }>(queue, { maxAttempts: 1, retryDelaySeconds: 0, retryDelayMaxSeconds: 0, concurrency: 1, batchSize: 2, notify: false }, async () => { done += 1; });
  await runner.open();
  await runner.startWorkers();
  const boss = (runner as unknown as { boss: PgBoss }).boss;
  const fetchesOf = async () => (await preparedOf(boss)).filter((row) => row.statement.includes('SKIP LOCKED') && row.statement.includes(`'${queue}'`));
  // Prepared while the queue is empty (the worker polls it).
  const first = await eventually(async () => (await fetchesOf())[0], 10_000, 'the fetch prepared on the empty queue');
  for (let n = 0; n < 10; n += 1) await runner.enqueueNow(queue, { n }, `lifetime-${n}`);
  await eventually(() => done === 10, 20_000, 'the jobs run');
  // Every connection holding the fetch prepared it after the first one's lifetime ended.
  await eventually(async () => {
    const fetches = await fetchesOf();
    return fetches.length > 0 && fetches.every((row) => row.prepared_at > first.prepared_at + 1_000);
  }, 15_000, 'the fetch prepared again on a newer connection');
}, 60_000);
