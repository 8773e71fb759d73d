import { print, type ExecutionResult } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { startApp, type RunningApp } from '../../src/app.js';
import { signToken, type Role } from '../../src/auth/auth.js';
import { loadConfig, SANDBOX_KEY_SECRET, SANDBOX_WEBHOOK_SECRET, type Config } from '../../src/config.js';
import { createLogger, type Logger } from '../../src/logger.js';
import { Payment } from '../../src/payments/payment.entity.js';
import { publishPaymentMessage } from '../../src/payments/payment.publisher.js';
import { toPaymentMessage, toPaymentType } from '../../src/payments/payment.types.js';
import { createTestDatabase, type TestDatabase } from './database.js';

export const TEST_JWT_SECRET = 'test-jwt-secret-0123456789-0123456789-abcdef';

export interface GraphQLResponse<T> {
  data?: T | null;
  errors?: { message: string; extensions?: Record<string, unknown>; path?: (string | number)[] }[];
}

export interface TestServer {
  app: RunningApp;
  db: TestDatabase;
  config: Config;
  url: string;
  token(userId: string, role?: Role): Promise<string>;
  /** POSTs a typed operation to /graphql as `token` (no token: anonymous), with any extra `headers`. */
  gql<R, V>(doc: TypedDocumentNode<R, V>, variables: V, token?: string | null, headers?: Record<string, string>): Promise<GraphQLResponse<R>>;
  /** A graphql-ws client on the same port, authenticated with `token`. */
  ws(token?: string | null): Client;
  close(): Promise<void>;
}

/** POSTs typed operations to `${url}/graphql` (as TestServer.gql). */
export function gqlAt(url: string): TestServer['gql'] {
  return async (doc, variables, token, headers = {}) => {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      body: JSON.stringify({ query: print(doc), variables }),
    });
    return (await response.json()) as GraphQLResponse<never>;
  };
}

/** What the flow helpers need of a service: its URL and GraphQL (a TestServer, or a child process's service). */
export type ServiceEndpoint = Pick<TestServer, 'url' | 'gql'>;

/**
 * Starts the real service on a free port: its own database copied from the migrated template,
 * the sandbox gateway mounted in the same server and reached over HTTP, in-process pub/sub
 * unless `env.REDIS_URL` is given.
 */
export async function startTestServer(options: { env?: Record<string, string>; db?: TestDatabase; logger?: Logger } = {}): Promise<TestServer> {
  const db = options.db ?? (await createTestDatabase());
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: db.url,
    JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    RATE_LIMIT_PER_MINUTE: '100000',
    // Processing on this loop, where a test's handlers (handleEventType) and injected gateways are;
    // the thread mode's own tests set it to true (test/integration/webhook-thread.test.ts).
    WEBHOOK_PROCESSING_THREAD: 'false',
    ...options.env,
  });
  const app = await startApp(config, { orm: db.orm, logger: options.logger ?? createLogger(config.logLevel) });
  const subscriptions = countSubscriptions(app);
  const clients: Client[] = [];
  const server: TestServer = {
    app,
    db,
    config,
    url: app.url,
    token: (userId, role = 'customer') => signToken({ id: userId, role }, TEST_JWT_SECRET),
    gql: gqlAt(app.url),
    ws(token) {
      const client = createClient({
        url: `${app.url.replace('http', 'ws')}/graphql`,
        webSocketImpl: WebSocket,
        connectionParams: token ? { authorization: `Bearer ${token}` } : {},
        retryAttempts: 0,
        lazy: true,
      });
      clients.push(client);
      subscriptionsOf.set(client, subscriptions);
      return client;
    },
    async close() {
      await Promise.all(clients.map((c) => c.dispose()));
      await app.close();
      if (!options.db) await db.drop();
    },
  };
  return server;
}

/**
 * What a test server's feeds have registered, so that `collect(...).ready` can wait for the
 * subscription itself instead of sleeping. Every feed starts exactly one message-bus listener
 * (payments/payment.feed.ts) before its subscription is live; the wrapper counts them.
 */
interface SubscriptionCount {
  /** `collect` calls made on this server's clients, in order. */
  requested: number;
  /** Bus listeners started, plus subscriptions that ended before they were ready (refused). */
  settled: number;
  waiters: Set<() => void>;
}

