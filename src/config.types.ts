/** The service's typed configuration, read from the environment by `loadConfig` (config.ts). */
export interface Config {
  env: 'development' | 'test' | 'production';
  port: number;
  host: string;
  database: { url: string } | { embedded: { dataDir: string; port: number } };
  jwtSecret: string;
  usingDevJwtSecret: boolean;
  razorpay: {
    mode: 'live' | 'sandbox';
    keyId: string;
    keySecret: string;
    webhookSecrets: string[];
    /** Base URL without `/v1`; null in live mode means Razorpay's own. */
    apiUrl: string | null;
    timeoutMs: number;
  };
  /**
   * PhonePe (src/gateways/phonepe). Off (`enabled: false`) only in production with no PhonePe
   * setting at all; elsewhere the built-in sandbox unless a client id is set.
   */
  phonepe: {
    enabled: boolean;
    mode: 'live' | 'sandbox';
    clientId: string;
    clientSecret: string;
    clientVersion: number;
    webhookUsername: string;
    webhookPassword: string;
    /** One base URL for PhonePe's PG and OAuth paths; null: PhonePe's own (live) or this service's /sandbox/phonepe. */
    apiUrl: string | null;
    /** Where PhonePe sends the customer back; null: this service's storefront (sandbox only). */
    redirectUrl: string | null;
    orderExpirySeconds: number;
    timeoutMs: number;
  };
  /** The gateway an order uses when the client names none. */
  defaultGateway: 'razorpay' | 'phonepe';
  platformFeeBps: number;
  maxOrderAmount: number;
  redisUrl: string | null;
  /** Wallet limits in minor units (INR): per top-up and for the balance. */
  wallet: { minTopUp: number; maxTopUp: number; maxBalance: number };
  /**
   * `concurrency`: events processed at once per instance (the job runner's workers); `storePoolMax`:
   * connections of the pool that stores deliveries before they are acknowledged (apart from
   * processing's, so processing never makes an acknowledgement wait).
   */
  webhooks: {
    retryBaseMs: number; maxAttempts: number; concurrency: number; storePoolMax: number; processing: boolean;
    /** WEBHOOK_FETCH_BATCH: jobs each processing worker fetches and completes at once (at least its share of `concurrency`). */
    fetchBatch: number;
    /** WEBHOOK_PROCESSING_THREAD: processing (when on) runs in a worker thread of this process. */
    thread: boolean;
    /** WEBHOOK_PROCESSING_THREAD_NICE: the processing thread's nice value (Linux), 0 for the process's own. */
    threadNice: number;
  };
  /**
   * A gateway checkout unpaid for `checkoutTimeoutMs` releases its cart; the sweep runs every
   * `sweepIntervalMs` (a fifth of the timeout, between 100 ms and a minute).
   */
  cart: { checkoutTimeoutMs: number; sweepIntervalMs: number };
  /**
   * The janitor: payments left CREATED/AUTHORIZED/FAILED for `afterMs` are asked about at the
   * gateway every `intervalMs`, `batch` at a time; authorised ones are captured if `captureAuthorized`.
   */
  reconcile: { enabled: boolean; intervalMs: number; afterMs: number; batch: number; captureAuthorized: boolean };
  /**
   * Payouts (src/payouts): `hold` of a new transfer at Razorpay (`delay`: `on_hold_until` creation +
   * `holdDelaySeconds`; `released`: `on_hold` until releasePayout); the transfer and reversal jobs'
   * first retry (`retryBaseMs`, doubling up to an hour) and attempts in all.
   */
  payouts: { hold: 'none' | 'delay' | 'released'; holdDelaySeconds: number; retryBaseMs: number; maxAttempts: number };
  /** Other services told when money moves: where, signed with what, how persistently. */
  outbox: { subscriberUrls: string[]; secret: string; maxAttempts: number; timeoutMs: number; retryBaseMs: number };
  /**
   * The job runner (src/jobs): a job started `leaseSeconds` ago by a process that died is retried
   * elsewhere; `listen` (JOB_LISTEN): whether workers listen for their queues' NOTIFY (false: polling only).
   */
  jobs: { leaseSeconds: number; listen: boolean };
  logLevel: string;
  /** json (one object a line) or pretty (pino-pretty, development only). */
  logFormat: 'json' | 'pretty';
  graphqlMaxDepth: number;
  /** Operations per minute, counted per IP and per user, over HTTP and WebSocket together. */
  rateLimitPerMinute: number;
  /** Which browser pages are served: the storefront (/shop), the operator console (/console), GraphiQL (GET /graphql). */
  web: { shop: boolean; console: boolean; graphiql: boolean };
  /** Document limits applied by every transport (src/graphql/limits.ts). */
  graphqlLimits: { maxAliases: number; maxTokens: number; maxCost: number };
  /** Origins a browser may call from; `*` (any) only outside production. Empty: same origin only. */
  corsOrigins: string[] | '*';
  /** Bearer token `/metrics` requires; null: open in development and test, closed in production. */
  metricsToken: string | null;
  /**
   * graphql-ws: a connection must send a valid token in `connection_init` within `authTimeoutMs`
   * (unless `allowAnonymous`); caps on concurrent operations per connection and connections per user;
   * `keepAliveMs`, how often each connection is pinged: one that has not answered by the next ping is
   * terminated (a peer gone without closing), freeing its place in `maxConnectionsPerUser`.
   */
  ws: { authTimeoutMs: number; allowAnonymous: boolean; maxOperationsPerConnection: number; maxConnectionsPerUser: number; keepAliveMs: number };
  /** The zone whose midnight starts a `report daily` day (IANA name or ±hh:mm). */
  reportTimezone: string;
}
