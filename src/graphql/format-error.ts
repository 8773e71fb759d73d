import type { GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import type { Logger } from '../logger.js';
import { CLIENT_ERROR_CODES, domainErrorOf, domainExtensions } from './errors.js';

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
 * The reasons graphql-js gives for a value that does not fit its type, kept only in forms that
 * name the schema (types, fields, enums) and never the value sent; anything else becomes a
 * generic reason. A field name in "is not defined" comes from the caller: kept when it is a
 * plain name (the client's typo is worth naming), dropped otherwise.
 */
const SAFE_REASONS: [RegExp, (m: RegExpExecArray) => string][] = [
  [/^Expected non-nullable type ("[^"]+") not to be null\.?$/, (m) => `Expected non-nullable type ${m[1]} not to be null`],
  [/^Field ("[^"]+") of required type ("[^"]+") was not provided\.?$/, (m) => `Field ${m[1]} of required type ${m[2]} was not provided`],
  [/^Expected type ("[^"]+") to be an object\.?$/, (m) => `Expected type ${m[1]} to be an object`],
  [/^Field ("\w{1,64}") is not defined by type ("[^"]+")\.?$/, (m) => `Field ${m[1]} is not defined by type ${m[2]}.`],
  [/^Field "[\s\S]*" is not defined by type ("[^"]+")/, (m) => `a field that is not defined by type ${m[1]}`],
  [/does not exist in ("[^"]+") enum/, (m) => `not a value of the ${m[1]} enum`],
  [/^Expected value of type ("[^"]+"), found /, (m) => `Expected value of type ${m[1]}`],
  [/^(\w+) cannot represent an invalid ([\w-]+)/, (m) => `${m[1]} cannot represent an invalid ${m[2]}`],
  [/^((?:Enum )?"?\w+"?) cannot represent ([A-Za-z0-9 -]{1,60}?) ?value(?=[:.]|$)/, (m) => `${m[1]} cannot represent ${m[2]} value`],
  [/^((?:Enum )?"?\w+"?) cannot represent /, (m) => `${m[1]} cannot represent this value`],
];

export function safeReason(reason: string): string {
  for (const [pattern, rewrite] of SAFE_REASONS) {
    const match = pattern.exec(reason);
    if (match) return rewrite(match);
  }
  return 'the value does not fit the type';
}

/**
 * graphql-js rejects a variable that does not fit its type with a message that quotes the
 * whole value (`Variable "$input" got invalid value { last4: "4111…" } at "input.last4"; …`).
 * Rebuilt here as the path and a safe reason. The reason alone is the original error's message
 * (graphql-js keeps it there), so a value containing "; " cannot be mistaken for the reason.
 */
function variableError(message: string, reasonHint: string | undefined): { message: string; field: string } | null {
  const head = /^Variable "\$(\w+)" got invalid value /.exec(message);
  if (!head) return null;
  const split = reasonHint && message.endsWith(`; ${reasonHint}`) ? message.length - reasonHint.length - 2 : message.lastIndexOf('; ');
  const prefix = split > 0 ? message.slice(0, split) : message;
  const reason = reasonHint ?? (split > 0 ? message.slice(split + 2) : '');
  const field = / at "([\w.[\]]+)"$/.exec(prefix)?.[1] ?? head[1]!;
  return { message: `Variable "$${head[1]}" has an invalid value at "${field}": ${safeReason(reason)}`, field };
}

/**
 * A literal argument that does not fit (`Expected value of type "Int!", found "abc"; …`,
 * `Value "x" does not exist in "Status" enum`): the rule is kept, the literal dropped.
 */
function literalError(message: string): string {
  return /^Expected value of type "|does not exist in "| is not defined by type "| cannot represent /.test(message) ? safeReason(message) : message;
}

/** The message of the error graphql-js wrapped (a variable's reason), through Apollo's wrapper too. */
function innerMessage(error: unknown): string | undefined {
  let current = error as { originalError?: unknown } | undefined;
  for (let i = 0; i < 3 && current; i += 1) {
    const inner = current.originalError as { message?: unknown; originalError?: unknown } | undefined;
    if (!inner) break;
    if (typeof inner.message === 'string' && !inner.message.startsWith('Variable "$')) return inner.message;
    current = inner;
  }
  return undefined;
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
 * request; replaces anything unexpected by INTERNAL_SERVER_ERROR, logging the original. A
 * service's DomainError becomes its GraphQL shape here (code, field, safe details), then goes
 * through the same filters as any client error.
 */
export function createErrorFormatter(logger: Logger) {
  return (original: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const domain = domainErrorOf(error);
    const formatted = domain ? { ...original, message: domain.message, extensions: domainExtensions(domain) } : original;
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
      const variable = variableError(formatted.message, innerMessage(error));
      if (variable) extensions.field = variable.field;
      const message = scrubDigits(variable?.message ?? literalError(formatted.message)).replace(SUGGESTION, '');
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
