/**
 * PhonePe's official SDK (`pg-sdk-node`) made fit for a payment service: one client per adapter
 * (the SDK's getInstance is a process singleton), a base URL the sandbox can take (an axios
 * interceptor on the SDK's own instance), a timeout, a per-adapter token cache (phonepe.token.ts),
 * and every call with Razorpay's retry rules, backoff with full jitter, answer validation and
 * one error type ({@link GatewayError}).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { BaseUrl } from 'pg-sdk-node/dist/common/constants/BaseUrl.js';
import { Env, StandardCheckoutClient } from 'pg-sdk-node';
import { GatewayError } from '../gateway.js';
import {
  classifyFailure,
  describeForLog,
  isNotFound,
  MAX_BACKOFF_MS,
  toGatewayError,
  type Failure,
  type RetryRule,
} from './phonepe.failures.js';
import { PhonePeTokenCache } from './phonepe.token.js';

export interface GatewayLogger {
  warn(obj: Record<string, unknown>, msg: string): void;
}

export interface PhonePeClientOptions {
  clientId: string;
  clientSecret: string;
  /** PhonePe's `client_version` (1 on UAT). */
  clientVersion: number;
  /** Which of PhonePe's hosts the SDK picks; `apiUrl` overrides both of that mode's hosts. */
  mode: 'sandbox' | 'live';
  /** One base URL for the PG and OAuth paths, e.g. this service's `/sandbox/phonepe`. */
  apiUrl?: string;
  /** Per attempt. The SDK sets none (axios' 0: wait forever). */
  timeoutMs?: number;
  /** Retries after the first attempt, for 429, 5xx, timeouts and network failures. */
  maxRetries?: number;
  /** First backoff ceiling; it doubles per retry, and each wait is random below it. */
  retryBaseMs?: number;
  logger?: GatewayLogger;
  /** How log lines name this gateway: `phonepe`, or `phonepe-sandbox`. */
  name?: string;
  /** The token cache's clock (ms); tests move it instead of waiting half an hour. */
  clock?: () => number;
}

/** The SDK's axios instance (`client.httpClient`): the only way to set a timeout and a host. */
interface SdkHttpClient {
  defaults: { timeout?: number };
  post(url: string, data: string, config: { headers: Record<string, string> }): Promise<{ data: unknown }>;
  interceptors: { request: { use(onFulfilled: (config: { url?: string }) => { url?: string }): number } };
}

/** The parts of the SDK's token service its requests call; replaced per client (see phonepe.token.ts). */
interface SdkTokenService {
  getOAuthToken(): Promise<string>;
  forceRefreshToken(): Promise<void>;
}

type SdkClientConstructor = new (
  clientId: string,
  clientSecret: string,
  clientVersion: number,
  env: Env,
  shouldPublishEvents: boolean,
) => StandardCheckoutClient;

const TOKEN_PATH = '/v1/oauth/token';

export class PhonePeClient {
  readonly #sdk: StandardCheckoutClient;
  readonly #tokens: PhonePeTokenCache;
  readonly #maxRetries: number;
  readonly #retryBaseMs: number;
  readonly #logger: GatewayLogger | undefined;
  readonly #logName: string;

