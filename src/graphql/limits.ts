import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import {
  getOperationAST,
  getVariableValues,
  GraphQLError,
  NoSchemaIntrospectionCustomRule,
  parse,
  specifiedRules,
  validate,
  type ASTVisitor,
  type DocumentNode,
  type GraphQLSchema,
  type ParseOptions,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import type { Config } from '../config.js';

/**
 * The request limits every transport applies — Apollo over HTTP and graphql-ws over WebSocket
 * build from this one object, so a limit cannot exist on one and be missing on the other.
 */
export interface RequestLimits {
  /** For `parse`: graphql-js stops lexing past `maxTokens` with a syntax error (400 over HTTP). */
  parseOptions: ParseOptions;
  /** Depth, aliases, directives, cost, and (production) no introspection: added to graphql's own rules. */
  validationRules: ValidationRule[];
  introspection: boolean;
}

/**
 * graphql-armor's rules throw out of `validate()` unless told otherwise; reported to the
 * validation context instead, they come back as ordinary validation errors
 * (GRAPHQL_VALIDATION_FAILED, HTTP 400). The "Syntax Error: " prefix armor adds is dropped:
 * these are limits, not syntax.
 */
const report = { propagateOnRejection: false, onReject: [reportToContext] };

function reportToContext(context: ValidationContext | null, error: GraphQLError): void {
  context?.reportError(new GraphQLError(error.message.replace(/^Syntax Error: /, '')));
}

/** A string literal in the document PostgreSQL cannot store (NUL, a lone surrogate): see findUnstorableText. */
function noUnstorableTextRule(context: ValidationContext): ASTVisitor {
  return {
    StringValue(node) {
      const rule = unstorableTextRule(node.value);
      if (rule) context.reportError(new GraphQLError(`a string in the query ${rule}, which cannot be stored`, { nodes: [node] }));
    },
  };
}

const NUL_RULE = 'must not contain the NUL character (\\u0000)';
const SURROGATE_RULE = 'must be well-formed Unicode (a lone surrogate such as \\ud800 is not text)';

/** A UTF-16 surrogate without its pair (what String.prototype.isWellFormed, ES2024, looks for). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why `text` cannot be stored in PostgreSQL text or jsonb, or null when it can. */
function unstorableTextRule(text: string): string | null {
  if (text.includes('\u0000')) return NUL_RULE;
  if (LONE_SURROGATE.test(text)) return SURROGATE_RULE;
  return null;
}

export function createRequestLimits(config: Pick<Config, 'env' | 'graphqlMaxDepth' | 'graphqlLimits'>): RequestLimits {
  const introspection = config.env !== 'production';
  const rules: ValidationRule[] = [
    maxDepthRule({ n: config.graphqlMaxDepth, ...report }),
    maxAliasesRule({ n: config.graphqlLimits.maxAliases, ...report }),
    maxDirectivesRule({ n: 20, ...report }),
    costLimitRule({ maxCost: config.graphqlLimits.maxCost, ...report }),
    noUnstorableTextRule,
  ];
  if (!introspection) rules.push(NoSchemaIntrospectionCustomRule);
  return { parseOptions: { maxTokens: config.graphqlLimits.maxTokens }, validationRules: rules, introspection };
}

/**
 * Where a request carries text PostgreSQL cannot store (the NUL character, or a lone UTF-16
 * surrogate that is not Unicode at all) in the query's string literals, a variable or a
 * variable's key: refused up front (BAD_USER_INPUT) rather than failing inside a query. The path
 * names the variable the way input errors name fields (`input.notes.job`); null when there is none.
 */
export function findUnstorableText(value: unknown, path: string): { path: string; rule: string } | null {
  if (typeof value === 'string') {
    const rule = unstorableTextRule(value);
    return rule ? { path, rule } : null;
  }
  const at = (key: string | number) => (typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) {
      const found = findUnstorableText(value[i], at(i));
      if (found) return found;
    }
    return null;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      const keyRule = unstorableTextRule(key);
      if (keyRule) return { path: path || 'variables', rule: keyRule };
      const found = findUnstorableText(item, at(key));
      if (found) return found;
    }
  }
  return null;
}

/** The error for unstorable text found at `found.path` (`input.userId`, `query`). */
export function unstorableTextError(found: { path: string; rule: string }): GraphQLError {
  return new GraphQLError(`${found.path}: ${found.rule}`, {
    extensions: { code: 'BAD_USER_INPUT', field: found.path, http: { status: 400 } },
  });
}

const fail = (message: string, code: string, error?: GraphQLError) =>
  new GraphQLError(message, { nodes: error?.nodes, originalError: error?.originalError, extensions: { code } });

/**
 * Parses and validates a request the way Apollo does over HTTP (graphql's specified rules plus
 * the limits), picks its operation and checks its variables against their types: the document,
 * or the errors to answer with, each with the code Apollo would give it. For transports that
 * do not go through Apollo (graphql-ws), where plain graphql-js would return codeless errors.
 */
export function checkRequest(
  schema: GraphQLSchema,
  request: { query: unknown; operationName?: unknown; variables?: unknown },
  limits: RequestLimits,
): { document: DocumentNode } | { errors: GraphQLError[] } {
  if (typeof request.query !== 'string' || request.query.trim() === '') {
    return { errors: [fail('query must be a non-empty string', 'BAD_REQUEST')] };
  }
  const unstorable = findUnstorableText(request.query, 'query') ?? findUnstorableText(request.variables, '');
  if (unstorable) return { errors: [unstorableTextError(unstorable)] };
  let document: DocumentNode;
  try {
    document = parse(request.query, limits.parseOptions);
  } catch (error) {
    return { errors: [fail(error instanceof GraphQLError ? error.message : 'the query could not be parsed', 'GRAPHQL_PARSE_FAILED')] };
  }
  const errors = validate(schema, document, [...specifiedRules, ...limits.validationRules]);
  if (errors.length > 0) return { errors: errors.map((e) => fail(e.message, 'GRAPHQL_VALIDATION_FAILED', e)) };
  return checkOperation(schema, document, request);
}

/**
 * What checkRequest checks of a request once its document is known good (parsed and validated,
 * which depend on the query text alone): its operation and its variables.
 */
export function checkOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  request: { operationName?: unknown; variables?: unknown },
): { document: DocumentNode } | { errors: GraphQLError[] } {
  const unstorable = findUnstorableText(request.variables, '');
  if (unstorable) return { errors: [unstorableTextError(unstorable)] };
  const operation = getOperationAST(document, typeof request.operationName === 'string' ? request.operationName : undefined);
  if (!operation) {
    return { errors: [fail('operationName must name one operation of the document (required when it has several)', 'OPERATION_RESOLUTION_FAILURE')] };
  }
  const variables = (request.variables ?? {}) as Record<string, unknown>;
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables, { maxErrors: 20 });
  if (coerced.errors) return { errors: coerced.errors.map((e) => fail(e.message, 'BAD_USER_INPUT', e)) };
  return { document };
}
