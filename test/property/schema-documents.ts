import fc from 'fast-check';
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isInterfaceType,
  isUnionType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';

/** Put in hostile strings so that an answer echoing them can be spotted. */
export const ECHO_MARKER = 'ZQX_ECHO_MARKER';

const hostileStrings = fc.constantFrom(
  `'; drop table payment;-- ${ECHO_MARKER}`,
  `${ECHO_MARKER}\u0000nul`,
  `<script>${ECHO_MARKER}</script>`,
  `${ECHO_MARKER}${'x'.repeat(5_000)}`,
  `../../etc/passwd ${ECHO_MARKER}`,
  `{"$where": "${ECHO_MARKER}"}`,
  '4111 1111 1111 1111',
  '\ud800',
  '😀'.repeat(40),
  '',
  ' ',
  'pay_' + 'A'.repeat(14),
  '00000000-0000-4000-8000-000000000000',
  '2026-02-30T25:61:00Z',
  '-1',
  '1e309',
);

const anyString = fc.oneof({ weight: 3, arbitrary: hostileStrings }, { weight: 2, arbitrary: fc.string({ maxLength: 40 }) }, fc.string({ unit: 'binary', maxLength: 20 }));
const anyNumber = fc.oneof(
  fc.integer(),
  fc.constantFrom(0, -1, 1, 2 ** 31, -(2 ** 31) - 1, Number.MAX_SAFE_INTEGER + 2, -Number.MAX_SAFE_INTEGER - 2, 1e308, 0.5, -0.0001),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);
/** Any JSON value at all: what a variable may be sent as, whatever its declared type. */
const anyJson: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true },
    anyString, anyNumber, fc.boolean(), fc.constant(null),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 8 }), tie('value'), { maxKeys: 3 })),
})).value;

/** A JSON value for an input type: usually of the right shape, sometimes anything. */
function valueFor(type: GraphQLInputType, depth = 0): fc.Arbitrary<unknown> {
  const wrong = anyJson;
  if (depth > 3) return fc.constant(null);
  if (isNonNullType(type)) return valueFor(type.ofType, depth);
  let right: fc.Arbitrary<unknown>;
  if (isListType(type)) right = fc.array(valueFor(type.ofType, depth + 1), { maxLength: 3 });
  else if (isEnumType(type)) right = fc.oneof(fc.constantFrom(...type.getValues().map((v) => v.name)), anyString);
  else if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields());
    right = fc.record(
      Object.fromEntries(fields.map((f) => [f.name, valueFor(f.type, depth + 1)])),
      { requiredKeys: fields.filter((f) => isNonNullType(f.type)).map((f) => f.name) },
    );
  } else {
    switch (type.name) {
      case 'Int':
      case 'SafeInt':
      case 'Float':
        right = anyNumber;
        break;
      case 'Boolean':
        right = fc.boolean();
        break;
      case 'DateTime':
        right = fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), anyString);
        break;
      default:
        right = anyString;
    }
  }
  return fc.oneof({ weight: 4, arbitrary: right }, { weight: 1, arbitrary: wrong }, { weight: 1, arbitrary: fc.constant(null) });
}

/** A GraphQL literal for a JSON value (objects' keys unquoted, strings JSON-escaped). */
function literal(value: unknown, enumLike: boolean): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return enumLike && /^[_A-Za-z][_0-9A-Za-z]*$/.test(value) ? value : JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map((v) => literal(v, enumLike)).join(', ')}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([k]) => /^[_A-Za-z][_0-9A-Za-z]*$/.test(k));
  return `{ ${entries.map(([k, v]) => `${k}: ${literal(v, enumLike)}`).join(', ')} }`;
}

export interface GeneratedRequest {
  query: string;
  variables: Record<string, unknown>;
}

interface Builder {
  variables: Record<string, unknown>;
  declarations: string[];
}

