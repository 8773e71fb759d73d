/** The pages' connection to the service: the typed client over HTTP and one live socket. */
import { createHttpClient, createLive, type Live, type Request } from '../../client/src/index.js';

const TOKEN_KEY = 'payments.token';

/** The bearer token for this tab (sessionStorage: gone when the tab closes). */
export const session = {
  get token(): string | null {
    return sessionStorage.getItem(TOKEN_KEY);
  },
  set token(value: string | null) {
    if (value) sessionStorage.setItem(TOKEN_KEY, value);
    else sessionStorage.removeItem(TOKEN_KEY);
  },
};

export const request: Request = createHttpClient({ url: '/graphql', token: () => session.token, fetch: (url, init) => fetch(url, init as RequestInit) });

let live: Live | null = null;

/** The page's socket, created on first use; `onStatus` shows whether updates are live. */
export function liveUpdates(onStatus: (status: 'connecting' | 'connected' | 'reconnecting') => void): Live {
  live ??= createLive({
    url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`,
    token: () => session.token,
    onStatus,
  });
  return live;
}

/** Closes the socket (after signing out, so the next one authenticates afresh). */
export async function closeLive(): Promise<void> {
  const current = live;
  live = null;
  await current?.dispose();
}

/** A fresh idempotency key for one money-moving action (retries of that action reuse it). */
export function idempotencyKey(): string {
  return crypto.randomUUID();
}

/** What the user should read when an action failed. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
