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
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
]);

/** Extensions a client may see; anything else (stack traces, SQL, validator internals) is dropped. */
const SAFE_EXTENSIONS = ['code', 'field', 'fields', 'id', 'retryable', 'retryAfter'];

/** graphql-js suggests field and type names ("Did you mean …?"): a map of the schema for whoever probes it. */
const SUGGESTION = / ?Did you mean [^?]*\?/g;

interface ValidationErrorLike {
  property: string;
  target?: object;
  constraints?: Record<string, string>;
  children?: ValidationErrorLike[];
}

/** A standalone run of digits, spaces and dashes allowed between them (not part of an id). */
const DIGIT_RUN = /(?<![\w-])\d(?:[ -]?\d)+(?![\w-])/g;

/** Removes anything that could be a card number (12 to 19 digits) from a message. */
export function scrubDigits(message: string): string {
  return message.replace(DIGIT_RUN, (run) => {
    const digits = run.replace(/[ -]/g, '').length;
    return digits >= 12 && digits <= 19 ? '[digits removed]' : run;
  });
}

/**
 * graphql-js rejects a variable that does not fit its type with a message that quotes the
 * whole value (`Variable "$input" got invalid value { last4: "4111…" } at "input.last4"; …`).
 * Rebuilt here as the path and the reason only.
 */
function variableError(message: string): { message: string; field: string } | null {
  const head = /^Variable "\$(\w+)" got invalid value /.exec(message);
  if (!head) return null;
  const split = message.lastIndexOf('; ');
  const prefix = split > 0 ? message.slice(0, split) : message;
  const reason = split > 0 ? message.slice(split + 2) : 'the value does not fit the type';
  const field = / at "([^"]+)"$/.exec(prefix)?.[1] ?? head[1]!;
  // Scalar errors end with ": <the value>"; keep the rule, drop the value.
  const rule = reason.replace(/(cannot represent [^:]*?): [\s\S]*$/, '$1').replace(/^Expected value of type ("[^"]+"), found [\s\S]*$/, 'Expected value of type $1');
  return { message: `Variable "$${head[1]}" has an invalid value at "${field}": ${scrubDigits(rule)}`, field };
}

/** Our argument names: filters are `filter`, every other input object is `input`. */
function argumentName(errors: ValidationErrorLike[]): string {
  const name = errors[0]?.target?.constructor.name ?? '';
  return name.endsWith('Filter') ? 'filter' : 'input';
}

/** Flattens class-validator errors into `field: message` pairs, never echoing the value sent. */
function flattenValidation(errors: ValidationErrorLike[], prefix = argumentName(errors)): { field: string; message: string }[] {
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
      const extensions: Record<string, unknown> = Object.fromEntries(
        SAFE_EXTENSIONS.filter((key) => formatted.extensions?.[key] !== undefined).map((key) => [key, formatted.extensions![key]]),
      );
      const variable = variableError(formatted.message);
      if (variable) extensions.field = variable.field;
      const message = variable?.message ?? scrubDigits(formatted.message).replace(SUGGESTION, '');
      return { message, locations: formatted.locations, path: formatted.path, extensions };
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
