import type { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DomainError } from '../../src/common/errors.js';
import { ALREADY_MADE, performOnce, type IdempotentMutation } from '../../src/common/idempotency.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

/**
 * The shared idempotent-replay mechanism on its own, on real PostgreSQL: a table of its own with
 * the (caller, key) unique constraint every money table has, and a "gateway" call in the middle
 * (record the intent, commit, call out, record the answer) whose timing the test controls.
 */
interface Row { id: number; caller: string; key: string | null; request: string; answer: string | null }

let db: TestDatabase;
let orm: MikroORM;

beforeAll(async () => {
  db = await createTestDatabase({ poolMax: 30 });
  orm = db.orm;
  await orm.em.fork().execute(`create table idempotency_probe (
    id serial primary key, caller text not null, key text, request text not null, answer text,
    constraint idempotency_probe_caller_key_unique unique (caller, key),
    constraint idempotency_probe_request_check unique (request, answer))`);
});
afterAll(async () => db?.drop());

/** A probe mutation: `gateway` is awaited between the committed intent and its answer. */
function probe(caller: string, key: string | null, request: string, options: {
  gateway?: () => Promise<void>;
  calls?: { performed: number; found: number };
  waitMs?: number;
} = {}) {
  const calls = options.calls ?? { performed: 0, found: 0 };
  const em = () => orm.em.fork();
  const mutation: IdempotentMutation<Row, string> = {
    key,
    constraint: 'idempotency_probe_caller_key_unique',
    find: async () => {
      calls.found += 1;
      const rows = await em().execute<Row[]>('select * from idempotency_probe where caller = ? and key = ?', [caller, key]);
      return rows[0] ?? null;
    },
    mismatch: (row) => (row.request === request ? null : `idempotencyKey ${key} was already used for ${row.request}: use a new key`),
    replay: async (row, expired) => {
      if (row.answer !== null) return { kind: 'answer', answer: row.answer };
      if (expired) throw new DomainError('CONFLICT', `idempotencyKey ${key} is still being answered: retry shortly`);
      return { kind: 'pending' };
    },
    perform: async () => {
      calls.performed += 1;
      const [row] = await em().execute<Row[]>('insert into idempotency_probe (caller, key, request) values (?, ?, ?) returning *', [caller, key, request]);
      try {
        await options.gateway?.();
      } catch (error) {
        // Like a failed gateway order: the intent is undone and the key free again.
        await em().execute('delete from idempotency_probe where id = ?', [row!.id]);
        throw error;
      }
      const answer = `answer-${row!.id}`;
      await em().execute('update idempotency_probe set answer = ? where id = ?', [answer, row!.id]);
      return answer;
    },
  };
  return { run: () => performOnce(mutation, options.waitMs), calls };
}

/** A gateway call that answers when the test says so. */
function gate() {
  let open!: () => void;
  let fail!: (error: Error) => void;
  const opened = new Promise<void>((resolve, reject) => { open = resolve; fail = reject; });
  return { call: () => opened, open: () => open(), fail: (error: Error) => fail(error) };
}

async function rows(caller: string): Promise<Row[]> {
  return orm.em.fork().execute<Row[]>('select * from idempotency_probe where caller = ? order by id', [caller]);
}

let caller = '';
let n = 0;
beforeEach(() => {
  n += 1;
  caller = `caller-${n}`;
});

