import type { GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import type { Logger } from '../logger.js';
import { CLIENT_ERROR_CODES } from './errors.js';

/** Codes graphql-js and Apollo give to requests that are malformed: the client's to fix. */
const REQUEST_ERROR_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

/** Extensions a client may see; anything else (stack traces, SQL, validator internals) is dropped. */
const SAFE_EXTENSIONS = ['code', 'field', 'fields', 'id', 'retryable'];

interface ValidationErrorLike {
  property: string;
  constraints?: Record<string, string>;
  children?: ValidationErrorLike[];
}

/** Flattens class-validator errors into `field: message` pairs, never echoing the value sent. */
function flattenValidation(errors: ValidationErrorLike[], prefix = 'input'): { field: string; message: string }[] {
  return errors.flatMap((error) => {
    const field = `${prefix}.${error.property}`;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flattenValidation(error.children ?? [], field)];
  });
}

/**
 * Apollo's `formatError`: keeps `extensions.code` and the fields a client needs to fix its
 * request; replaces anything unexpected by INTERNAL_SERVER_ERROR, logging the original.
 */
export function createErrorFormatter(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = String(formatted.extensions?.code ?? 'INTERNAL_SERVER_ERROR');
    const validationErrors = formatted.extensions?.validationErrors as ValidationErrorLike[] | undefined;
    if (validationErrors) {
      const fields = flattenValidation(validationErrors);
      return {
        message: fields.map((f) => `${f.field}: ${f.message}`).join('; ') || 'invalid input',
        locations: formatted.locations,
        path: formatted.path,
        extensions: { code: 'BAD_USER_INPUT', field: fields[0]?.field ?? null, fields },
      };
    }
    if (CLIENT_ERROR_CODES.has(code) || REQUEST_ERROR_CODES.has(code)) {
      const extensions = Object.fromEntries(
        SAFE_EXTENSIONS.filter((key) => formatted.extensions?.[key] !== undefined).map((key) => [key, formatted.extensions![key]]),
      );
      return { message: formatted.message, locations: formatted.locations, path: formatted.path, extensions };
    }
    logger.error({ err: unwrapResolverError(error), path: formatted.path }, 'unexpected error in a resolver');
    return {
      message: 'Internal server error: the operator has been told; retry later, with the same idempotencyKey for money-moving requests',
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}
