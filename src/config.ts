import { z } from 'zod';
import { isReportZone } from './reports/report.period.js';

/** Development-only defaults: safe to publish because production refuses them. */
export const DEV_JWT_SECRET = 'dev-only-jwt-secret-change-me-0123456789';
export const SANDBOX_KEY_ID = 'rzp_test_sandbox0000001';
export const SANDBOX_KEY_SECRET = 'sandbox_key_secret_not_for_production';
export const SANDBOX_WEBHOOK_SECRET = 'sandbox_webhook_secret_not_for_production';
export const SANDBOX_PHONEPE_CLIENT_ID = 'PHONEPE_SANDBOX_CLIENT';
export const SANDBOX_PHONEPE_CLIENT_SECRET = 'phonepe_sandbox_client_secret_not_for_production';
export const SANDBOX_PHONEPE_WEBHOOK_USERNAME = 'phonepe_sandbox_callback_user';
export const SANDBOX_PHONEPE_WEBHOOK_PASSWORD = 'phonepe_sandbox_callback_password_not_for_production';

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: z.string().url().optional(),
  EMBEDDED_PG_DIR: z.string().default('.data/postgres'),
  EMBEDDED_PG_PORT: z.coerce.number().int().min(0).max(65535).default(5499),
  JWT_SECRET: z.string().min(32, 'JWT_SECRET must be at least 32 characters').optional(),
  RAZORPAY_MODE: z.enum(['live', 'sandbox']).optional(),
  RAZORPAY_KEY_ID: z.string().optional(),
  RAZORPAY_KEY_SECRET: z.string().optional(),
  RAZORPAY_WEBHOOK_SECRET: z.string().optional(),
  RAZORPAY_WEBHOOK_SECRET_PREVIOUS: z.string().optional(),
  RAZORPAY_API_URL: z.string().url().optional(),
  RAZORPAY_TIMEOUT_MS: positiveInt(10_000),
  PHONEPE_MODE: z.enum(['live', 'sandbox']).optional(),
  PHONEPE_CLIENT_ID: z.string().optional(),
  PHONEPE_CLIENT_SECRET: z.string().optional(),
  PHONEPE_CLIENT_VERSION: positiveInt(1),
  PHONEPE_WEBHOOK_USERNAME: z.string().optional(),
  PHONEPE_WEBHOOK_PASSWORD: z.string().optional(),
  PHONEPE_API_URL: z.string().url().optional(),
  PHONEPE_REDIRECT_URL: z.string().url().optional(),
  PHONEPE_ORDER_EXPIRY_SECONDS: z.coerce.number().int().min(300).max(3600).default(1800),
  PHONEPE_TIMEOUT_MS: positiveInt(10_000),
  DEFAULT_GATEWAY: z.enum(['razorpay', 'phonepe']).default('razorpay'),
  PLATFORM_FEE_BPS: z.coerce.number().int().min(0).max(10_000).default(1500),
  MAX_ORDER_AMOUNT: positiveInt(50_000_000),
  REDIS_URL: z.string().optional(),
  WALLET_MIN_TOPUP: positiveInt(100),
  WALLET_MAX_TOPUP: positiveInt(10_000_000),
  WALLET_MAX_BALANCE: positiveInt(20_000_000),
  // The first retry of a failed webhook event's job, doubling per attempt up to an hour (under 500 ms: at once).
  WEBHOOK_RETRY_BASE_MS: positiveInt(5_000),
  WEBHOOK_MAX_ATTEMPTS: positiveInt(12),
  // How long a started job (pg-boss's expiry: webhook event, outbox delivery, the recurring
  // passes) stays claimed: a process killed mid-work leaves it, and another worker
  // takes the work over once the lease runs out.
  WORKER_LEASE_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  CART_CHECKOUT_TIMEOUT_MS: positiveInt(30 * 60_000),
  RECONCILE_ENABLED: z.enum(['true', 'false']).default('true'),
  RECONCILE_INTERVAL_MS: positiveInt(30_000),
  RECONCILE_AFTER_MS: z.coerce.number().int().min(0).default(5 * 60_000),
  RECONCILE_BATCH: positiveInt(50),
  RECONCILE_CAPTURE_AUTHORIZED: z.enum(['true', 'false']).default('true'),
  OUTBOX_SUBSCRIBER_URLS: z.string().default(''),
  OUTBOX_SECRET: z.string().optional(),
  OUTBOX_MAX_ATTEMPTS: positiveInt(15),
  OUTBOX_TIMEOUT_MS: positiveInt(5_000),
  OUTBOX_RETRY_BASE_MS: positiveInt(5_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['json', 'pretty']).default('json'),
  GRAPHQL_MAX_DEPTH: positiveInt(10),
  RATE_LIMIT_PER_MINUTE: positiveInt(600),
  // The browser pages (src/web): on in development and test, off in production unless enabled.
  SHOP_ENABLED: z.enum(['true', 'false']).optional(),
  CONSOLE_ENABLED: z.enum(['true', 'false']).optional(),
  GRAPHIQL_ENABLED: z.enum(['true', 'false']).optional(),
  GRAPHQL_MAX_ALIASES: positiveInt(15),
  GRAPHQL_MAX_TOKENS: positiveInt(2000),
  GRAPHQL_MAX_COST: positiveInt(5000),
  CORS_ORIGINS: z.string().default(''),
  METRICS_TOKEN: z.string().min(16, 'METRICS_TOKEN must be at least 16 characters').optional(),
  WS_AUTH_TIMEOUT_MS: positiveInt(3_000),
  WS_ALLOW_ANONYMOUS: z.enum(['true', 'false']).default('false'),
  WS_MAX_OPERATIONS_PER_CONNECTION: positiveInt(20),
  WS_MAX_CONNECTIONS_PER_USER: positiveInt(10),
  REPORT_TIMEZONE: z.string().default('UTC').refine(isReportZone, 'must be an IANA time zone (Asia/Kolkata, UTC) or an offset like +05:30'),
});

