import { GraphQLID, GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, GraphQLString, parse, type ExecutionResult } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createSharedSubscribe, HIGH_WATER_BYTES, shareKey, type DirectSink } from '../../src/graphql/shared-subscribe.js';
import { parseTimestamp } from '../../src/db/timestamps.js';
import { AsyncQueue } from '../../src/common/bus.js';

const Item = new GraphQLObjectType({
  name: 'Item',
  fields: {
    id: { type: new GraphQLNonNull(GraphQLID) },
    status: { type: GraphQLString },
    // Reads the context: its answer depends on who asks, so it must never be shared.
    viewer: { type: GraphQLString, resolve: (_root, _args, context: { user: string }) => context.user },
    tags: { type: new GraphQLList(GraphQLString) },
  },
});

function schemaWith(events: object[]) {
  return new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLString } } }),
    subscription: new GraphQLObjectType({
      name: 'Subscription',
      fields: {
        follow: {
          type: Item,
          args: { id: { type: GraphQLID } },
          subscribe: async function* () {
            for (const event of events) yield event;
          },
          resolve: (event: unknown) => event,
        },
      },
    }),
  });
}

const PLAIN = 'subscription($id: ID) { follow(id: $id) { id status tags } }';
const WITH_RESOLVER = 'subscription($id: ID) { follow(id: $id) { id viewer } }';

describe('shareKey', () => {
  const schema = schemaWith([]);
  it('keys plain-field operations by query, variables and operation name', () => {
    const a = shareKey(schema, parse(PLAIN), PLAIN, { id: '1' }, undefined);
    expect(a).not.toBeNull();
    expect(shareKey(schema, parse(PLAIN), PLAIN, { id: '1' }, undefined)).toBe(a);
    expect(shareKey(schema, parse(PLAIN), PLAIN, { id: '2' }, undefined)).not.toBe(a);
    expect(shareKey(schema, parse(PLAIN), PLAIN, { id: '1' }, 'Other')).not.toBe(a);
  });

  it('never shares a selection with a resolver, a fragment or a directive', () => {
    expect(shareKey(schema, parse(WITH_RESOLVER), WITH_RESOLVER, { id: '1' }, undefined)).toBeNull();
    const fragment = 'subscription { follow { ...F } } fragment F on Item { id }';
    expect(shareKey(schema, parse(fragment), fragment, {}, undefined)).toBeNull();
    const directive = 'subscription($skip: Boolean!) { follow { id status @skip(if: $skip) } }';
    expect(shareKey(schema, parse(directive), directive, { skip: true }, undefined)).toBeNull();
  });
});

describe('createSharedSubscribe', () => {
  async function firstResult(schema: GraphQLSchema, query: string, user: string, key: string | null): Promise<ExecutionResult> {
    const stream = await createSharedSubscribe().subscribe({ schema, document: parse(query), contextValue: { user } }, key);
    return (await (stream as AsyncIterableIterator<ExecutionResult>).next()).value as ExecutionResult;
  }

  it('subscribers with the same key share one result per message; others get their own', async () => {
    const event = { id: 'p1', status: 'CAPTURED', tags: ['a'] };
    const schema = schemaWith([event]);
    const sharing = createSharedSubscribe();
    const key = shareKey(schema, parse(PLAIN), PLAIN, {}, undefined);
    const [one, two] = await Promise.all([1, 2].map(async () => {
      const stream = await sharing.subscribe({ schema, document: parse(PLAIN), contextValue: {} }, key);
      return (await (stream as AsyncIterableIterator<ExecutionResult>).next()).value as ExecutionResult;
    }));
    expect(one).toBe(two);
    expect(one!.data).toEqual({ follow: { id: 'p1', status: 'CAPTURED', tags: ['a'] } });
    // Without a key (a context-reading selection) each subscriber runs its own.
    expect((await firstResult(schema, WITH_RESOLVER, 'alice', null)).data).toEqual({ follow: { id: 'p1', viewer: 'alice' } });
    expect((await firstResult(schema, WITH_RESOLVER, 'bob', null)).data).toEqual({ follow: { id: 'p1', viewer: 'bob' } });
  });

  it('ending the stream ends the source (the bus listener is let go)', async () => {
    let ended = false;
    const schema = new GraphQLSchema({
      query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLString } } }),
      subscription: new GraphQLObjectType({
        name: 'Subscription',
        fields: {
          follow: {
            type: Item,
            subscribe: () => ({
              [Symbol.asyncIterator]() {
                return { next: () => new Promise<IteratorResult<unknown>>(() => undefined), return: async () => ((ended = true), { value: undefined, done: true as const }) };
              },
            }),
          },
        },
      }),
    });
    const stream = (await createSharedSubscribe().subscribe({ schema, document: parse('subscription { follow { id } }') }, null)) as AsyncIterableIterator<ExecutionResult>;
    await stream.return!();
    expect(ended).toBe(true);
  });
});

