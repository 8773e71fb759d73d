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
  WEBHOOK_CONCURRENCY: positiveInt(4),
  // Jobs each of processing's two workers fetches and completes at once (never fewer than it runs at a time).
  WEBHOOK_FETCH_BATCH: positiveInt(8),
  WEBHOOK_STORE_POOL_MAX: positiveInt(4),
  // Whether this instance processes webhook events (false: it stores and acknowledges them only,
  // for an ingest-only instance or to measure the acknowledgement alone; another instance processes).
  WEBHOOK_PROCESSING: z.enum(['true', 'false']).default('true'),
  // Whether that processing runs in a worker thread of this process (its own event loop, ORM pool
  // and job workers), so the acknowledgement's event loop never runs it (docs/performance/webhook-processing.md).
  // Off by default: on the shared 2-core machine it did not shorten the acknowledgement's tail (sixth round).
  WEBHOOK_PROCESSING_THREAD: z.enum(['true', 'false']).default('false'),
  // The processing thread's nice value (Linux: a thread's own scheduling priority; 0 to 19, 0 =
  // the process's): when the cores are short, the acknowledging thread runs first.
  WEBHOOK_PROCESSING_THREAD_NICE: z.coerce.number().int().min(0).max(19).default(10),
  // How long a started job (pg-boss's expiry: webhook event, outbox delivery, the recurring
  // passes) stays claimed: a process killed mid-work leaves it, and another worker
  // takes the work over once the lease runs out.
  WORKER_LEASE_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  JOB_LISTEN: z.enum(['true', 'false']).default('true'),
  CART_CHECKOUT_TIMEOUT_MS: positiveInt(30 * 60_000),
  RECONCILE_ENABLED: z.enum(['true', 'false']).default('true'),
  RECONCILE_INTERVAL_MS: positiveInt(30_000),
  RECONCILE_AFTER_MS: z.coerce.number().int().min(0).default(5 * 60_000),
  RECONCILE_BATCH: positiveInt(50),
  RECONCILE_CAPTURE_AUTHORIZED: z.enum(['true', 'false']).default('true'),
  // Payouts (Razorpay Route transfers): how a new transfer is held at Razorpay (none, a delay, until an
  // operator releases it), and how the transfer and reversal jobs retry.
  PAYOUT_HOLD: z.enum(['none', 'delay', 'released']).default('none'),
  PAYOUT_HOLD_DELAY_SECONDS: positiveInt(24 * 60 * 60),
  PAYOUT_RETRY_BASE_MS: positiveInt(30_000),
  PAYOUT_MAX_ATTEMPTS: positiveInt(10),
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
  // At most ten minutes: a ping rarer than that outlives any proxy's idle timeout (and Node's timers overflow past 2^31 ms).
  WS_KEEP_ALIVE_MS: z.coerce.number().int().positive().max(600_000).default(25_000),
  REPORT_TIMEZONE: z.string().default('UTC').refine(isReportZone, 'must be an IANA time zone (Asia/Kolkata, UTC) or an offset like +05:30'),
});

/** Every environment variable the service reads (`.env.example` lists the same, checked by a test). */
export const ENV_SCHEMA = envSchema;