/** Every environment variable the service reads (`.env.example` lists the same, checked by a test). */
export const ENV_SCHEMA = envSchema;

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
  webhooks: { retryBaseMs: number; maxAttempts: number };
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
  /** Other services told when money moves: where, signed with what, how persistently. */
  outbox: { subscriberUrls: string[]; secret: string; maxAttempts: number; timeoutMs: number; retryBaseMs: number };
  /** The job runner (src/jobs): a job started this long ago by a process that died is retried elsewhere. */
  jobs: { leaseSeconds: number };
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
   * (unless `allowAnonymous`); caps on concurrent operations per connection and connections per user.
   */
  ws: { authTimeoutMs: number; allowAnonymous: boolean; maxOperationsPerConnection: number; maxConnectionsPerUser: number };
  /** The zone whose midnight starts a `report daily` day (IANA name or ±hh:mm). */
  reportTimezone: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Reads the environment into a typed config. Refuses what would be unsafe in production:
 * the sandbox gateway, the development JWT secret, a missing webhook secret.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
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
    webhooks: { retryBaseMs: e.WEBHOOK_RETRY_BASE_MS, maxAttempts: e.WEBHOOK_MAX_ATTEMPTS },
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
    outbox: {
      subscriberUrls,
      secret: e.OUTBOX_SECRET ?? '',
      maxAttempts: e.OUTBOX_MAX_ATTEMPTS,
      timeoutMs: e.OUTBOX_TIMEOUT_MS,
      retryBaseMs: e.OUTBOX_RETRY_BASE_MS,
    },
    jobs: { leaseSeconds: e.WORKER_LEASE_SECONDS },
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
    },
    reportTimezone: e.REPORT_TIMEZONE,
  };
}

