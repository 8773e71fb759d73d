/**
 * Reading a signed webhook body into something PostgreSQL can store. `jsonb` refuses
 * `\u0000` in strings and lone UTF-16 surrogates, and a body that is not valid UTF-8 cannot
 * be decoded faithfully at all; such a body is still a signed delivery, so it is kept as raw
 * bytes beside a sanitised copy and set aside for an operator, never refused forever.
 * Absurd nesting is refused before `JSON.parse` (and everything after it) can recurse on it.
 */

/** Razorpay's events nest about six levels deep; anything past this is not one of them. */
export const MAX_WEBHOOK_DEPTH = 64;

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * The deepest nesting of objects and arrays in `raw`, counted over the bytes without parsing
 * (UTF-8 continuation bytes never look like ASCII, so brackets inside strings are skipped
 * exactly). Stops counting once past `limit`.
 */
export function nestingDepth(raw: Uint8Array, limit = MAX_WEBHOOK_DEPTH): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < raw.length; i += 1) {
    const byte = raw[i]!;
    if (inString) {
      if (byte === BACKSLASH) i += 1;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      depth += 1;
      if (depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      depth -= 1;
    }
  }
  return deepest;
}

export interface DecodedBody {
  json: unknown;
  /** Why the body cannot be stored exactly as received; empty when it can. */
  problems: string[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
// Lone surrogates: a high one not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const REPLACEMENT = '\uFFFD';
/**
 * In JSON text, a NUL or a surrogate can only reach a parsed string (or key) through an escape:
 * `\u0000`, `\uD800`–`\uDFFF` (a raw NUL is refused by `JSON.parse`, and valid UTF-8 encodes no
 * surrogate). Text without one (every delivery a gateway sends) is parsed without the per-value
 * reviver, about four times as fast (issue 11: 5 % of the acknowledgement's busy samples). An
 * escaped backslash before `u0000` also matches: the slow path, which finds nothing to change.
 */
const MAY_NEED_CLEANING = /\\u(?:0000|[dD][89a-fA-F])/;

/**
 * Parses `raw` as JSON (throws `SyntaxError` when it is not) and returns a copy every string
 * (and key) of which PostgreSQL can store: NUL and lone surrogates become U+FFFD. `problems`
 * names what was changed, so the caller can keep the raw bytes and set the event aside.
 */
export function decodeBody(raw: Buffer): DecodedBody {
  const problems = new Set<string>();
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    problems.add('the body is not valid UTF-8');
    text = raw.toString('utf8');
  }
  if (problems.size === 0 && !MAY_NEED_CLEANING.test(text)) return { json: JSON.parse(text) as unknown, problems: [] };
  const clean = (value: string): string => {
    let result = value;
    if (result.includes('\u0000')) {
      problems.add('a string holds \\u0000, which PostgreSQL cannot store');
      result = result.replaceAll('\u0000', REPLACEMENT);
    }
    LONE_SURROGATE.lastIndex = 0;
    if (LONE_SURROGATE.test(result)) {
      problems.add('a string holds a lone UTF-16 surrogate, which PostgreSQL cannot store');
      result = result.replace(LONE_SURROGATE, REPLACEMENT);
    }
    return result;
  };
  const json: unknown = JSON.parse(text, function (this: unknown, _key, value: unknown) {
    if (typeof value === 'string') return clean(value);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const keys = Object.keys(value);
      if (keys.some((key) => clean(key) !== key)) {
        return Object.fromEntries(keys.map((key) => [clean(key), (value as Record<string, unknown>)[key]]));
      }
    }
    return value;
  });
  return { json, problems: [...problems] };
}
