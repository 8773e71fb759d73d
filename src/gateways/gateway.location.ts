import type { Config } from '../config.js';

/** Where the Razorpay adapter sends its requests, and how logs and people name it. */
export interface GatewayLocation {
  /** Base URL without `/v1`; undefined means Razorpay's own API. */
  apiUrl: string | undefined;
  /** The name on log lines: `razorpay` or `razorpay-sandbox`. */
  name: 'razorpay' | 'razorpay-sandbox';
  /** For a person: "Razorpay sandbox at http://127.0.0.1:4000/sandbox/razorpay". */
  description: string;
}

export class GatewayNotFoundError extends Error {
  override name = 'GatewayNotFoundError';
}

/**
 * The one rule, for the service and the operator CLI alike: RAZORPAY_API_URL when set; else
 * Razorpay's own API in live mode; in sandbox mode the sandbox mounted in the service at
 * `serviceUrl` (the service passes its own address; the CLI the running service's).
 */
export function locateGateway(config: Config, serviceUrl: string | null): GatewayLocation {
  const { mode, apiUrl } = config.razorpay;
  if (mode === 'live') {
    return { apiUrl: apiUrl ?? undefined, name: 'razorpay', description: apiUrl ? `Razorpay (live, RAZORPAY_API_URL=${apiUrl})` : 'Razorpay (live API)' };
  }
  if (apiUrl) return { apiUrl, name: 'razorpay-sandbox', description: `Razorpay sandbox at ${apiUrl} (RAZORPAY_API_URL)` };
  if (!serviceUrl) {
    throw new GatewayNotFoundError(
      'RAZORPAY_MODE=sandbox: the sandbox gateway lives inside the running service and keeps its orders in that process, ' +
        'and no running service was found. Start it (npm start) and retry, or set RAZORPAY_API_URL to its /sandbox/razorpay',
    );
  }
  const url = `${serviceUrl}/sandbox/razorpay`;
  return { apiUrl: url, name: 'razorpay-sandbox', description: `Razorpay sandbox at ${url}` };
}