describe('performOnce', () => {
  it('without a key performs every time', async () => {
    const first = await probe(caller, null, 'pay 500').run();
    const second = await probe(caller, null, 'pay 500').run();
    expect(first).not.toBe(second);
    expect(await rows(caller)).toHaveLength(2);
  });

  it('the same key and request replays the stored answer without performing again', async () => {
    const first = await probe(caller, 'key-00001', 'pay 500').run();
    const again = probe(caller, 'key-00001', 'pay 500');
    expect(await again.run()).toBe(first);
    expect(again.calls.performed).toBe(0);
    expect(await rows(caller)).toHaveLength(1);
  });

  it('the same key for a different request is a CONFLICT naming the key, and changes nothing', async () => {
    await probe(caller, 'key-00002', 'pay 500').run();
    const refused = await probe(caller, 'key-00002', 'pay 900').run().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DomainError);
    expect((refused as DomainError).code).toBe('CONFLICT');
    expect((refused as DomainError).message).toBe('idempotencyKey key-00002 was already used for pay 500: use a new key');
    expect((await rows(caller)).map((r) => r.request)).toEqual(['pay 500']);
  });

  it('another caller\'s key is another key', async () => {
    const mine = await probe(caller, 'key-00003', 'pay 500').run();
    const theirs = await probe(`${caller}-other`, 'key-00003', 'pay 900').run();
    expect(theirs).not.toBe(mine);
  });

  it('concurrent requests with one key: one performs, every other gets its answer', async () => {
    const gateway = gate();
    const calls = { performed: 0, found: 0 };
    const requests = Array.from({ length: 12 }, () => probe(caller, 'key-00004', 'pay 500', { gateway: gateway.call, calls }).run());
    // Hold the gateway until the intent is committed and the others are waiting on it.
    await vi.waitFor(async () => {
      expect(await rows(caller)).toHaveLength(1);
      expect(calls.found).toBeGreaterThanOrEqual(24);
    }, { timeout: 10_000, interval: 20 });
    gateway.open();
    const answers = await Promise.all(requests);
    expect(new Set(answers).size).toBe(1);
    const stored = await rows(caller);
    expect(stored).toHaveLength(1);
    expect(answers[0]).toBe(stored[0]!.answer);
  });

  it('a waiting request whose winner was undone starts afresh, and the key is used once', async () => {
    const failing = gate();
    const first = probe(caller, 'key-00005', 'pay 500', { gateway: failing.call }).run().catch((error: unknown) => error);
    await vi.waitFor(async () => expect(await rows(caller)).toHaveLength(1), { timeout: 10_000, interval: 20 });
    const waiting = probe(caller, 'key-00005', 'pay 500');
    const second = waiting.run();
    await vi.waitFor(() => expect(waiting.calls.found).toBeGreaterThanOrEqual(2), { timeout: 10_000, interval: 20 });
    failing.fail(new Error('gateway refused'));
    expect(await first).toEqual(new Error('gateway refused'));
    const answer = await second;
    expect(waiting.calls.performed).toBe(1);
    expect((await rows(caller)).map((r) => r.answer)).toEqual([answer]);
  });

  it('a request still waiting when its time is up gets the replay\'s own refusal', async () => {
    const gateway = gate();
    const first = probe(caller, 'key-00006', 'pay 500', { gateway: gateway.call }).run();
    await vi.waitFor(async () => expect(await rows(caller)).toHaveLength(1), { timeout: 10_000, interval: 20 });
    const refused = await probe(caller, 'key-00006', 'pay 500', { waitMs: 200 }).run().catch((error: unknown) => error);
    expect((refused as DomainError).message).toBe('idempotencyKey key-00006 is still being answered: retry shortly');
    gateway.open();
    expect(await first).toMatch(/^answer-/);
  });

  it('ALREADY_MADE from perform (the same request found under a lock) is answered by the replay', async () => {
    const stored = await probe(caller, 'key-00007', 'pay 500').run();
    let performed = 0;
    let finds = 0;
    const answer = await performOnce<Row, string>({
      key: 'key-00007',
      constraint: 'idempotency_probe_caller_key_unique',
      // The first look misses (as a request racing past the check would), the lock then finds the row.
      find: async () => (finds++ === 0 ? null : (await rows(caller))[0] ?? null),
      mismatch: () => null,
      replay: async (row) => ({ kind: 'answer', answer: row.answer! }),
      perform: async () => {
        performed += 1;
        return ALREADY_MADE;
      },
    });
    expect(answer).toBe(stored);
    expect(performed).toBe(1);
  });

  it('a unique violation of another constraint is a real error, not a lost race', async () => {
    await orm.em.fork().execute('insert into idempotency_probe (caller, key, request, answer) values (?, ?, ?, ?)', [caller, 'key-x', 'dup', 'a']);
    const error = await performOnce<Row, string>({
      key: 'key-00008',
      constraint: 'idempotency_probe_caller_key_unique',
      find: async () => null,
      mismatch: () => null,
      replay: async () => ({ kind: 'pending' }),
      perform: async () => {
        await orm.em.fork().execute('insert into idempotency_probe (caller, key, request, answer) values (?, ?, ?, ?)', [`${caller}-2`, 'key-y', 'dup', 'a']);
        return 'never';
      },
    }).catch((e: unknown) => e);
    expect(String(error)).toMatch(/idempotency_probe_request_check/);
  });
});
