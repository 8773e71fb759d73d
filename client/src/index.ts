/**
 * The payment service's typed client for web and mobile (no DOM: React Native imports it too).
 * Operations are generated from client/graphql/*.graphql against schema.graphql (`npm run codegen`).
 */
export * from '../generated/graphql.js';
export { createHttpClient, GraphQLRequestError, type FetchLike, type GraphQLErrorItem, type HttpClientOptions, type Request } from './http.js';
export { backoffDelay, createLive, newer, type Live, type LiveFeed, type LiveOptions } from './live.js';
export { formatRupees, parseRupees, type MoneyFormatter } from './money.js';
