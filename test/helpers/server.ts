import { print, type ExecutionResult } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { startApp, type RunningApp } from '../../src/app.js';
import { signToken, type Role } from '../../src/auth/auth.js';
import { loadConfig, SANDBOX_KEY_SECRET, SANDBOX_WEBHOOK_SECRET, type Config } from '../../src/config.js';
import { createLogger, type Logger } from '../../src/logger.js';
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
  /** POSTs a typed operation to /graphql as `token` (no token: anonymous). */
  gql<R, V>(doc: TypedDocumentNode<R, V>, variables: V, token?: string | null): Promise<GraphQLResponse<R>>;
  /** A graphql-ws client on the same port, authenticated with `token`. */
  ws(token?: string | null): Client;
  close(): Promise<void>;
}

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
    WEBHOOK_WORKER_INTERVAL_MS: '200',
    RATE_LIMIT_PER_MINUTE: '100000',
    ...options.env,
  });
  const app = await startApp(config, { orm: db.orm, logger: options.logger ?? createLogger(config.logLevel) });
  const clients: Client[] = [];
  const server: TestServer = {
    app,
    db,
    config,
    url: app.url,
    token: (userId, role = 'customer') => signToken({ id: userId, role }, TEST_JWT_SECRET),
    async gql(doc, variables, token) {
      const response = await fetch(`${app.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query: print(doc), variables }),
      });
      return (await response.json()) as GraphQLResponse<never>;
    },
    ws(token) {
      const client = createClient({
        url: `${app.url.replace('http', 'ws')}/graphql`,
        webSocketImpl: WebSocket,
        connectionParams: token ? { authorization: `Bearer ${token}` } : {},
        retryAttempts: 0,
        lazy: true,
      });
      clients.push(client);
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

/** Subscribes and collects every result until `stop()` (errors arrive as results too). */
export function collect<T>(client: Client, doc: TypedDocumentNode<T, Record<string, unknown>> | TypedDocumentNode<T, never>, variables: Record<string, unknown> = {}) {
  const results: ExecutionResult<T>[] = [];
  let completed = false;
  let socketError: unknown = null;
  // Resolves once the socket is acknowledged plus a margin for the server to register the
  // subscription: a feed with no initial message (myPaymentUpdates) must wait for it.
  const ready = new Promise<void>((resolve) => {
    const off = client.on('connected', () => {
      off();
      setTimeout(resolve, 200);
    });
  });
  const unsubscribe = client.subscribe<T>(
    { query: print(doc), variables },
    {
      next: (value) => void results.push(value as ExecutionResult<T>),
      error: (error) => {
        socketError = error;
        completed = true;
      },
      complete: () => {
        completed = true;
      },
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
