import { GraphQLError } from 'graphql';
import * as domain from '../common/errors.js';
import { DomainError } from '../common/errors.js';

export type ErrorCode = domain.DomainErrorCode | 'RATE_LIMITED' | 'INTERNAL_SERVER_ERROR';

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

/** The GraphQL shape of a service's refusal: `code`, then `field` and the safe details as extensions. */
export function domainExtensions(error: DomainError): Record<string, unknown> {
  return { code: error.code, ...(error.field === null ? {} : { field: error.field }), ...error.details };
}

export function toGraphQLError(error: DomainError): GraphQLError {
  return new GraphQLError(error.message, { extensions: domainExtensions(error) });
}

/** The DomainError a resolver threw, through graphql-js's and Apollo's wrappers; null for anything else. */
export function domainErrorOf(error: unknown): DomainError | null {
  let current = error;
  for (let depth = 0; depth < 4 && current; depth += 1) {
    if (current instanceof DomainError) return current;
    current = (current as { originalError?: unknown }).originalError;
  }
  return null;
}

/** The code an error is answered with (before formatting): a DomainError's own, else the GraphQL extension. */
export function errorCode(error: GraphQLError): string {
  return domainErrorOf(error)?.code ?? String(error.extensions?.code ?? 'INTERNAL_SERVER_ERROR');
}

// The API layer's own refusals (authentication, connection arguments) use the same wording as the services'.
export const badInput = (field: string, message: string) => toGraphQLError(domain.badInput(field, message));
export const unauthenticated = (message?: string) => toGraphQLError(domain.unauthenticated(message));
export const forbidden = (message: string) => toGraphQLError(domain.forbidden(message));
export const notFound = (what: string, id: string) => toGraphQLError(domain.notFound(what, id));
export const conflict = (message: string) => toGraphQLError(domain.conflict(message));
export const gatewayError = (message: string, retryable: boolean) => toGraphQLError(domain.gatewayError(message, retryable));
