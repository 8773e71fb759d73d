import { GraphQLError } from 'graphql';

export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'BAD_USER_INPUT'
  | 'CONFLICT'
  | 'GATEWAY_ERROR'
  | 'RATE_LIMITED'
  | 'INTERNAL_SERVER_ERROR';

/** Codes a client may see verbatim; anything else is reported as INTERNAL_SERVER_ERROR. */
export const CLIENT_ERROR_CODES: ReadonlySet<string> = new Set<ErrorCode>([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'BAD_USER_INPUT',
  'CONFLICT',
  'GATEWAY_ERROR',
  'RATE_LIMITED',
]);

function appError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extensions } });
}

/** A bad argument: `field` is the input path (`input.amount`), the message says why and what to send. */
export const badInput = (field: string, message: string) => appError('BAD_USER_INPUT', `${field}: ${message}`, { field });
export const unauthenticated = (message = 'Sign in: send Authorization: Bearer <token>') => appError('UNAUTHENTICATED', message);
export const forbidden = (message: string) => appError('FORBIDDEN', message);
/** An id worth quoting back: our own ids and Razorpay's are short runs of these characters. */
const QUOTABLE_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Also used for other users' data, so that its existence does not leak. The id is quoted only
 * when it looks like an id: anything else the caller sent (SQL, control characters) is not echoed.
 */
export const notFound = (what: string, id: string) => QUOTABLE_ID.test(id)
  ? appError('NOT_FOUND', `${what} ${id} was not found`, { id })
  : appError('NOT_FOUND', `${what} was not found (that is not an id this service issues)`);
export const conflict = (message: string) => appError('CONFLICT', message);
export const gatewayError = (message: string, retryable: boolean) => appError('GATEWAY_ERROR', message, { retryable });
