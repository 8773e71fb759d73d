import type { Config } from '../../config.js';

/** Where the PhonePe adapter sends its requests, where customers come back, and how logs name it. */
export interface PhonePeLocation {
  /** One base URL for the PG and OAuth paths; undefined means PhonePe's own hosts. */
  apiUrl: string | undefined;
  /** Where PhonePe sends the customer back (`merchantOrderId` is appended). */
  redirectUrl: string;
  name: 'phonepe' | 'phonepe-sandbox';
  description: string;
}

/**
 * The rule for the service and the operator CLI alike, as Razorpay's (gateway.location.ts):
 * PHONEPE_API_URL when set; else PhonePe's own hosts in live mode; in sandbox mode the sandbox
 * mounted in the service at `serviceUrl`. Null: PhonePe is off, or it is the sandbox and no
 * running service was found (the CLI then leaves PhonePe out).
 */
export function locatePhonePe(config: Config, serviceUrl: string | null): PhonePeLocation | null {
  const { enabled, mode, apiUrl, redirectUrl } = config.phonepe;
  if (!enabled) return null;
  if (mode === 'live') {
    // config.ts refuses live mode without PHONEPE_REDIRECT_URL.
    return { apiUrl: apiUrl ?? undefined, redirectUrl: redirectUrl!, name: 'phonepe', description: apiUrl ? `PhonePe (live, PHONEPE_API_URL=${apiUrl})` : 'PhonePe (live API)' };
  }
  const base = apiUrl ?? (serviceUrl ? `${serviceUrl}/sandbox/phonepe` : null);
  if (!base) return null;
  // The storefront answers the return by asking the service to confirm the payment.
  const back = redirectUrl ?? `${serviceUrl ?? new URL(base).origin}/shop/`;
  return { apiUrl: base, redirectUrl: back, name: 'phonepe-sandbox', description: `PhonePe sandbox at ${base}` };
}
