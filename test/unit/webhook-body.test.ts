/**
 * decodeBody: the text of a delivery parsed as JSON, every string and key one PostgreSQL can store.
 * Text without a `\u0000` or surrogate escape takes the fast path (no reviver, issue 11); these
 * cases hold on either side of that line.
 */
import { describe, expect, it } from 'vitest';
import { decodeBody } from '../../src/gateways/webhook.body.js';

const decode = (text: string) => decodeBody(Buffer.from(text, 'utf8'));
const NUL = 'a string holds \\u0000, which PostgreSQL cannot store';
const SURROGATE = 'a string holds a lone UTF-16 surrogate, which PostgreSQL cannot store';

describe('decodeBody', () => {
  it('an ordinary event: parsed as it is, nothing to report', () => {
    const event = { entity: 'event', event: 'payment.captured', payload: { payment: { entity: { id: 'pay_1', amount: 10_000, notes: [], vpa: 'ü@ybl', card: null } } } };
    expect(decode(JSON.stringify(event))).toEqual({ json: event, problems: [] });
  });

  it('escapes that are harmless: a surrogate pair, an escaped backslash before u0000, other \\u escapes', () => {
    expect(decode('{"a":"\\uD83D\\uDE00","b":"\\\\u0000","c":"\\u00e9\\u0041"}')).toEqual({ json: { a: '😀', b: '\\u0000', c: 'éA' }, problems: [] });
  });

  it('\\u0000 in a string or a key becomes U+FFFD, and is reported', () => {
    expect(decode('{"a":"x\\u0000y","k\\u0000":1}')).toEqual({ json: { a: 'x\uFFFDy', 'k\uFFFD': 1 }, problems: [NUL] });
  });

  it('a lone surrogate, in either case of hex, in a string or a key, becomes U+FFFD, and is reported', () => {
    expect(decode('{"a":"\\uD800","b":"\\udc00x","\\uDBFF":[1]}')).toEqual({ json: { a: '\uFFFD', b: '\uFFFDx', '\uFFFD': [1] }, problems: [SURROGATE] });
  });

  it('bytes that are not UTF-8 are reported', () => {
    const raw = Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
    expect(decodeBody(raw)).toEqual({ json: { a: '\uFFFD\uFFFD' }, problems: ['the body is not valid UTF-8'] });
  });

  it('text that is not JSON throws SyntaxError, on either path', () => {
    expect(() => decode('{"a":')).toThrow(SyntaxError);
    expect(() => decode('{"a":"\\u0000"')).toThrow(SyntaxError);
  });
});
