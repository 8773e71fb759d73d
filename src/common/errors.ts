/**
 * The errors services throw. They know nothing of GraphQL: the API layer alone
 * (src/graphql/format-error.ts) turns a DomainError into the GraphQL answer, with its `code`
 * as `extensions.code`, its `field` as `extensions.field` and its safe `details` beside them.
 */
export type DomainErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'BAD_USER_INPUT'
  | 'CONFLICT'
  | 'GATEWAY_ERROR';

/** Facts a client may act on; never internals (SQL, stacks, the value it sent). */
export interface DomainErrorDetails {
  /** The id that was not found, when it looks like an id this service issues. */
  id?: string;
  /** For GATEWAY_ERROR: whether the same request may succeed if sent again. */
  retryable?: boolean;
}

export class DomainError extends Error {
  override readonly name = 'DomainError';

  constructor(
    readonly code: DomainErrorCode,
    message: string,
    /** The input path at fault (`input.amount`), for BAD_USER_INPUT. */
    readonly field: string | null = null,
    readonly details: DomainErrorDetails = {},
    /** The reason without its field prefix, so the error can be re-addressed to another field. */
    readonly reason: string = message,
  ) {
    super(message);
  }
}

/** A bad argument: `field` is the input path (`input.amount`), the message says why and what to send. */
export const badInput = (field: string, message: string) => new DomainError('BAD_USER_INPUT', `${field}: ${message}`, field, {}, message);
export const unauthenticated = (message = 'Sign in: send Authorization: Bearer <token>') => new DomainError('UNAUTHENTICATED', message);
export const forbidden = (message: string) => new DomainError('FORBIDDEN', message);
/** An id worth quoting back: our own ids and Razorpay's are short runs of these characters. */
const QUOTABLE_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Also used for other users' data, so that its existence does not leak. The id is quoted only
 * when it looks like an id: anything else the caller sent (SQL, control characters) is not echoed.
 */
export const notFound = (what: string, id: string) => QUOTABLE_ID.test(id)
  ? new DomainError('NOT_FOUND', `${what} ${id} was not found`, null, { id })
  : new DomainError('NOT_FOUND', `${what} was not found (that is not an id this service issues)`);
export const conflict = (message: string) => new DomainError('CONFLICT', message);
export const gatewayError = (message: string, retryable: boolean) => new DomainError('GATEWAY_ERROR', message, null, { retryable });

/**
 * The same refusal addressed to the caller's own field: a service reused by another feature
 * names its own API's input (the wallet's `input.paymentId`), which the calling feature's API
 * calls something else (checkout's `input.method`). Any other error is returned unchanged.
 */
export function relocate(error: unknown, fromField: string, toField: string): unknown {
  if (!(error instanceof DomainError) || error.field !== fromField) return error;
  return new DomainError(error.code, `${toField}: ${error.reason}`, toField, error.details, error.reason);
}