function argumentsArb(args: readonly GraphQLArgument[]): fc.Arbitrary<(b: Builder) => string> {
  if (args.length === 0) return fc.constant(() => '');
  return fc.tuple(...args.map((arg) => fc.tuple(fc.constantFrom('omit', 'literal', 'variable', 'variable'), valueFor(arg.type)))).map((choices) => (b: Builder) => {
    const parts: string[] = [];
    choices.forEach(([how, value], i) => {
      const arg = args[i]!;
      if (how === 'omit' && !isNonNullType(arg.type)) return;
      if (how === 'literal') {
        parts.push(`${arg.name}: ${literal(value, isEnumType(getNamedType(arg.type)))}`);
        return;
      }
      const name = `v${b.declarations.length}`;
      b.declarations.push(`$${name}: ${arg.type.toString()}`);
      b.variables[name] = value;
      parts.push(`${arg.name}: $${name}`);
    });
    return parts.length ? `(${parts.join(', ')})` : '';
  });
}

function selectionArb(type: GraphQLNamedType, depth: number): fc.Arbitrary<(b: Builder) => string> {
  if (isLeafType(type)) return fc.constant(() => '');
  if (isUnionType(type) || (!isObjectType(type) && !isInterfaceType(type))) return fc.constant(() => '{ __typename }');
  const fields = Object.values(type.getFields());
  const leaves = fields.filter((f) => isLeafType(getNamedType(f.type)));
  const candidates = depth >= 3 ? leaves : fields;
  if (candidates.length === 0) return fc.constant(() => '{ __typename }');
  return fc.uniqueArray(fc.constantFrom(...candidates), { minLength: 1, maxLength: 4, selector: (f) => f.name })
    .chain((chosen) => fc.tuple(...chosen.map((f) => fieldArb(f, depth + 1))))
    .map((parts) => (b: Builder) => `{ ${parts.map((p) => p(b)).join(' ')} }`);
}

function fieldArb(field: GraphQLField<unknown, unknown>, depth: number): fc.Arbitrary<(b: Builder) => string> {
  return fc.tuple(argumentsArb(field.args), selectionArb(getNamedType(field.type), depth))
    .map(([args, selection]) => (b: Builder) => `${field.name}${args(b)} ${selection(b)}`.trim());
}

/**
 * Documents built from the schema: a query or mutation with one to three root fields, their
 * arguments as literals or variables of any value (hostile strings, out-of-range numbers, wrong
 * types, nulls), a random selection down to depth 4; some are then damaged (cut short, a field
 * that does not exist, garbage appended).
 */
export function generatedRequests(schema: GraphQLSchema): fc.Arbitrary<GeneratedRequest> {
  const roots: [string, GraphQLObjectType][] = [['query', schema.getQueryType()!], ['mutation', schema.getMutationType()!]];
  const operation = fc.constantFrom(...roots).chain(([keyword, root]) =>
    fc.uniqueArray(fc.constantFrom(...Object.values(root.getFields())), { minLength: 1, maxLength: 3, selector: (f) => f.name })
      .chain((fields) => fc.tuple(...fields.map((f) => fieldArb(f, 1))))
      .map((parts) => {
        const b: Builder = { variables: {}, declarations: [] };
        const body = parts.map((p) => p(b)).join(' ');
        const header = b.declarations.length ? `${keyword} Generated(${b.declarations.join(', ')})` : keyword;
        return { query: `${header} { ${body} }`, variables: b.variables };
      }));
  const damage = fc.constantFrom('none', 'none', 'none', 'none', 'cut', 'unknown-field', 'garbage');
  return fc.tuple(operation, damage, fc.nat(), fc.string({ maxLength: 8 })).map(([request, how, at, junk]) => {
    if (how === 'cut') return { ...request, query: request.query.slice(0, at % Math.max(1, request.query.length)) };
    if (how === 'unknown-field') return { ...request, query: request.query.replace('{', '{ noSuchField ') };
    if (how === 'garbage') return { ...request, query: request.query + junk };
    return request;
  });
}
