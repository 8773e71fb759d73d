/**
 * How a Razorpay call fails, and what the adapter does about it: which failures are retried
 * (per kind of call), and how the last one becomes the {@link GatewayError} callers handle.
 */
import { GatewayError } from '../gateway.js';
import type { WireErrorDetail } from './razorpay.wire.js';

/** Marks a call that got no HTTP answer at all (timeout, refused, reset). */
export const NO_RESPONSE = 'GATEWAY_NO_RESPONSE';
export const MAX_BACKOFF_MS = 5_000;
const MAX_MESSAGE_LENGTH = 300;
const TIMEOUT_CODES = new Set(['ECONNABORTED', 'ETIMEDOUT']);

/** Why one attempt at a call failed. */
export type Failure =
  | { type: 'http'; status: number; detail: WireErrorDetail | null }
  | { type: 'no_response'; code: string | null }
  | { type: 'unexpected' };

export type RetryRule = (failure: Failure) => boolean;

/** For calls that are harmless to repeat: reads, capture (see capturePayment), keyed refunds. */
export const retryWhenTransient: RetryRule = (failure) =>
  failure.type === 'no_response' ||
  (failure.type === 'http' && (failure.status === 429 || failure.status >= 500));

/**
 * For a refund without an idempotency key a timeout or 5xx may have moved money already,
 * so only failures that prove the request was not applied are retried.
 */
export const retryWhenNotApplied: RetryRule = (failure) =>
  (failure.type === 'http' && failure.status === 429) ||
  (failure.type === 'no_response' && failure.code === 'ECONNREFUSED');

/** Razorpay answers 409 while the first request with the same idempotency key still runs. */
export const retryKeyedRefund: RetryRule = (failure) =>
  retryWhenTransient(failure) || (failure.type === 'http' && failure.status === 409);

/** Any creation sent with an idempotency key (a refund, a direct transfer): the same rule. */
export const retryKeyedCreate: RetryRule = retryKeyedRefund;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function toErrorDetail(value: unknown): WireErrorDetail | null {
  if (!isRecord(value) || typeof value.code !== 'string') return null;
  return {
    code: value.code,
    description: typeof value.description === 'string' ? value.description : '',
    field: typeof value.field === 'string' ? value.field : null,
    reason: typeof value.reason === 'string' ? value.reason : null,
  };
}

/**
 * Rewrites a failed axios call into the minimal `{response:{status, data:{error}}}` the SDK's
 * normalizeError can read. Without a response it would crash on `err.response.status` with
 * a TypeError and lose the cause; the original error is also dropped because its `config`
 * carries the basic-auth credentials, which must never reach a log.
 */
export function toReadableAxiosFailure(error: unknown): unknown {
  const response = isRecord(error) ? error.response : undefined;
  if (isRecord(response) && typeof response.status === 'number') {
    const data = response.data;
    return { response: { status: response.status, data: { error: isRecord(data) ? data.error : undefined } } };
  }
  const code = isRecord(error) && typeof error.code === 'string' ? error.code : null;
  return { response: { status: 0, data: { error: { code: NO_RESPONSE, description: '', reason: code } } } };
}

/** Reads both the SDK's thrown `{statusCode, error}` and the interceptor's axios shape. */
export function classifyFailure(error: unknown): Failure {
  let status: unknown;
  let body: unknown;
  if (isRecord(error) && 'statusCode' in error) {
    status = error.statusCode;
    body = error.error;
  } else if (isRecord(error) && isRecord(error.response)) {
    status = error.response.status;
    body = isRecord(error.response.data) ? error.response.data.error : undefined;
  } else if (error instanceof TypeError) {
    // The SDK's normalizeError crashing because there was no response; only reachable if
    // the interceptor above was bypassed, kept so such a failure is still retried.
    return { type: 'no_response', code: null };
  } else {
    return { type: 'unexpected' };
  }
  const detail = toErrorDetail(body);
  if (status === 0 && detail?.code === NO_RESPONSE) return { type: 'no_response', code: detail.reason ?? null };
  if (typeof status !== 'number') return { type: 'unexpected' };
  return { type: 'http', status, detail };
}

function clientSafe(description: string | undefined, fallback: string): string {
  const text = description?.trim();
  if (!text) return fallback;
  return text.length > MAX_MESSAGE_LENGTH ? `${text.slice(0, MAX_MESSAGE_LENGTH)}…` : text;
}

/** Turns the last failure of a call into the one error type callers handle. */
export function toGatewayError(failure: Failure): GatewayError {
  switch (failure.type) {
    case 'no_response':
      return TIMEOUT_CODES.has(failure.code ?? '')
        ? new GatewayError('Payment gateway did not answer in time; try again later', 'unavailable')
        : new GatewayError('Payment gateway could not be reached; try again later', 'unavailable');
    case 'unexpected':
      return new GatewayError('Payment gateway call failed unexpectedly; try again later', 'unavailable');
    case 'http': {
      const { status, detail } = failure;
      const code = detail?.code ?? null;
      if (status === 404 || (status === 400 && /does not exist/i.test(detail?.description ?? ''))) {
        return new GatewayError(clientSafe(detail?.description, 'Not found at the payment gateway'), 'not_found', status, code);
      }
      if (status === 429 || status >= 500 || status < 400) {
        return new GatewayError('Payment gateway is unavailable; try again later', 'unavailable', status, code);
      }
      return new GatewayError(
        clientSafe(detail?.description, `Payment gateway rejected the request (HTTP ${status})`),
        'rejected',
        status,
        code,
      );
    }
  }
}

export function describeForLog(failure: Failure): Record<string, unknown> {
  if (failure.type === 'http') return { status: failure.status, code: failure.detail?.code ?? null };
  if (failure.type === 'no_response') return { networkError: failure.code };
  return { unexpected: true };
}

const ID_PATTERNS = {
  order: /^order_[A-Za-z0-9]+$/,
  payment: /^pay_[A-Za-z0-9]+$/,
  refund: /^rfnd_[A-Za-z0-9]+$/,
} as const;

/** Refuses, before sending, an id the SDK would paste into a URL path unescaped. */
export function assertId(kind: keyof typeof ID_PATTERNS, id: string): void {
  // Ids are pasted into URL paths by the SDK unescaped: anything else must not be sent.
  if (typeof id !== 'string' || !ID_PATTERNS[kind].test(id)) {
    throw new GatewayError(`No ${kind} with id ${JSON.stringify(String(id)).slice(0, 60)}`, 'not_found');
  }
}

/** Refuses, before sending, an amount that is not a positive integer of minor units. */
export function assertAmount(amount: number, what: string): void {
  if (!Number.isSafeInteger(amount) || amount <= 0) {
    throw new GatewayError(`${what} must be a positive integer in the smallest currency unit`, 'rejected');
  }
}