  constructor(options: PhonePeClientOptions) {
    const { clientId, clientSecret } = options;
    if (!clientId || !clientSecret) throw new Error('PhonePeGateway needs clientId and clientSecret');
    if (!Number.isSafeInteger(options.clientVersion) || options.clientVersion < 1) throw new Error('PhonePeGateway needs a positive integer clientVersion');
    this.#maxRetries = options.maxRetries ?? 3;
    this.#retryBaseMs = options.retryBaseMs ?? 200;
    this.#logger = options.logger;
    this.#logName = options.name ?? 'phonepe';

    const env = options.mode === 'live' ? Env.PRODUCTION : Env.SANDBOX;
    // The constructor getInstance calls, called directly: getInstance keeps one client per
    // process and refuses other arguments, so two adapters (or tests) could not coexist.
    // `false`: no telemetry (in PRODUCTION its 1 s timer would keep the process alive).
    const Client = StandardCheckoutClient as unknown as SdkClientConstructor;
    this.#sdk = new Client(clientId, clientSecret, options.clientVersion, env, false);
    const internals = this.#sdk as unknown as { httpClient?: SdkHttpClient; _tokenService?: SdkTokenService };
    const http = internals.httpClient;
    if (!http?.defaults || !http.interceptors || !internals._tokenService) {
      throw new Error('pg-sdk-node no longer exposes httpClient/_tokenService; PhonePeClient needs updating');
    }
    http.defaults.timeout = options.timeoutMs ?? 10_000;
    const hosts = BaseUrl[env];
    if (options.apiUrl) {
      const base = options.apiUrl.replace(/\/+$/, '');
      const known = [hosts.PG_HOST_URL, hosts.OAUTH_HOST_URL];
      http.interceptors.request.use((config) => {
        const prefix = known.find((host) => config.url?.startsWith(host));
        // Anything else would go to a host nobody configured: refuse rather than send it.
        if (!config.url || !prefix) throw new Error('PhonePe request to an unexpected URL was not sent');
        return { ...config, url: base + config.url.slice(prefix.length) };
      });
    }
    this.#tokens = new PhonePeTokenCache(async () => {
      const form = new URLSearchParams({
        client_id: clientId,
        client_version: String(options.clientVersion),
        client_secret: clientSecret,
        grant_type: 'client_credentials',
      });
      const response = await http.post(hosts.OAUTH_HOST_URL + TOKEN_PATH, form.toString(), {
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      });
      return response.data;
    }, options.clock);
    const tokenService: SdkTokenService = {
      getOAuthToken: () => this.#tokens.authorizationHeader(),
      forceRefreshToken: () => this.#tokens.forceRefresh(),
    };
    internals._tokenService = tokenService;
  }

  /**
   * One gateway call: attempts, backoff with full jitter, validation, error mapping. A 401 is
   * tried once more: the SDK has just replaced the refused token (and nothing was applied).
   */
  async call<T>(operation: string, send: (sdk: StandardCheckoutClient) => Promise<unknown>, parse: (body: unknown) => T, retryable: RetryRule): Promise<T> {
    let retriedUnauthorized = false;
    for (let attempt = 0; ; attempt += 1) {
      let body: unknown;
      try {
        body = await send(this.#sdk);
      } catch (error) {
        const failure: Failure = classifyFailure(error);
        if (failure.type === 'http' && failure.status === 401 && !retriedUnauthorized) {
          retriedUnauthorized = true;
          this.#logger?.warn({ gateway: this.#logName, operation }, 'PhonePe refused the token; retrying with a new one');
          continue;
        }
        if (attempt >= this.#maxRetries || !retryable(failure) || isNotFound(failure)) {
          if (!isNotFound(failure)) {
            this.#logger?.warn({ gateway: this.#logName, operation, attempts: attempt + 1, ...describeForLog(failure) }, 'PhonePe call failed');
          }
          throw toGatewayError(failure);
        }
        const ceiling = Math.min(MAX_BACKOFF_MS, this.#retryBaseMs * 2 ** attempt);
        const delayMs = Math.round(Math.random() * ceiling);
        this.#logger?.warn(
          { gateway: this.#logName, operation, attempt: attempt + 1, delayMs, ...describeForLog(failure) },
          'PhonePe call failed; retrying',
        );
        await sleep(delayMs);
        continue;
      }
      try {
        return parse(body);
      } catch (error) {
        this.#logger?.warn(
          { gateway: this.#logName, operation, problem: error instanceof Error ? error.message : String(error) },
          'PhonePe answered with an unexpected shape',
        );
        throw new GatewayError('PhonePe returned an unexpected response', 'unavailable');
      }
    }
  }
}
