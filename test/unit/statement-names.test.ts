import { expect, it } from 'vitest';
import { StatementNames } from '../../src/db/statement-names.js';

it('names a planned statement from its second run, the same name after; never transaction control, SET, DDL or several statements', () => {
  const names = new StatementNames({ prefix: 'orm' });
  expect(names.nameFor('select * from t where id = $1', [1])).toBeUndefined();
  const name = names.nameFor('select * from t where id = $1', [2]);
  expect(name).toMatch(/^orm_[0-9a-f]{20}$/);
  expect(names.nameFor('select * from t where id = $1', [3])).toBe(name);
  for (const text of ['BEGIN;', 'COMMIT;', 'ROLLBACK', 'savepoint trx2', 'release savepoint trx2', 'set local statement_timeout = 5000',
    'alter table t add column b int', 'select 1 as a; select 2 as b']) {
    for (let run = 0; run < 3; run += 1) expect(names.nameFor(text, [])).toBeUndefined();
  }
  // Without parameters one statement (a trailing `;` allowed) is named too.
  names.nameFor('with x as (select 1) select * from x;', []);
  expect(names.nameFor('with x as (select 1) select * from x;', [])).toMatch(/^orm_/);
});

it('at most maxNamed names; the count of texts starts over when full, so a text repeated later is still named', () => {
  const names = new StatementNames({ prefix: 'orm', maxNamed: 3, maxCounted: 4 });
  for (let text = 0; text < 10; text += 1) names.nameFor(`select ${text} where $1`, [1]);
  // The count started over (4 at most): a text seen before that is counted afresh.
  expect(names.nameFor('select 0 where $1', [1])).toBeUndefined();
  expect(names.nameFor('select 0 where $1', [1])).toMatch(/^orm_/);
  expect(names.nameFor('select 8 where $1', [1])).toMatch(/^orm_/);
  expect(names.nameFor('select 9 where $1', [1])).toMatch(/^orm_/);
  names.nameFor('select 7 where $1', [1]);
  expect(names.nameFor('select 7 where $1', [1])).toBeUndefined(); // a fourth name: past the bound
});

it('after a schema change under a prepared statement every text gets a new name, from its next runs', () => {
  const names = new StatementNames({ prefix: 'orm' });
  const text = 'select * from t where id = $1';
  names.nameFor(text, [1]);
  const before = names.nameFor(text, [1]);
  const changed = Object.assign(new Error('cached plan must not change result type'), { code: '0A000', routine: 'RevalidateCachedQuery' });
  expect(StatementNames.planOutdated(changed)).toBe(true);
  expect(StatementNames.planOutdated(Object.assign(new Error('FOR UPDATE is not allowed with aggregate functions'), { code: '0A000' }))).toBe(false);
  names.forget();
  expect(names.nameFor(text, [1])).toBeUndefined();
  const after = names.nameFor(text, [1]);
  expect(after).toMatch(/^orm_/);
  expect(after).not.toBe(before);
});
