import type { z } from 'zod';
import type { ENV_SCHEMA } from './config.env.js';
import {
  SANDBOX_PHONEPE_CLIENT_ID, SANDBOX_PHONEPE_CLIENT_SECRET, SANDBOX_PHONEPE_WEBHOOK_PASSWORD, SANDBOX_PHONEPE_WEBHOOK_USERNAME,
} from './config.env.js';
import type { Config } from './config.types.js';

export class ConfigError extends Error {
  override name = 'ConfigError';
}


/**
 * PhonePe's settings. Mode: PHONEPE_MODE, else live when PHONEPE_CLIENT_ID is set, else the
 * sandbox. Production never takes the sandbox, and leaves PhonePe off when nothing of it is set
 * (a Razorpay-only deployment needs no PhonePe settings).
 */
export function readPhonePe(e: z.infer<typeof ENV_SCHEMA>, production: boolean): Config['phonepe'] {
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
export function parseCorsOrigins(value: string, env: Config['env']): string[] | '*' {
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
