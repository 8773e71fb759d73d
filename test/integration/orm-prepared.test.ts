/**
 * The ORM's pool (MikroORM → knex → pg) sends its repeated statements as named (prepared)
 * statements (issue 11, ninth round): parsed and planned once per connection. Never named: a text
 * run once, transaction control, SET, several statements in one text. A migration under a prepared
 * `select *` is not seen outside a transaction and fails one statement at most inside one; a connection and its plans live a
 * bounded time.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { lockFirstRead } from '../../src/db/lock-first-read.js';
import { ormConfig } from '../../src/db/mikro-orm.config.js';
import { WebhookEvent } from '../../src/webhooks/webhook-event.entity.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { eventually } from '../helpers/server.js';

interface Prepared { name: string; statement: string; prepared_at: number; pid: number }

let db: TestDatabase;
const closes: (() => Promise<unknown>)[] = [];
beforeAll(async () => {
  db = await createTestDatabase({ poolMax: 1 });
}, 60_000);
afterAll(async () => {
  for (const close of closes) await close();
  await db?.drop();
});

/** The named statements of the ORM connection this runs on (a pool of one: the only one). */
async function preparedOn(orm: MikroORM): Promise<Prepared[]> {
  const { rows } = await orm.em.getKnex().raw<{ rows: Prepared[] }>(
    `select name, statement, (extract(epoch from prepare_time) * 1000)::float8 as prepared_at, pg_backend_pid() as pid from pg_prepared_statements where name like 'orm\\_%'`);
  return rows;
}
const has = (rows: Prepared[], part: string) => rows.some((row) => row.statement.includes(part));

it('names a text from its second run: a raw statement and the payment lock; never BEGIN/COMMIT, SET or several statements', async () => {
  const knex = db.orm.em.getKnex();
  await knex.raw('select ?::int as once_or_twice', [1]);
  expect(has(await preparedOn(db.orm), 'as once_or_twice')).toBe(false);
  const { rows } = await knex.raw<{ rows: unknown[] }>('select ?::int as once_or_twice', [2]);
  expect(rows).toEqual([{ once_or_twice: 2 }]);
  expect(has(await preparedOn(db.orm), 'as once_or_twice')).toBe(true);

  // The lock's statement binds its value: one text for every payment, prepared.
  for (const order of ['order_prep_1', 'order_prep_2', 'order_prep_3']) {
    await db.orm.em.fork().transactional(async (em) => {
      expect((await lockFirstRead(em, WebhookEvent, 'id', randomUUID()))).toBeNull();
      const transaction = em.getTransactionContext()!;
      await em.getKnex().raw('set local statement_timeout = 5000').transacting(transaction);
      await em.getKnex().raw('select 1 as a; select 2 as b').transacting(transaction);
      return order;
    });
  }
  const prepared = await preparedOn(db.orm);
  expect(prepared.some((row) => row.statement.startsWith('select "p0".* from "webhook_event" as "p0" where "p0"."id" = $1'))).toBe(true);
  for (const row of prepared) expect(row.statement).not.toMatch(/^\s*(begin|commit|rollback|savepoint|release|set)\b|select 2 as b/i);
});

it('a migration under a prepared `select *` (cached plan must not change result type): outside a transaction the statement is sent again unseen, inside one it fails once; the next ones see the new column', async () => {
  const orm = await MikroORM.init(ormConfig({ clientUrl: db.url, poolMax: 2 }));
  closes.push(() => orm.close());
  const knex = orm.em.getKnex();
  await knex.raw('create table prep_probe (id int primary key, a int)');
  await knex.raw('insert into prep_probe values (1, 1)');
  const text = 'select * from prep_probe where id = ?';
  /** Both connections of the pool prepare the text (two transactions open at once), each reading `row`. */
  const prepareOnBoth = async (row: object) => {
    await knex.raw(text, [1]);
    const [first, second] = [await knex.transaction(), await knex.transaction()];
    for (const trx of [first, second]) expect((await trx.raw<{ rows: unknown[] }>(text, [1])).rows).toEqual([row]);
    await first.commit();
    await second.commit();
  };
  /** Another process migrates while this one is up. */
  const migrate = async (sql: string) => {
    const migration = new pg.Client({ connectionString: db.url });
    await migration.connect();
    await migration.query(sql);
    await migration.end();
  };

  await prepareOnBoth({ id: 1, a: 1 });
  await migrate('alter table prep_probe add column b int');
  // Outside a transaction: refused before it ran, sent again unnamed; the caller sees the answer.
  for (let run = 0; run < 4; run += 1) expect((await knex.raw<{ rows: unknown[] }>(text, [1])).rows).toEqual([{ id: 1, a: 1, b: null }]);

  await prepareOnBoth({ id: 1, a: 1, b: null });
  await migrate('alter table prep_probe add column c int');
  // Inside a transaction the refusal aborted it: that statement fails (0A000), once at most.
  const failures: unknown[] = [];
  const answers: unknown[] = [];
  for (let run = 0; run < 6; run += 1) {
    const read = run % 2 ? knex.raw<{ rows: unknown[] }>(text, [1]) : knex.transaction((trx) => trx.raw<{ rows: unknown[] }>(text, [1]));
    await read.then((result) => answers.push(result.rows[0]), (error: unknown) => failures.push(error));
  }
  expect(failures.length).toBe(1);
  expect((failures[0] as { code?: string }).code).toBe('0A000');
  expect(answers).toEqual(Array.from({ length: 5 }, () => ({ id: 1, a: 1, b: null, c: null })));
}, 30_000);

it("a connection, and the plans it prepared, is replaced after the pool's lifetime", async () => {
  const orm = await MikroORM.init(ormConfig({ clientUrl: db.url, poolMax: 1, preparedStatements: { lifetimeSeconds: 1 } }));
  closes.push(() => orm.close());
  const knex = orm.em.getKnex();
  const text = 'select count(*)::int as n from "webhook_event" where "status" = ?';
  for (let run = 0; run < 2; run += 1) await knex.raw(text, ['PENDING']);
  const [before] = (await preparedOn(orm)).filter((row) => row.statement.includes('count(*)'));
  expect(before).toBeDefined();
  await eventually(async () => {
    await knex.raw(text, ['PENDING']);
    const [now] = (await preparedOn(orm)).filter((row) => row.statement.includes('count(*)'));
    return now && now.pid !== before!.pid && now.prepared_at > before!.prepared_at;
  }, 10_000, 'the statement prepared again on a new connection');
}, 30_000);