describe('shared subscriptions write their frames themselves', () => {
  /** A socket stand-in: records frames; `done` callbacks held until `flush`. */
  function sink(id: string, buffered = 0) {
    const frames: Buffer[] = [];
    const pending: (() => void)[] = [];
    const target: DirectSink & { frames: Buffer[]; open: boolean; flush(): void } = {
      id,
      frames,
      open: true,
      send(frame, done) {
        if (!target.open) return false;
        frames.push(frame);
        pending.push(() => done?.());
        return true;
      },
      bufferedAmount: () => buffered,
      flush: () => pending.splice(0).forEach((done) => done()),
    };
    return target;
  }

  /** A schema whose subscription hands out the events pushed to `push`, one stream per subscriber (`asyncRoot`: its field resolver answers with a promise, as type-graphql's do for a field with arguments). */
  function pushSchema(asyncRoot = false) {
    const streams: { push(event: object): void }[] = [];
    const schema = new GraphQLSchema({
      query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLString } } }),
      subscription: new GraphQLObjectType({
        name: 'Subscription',
        fields: {
          follow: {
            type: Item,
            args: { id: { type: GraphQLID } },
            subscribe: () => {
              // The feeds' own queue: return() ends it at once, even while a next() waits.
              const queue = new AsyncQueue<object>();
              streams.push(queue);
              return queue;
            },
            // The first status takes a few turns of the event loop longer than the others to resolve.
            resolve: asyncRoot ? async (event: unknown) => {
              for (let i = 0; (event as { status?: string }).status === 'AUTHORIZED' && i < 5; i += 1) await new Promise((resolve) => setImmediate(resolve));
              return event;
            } : (event: unknown) => event,
          },
        },
      }),
    });
    return { schema, push: (event: object) => streams.forEach((s) => s.push(event)) };
  }

  const until = async (check: () => boolean) => {
    for (let i = 0; i < 200 && !check(); i += 1) await new Promise((resolve) => setImmediate(resolve));
    expect(check()).toBe(true);
  };

  it('one execution and one serialization per message, one frame per subscription id, whatever the number of sockets', async () => {
    const { schema, push } = pushSchema();
    let serialized = 0;
    const sharing = createSharedSubscribe((result) => ((serialized += 1), JSON.stringify(result)));
    const key = shareKey(schema, parse(PLAIN), PLAIN, { id: 'p1' }, undefined)!;
    const sinks = [sink('1'), sink('1'), sink('a"b'), sink('ü-7')];
    const streams = await Promise.all(sinks.map(async (s) =>
      (await sharing.subscribe({ schema, document: parse(PLAIN), variableValues: { id: 'p1' }, contextValue: {} }, { key, sink: s })) as AsyncIterableIterator<ExecutionResult>));
    // graphql-ws waits on next() until the stream ends; meanwhile the frames go out directly.
    const ended = streams.map((stream) => stream.next());
    push({ id: 'p1', status: 'CAPTURED', tags: ['x'] });
    await until(() => sinks.every((s) => s.frames.length === 1));
    expect(serialized).toBe(1);
    for (const s of sinks) {
      expect(JSON.parse(s.frames[0]!.toString())).toEqual({ id: s.id, type: 'next', payload: { data: { follow: { id: 'p1', status: 'CAPTURED', tags: ['x'] } } } });
    }
    // The two subscriptions with the same id were handed the very same bytes.
    expect(sinks[0]!.frames[0]).toBe(sinks[1]!.frames[0]);
    // Written from the publish itself while each subscription waits: no promise per subscriber.
    push({ id: 'p1', status: 'REFUNDED', tags: [] });
    expect(sinks.map((s) => s.frames.length)).toEqual([2, 2, 2, 2]);
    expect(serialized).toBe(2);
    await Promise.all(streams.map((stream) => stream.return!()));
    expect(await Promise.all(ended)).toEqual(sinks.map(() => ({ value: undefined, done: true })));
  });

  it('results that are promises: one execution per message for all, written when settled, in the order of the messages', async () => {
    const { schema, push } = pushSchema(true);
    const sharing = createSharedSubscribe();
    const key = shareKey(schema, parse(PLAIN), PLAIN, {}, undefined)!;
    const sinks = [sink('1'), sink('2'), sink('1'), sink('gone')];
    const streams = await Promise.all(sinks.map(async (s) =>
      (await sharing.subscribe({ schema, document: parse(PLAIN), contextValue: {} }, { key, sink: s })) as AsyncIterableIterator<ExecutionResult>));
    streams.forEach((stream) => void stream.next());
    const statuses = ['AUTHORIZED', 'CAPTURED', 'REFUNDED'];
    for (const status of statuses) push({ id: 'p1', status });
    // Completed while its messages wait for their results: none of them is written.
    const gone = sinks.pop()!;
    await streams.pop()!.return!();
    await until(() => sinks.every((s) => s.frames.length === 3));
    expect(gone.frames).toEqual([]);
    for (const s of sinks) expect(s.frames.map((f) => JSON.parse(f.toString()).payload.data.follow.status)).toEqual(statuses);
    expect(sinks[0]!.frames[2]).toBe(sinks[2]!.frames[2]);
    await Promise.all(streams.map((stream) => stream.return!()));
  });

  it.each([false, true])('subscribers of different keys and ids in any order on one message each get their own result and id (promise results: %s)', async (asyncRoot) => {
    // A broadcast hands one message to every subscriber in a row; what was found or built for the
    // one before (its entry, its frame) must never be another key's or another id's.
    const { schema, push } = pushSchema(asyncRoot);
    const sharing = createSharedSubscribe();
    const SHORT = 'subscription($id: ID) { follow(id: $id) { status } }';
    const queries = [PLAIN, SHORT, PLAIN, SHORT, PLAIN];
    const sinks = [sink('1'), sink('1'), sink('2'), sink('2'), sink('1')];
    const streams = await Promise.all(sinks.map(async (s, i) => (await sharing.subscribe(
      { schema, document: parse(queries[i]!), variableValues: { id: 'p1' }, contextValue: {} },
      { key: shareKey(schema, parse(queries[i]!), queries[i]!, { id: 'p1' }, undefined)!, sink: s },
    )) as AsyncIterableIterator<ExecutionResult>));
    streams.forEach((stream) => void stream.next());
    for (const status of ['AUTHORIZED', 'CAPTURED']) {
      push({ id: 'p1', status, tags: ['t'] });
      const count = status === 'AUTHORIZED' ? 1 : 2;
      await until(() => sinks.every((s) => s.frames.length === count));
      sinks.forEach((s, i) => expect(JSON.parse(s.frames[count - 1]!.toString())).toEqual({
        id: s.id,
        type: 'next',
        payload: { data: { follow: queries[i] === PLAIN ? { id: 'p1', status, tags: ['t'] } : { status } } },
      }));
    }
    await Promise.all(streams.map((stream) => stream.return!()));
  });

  it('a closed socket gets nothing; a slow one (past the high-water mark) waits for its frame to be written before the next', async () => {
    const { schema, push } = pushSchema();
    const sharing = createSharedSubscribe();
    const key = shareKey(schema, parse(PLAIN), PLAIN, {}, undefined)!;
    const slow = sink('slow', HIGH_WATER_BYTES);
    const closed = sink('closed');
    closed.open = false;
    const streams = await Promise.all([slow, closed].map(async (s) =>
      (await sharing.subscribe({ schema, document: parse(PLAIN), contextValue: {} }, { key, sink: s })) as AsyncIterableIterator<ExecutionResult>));
    streams.forEach((stream) => void stream.next());
    push({ id: 'p1', status: 'AUTHORIZED' });
    push({ id: 'p1', status: 'CAPTURED' });
    await until(() => slow.frames.length === 1);
    for (let i = 0; i < 20; i += 1) await new Promise((resolve) => setImmediate(resolve));
    expect(slow.frames).toHaveLength(1);
    slow.flush();
    await until(() => slow.frames.length === 2);
    expect(JSON.parse(slow.frames[1]!.toString()).payload.data.follow.status).toBe('CAPTURED');
    expect(closed.frames).toEqual([]);
    await Promise.all(streams.map((stream) => stream.return!()));
  });

  it('a selection that is not shareable is yielded to graphql-ws, per subscriber, even with a socket', async () => {
    const { schema, push } = pushSchema();
    const sharing = createSharedSubscribe();
    const s = sink('1');
    const stream = (await sharing.subscribe({ schema, document: parse(WITH_RESOLVER), contextValue: { user: 'carol' } }, null)) as AsyncIterableIterator<ExecutionResult>;
    const first = stream.next();
    push({ id: 'p1', status: 'CAPTURED' });
    expect((await first).value).toEqual({ data: { follow: { id: 'p1', viewer: 'carol' } } });
    expect(s.frames).toEqual([]);
    await stream.return!();
  });
});

describe('parseTimestamp', () => {
  it('reads PostgreSQL timestamptz text, with or without offset minutes and fractions', () => {
    expect(parseTimestamp('2026-01-01 00:01:00+00').toISOString()).toBe('2026-01-01T00:01:00.000Z');
    expect(parseTimestamp('2026-01-01 09:30:00.1+05:30').toISOString()).toBe('2026-01-01T04:00:00.100Z');
    expect(parseTimestamp('2026-06-01 01:00:00.123-07').toISOString()).toBe('2026-06-01T08:00:00.123Z');
    expect(() => parseTimestamp('yesterday')).toThrow(/timestamptz/);
  });
});
