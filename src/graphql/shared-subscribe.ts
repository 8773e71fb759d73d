import type { DirectSource } from '../common/bus.js';
import {
  createSourceEventStream, execute, getNamedType, isObjectType, Kind, type DocumentNode, type ExecutionArgs, type ExecutionResult,
  type GraphQLObjectType, type GraphQLSchema, type SelectionSetNode,
} from 'graphql';

type Result = ExecutionResult | Promise<ExecutionResult>;

/**
 * Where a shared subscription writes its `next` messages itself: the socket of one subscription
 * (`id`, chosen by the client). `send` takes a ready `next` message's bytes (the same Buffer for
 * every subscription with this id) and calls `done`, if given, once they are handed to the
 * kernel; it answers false when the socket is no longer open.
 */
export interface DirectSink {
  id: string;
  send(frame: Buffer, done?: (error?: Error | null) => void): boolean;
  /** Bytes queued on the socket and not yet written: past HIGH_WATER_BYTES the sender waits. */
  bufferedAmount(): number;
}

/** A subscription that shares results, and the socket it writes them to. */
export interface Sharing {
  key: string;
  sink: DirectSink;
}

/** Past this many bytes queued on one socket, its subscription waits for them to be written (a slow reader). */
export const HIGH_WATER_BYTES = 1024 * 1024;

/** One shared execution of one operation on one message: its result, serialized once, and its frames per subscription id. */
interface SharedResult {
  result: Result;
  payload?: string;
  frames?: Map<string, Buffer>;
  /** The frame built last and its id: every subscriber asking with that id in a row takes it without a lookup. */
  lastId?: string;
  lastFrame?: Buffer;
  /** While the result is pending: subscriptions handed this message directly, written (or ended, if it fails) once it settles. */
  waiting?: Waiter[];
}

/** A subscription handed a message whose shared result is still pending: made once per subscription, not per message. */
interface Waiter {
  write(found: SharedResult): void;
  fail(): void;
}

/**
 * graphql-js's `subscribe`, except that subscribers of the same message running the same
 * operation with the same variables share one execution of it, one serialization of its result
 * and one frame per subscription id: with 10,000 followers of one payment, the selection is
 * executed and stringified once per change, and each socket is handed the same bytes.
 *
 * Sharing is sound only when the result cannot depend on who is asking. `shareKey` gives a key
 * only for operations whose every selected field below the subscription field is a plain
 * property (no resolver: nothing reads the context, so no role or user can change the answer);
 * the subscription field itself only hands the message on. Which messages a subscriber gets is
 * still decided per subscriber, by its own source stream (the feed checked who may follow what).
 * Anything else runs per subscriber, through graphql-ws's own `next`, as before. Results are kept
 * per message object (a WeakMap), so they go with the message.
 *
 * A shared subscription writes its messages to its socket itself (`serialize` turns a result into
 * the `next` message's payload, errors formatted as graphql-ws's onNext would): its iterator yields
 * nothing to graphql-ws until the source ends, so graphql-ws's per-message work (its hooks, a
 * JSON.stringify per socket, a promise per write) is skipped. Ending, errors and `complete` still
 * go through graphql-ws. When the source is a DirectSource (the payment feeds), a message is
 * written from the bus's own call while the subscription waits: no promise per subscriber.
 */