const subscriptionsOf = new WeakMap<Client, SubscriptionCount>();

function countSubscriptions(app: RunningApp): SubscriptionCount {
  const count: SubscriptionCount = { requested: 0, settled: 0, waiters: new Set() };
  const listen = app.bus.listen.bind(app.bus);
  app.bus.listen = async (topic, onMessage) => {
    const stop = await listen(topic, onMessage);
    settle(count);
    return stop;
  };
  return count;
}

function settle(count: SubscriptionCount): void {
  count.settled += 1;
  for (const waiter of count.waiters) waiter();
}

/**
 * Subscribes and collects every result until `stop()` (errors arrive as results too). `ready`
 * resolves once the server has registered this subscription (its bus listener is started, so
 * nothing published afterwards is missed), or once the subscription ended (refused). Collects
 * on one server are counted in the order they are made: the n-th is ready when n listeners
 * have started or been refused. (A feed that listens and then refuses, a payment that is not
 * the caller's, counts twice; await `ready` only on feeds that are meant to be live.) For a
 * client made elsewhere, `ready` waits for the end.
 */
export function collect<T>(client: Client, doc: TypedDocumentNode<T, Record<string, unknown>> | TypedDocumentNode<T, never>, variables: Record<string, unknown> = {}) {
  const results: ExecutionResult<T>[] = [];
  let completed = false;
  let socketError: unknown = null;
  // A client not made by TestServer.ws() (a raw one, to send odd headers): ready only once it ends.
  const count = subscriptionsOf.get(client) ?? { requested: 0, settled: 0, waiters: new Set() };
  const position = ++count.requested;
  let isReady = false;
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    const check = () => {
      if (count.settled < position) return;
      count.waiters.delete(check);
      isReady = true;
      resolve();
    };
    markReady = () => {
      count.waiters.delete(check);
      isReady = true;
      resolve();
    };
    count.waiters.add(check);
    check();
  });
  const ended = () => {
    completed = true;
    // Refused (or ended) before its listener was counted: it settles its place in the order.
    if (!isReady) {
      settle(count);
      markReady();
    }
  };
  const unsubscribe = client.subscribe<T>(
    { query: print(doc), variables },
    {
      next: (value) => void results.push(value as ExecutionResult<T>),
      error: (error) => {
        socketError = error;
        ended();
      },
      complete: ended,
    },
  );
  return {
    results,
    ready,
    get completed() {
      return completed;
    },
    get error() {
      return socketError;
    },
    stop: unsubscribe,
  };
}

/** The version a marker carries: no real change reaches it. */
export const MARKER_VERSION = 1_000_000;

/**
 * Sends a marker down the same channel as real payment updates: the payment as stored now,
 * with version MARKER_VERSION, published on `via`'s message bus (in-process, or Redis, which
 * every instance's feeds listen to). Messages published before it reach a feed before it, so
 * once a feed has the marker, any wrong message published earlier is in its results: no
 * waiting "in case one comes". Send it once the work under test is over (e.g. every webhook
 * processed). A feed following that payment ignores real updates after it (older versions).
 */
export async function sendMarker(via: TestServer, paymentId: string): Promise<void> {
  const payment = await via.db.orm.em.fork().findOneOrFail(Payment, { id: paymentId });
  await publishPaymentMessage(via.app.bus, { ...toPaymentMessage(toPaymentType(payment)), version: MARKER_VERSION });
}

/** Waits for the marker on `feed` (see `sendMarker`) and returns the results that came before it. */
export async function resultsBeforeMarker<T>(
  feed: { results: ExecutionResult<T>[] },
  versionOf: (data: T) => number | undefined,
  timeoutMs = 5_000,
): Promise<ExecutionResult<T>[]> {
  const markerAt = (): number => feed.results.findIndex((result) => result.data !== null && result.data !== undefined && versionOf(result.data) === MARKER_VERSION);
  await eventually(() => markerAt() >= 0, timeoutMs, 'the marker');
  return feed.results.slice(0, markerAt());
}

/** Waits until `check` returns a truthy value (polling), or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 10_000, what = 'condition'): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export { SANDBOX_KEY_SECRET, SANDBOX_WEBHOOK_SECRET };
