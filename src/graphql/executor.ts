import type { ApolloServerOptionsWithGateway } from '@apollo/server';
import { execute, GraphQLError, type DocumentNode, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';

type Gateway = ApolloServerOptionsWithGateway<Record<string, unknown>>['gateway'];

/**
 * Apollo Server without its own executor: graphql-jit compiles each operation once into a
 * function (Apollo Server 5 takes another executor only through its `gateway` interface; parsing,
 * validation — graphql-armor's limits included — the context, plugins and error formatting stay
 * Apollo's). A payments page spent 16 % of its CPU in graphql-js's generic execution.
 *
 * Compiled operations are kept per parsed document (Apollo keeps one DocumentNode per distinct
 * query text in its document store), so they are dropped with it.
 *
 * Variables: when they do not fit their types nothing has run yet, and graphql-js answers
 * instead, so a client gets exactly the messages and codes it always got.
 */
export function jitExecutor(schema: GraphQLSchema): Gateway {
  const compiled = new WeakMap<DocumentNode, Map<string, CompiledQuery | ExecutionResult>>();

  function compile(document: DocumentNode, operationName: string | undefined): CompiledQuery | ExecutionResult {
    let byOperation = compiled.get(document);
    if (!byOperation) compiled.set(document, (byOperation = new Map()));
    const key = operationName ?? '';
    let query = byOperation.get(key);
    if (!query) byOperation.set(key, (query = compileQuery(schema, document, operationName)));
    return query;
  }

  return {
    async load() {
      return {
        executor: async (request) => {
          const { document, operationName } = request;
          const variables = request.request.variables ?? {};
          const query = compile(document, operationName ?? undefined);
          if (isCompiledQuery(query)) {
            const result = await query.query(undefined, request.context, variables);
            if ('data' in result) return result.errors?.length ? { ...result, errors: result.errors.map(asGraphQLJsError) } : result;
          }
          // A document graphql-jit cannot compile, or variables it refused before running anything.
          return execute({ schema, document, contextValue: request.context, variableValues: variables, operationName });
        },
      };
    },
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: '' });
      return () => undefined;
    },
    async stop() {},
  };
}

/**
 * graphql-jit's errors are GraphQLErrors by prototype but leave `extensions` undefined when the
 * thrown error has none (a DomainError), where graphql-js always gives an object — and Apollo
 * reads `extensions.code` before formatting. Rebuilt as graphql-js errors, they reach
 * formatError exactly as graphql-js's would.
 */
function asGraphQLJsError(error: GraphQLError): GraphQLError {
  const rebuilt = new GraphQLError(error.message, {
    path: error.path,
    originalError: (error.originalError ?? undefined) as Error | undefined,
    extensions: error.extensions ?? undefined,
  });
  if (error.locations) Object.assign(rebuilt, { locations: error.locations });
  return rebuilt;
}
