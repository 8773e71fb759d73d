import { GraphQLID, GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, GraphQLString, parse, type ExecutionResult } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createSharedSubscribe, shareKey } from '../../src/graphql/shared-subscribe.js';
import { parseTimestamp } from '../../src/db/timestamps.js';

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

describe('parseTimestamp', () => {
  it('reads PostgreSQL timestamptz text, with or without offset minutes and fractions', () => {
    expect(parseTimestamp('2026-01-01 00:01:00+00').toISOString()).toBe('2026-01-01T00:01:00.000Z');
    expect(parseTimestamp('2026-01-01 09:30:00.1+05:30').toISOString()).toBe('2026-01-01T04:00:00.100Z');
    expect(parseTimestamp('2026-06-01 01:00:00.123-07').toISOString()).toBe('2026-06-01T08:00:00.123Z');
    expect(() => parseTimestamp('yesterday')).toThrow(/timestamptz/);
  });
});