/**
 * PhonePe's settings. Mode: PHONEPE_MODE, else live when PHONEPE_CLIENT_ID is set, else the
 * sandbox. Production never takes the sandbox, and leaves PhonePe off when nothing of it is set
 * (a Razorpay-only deployment needs no PhonePe settings).
 */
function readPhonePe(e: z.infer<typeof envSchema>, production: boolean): Config['phonepe'] {
  const anySet = [e.PHONEPE_MODE, e.PHONEPE_CLIENT_ID, e.PHONEPE_CLIENT_SECRET, e.PHONEPE_WEBHOOK_USERNAME, e.PHONEPE_WEBHOOK_PASSWORD, e.PHONEPE_API_URL, e.PHONEPE_REDIRECT_URL]
    .some((value) => value !== undefined);
  const mode = e.PHONEPE_MODE ?? (e.PHONEPE_CLIENT_ID ? 'live' : 'sandbox');
  const sandbox = mode === 'sandbox';
  if (production && sandbox && (anySet || e.DEFAULT_GATEWAY === 'phonepe')) {
    throw new ConfigError('NODE_ENV=production refuses PHONEPE_MODE=sandbox: set PHONEPE_CLIENT_ID, PHONEPE_CLIENT_SECRET, PHONEPE_WEBHOOK_USERNAME, PHONEPE_WEBHOOK_PASSWORD and PHONEPE_REDIRECT_URL');
  }
  if (mode === 'live') {
    const missing = (['PHONEPE_CLIENT_ID', 'PHONEPE_CLIENT_SECRET', 'PHONEPE_WEBHOOK_USERNAME', 'PHONEPE_WEBHOOK_PASSWORD', 'PHONEPE_REDIRECT_URL'] as const).filter((k) => !e[k]);
    if (missing.length > 0) throw new ConfigError(`PHONEPE_MODE=live needs ${missing.join(', ')}`);
  }
  return {
    enabled: !(production && !anySet),
    mode,
    clientId: e.PHONEPE_CLIENT_ID ?? (sandbox ? SANDBOX_PHONEPE_CLIENT_ID : ''),
    clientSecret: e.PHONEPE_CLIENT_SECRET ?? (sandbox ? SANDBOX_PHONEPE_CLIENT_SECRET : ''),
    clientVersion: e.PHONEPE_CLIENT_VERSION,
    webhookUsername: e.PHONEPE_WEBHOOK_USERNAME ?? (sandbox ? SANDBOX_PHONEPE_WEBHOOK_USERNAME : ''),
    webhookPassword: e.PHONEPE_WEBHOOK_PASSWORD ?? (sandbox ? SANDBOX_PHONEPE_WEBHOOK_PASSWORD : ''),
    apiUrl: e.PHONEPE_API_URL ?? null,
    redirectUrl: e.PHONEPE_REDIRECT_URL ?? null,
    orderExpirySeconds: e.PHONEPE_ORDER_EXPIRY_SECONDS,
    timeoutMs: e.PHONEPE_TIMEOUT_MS,
  };
}

/**
 * `CORS_ORIGINS`: comma-separated origins (`https://shop.example.com`). Unset: any origin in
 * development and test, none (same origin only) in production, where `*` is refused.
 */
function parseCorsOrigins(value: string, env: Config['env']): string[] | '*' {
  const trimmed = value.trim();
  if (trimmed === '' && env !== 'production') return '*';
  if (trimmed === '*') {
    if (env === 'production') throw new ConfigError('NODE_ENV=production refuses CORS_ORIGINS=*: list the origins your web clients are served from');
    return '*';
  }
  const origins = trimmed.split(',').map((o) => o.trim()).filter(Boolean);
  for (const origin of origins) {
    if (!URL.canParse(origin) || new URL(origin).origin !== origin) {
      throw new ConfigError(`CORS_ORIGINS: ${origin} is not an origin (scheme://host[:port], no path or trailing slash)`);
    }
  }
  return origins;
}
