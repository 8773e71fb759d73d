import type { ApolloServerPlugin } from '@apollo/server';

const REQUEST_ERROR_CODES = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT']);

/**
 * HTTP status of a request error (a document that does not parse or validate, variables that do
 * not fit their types): 400 — a client must not retry its own mistake — except for a client that
 * accepts only the legacy `application/json`, which the GraphQL-over-HTTP spec says SHOULD get 200
 * with the errors in the body (older clients treat any 4xx as a transport failure and never read
 * it). `application/graphql-response+json`, no Accept header or `*\/*` get 400.
 */
export function requestErrorStatus(): ApolloServerPlugin {
  return {
    async requestDidStart({ request }) {
      if (!acceptsOnlyLegacyJson(request.http?.headers.get('accept'))) return;
      return {
        async willSendResponse({ response }) {
          if (response.http.status !== 400 || response.body.kind !== 'single') return;
          const { data, errors } = response.body.singleResult;
          if (data === undefined && errors?.length && errors.every((e) => REQUEST_ERROR_CODES.has(String(e.extensions?.code)))) {
            response.http.status = 200;
          }
        },
      };
    },
  };
}

/** `Accept` names application/json but not application/graphql-response+json. */
export function acceptsOnlyLegacyJson(accept: string | undefined): boolean {
  return /application\/json/i.test(accept ?? '') && !/application\/graphql-response\+json/i.test(accept ?? '');
}
