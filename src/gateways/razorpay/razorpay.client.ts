/**
 * How the adapter talks to Razorpay: the official SDK pointed at the configured host, with a
 * timeout, retries with exponential backoff and full jitter, validation of every answer, and
 * failures turned into {@link GatewayError}. What each call means lives in razorpay.gateway.ts.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import Razorpay from 'razorpay';
import { GatewayError } from '../gateway.js';
import { classifyFailure, describeForLog, MAX_BACKOFF_MS, toGatewayError, toReadableAxiosFailure, type RetryRule } from './razorpay.failures.js';

/** The environment variables through which axios would send requests via a proxy. */
const PROXY_VARIABLES = ['http_proxy', 'https_proxy', 'all_proxy'];

/** How long a kept-open connection to the gateway may stay idle (see the constructor). */
const IDLE_SOCKET_MS = 4_000;

/**
 * TCP keep-alive's initial delay on the gateway's connections: axios sets 60 s on a connection
 * for every request it sends, and the agent sets its `keepAliveMsecs` (Node's default 1 s) when
 * the connection comes back to the pool. Two different values made both calls reach the kernel
 * (two `setsockopt`s each) on every request (issue 11: `Socket.setKeepAlive` 2.4 % of createOrder's
 * busy samples); with the agent on axios's value neither changes anything after the connect.
 */
const KEEP_ALIVE_DELAY_MS = 60_000;

export interface GatewayLogger {
  warn(obj: Record<string, unknown>, msg: string): void;
}

export interface RazorpayClientOptions {
  keyId: string;
  keySecret: string;
  /** Base URL without `/v1`, e.g. the sandbox's `http://127.0.0.1:4000/sandbox/razorpay`. */
  apiUrl?: string;
  /** Per attempt. The SDK sets none, so a hung connection would hang the caller forever. */
  timeoutMs?: number;
  /** Retries after the first attempt, for 429, 5xx, timeouts and network failures. */
  maxRetries?: number;
  /** First backoff ceiling; it doubles per retry, and each wait is random below it. */
  retryBaseMs?: number;
  logger?: GatewayLogger;
  /** How log lines name this gateway: `razorpay`, or `razorpay-sandbox` when it is the sandbox. */
  name?: string;
}

/**
 * The part of the SDK's axios instance (`api.rq`) this adapter relies on. The SDK's type
 * declarations do not expose it, but it is the only way to change the host, the timeout
 * and to send headers the SDK's whitelist would drop.
 */
interface SdkHttpClient {
  defaults: { baseURL?: string; timeout?: number; maxRedirects?: number; proxy?: false; httpAgent?: HttpAgent; httpsAgent?: HttpsAgent };
  post(url: string, data: unknown, config: { headers: Record<string, string> }): Promise<{ data: unknown }>;
  interceptors: {
    response: { use(onFulfilled: null, onRejected: (error: unknown) => unknown): number };
  };
}

export class RazorpayClient {
  readonly sdk: Razorpay;
  readonly #http: SdkHttpClient;
  readonly #maxRetries: number;
  readonly #retryBaseMs: number;
  readonly #logger: GatewayLogger | undefined;
  readonly #name: string;

  constructor(options: RazorpayClientOptions) {
    this.#maxRetries = options.maxRetries ?? 3;
    this.#retryBaseMs = options.retryBaseMs ?? 200;
    this.#logger = options.logger;
    this.#name = options.name ?? 'razorpay';
    this.sdk = new Razorpay({ key_id: options.keyId, key_secret: options.keySecret });

    const http = (this.sdk.api as unknown as { rq?: SdkHttpClient }).rq;
    if (!http?.defaults || !http.interceptors) {
      throw new Error('razorpay SDK no longer exposes api.rq; RazorpayGateway needs updating');
    }
    if (options.apiUrl) http.defaults.baseURL = options.apiUrl.replace(/\/+$/, '');
    http.defaults.timeout = options.timeoutMs ?? 10_000;
    // Connections kept open between calls: axios's default opens (and closes) one per call,
    // a TCP connect — and with Razorpay a TLS handshake — on every request of the service (issue 11).
    // An idle connection is closed by us after IDLE_SOCKET_MS, before a server's own keep-alive
    // timeout (Node's 5 s, the sandbox's) can close it under a request being sent on it: such a
    // reset is not retried for a refund without an idempotency key (retryWhenNotApplied).
    http.defaults.httpAgent = new HttpAgent({ keepAlive: true, keepAliveMsecs: KEEP_ALIVE_DELAY_MS, timeout: IDLE_SOCKET_MS });
    http.defaults.httpsAgent = new HttpsAgent({ keepAlive: true, keepAliveMsecs: KEEP_ALIVE_DELAY_MS, timeout: IDLE_SOCKET_MS });
    // Razorpay's API answers where it is asked, never with a redirect: with none to follow axios
    // sends through Node's own http/https instead of wrapping every request in follow-redirects
    // (its request object, piped events and buffered body: ~3 % of createOrder's CPU, issue 11).
    // A 3xx would now be an unexpected answer (a failure), not a request sent elsewhere with our key.
    http.defaults.maxRedirects = 0;
    // axios looks for a proxy in the environment (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY, NO_PROXY,
    // read through process.env, which is slow) on every request. Read once here instead: with none
    // named, requests go direct without the look-up; with one, axios keeps honouring it per request.
    if (!PROXY_VARIABLES.some((name) => process.env[name] || process.env[name.toUpperCase()])) http.defaults.proxy = false;
    http.interceptors.response.use(null, (error) => Promise.reject(toReadableAxiosFailure(error)));
    this.#http = http;
  }

  /**
   * A POST with headers the SDK's whitelist would drop, through its axios instance directly:
   * same base URL, auth, timeout and interceptor.
   */
  async postWithHeaders(path: string, body: unknown, headers: Record<string, string>): Promise<unknown> {
    const response = await this.#http.post(path, body, { headers });
    return response.data;
  }

  /** One gateway call: attempts, backoff with full jitter, validation, error mapping. */
  async call<T>(operation: string, send: () => Promise<unknown>, parse: (body: unknown) => T, retryable: RetryRule): Promise<T> {
    for (let attempt = 0; ; attempt += 1) {
      let body: unknown;
      try {
        body = await send();
      } catch (error) {
        const failure = classifyFailure(error);
        if (attempt >= this.#maxRetries || !retryable(failure)) throw toGatewayError(failure);
        const ceiling = Math.min(MAX_BACKOFF_MS, this.#retryBaseMs * 2 ** attempt);
        const delayMs = Math.round(Math.random() * ceiling);
        this.#logger?.warn(
          { gateway: this.#name, operation, attempt: attempt + 1, delayMs, ...describeForLog(failure) },
          'Razorpay call failed; retrying',
        );
        await sleep(delayMs);
        continue;
      }
      try {
        return parse(body);
      } catch (error) {
        this.#logger?.warn(
          { gateway: this.#name, operation, problem: error instanceof Error ? error.message : String(error) },
          'Razorpay answered with an unexpected shape',
        );
        throw new GatewayError('Payment gateway returned an unexpected response', 'unavailable');
      }
    }
  }
}