export function createSharedSubscribe(serialize: (result: ExecutionResult) => string = JSON.stringify): {
  subscribe(args: ExecutionArgs, sharing: Sharing | string | null): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult>;
} {
  const shared = new WeakMap<object, Map<string, SharedResult>>();
  /** Per key, the latest result still pending: the next one settles after it, so writes keep the messages' order. */
  const pendingByKey = new Map<string, SharedResult>();

  // The entry found last: a broadcast asks for the same message and key once per subscriber in a row.
  let last: { event: object; key: string; found: SharedResult } | null = null;

  const entry = (event: object, key: string, args: ExecutionArgs): SharedResult => {
    if (last !== null && last.event === event && last.key === key) return last.found;
    const found = lookup(event, key, args);
    last = { event, key, found };
    return found;
  };

  const lookup = (event: object, key: string, args: ExecutionArgs): SharedResult => {
    let byKey = shared.get(event);
    if (!byKey) shared.set(event, (byKey = new Map()));
    let found = byKey.get(key);
    if (!found) {
      byKey.set(key, (found = { result: execute({ ...args, rootValue: event }) }));
      if (found.result instanceof Promise) pend(found, key, found.result);
    }
    return found;
  };

  /**
   * A result that is a promise (a resolver answered with one: type-graphql's do, for a field with
   * arguments): one callback for all its subscribers, after the key's previous pending result.
   */
  const pend = (found: SharedResult, key: string, own: Promise<ExecutionResult>): void => {
    const previous = pendingByKey.get(key)?.result;
    const waiting: NonNullable<SharedResult['waiting']> = (found.waiting = []);
    pendingByKey.set(key, found);
    const done = () => {
      found.waiting = undefined;
      if (pendingByKey.get(key) === found) pendingByKey.delete(key);
    };
    const settled = (previous instanceof Promise ? previous.then(() => own, () => own) : own).then((result) => {
      found.result = result;
      done();
      for (const subscription of waiting) {
        try {
          subscription.write(found);
        } catch {
          subscription.fail();
        }
      }
      return result;
    }, (error: unknown) => {
      done();
      for (const subscription of waiting) subscription.fail();
      throw error;
    });
    // Whoever awaits it (the awaited path below) sees a failure; nobody else must crash the process with it.
    settled.catch(() => undefined);
    found.result = settled;
  };

  const run = (args: ExecutionArgs, event: unknown, key: string | null): Result => {
    if (key === null || typeof event !== 'object' || event === null) return execute({ ...args, rootValue: event });
    return entry(event, key, args).result;
  };

  /** The `next` frame for subscription `id`: built once per id, whatever the number of sockets. */
  const frameOf = (found: SharedResult, id: string): Buffer | Promise<Buffer> => {
    if (found.lastId === id) return found.lastFrame!;
    const frame = found.frames?.get(id);
    if (frame) {
      found.lastId = id;
      found.lastFrame = frame;
      return frame;
    }
    if (found.payload === undefined) {
      const { result } = found;
      if (result instanceof Promise) return result.then((settled) => ((found.result = settled), frameOf(found, id)));
      found.payload = serialize(result);
    }
    const built = Buffer.from(`{"id":${JSON.stringify(id)},"type":"next","payload":${found.payload}}`);
    (found.frames ??= new Map()).set(id, built);
    found.lastId = id;
    found.lastFrame = built;
    return built;
  };

  /** Writes one frame; waits for it to be written only when the socket already holds too much. */
  const write = (sink: DirectSink, frame: Buffer): Promise<void> | undefined => {
    if (sink.bufferedAmount() < HIGH_WATER_BYTES) {
      sink.send(frame);
      return undefined;
    }
    return new Promise<void>((resolve, reject) => {
      if (!sink.send(frame, (error) => (error ? reject(error) : resolve()))) resolve();
    });
  };

  return {
    async subscribe(args, sharing) {
      const stream = await createSourceEventStream(args);
      if (!(Symbol.asyncIterator in (stream as object))) return stream as ExecutionResult;
      const source = (stream as AsyncIterable<unknown>)[Symbol.asyncIterator]();
      const key = typeof sharing === 'string' ? sharing : sharing?.key ?? null;
      const sink = typeof sharing === 'object' && sharing !== null ? sharing.sink : null;
      const direct = sink !== null && key !== null && isDirectSource(source) ? source : null;
      // Set by return()/throw(): a message still waiting for its shared result is then not written.
      let ended = false;
      // Written once a pending shared result settles (or the subscription ended, should it fail):
      // one object for every message of this subscription, nothing allocated per message.
      const waiter: Waiter | null = direct && {
        write: (found) => void (ended || sink!.send(frameOf(found, sink!.id) as Buffer)),
        fail: () => void source.return?.(),
      };
      // While next() below waits, a message is written from the bus's own call (no promise or
      // microtask per subscriber): the frame is ready and the socket is not holding too much.
      // Anything else (a result still pending, a slow socket, an error) goes the awaited way below.
      direct?.direct((value) => {
        if (typeof value !== 'object' || value === null || sink!.bufferedAmount() >= HIGH_WATER_BYTES) return false;
        try {
          const found = entry(value, key!, args);
          if (found.waiting) {
            found.waiting.push(waiter!);
            return true;
          }
          const frame = frameOf(found, sink!.id);
          if (frame instanceof Promise) return false;
          sink!.send(frame);
          return true;
        } catch {
          return false;
        }
      });
      const results: AsyncIterableIterator<ExecutionResult> = {
        async next() {
          for (;;) {
            const item = await source.next();
            if (item.done) return { value: undefined, done: true };
            if (sink === null || key === null || typeof item.value !== 'object' || item.value === null) {
              return { value: await run(args, item.value, key), done: false };
            }
            // Written here, not yielded: graphql-ws sees this subscription again when it ends.
            const frame = frameOf(entry(item.value, key, args), sink.id);
            const waiting = write(sink, frame instanceof Promise ? await frame : frame);
            if (waiting) await waiting;
          }
        },
        async return() {
          ended = true;
          direct?.direct(null);
          await source.return?.();
          return { value: undefined, done: true };
        },
        async throw(error: unknown) {
          ended = true;
          direct?.direct(null);
          await source.return?.();
          throw error;
        },
        [Symbol.asyncIterator]() {
          return this;
        },
      };
      return results;
    },
  };
}

