import {
  DEV_JWT_SECRET, ENV_SCHEMA, SANDBOX_KEY_ID, SANDBOX_KEY_SECRET, SANDBOX_WEBHOOK_SECRET,
} from './config.env.js';
import { ConfigError, parseCorsOrigins, readPhonePe } from './config.parts.js';
import type { Config } from './config.types.js';

export * from './config.env.js';
export type { Config } from './config.types.js';
export { ConfigError } from './config.parts.js';

/**
 * Reads the environment into a typed config. Refuses what would be unsafe in production:
 * the sandbox gateway, the development JWT secret, a missing webhook secret.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = ENV_SCHEMA.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`Invalid environment: ${problems}`);
  }
  const e = parsed.data;
  const mode = e.RAZORPAY_MODE ?? (e.RAZORPAY_KEY_ID ? 'live' : 'sandbox');
  const production = e.NODE_ENV === 'production';

  if (production && mode === 'sandbox') {
    throw new ConfigError('NODE_ENV=production refuses RAZORPAY_MODE=sandbox: set RAZORPAY_KEY_ID, RAZORPAY_KEY_SECRET and RAZORPAY_WEBHOOK_SECRET');
  }
  if (production && !e.JWT_SECRET) {
    throw new ConfigError('NODE_ENV=production needs JWT_SECRET (at least 32 characters); the development secret is refused');
  }
  if (production && e.JWT_SECRET === DEV_JWT_SECRET) {
    throw new ConfigError('NODE_ENV=production refuses the development JWT_SECRET');
  }
  if (production && !e.DATABASE_URL) {
    throw new ConfigError('NODE_ENV=production needs DATABASE_URL; the embedded PostgreSQL is for development');
  }
  const corsOrigins = parseCorsOrigins(e.CORS_ORIGINS, e.NODE_ENV);
  if (production && e.LOG_FORMAT === 'pretty') {
    throw new ConfigError('NODE_ENV=production refuses LOG_FORMAT=pretty: pino-pretty is a development dependency, and log shippers read JSON');
  }
  if (e.WALLET_MIN_TOPUP > e.WALLET_MAX_TOPUP) throw new ConfigError('WALLET_MIN_TOPUP must not exceed WALLET_MAX_TOPUP');
  if (e.WALLET_MAX_TOPUP > e.WALLET_MAX_BALANCE) throw new ConfigError('WALLET_MAX_TOPUP must not exceed WALLET_MAX_BALANCE');
  // A claim must outlive the work it covers, or a slow gateway call or delivery would be taken over
  // (and done twice) while still running.
  const longestWorkMs = Math.max(e.RAZORPAY_TIMEOUT_MS, e.PHONEPE_TIMEOUT_MS, e.OUTBOX_TIMEOUT_MS);
  if (e.WORKER_LEASE_SECONDS * 1000 <= longestWorkMs) {
    throw new ConfigError(`WORKER_LEASE_SECONDS (${e.WORKER_LEASE_SECONDS}) must be longer than RAZORPAY_TIMEOUT_MS, PHONEPE_TIMEOUT_MS and OUTBOX_TIMEOUT_MS (${longestWorkMs} ms): a lease shorter than the work lets a second worker start the same work`);
  }
  if (mode === 'live') {
    const missing = (['RAZORPAY_KEY_ID', 'RAZORPAY_KEY_SECRET', 'RAZORPAY_WEBHOOK_SECRET'] as const).filter((k) => !e[k]);
    if (missing.length > 0) throw new ConfigError(`RAZORPAY_MODE=live needs ${missing.join(', ')}`);
  }

  const phonepe = readPhonePe(e, production);
  if (e.DEFAULT_GATEWAY === 'phonepe' && !phonepe.enabled) {
    throw new ConfigError('DEFAULT_GATEWAY=phonepe needs PhonePe: set PHONEPE_CLIENT_ID, PHONEPE_CLIENT_SECRET, PHONEPE_WEBHOOK_USERNAME, PHONEPE_WEBHOOK_PASSWORD and PHONEPE_REDIRECT_URL');
  }

  const subscriberUrls = e.OUTBOX_SUBSCRIBER_URLS.split(',').map((u) => u.trim()).filter(Boolean);
  for (const url of subscriberUrls) {
    if (!/^https?:\/\/[^\s]+$/.test(url) || !URL.canParse(url)) throw new ConfigError(`OUTBOX_SUBSCRIBER_URLS: ${url} is not an http(s) URL`);
  }
  if (subscriberUrls.length > 0 && (!e.OUTBOX_SECRET || e.OUTBOX_SECRET.length < 32)) {
    throw new ConfigError('OUTBOX_SUBSCRIBER_URLS needs OUTBOX_SECRET (at least 32 characters) to sign deliveries');
  }
  const sandbox = mode === 'sandbox';
  const webhookSecret = e.RAZORPAY_WEBHOOK_SECRET ?? SANDBOX_WEBHOOK_SECRET;
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    database: e.DATABASE_URL
      ? { url: e.DATABASE_URL }
      : { embedded: { dataDir: e.EMBEDDED_PG_DIR, port: e.EMBEDDED_PG_PORT } },
    jwtSecret: e.JWT_SECRET ?? DEV_JWT_SECRET,
    usingDevJwtSecret: !e.JWT_SECRET,
    razorpay: {
      mode,
      keyId: e.RAZORPAY_KEY_ID ?? (sandbox ? SANDBOX_KEY_ID : ''),
      keySecret: e.RAZORPAY_KEY_SECRET ?? (sandbox ? SANDBOX_KEY_SECRET : ''),
      webhookSecrets: [webhookSecret, ...(e.RAZORPAY_WEBHOOK_SECRET_PREVIOUS ? [e.RAZORPAY_WEBHOOK_SECRET_PREVIOUS] : [])],
      apiUrl: e.RAZORPAY_API_URL ?? null,
      timeoutMs: e.RAZORPAY_TIMEOUT_MS,
    },
    phonepe,
    defaultGateway: e.DEFAULT_GATEWAY,
    platformFeeBps: e.PLATFORM_FEE_BPS,
    maxOrderAmount: Math.min(e.MAX_ORDER_AMOUNT, 2_147_483_647),
    redisUrl: e.REDIS_URL ?? null,
    wallet: { minTopUp: Math.max(100, e.WALLET_MIN_TOPUP), maxTopUp: e.WALLET_MAX_TOPUP, maxBalance: e.WALLET_MAX_BALANCE },
    webhooks: { retryBaseMs: e.WEBHOOK_RETRY_BASE_MS, maxAttempts: e.WEBHOOK_MAX_ATTEMPTS, concurrency: e.WEBHOOK_CONCURRENCY, fetchBatch: e.WEBHOOK_FETCH_BATCH, storePoolMax: e.WEBHOOK_STORE_POOL_MAX, processing: e.WEBHOOK_PROCESSING === 'true', thread: e.WEBHOOK_PROCESSING_THREAD === 'true', threadNice: e.WEBHOOK_PROCESSING_THREAD_NICE },
    cart: {
      checkoutTimeoutMs: e.CART_CHECKOUT_TIMEOUT_MS,
      sweepIntervalMs: Math.min(60_000, Math.max(100, Math.floor(e.CART_CHECKOUT_TIMEOUT_MS / 5))),
    },
    reconcile: {
      enabled: e.RECONCILE_ENABLED === 'true',
      intervalMs: e.RECONCILE_INTERVAL_MS,
      afterMs: e.RECONCILE_AFTER_MS,
      batch: e.RECONCILE_BATCH,
      captureAuthorized: e.RECONCILE_CAPTURE_AUTHORIZED === 'true',
    },
    payouts: { hold: e.PAYOUT_HOLD, holdDelaySeconds: e.PAYOUT_HOLD_DELAY_SECONDS, retryBaseMs: e.PAYOUT_RETRY_BASE_MS, maxAttempts: e.PAYOUT_MAX_ATTEMPTS },
    outbox: {
      subscriberUrls,
      secret: e.OUTBOX_SECRET ?? '',
      maxAttempts: e.OUTBOX_MAX_ATTEMPTS,
      timeoutMs: e.OUTBOX_TIMEOUT_MS,
      retryBaseMs: e.OUTBOX_RETRY_BASE_MS,
    },
    jobs: { leaseSeconds: e.WORKER_LEASE_SECONDS, listen: e.JOB_LISTEN === 'true' },
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
    graphqlMaxDepth: e.GRAPHQL_MAX_DEPTH,
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
    web: {
      shop: (e.SHOP_ENABLED ?? (production ? 'false' : 'true')) === 'true',
      console: (e.CONSOLE_ENABLED ?? (production ? 'false' : 'true')) === 'true',
      graphiql: (e.GRAPHIQL_ENABLED ?? (production ? 'false' : 'true')) === 'true',
    },
    graphqlLimits: { maxAliases: e.GRAPHQL_MAX_ALIASES, maxTokens: e.GRAPHQL_MAX_TOKENS, maxCost: e.GRAPHQL_MAX_COST },
    corsOrigins,
    metricsToken: e.METRICS_TOKEN ?? null,
    ws: {
      authTimeoutMs: e.WS_AUTH_TIMEOUT_MS,
      allowAnonymous: e.WS_ALLOW_ANONYMOUS === 'true',
      maxOperationsPerConnection: e.WS_MAX_OPERATIONS_PER_CONNECTION,
      maxConnectionsPerUser: e.WS_MAX_CONNECTIONS_PER_USER,
      keepAliveMs: e.WS_KEEP_ALIVE_MS,
    },
    reportTimezone: e.REPORT_TIMEZONE,
  };
}
