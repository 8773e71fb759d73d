import { withTimeout, type Cluster } from './cluster.js';
import type { Random } from './prng.js';

export interface GqlError {
  message: string;
  extensions?: { code?: string; field?: string };
}

export interface GqlResult<T> {
  data?: T;
  errors?: GqlError[];
}

/** What the clients saw, for the run's summary. */
export interface ClientStats {
  requests: number;
  /** Requests that died with the process (connection refused or reset) and were sent again. */
  resentAfterCrash: number;
  /** GATEWAY_ERROR / INTERNAL_SERVER_ERROR answers retried with the same body. */
  retriedErrors: number;
  /** Answers that stayed an unexpected error after every retry: code → count. */
  unexpected: Record<string, number>;
  /** A few examples of those, to read. */
  unexpectedSamples: string[];
  /** The slowest requests (path or operation, ms, answer), to see where a run's time goes. */
  slowest: { what: string; ms: number }[];
}

export function newStats(): ClientStats {
  return { requests: 0, resentAfterCrash: 0, retriedErrors: 0, unexpected: {}, unexpectedSamples: [], slowest: [] };
}

const RETRIED_CODES = new Set(['GATEWAY_ERROR', 'INTERNAL_SERVER_ERROR']);
const MAX_ERROR_RETRIES = 4;
/** A request keeps being re-sent through crashes for this long, then counts as unexpected. */
const GIVE_UP_MS = 120_000;

/**
 * A client as a real one behaves: a request that dies with the process is sent again, to
 * whichever instance is up, with the same body (so the same idempotency key); a transient
 * error is retried a few times with a short backoff. Each actor has its own, with its own random stream.
 */
export class ServiceClient {
  constructor(
    private readonly cluster: Cluster,
    private readonly random: Random,
    private readonly stats: ClientStats,
  ) {}

  async gql<T = Record<string, unknown>>(token: string, query: string, variables: Record<string, unknown>): Promise<GqlResult<T>> {
    const body = JSON.stringify({ query, variables });
    let errorRetries = 0;
    for (;;) {
      const sent = Date.now();
      const response = await this.#send('/graphql', body, { authorization: `Bearer ${token}` });
      const result = response.json as GqlResult<T>;
      this.#timed(`${operationName(query)} ${result.errors?.[0]?.extensions?.code ?? 'ok'}`, Date.now() - sent);
      const code = result.errors?.[0]?.extensions?.code ?? (response.status >= 500 ? `HTTP_${response.status}` : undefined);
      // "still being created: retry shortly with the same key" says what a client should do.
      const retryable = RETRIED_CODES.has(code ?? '') || code?.startsWith('HTTP_5') || (code === 'CONFLICT' && /retry shortly/.test(result.errors?.[0]?.message ?? ''));
      if (code && retryable && errorRetries < MAX_ERROR_RETRIES) {
        errorRetries += 1;
        this.stats.retriedErrors += 1;
        await backoff(errorRetries);
        continue;
      }
      if (code && (RETRIED_CODES.has(code) || code.startsWith('HTTP_'))) this.unexpected(code, `${operationName(query)}: ${result.errors?.[0]?.message ?? response.status}`);
      return result;
    }
  }

  /** The Checkout simulator, standing in for the customer's browser (no auth, as Checkout). */
  async checkoutPay(body: Record<string, unknown>): Promise<{ status: number; json: Record<string, unknown> }> {
    const sent = Date.now();
    const response = await this.#send('/sandbox/razorpay/checkout/pay', JSON.stringify(body), {});
    this.#timed(`checkout/pay ${response.status}`, Date.now() - sent);
    return response;
  }

  #timed(what: string, ms: number): void {
    this.stats.slowest.push({ what, ms });
    this.stats.slowest.sort((a, b) => b.ms - a.ms);
    this.stats.slowest.length = Math.min(this.stats.slowest.length, 5);
  }

  unexpected(code: string, sample: string): void {
    this.stats.unexpected[code] = (this.stats.unexpected[code] ?? 0) + 1;
    if (this.stats.unexpectedSamples.length < 12) this.stats.unexpectedSamples.push(`${code} ${sample}`.slice(0, 300));
  }

  async #send(path: string, body: string, headers: Record<string, string>): Promise<{ status: number; json: Record<string, unknown> }> {
    const giveUpAt = Date.now() + GIVE_UP_MS;
    for (;;) {
      const instance = await withTimeout(this.cluster.live(this.random), GIVE_UP_MS, `${path}: no instance ready for ${GIVE_UP_MS} ms`);
      this.stats.requests += 1;
      try {
        const response = await fetch(`${instance.url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body,
          signal: AbortSignal.timeout(60_000),
        });
        const text = await response.text();
        let json: Record<string, unknown>;
        try {
          json = JSON.parse(text) as Record<string, unknown>;
        } catch {
          json = { errors: [{ message: `non-JSON answer: ${text.slice(0, 120)}`, extensions: { code: `HTTP_${response.status}` } }] };
        }
        return { status: response.status, json };
      } catch (error) {
        // The process died under the request (or was down): a real client sends it again.
        if (Date.now() > giveUpAt) throw new Error(`${path}: no answer for ${GIVE_UP_MS} ms: ${String(error)}`);
        this.stats.resentAfterCrash += 1;
        await backoff(1);
      }
    }
  }
}

function operationName(query: string): string {
  return /^(?:mutation|query) (\w+)/.exec(query)?.[1] ?? 'operation';
}

/** A client's retry pause: 50 ms doubling, as a real client backs off before sending again. */
function backoff(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 50 * 2 ** (attempt - 1)));
}
