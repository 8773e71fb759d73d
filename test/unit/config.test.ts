import { describe, expect, it } from 'vitest';
import { ConfigError, DEV_JWT_SECRET, loadConfig } from '../../src/config.js';

const live = {
  RAZORPAY_KEY_ID: 'rzp_live_abc',
  RAZORPAY_KEY_SECRET: 'secret',
  RAZORPAY_WEBHOOK_SECRET: 'whsecret',
};

describe('loadConfig', () => {
  it('runs with nothing set: embedded PostgreSQL, sandbox, development secret, 15% fee', () => {
    const config = loadConfig({});
    expect(config.database).toEqual({ embedded: { dataDir: '.data/postgres', port: 5499 } });
    expect(config.razorpay.mode).toBe('sandbox');
    expect(config.jwtSecret).toBe(DEV_JWT_SECRET);
    expect(config.usingDevJwtSecret).toBe(true);
    expect(config.platformFeeBps).toBe(1500);
    expect(config.port).toBe(4000);
    expect(config.redisUrl).toBeNull();
  });

  it('switches to live mode when a key id is set, and demands the secrets', () => {
    expect(loadConfig(live).razorpay.mode).toBe('live');
    expect(() => loadConfig({ RAZORPAY_KEY_ID: 'rzp_live_abc' })).toThrow(/RAZORPAY_KEY_SECRET, RAZORPAY_WEBHOOK_SECRET/);
  });

  it('refuses sandbox mode, the development secret and the embedded database in production', () => {
    const production = { NODE_ENV: 'production', DATABASE_URL: 'postgres://db/payments', JWT_SECRET: 'x'.repeat(40) };
    expect(() => loadConfig({ ...production })).toThrow(/refuses RAZORPAY_MODE=sandbox/);
    expect(() => loadConfig({ ...production, ...live, JWT_SECRET: undefined })).toThrow(/needs JWT_SECRET/);
    expect(() => loadConfig({ ...production, ...live, JWT_SECRET: DEV_JWT_SECRET })).toThrow(/refuses the development JWT_SECRET/);
    expect(() => loadConfig({ ...production, ...live, LOG_FORMAT: 'pretty' })).toThrow(/refuses LOG_FORMAT=pretty/);
    expect(() => loadConfig({ REPORT_TIMEZONE: 'Mars/Olympus' })).toThrow(/REPORT_TIMEZONE: must be an IANA time zone/);
    expect(loadConfig({ REPORT_TIMEZONE: 'Asia/Kolkata' }).reportTimezone).toBe('Asia/Kolkata');
    expect(() => loadConfig({ ...production, ...live, DATABASE_URL: undefined })).toThrow(/needs DATABASE_URL/);
    expect(loadConfig({ ...production, ...live }).razorpay.mode).toBe('live');
  });

  it('refuses a worker lease that does not outlive the gateway and outbox timeouts', () => {
    expect(loadConfig({ WORKER_LEASE_SECONDS: '8', OUTBOX_TIMEOUT_MS: '5000', RAZORPAY_TIMEOUT_MS: '5000', PHONEPE_TIMEOUT_MS: '5000' }).jobs.leaseSeconds).toBe(8);
    expect(() => loadConfig({ WORKER_LEASE_SECONDS: '8' })).toThrow(/WORKER_LEASE_SECONDS \(8\) must be longer than RAZORPAY_TIMEOUT_MS, PHONEPE_TIMEOUT_MS and OUTBOX_TIMEOUT_MS \(10000 ms\)/);
    expect(() => loadConfig({ WORKER_LEASE_SECONDS: '8', OUTBOX_TIMEOUT_MS: '5000', RAZORPAY_TIMEOUT_MS: '5000' })).toThrow(/PHONEPE_TIMEOUT_MS/);
    expect(() => loadConfig({ WORKER_LEASE_SECONDS: '0' })).toThrow(/WORKER_LEASE_SECONDS/);
  });

  it('PhonePe: the sandbox outside production, live with a client id, refused as a sandbox in production, off when unset there', () => {
    const phonepeLive = {
      PHONEPE_CLIENT_ID: 'M22ABCDEF',
      PHONEPE_CLIENT_SECRET: 'secret',
      PHONEPE_WEBHOOK_USERNAME: 'user',
      PHONEPE_WEBHOOK_PASSWORD: 'password',
      PHONEPE_REDIRECT_URL: 'https://shop.example.com/phonepe/return',
    };
    const local = loadConfig({});
    expect(local.phonepe).toMatchObject({ enabled: true, mode: 'sandbox', clientVersion: 1, apiUrl: null, redirectUrl: null, orderExpirySeconds: 1800, timeoutMs: 10_000 });
    expect(local.defaultGateway).toBe('razorpay');
    expect(loadConfig(phonepeLive).phonepe).toMatchObject({ enabled: true, mode: 'live', clientId: 'M22ABCDEF' });
    expect(() => loadConfig({ PHONEPE_CLIENT_ID: 'M22ABCDEF' })).toThrow(/PHONEPE_MODE=live needs PHONEPE_CLIENT_SECRET, PHONEPE_WEBHOOK_USERNAME, PHONEPE_WEBHOOK_PASSWORD, PHONEPE_REDIRECT_URL/);
    expect(() => loadConfig({ PHONEPE_ORDER_EXPIRY_SECONDS: '120' })).toThrow(/PHONEPE_ORDER_EXPIRY_SECONDS/);
    expect(() => loadConfig({ DEFAULT_GATEWAY: 'paytm' })).toThrow(/DEFAULT_GATEWAY/);
    expect(loadConfig({ DEFAULT_GATEWAY: 'phonepe' }).defaultGateway).toBe('phonepe');

    const production = { NODE_ENV: 'production', DATABASE_URL: 'postgres://db/payments', JWT_SECRET: 'x'.repeat(40), ...live };
    expect(loadConfig(production).phonepe.enabled).toBe(false);
    expect(() => loadConfig({ ...production, PHONEPE_MODE: 'sandbox' })).toThrow(/refuses PHONEPE_MODE=sandbox/);
    expect(() => loadConfig({ ...production, PHONEPE_API_URL: 'http://127.0.0.1:4000/sandbox/phonepe' })).toThrow(/refuses PHONEPE_MODE=sandbox/);
    expect(() => loadConfig({ ...production, DEFAULT_GATEWAY: 'phonepe' })).toThrow(/refuses PHONEPE_MODE=sandbox/);
    expect(loadConfig({ ...production, ...phonepeLive, DEFAULT_GATEWAY: 'phonepe' })).toMatchObject({ defaultGateway: 'phonepe', phonepe: { enabled: true, mode: 'live' } });
  });

  it('names each bad variable', () => {
    expect(() => loadConfig({ PLATFORM_FEE_BPS: '10001' })).toThrow(ConfigError);
    expect(() => loadConfig({ PLATFORM_FEE_BPS: '15.5' })).toThrow(/PLATFORM_FEE_BPS/);
    expect(() => loadConfig({ JWT_SECRET: 'short' })).toThrow(/JWT_SECRET must be at least 32 characters/);
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
  });

  it('keeps the previous webhook secret for rotation and caps the maximum order at a GraphQL Int', () => {
    const config = loadConfig({ RAZORPAY_WEBHOOK_SECRET: 'new', RAZORPAY_WEBHOOK_SECRET_PREVIOUS: 'old', MAX_ORDER_AMOUNT: '99999999999' });
    expect(config.razorpay.webhookSecrets).toEqual(['new', 'old']);
    expect(config.maxOrderAmount).toBe(2_147_483_647);
  });

  it('CORS: any origin outside production, an allow-list of origins in production, never *', () => {
    const production = { NODE_ENV: 'production', DATABASE_URL: 'postgres://db/payments', JWT_SECRET: 'x'.repeat(40), ...live };
    expect(loadConfig({}).corsOrigins).toBe('*');
    expect(loadConfig(production).corsOrigins).toEqual([]);
    expect(loadConfig({ ...production, CORS_ORIGINS: 'https://shop.example.com, https://console.example.com:8443' }).corsOrigins)
      .toEqual(['https://shop.example.com', 'https://console.example.com:8443']);
    expect(() => loadConfig({ ...production, CORS_ORIGINS: '*' })).toThrow(/refuses CORS_ORIGINS=\*/);
    expect(() => loadConfig({ CORS_ORIGINS: 'https://shop.example.com/' })).toThrow(/CORS_ORIGINS: https:\/\/shop.example.com\/ is not an origin/);
    expect(() => loadConfig({ CORS_ORIGINS: 'shop.example.com' })).toThrow(/is not an origin/);
  });

  it('WebSocket limits and the metrics token have safe defaults and are checked', () => {
    expect(loadConfig({}).ws).toEqual({ authTimeoutMs: 3_000, allowAnonymous: false, maxOperationsPerConnection: 20, maxConnectionsPerUser: 10, keepAliveMs: 25_000 });
    expect(loadConfig({ WS_ALLOW_ANONYMOUS: 'true' }).ws.allowAnonymous).toBe(true);
    expect(() => loadConfig({ WS_MAX_CONNECTIONS_PER_USER: '0' })).toThrow(/WS_MAX_CONNECTIONS_PER_USER/);
    expect(() => loadConfig({ WS_KEEP_ALIVE_MS: '0' })).toThrow(/WS_KEEP_ALIVE_MS/);
    expect(() => loadConfig({ WS_KEEP_ALIVE_MS: '3000000000' })).toThrow(/WS_KEEP_ALIVE_MS/);
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN must be at least 16 characters/);
    expect(loadConfig({}).metricsToken).toBeNull();
  });
});
