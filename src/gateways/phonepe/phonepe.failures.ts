/**
 * How a PhonePe call fails and what the adapter does about it. The retry rules are Razorpay's
 * (src/gateways/razorpay/razorpay.failures.ts), restated over PhonePe's failure shapes: the
 * SDK throws PhonePeException subclasses for HTTP errors, and raw axios errors for timeouts and
 * network failures (its HttpCommand rethrows anything without a response).
 */
import { GatewayError } from '../gateway.js';
import { MIN_AMOUNT, PHONEPE_CURRENCY } from './phonepe.mappers.js';

export const MAX_BACKOFF_MS = 5_000;
const MAX_MESSAGE_LENGTH = 300;
const TIMEOUT_CODES = new Set(['ECONNABORTED', 'ETIMEDOUT']);
/** PhonePe's "no such order" (400, not 404) and its siblings for refunds. */
const NOT_FOUND_CODES = new Set(['MERCHANT_ORDER_MAPPING_NOT_FOUND', 'ORDER_NOT_FOUND', 'REFUND_NOT_FOUND', 'NOT_FOUND']);

/** Why one attempt at a call failed. */
export type Failure =
  | { type: 'http'; status: number; code: string | null; message: string | null }
  | { type: 'no_response'; code: string | null }
  | { type: 'unexpected'; problem: string };

export type RetryRule = (failure: Failure) => boolean;

/** Reads, and calls made idempotent by a merchant-chosen id (pay with a fresh id, refund with its key). */
export const retryWhenTransient: RetryRule = (failure) =>
  failure.type === 'no_response' || (failure.type === 'http' && (failure.status === 429 || failure.status >= 500));

/** For a call whose repeat could apply twice: only failures that prove it was not applied. */
export const retryWhenNotApplied: RetryRule = (failure) =>
  (failure.type === 'http' && failure.status === 429) || (failure.type === 'no_response' && failure.code === 'ECONNREFUSED');

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

const stringOrNull = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

/**
 * Reads a PhonePeException (`httpStatusCode`, `code`, `message`), an axios error with a
 * response (the token call, made by this adapter), or one without (timeout, refused, reset).
 * Nothing else of the error is kept: an axios error's `config` holds the client secret.
 */
export function classifyFailure(error: unknown): Failure {
  if (!isRecord(error)) return { type: 'unexpected', problem: typeof error };
  if (typeof error.httpStatusCode === 'number') {
    return { type: 'http', status: error.httpStatusCode, code: stringOrNull(error.code), message: stringOrNull(error.message) };
  }
  if (error.isAxiosError === true) {
    const response = error.response;
    if (isRecord(response) && typeof response.status === 'number') {
      const body = isRecord(response.data) ? response.data : {};
      return { type: 'http', status: response.status, code: stringOrNull(body.code), message: stringOrNull(body.message) };
    }
    return { type: 'no_response', code: stringOrNull(error.code) };
  }
  return { type: 'unexpected', problem: error instanceof Error ? error.message : 'not an Error' };
}

function clientSafe(text: string | null, fallback: string): string {
  const trimmed = text?.trim();
  if (!trimmed) return fallback;
  return trimmed.length > MAX_MESSAGE_LENGTH ? `${trimmed.slice(0, MAX_MESSAGE_LENGTH)}…` : trimmed;
}

export function isNotFound(failure: Failure): boolean {
  return failure.type === 'http' && (failure.status === 404 || (failure.status === 400 && NOT_FOUND_CODES.has(failure.code ?? '')));
}

/** Turns the last failure of a call into the one error type callers handle. */
export function toGatewayError(failure: Failure): GatewayError {
  switch (failure.type) {
    case 'no_response':
      return TIMEOUT_CODES.has(failure.code ?? '')
        ? new GatewayError('PhonePe did not answer in time; try again later', 'unavailable')
        : new GatewayError('PhonePe could not be reached; try again later', 'unavailable');
    case 'unexpected':
      return new GatewayError('PhonePe call failed unexpectedly; try again later', 'unavailable');
    case 'http': {
      const { status, code } = failure;
      if (isNotFound(failure)) return new GatewayError(clientSafe(failure.message, 'Not found at PhonePe'), 'not_found', status, code);
      // 401/403, or the token call's INVALID_CLIENT (a 400): our credentials or token were
      // refused; nothing was applied, and a retry later
      // (once an operator fixed the credentials) may succeed, so not a refusal of the request.
      if (status === 401 || status === 403 || code === 'INVALID_CLIENT') {
        return new GatewayError('PhonePe refused the service\'s credentials; try again later', 'unavailable', status, code);
      }
      if (status === 429 || status >= 500 || status < 400) {
        return new GatewayError('PhonePe is unavailable; try again later', 'unavailable', status, code);
      }
      return new GatewayError(clientSafe(failure.message, `PhonePe rejected the request (HTTP ${status})`), 'rejected', status, code);
    }
  }
}

export function describeForLog(failure: Failure): Record<string, unknown> {
  if (failure.type === 'http') return { status: failure.status, code: failure.code };
  if (failure.type === 'no_response') return { networkError: failure.code };
  return { unexpected: failure.problem };
}

/** Refuses, before sending, an amount PhonePe would refuse: integer paise, at least ₹1. */
export function assertAmount(amount: number, what: string): void {
  if (!Number.isSafeInteger(amount) || amount < MIN_AMOUNT) {
    throw new GatewayError(`${what} must be an integer number of paise, at least ${MIN_AMOUNT} (PhonePe's minimum)`, 'rejected');
  }
}

/** PhonePe takes INR only (it has no currency field). */
export function assertInr(currency: string): void {
  if (currency !== PHONEPE_CURRENCY) {
    throw new GatewayError(`currency ${JSON.stringify(String(currency)).slice(0, 20)} is not supported by PhonePe, which takes INR only`, 'rejected');
  }
}