function isDirectSource(source: object): source is DirectSource<unknown> {
  return typeof (source as Partial<DirectSource<unknown>>).direct === 'function';
}

/**
 * The key under which subscribers may share executions of this operation (see above), or null
 * when a field below the subscription field has a resolver, or the document uses fragments or
 * directives (kept simple: those run per subscriber).
 */
export function shareKey(schema: GraphQLSchema, document: DocumentNode, query: string, variables: unknown, operationName: string | undefined): string | null {
  return shareable(schema, document) ? sharingKey(query, variables, operationName) : null;
}

/** Subscriptions of a shareable document with the same text, operation and variables share under this key. */
export function sharingKey(query: string, variables: unknown, operationName: string | undefined): string {
  return `${operationName ?? ''}\u0000${JSON.stringify(variables ?? {})}\u0000${query}`;
}

/** Whether `document` can be shared at all (see shareKey); the same answer for every request with it. */
export function shareable(schema: GraphQLSchema, document: DocumentNode): boolean {
  const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  if (operations.length !== 1 || document.definitions.length !== 1 || operations[0]!.operation !== 'subscription') return false;
  const subscriptionType = schema.getSubscriptionType();
  const [root] = operations[0]!.selectionSet.selections;
  if (!subscriptionType || operations[0]!.selectionSet.selections.length !== 1 || root?.kind !== Kind.FIELD || root.directives?.length) return false;
  const field = subscriptionType.getFields()[root.name.value];
  const type = field && getNamedType(field.type);
  return Boolean(type && isObjectType(type) && root.selectionSet && plainSelection(type, root.selectionSet));
}

function plainSelection(type: GraphQLObjectType, selectionSet: SelectionSetNode): boolean {
  const fields = type.getFields();
  return selectionSet.selections.every((selection) => {
    if (selection.kind !== Kind.FIELD || selection.directives?.length) return false;
    if (selection.name.value === '__typename') return true;
    const field = fields[selection.name.value];
    if (!field || field.resolve || field.args.length > 0) return false;
    const named = getNamedType(field.type);
    if (!selection.selectionSet) return true;
    return isObjectType(named) && plainSelection(named, selection.selectionSet);
  });
}
