import {
  createSourceEventStream, execute, getNamedType, isObjectType, Kind, type DocumentNode, type ExecutionArgs, type ExecutionResult,
  type GraphQLObjectType, type GraphQLSchema, type SelectionSetNode,
} from 'graphql';

type Result = ExecutionResult | Promise<ExecutionResult>;

/**
 * graphql-js's `subscribe`, except that subscribers of the same message running the same
 * operation with the same variables share one execution of it: with 10,000 followers of one
 * payment, the selection is executed once per change, not 10,000 times.
 *
 * Sharing is sound only when the result cannot depend on who is asking. `shareKey` gives a key
 * only for operations whose every selected field below the subscription field is a plain
 * property (no resolver: nothing reads the context, so no role or user can change the answer);
 * the subscription field itself only hands the message on. Anything else runs per subscriber,
 * as before. Results are kept per message object (a WeakMap), so they go with the message.
 */
export function createSharedSubscribe(): { subscribe(args: ExecutionArgs, shareKey: string | null): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> } {
  const shared = new WeakMap<object, Map<string, Result>>();

  const run = (args: ExecutionArgs, event: unknown, key: string | null): Result => {
    if (key === null || typeof event !== 'object' || event === null) return execute({ ...args, rootValue: event });
    let byKey = shared.get(event);
    if (!byKey) shared.set(event, (byKey = new Map()));
    let result = byKey.get(key);
    if (!result) byKey.set(key, (result = execute({ ...args, rootValue: event })));
    return result;
  };

  return {
    async subscribe(args, shareKey) {
      const stream = await createSourceEventStream(args);
      if (!(Symbol.asyncIterator in (stream as object))) return stream as ExecutionResult;
      const source = (stream as AsyncIterable<unknown>)[Symbol.asyncIterator]();
      const results: AsyncIterableIterator<ExecutionResult> = {
        async next() {
          const item = await source.next();
          if (item.done) return { value: undefined, done: true };
          return { value: await run(args, item.value, shareKey), done: false };
        },
        async return() {
          await source.return?.();
          return { value: undefined, done: true };
        },
        async throw(error: unknown) {
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

/**
 * The key under which subscribers may share executions of this operation (see above), or null
 * when a field below the subscription field has a resolver, or the document uses fragments or
 * directives (kept simple: those run per subscriber).
 */
export function shareKey(schema: GraphQLSchema, document: DocumentNode, query: string, variables: unknown, operationName: string | undefined): string | null {
  const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  if (operations.length !== 1 || document.definitions.length !== 1 || operations[0]!.operation !== 'subscription') return null;
  const subscriptionType = schema.getSubscriptionType();
  const [root] = operations[0]!.selectionSet.selections;
  if (!subscriptionType || operations[0]!.selectionSet.selections.length !== 1 || root?.kind !== Kind.FIELD || root.directives?.length) return null;
  const field = subscriptionType.getFields()[root.name.value];
  const type = field && getNamedType(field.type);
  if (!type || !isObjectType(type) || !root.selectionSet || !plainSelection(type, root.selectionSet)) return null;
  return `${operationName ?? ''}\u0000${JSON.stringify(variables ?? {})}\u0000${query}`;
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
