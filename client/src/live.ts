/**
 * Live updates over graphql-ws: authenticates in `connection_init` (connectionParams), retries
 * with exponential backoff and jitter after a network loss, and resubscribes; after every
 * (re)connection it asks the caller to fetch the current state (`resync`), so an update missed
 * while offline cannot leave a screen stale. No DOM: pass `webSocketImpl` where there is no
 * global WebSocket (Node 20); browsers and React Native have one.
 */
import { createClient, type Client } from 'graphql-ws';
import type { TypedDocumentString } from '../generated/graphql.js';

export interface LiveOptions {
  /** `wss://host/graphql` (or ws:// in development). */
  url: string;
  token: () => string | null | undefined;
  webSocketImpl?: unknown;
  /** Backoff bounds in ms: first retry after about `minDelayMs`, never more than `maxDelayMs`. */
  minDelayMs?: number;
  maxDelayMs?: number;
  /** Connection state for a status indicator. */
  onStatus?: (status: 'connecting' | 'connected' | 'reconnecting') => void;
}

export interface LiveFeed<R> {
  /** Each result as it arrives. */
  next: (data: R) => void;
  /** Called once the subscription is (re)established: fetch the current state here. */
  resync?: () => void | Promise<void>;
  /** A refused subscription (UNAUTHENTICATED, FORBIDDEN…); the feed stops. */
  error?: (error: Error) => void;
}

/** Delay before retry `attempt` (0-based): doubling from minDelayMs up to maxDelayMs, with full jitter on the upper half. */
export function backoffDelay(attempt: number, minDelayMs = 500, maxDelayMs = 15_000, random: () => number = Math.random): number {
  const ceiling = Math.min(maxDelayMs, minDelayMs * 2 ** Math.min(attempt, 20));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

export interface Live {
  subscribe<R, V>(document: TypedDocumentString<R, V>, variables: V, feed: LiveFeed<R>): () => void;
  dispose(): Promise<void>;
  readonly client: Client;
}

/** One socket for every live feed of a screen or an app. */
export function createLive(options: LiveOptions): Live {
  const { minDelayMs = 500, maxDelayMs = 15_000 } = options;
  const resyncs = new Set<() => void | Promise<void>>();
  let connections = 0;
  let open = false;
  const client = createClient({
    url: options.url,
    webSocketImpl: options.webSocketImpl,
    lazy: true,
    // Read when each connection opens, so a refreshed token is used after a reconnect.
    connectionParams: () => {
      const token = options.token();
      return token ? { authorization: `Bearer ${token}` } : {};
    },
    retryAttempts: Number.POSITIVE_INFINITY,
    // Any close or network error is worth retrying; a refused operation arrives as an error, not a close.
    shouldRetry: () => true,
    retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, backoffDelay(retries, minDelayMs, maxDelayMs))),
    on: {
      connecting: () => options.onStatus?.(connections === 0 ? 'connecting' : 'reconnecting'),
      connected: () => {
        connections += 1;
        open = true;
        options.onStatus?.('connected');
        // graphql-ws resubscribes every active subscription on the new socket; the current
        // state (including whatever was published while the socket was down) is fetched here.
        for (const resync of resyncs) void resync();
      },
      closed: () => {
        open = false;
        if (connections > 0) options.onStatus?.('reconnecting');
      },
    },
  });
  return {
    client,
    subscribe(document, variables, feed) {
      if (feed.resync) resyncs.add(feed.resync);
      const stop = client.subscribe<unknown>(
        { query: document.toString(), variables: variables as Record<string, unknown> },
        {
          next: (result) => {
            if (result.errors?.length) {
              feed.error?.(new Error(result.errors.map((e) => e.message).join('; ')));
              return;
            }
            if (result.data) feed.next(result.data as never);
          },
          error: (error) => feed.error?.(error instanceof Error ? error : new Error(describeClose(error))),
          complete: () => undefined,
        },
      );
      // On an open socket the current state is fetched now; otherwise once it connects.
      // Fetching after subscribing loses nothing in between (payments carry a version: the newer wins).
      if (open) void feed.resync?.();
      return () => {
        if (feed.resync) resyncs.delete(feed.resync);
        stop();
      };
    },
    dispose: () => client.dispose() as Promise<void>,
  };
}

function describeClose(error: unknown): string {
  if (Array.isArray(error)) return error.map((e: { message?: string }) => e.message ?? String(e)).join('; ');
  if (typeof error === 'object' && error !== null && 'reason' in error) return `socket closed: ${String((error as { reason: unknown }).reason) || 'no reason'}`;
  return String(error);
}

/** Keeps the newest version of each payment: updates may cross a resync. */
export function newer<T extends { id: string; version: number }>(current: T | undefined, incoming: T): T {
  return current && current.version >= incoming.version ? current : incoming;
}
