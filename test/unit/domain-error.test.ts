import { ApolloServer } from '@apollo/server';
import { describe, expect, it } from 'vitest';
import * as domain from '../../src/common/errors.js';
import { relocate, type DomainError } from '../../src/common/errors.js';
import * as api from '../../src/graphql/errors.js';
import { createErrorFormatter } from '../../src/graphql/format-error.js';
import { createLogger } from '../../src/logger.js';

/** Every helper, with the answer a client got before services threw DomainError (byte for byte). */
const CASES: { name: string; error: () => DomainError; message: string; extensions: Record<string, unknown> }[] = [
  {
    name: 'badInput',
    error: () => domain.badInput('input.amount', 'must be at least 100 (₹1.00), got 5'),
    message: 'input.amount: must be at least 100 (₹1.00), got 5',
    extensions: { code: 'BAD_USER_INPUT', field: 'input.amount' },
  },
  { name: 'unauthenticated', error: () => domain.unauthenticated(), message: 'Sign in: send Authorization: Bearer <token>', extensions: { code: 'UNAUTHENTICATED' } },
  { name: 'forbidden', error: () => domain.forbidden('your wallet is frozen: contact support'), message: 'your wallet is frozen: contact support', extensions: { code: 'FORBIDDEN' } },
  {
    name: 'notFound with an id',
    error: () => domain.notFound('Payment', 'b6a1c7c2-0d1e-4b8e-9f00-3a2b1c0d9e8f'),
    message: 'Payment b6a1c7c2-0d1e-4b8e-9f00-3a2b1c0d9e8f was not found',
    extensions: { code: 'NOT_FOUND', id: 'b6a1c7c2-0d1e-4b8e-9f00-3a2b1c0d9e8f' },
  },
  {
    name: 'notFound with something that is not an id',
    error: () => domain.notFound('Payment', "x' or 1=1; drop table payment --\u0000"),
    message: 'Payment was not found (that is not an id this service issues)',
    extensions: { code: 'NOT_FOUND' },
  },
  {
    name: 'conflict',
    error: () => domain.conflict('idempotencyKey key-00001 was already used for a different order (500 INR, ORDER): use a new key for a new order'),
    message: 'idempotencyKey key-00001 was already used for a different order (500 INR, ORDER): use a new key for a new order',
    extensions: { code: 'CONFLICT' },
  },
  { name: 'gatewayError, retryable', error: () => domain.gatewayError('Razorpay: unavailable', true), message: 'Razorpay: unavailable', extensions: { code: 'GATEWAY_ERROR', retryable: true } },
  { name: 'gatewayError, final', error: () => domain.gatewayError('Razorpay: refused', false), message: 'Razorpay: refused', extensions: { code: 'GATEWAY_ERROR', retryable: false } },
  {
    name: 'a card number in a message',
    error: () => domain.badInput('input.nickname', 'must not hold a card number (4111 1111 1111 1111)'),
    message: 'input.nickname: must not hold a card number ([digits removed])',
    extensions: { code: 'BAD_USER_INPUT', field: 'input.nickname' },
  },
];

/** A real Apollo Server whose one field throws `error` from its resolver, stack traces switched on to show they are dropped. */
async function answer(error: unknown) {
  const server = new ApolloServer({
    typeDefs: 'type Query { pay: Int }',
    resolvers: { Query: { pay: () => { throw error; } } },
    formatError: createErrorFormatter(createLogger('silent')),
    includeStacktraceInErrorResponses: true,
  });
  const response = await server.executeOperation({ query: '{ pay }' });
  await server.stop();
  if (response.body.kind !== 'single') throw new Error('expected a single result');
  const errors = response.body.singleResult.errors ?? [];
  expect(errors).toHaveLength(1);
  return errors[0]!;
}

describe('DomainError at the API layer', () => {
  it.each(CASES)('$name: the same code, field, details and message as before', async ({ error, message, extensions }) => {
    const formatted = await answer(error());
    expect(formatted.message).toBe(message);
    expect(formatted.extensions).toEqual(extensions);
    expect(JSON.stringify(formatted)).not.toMatch(/stacktrace|DomainError|at .*\.ts/);
  });

  it.each(CASES)('$name: answered exactly like the GraphQL layer\'s own helper', async ({ error }) => {
    const thrown = error();
    expect(await answer(thrown)).toEqual(await answer(api.toGraphQLError(thrown)));
  });

  it('covers every code a service may throw', () => {
    const codes = new Set(CASES.map((c) => c.error().code));
    expect([...codes].sort()).toEqual(['BAD_USER_INPUT', 'CONFLICT', 'FORBIDDEN', 'GATEWAY_ERROR', 'NOT_FOUND', 'UNAUTHENTICATED']);
    for (const code of codes) expect(api.CLIENT_ERROR_CODES.has(code)).toBe(true);
  });

  it('an error that is not a DomainError stays an internal error, told nothing', async () => {
    const formatted = await answer(new Error('connection refused at 10.0.0.1'));
    expect(formatted.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
    expect(formatted.message).not.toMatch(/10\.0\.0\.1/);
  });

  it('relocate re-addresses a refusal to the caller\'s own field, and leaves anything else alone', async () => {
    const moved = relocate(domain.badInput('input.paymentId', 'your wallet balance is ₹1.00 (100), less than the payment\'s ₹5.00 (500): top up first'), 'input.paymentId', 'input.method');
    const formatted = await answer(moved);
    expect(formatted.message).toBe('input.method: your wallet balance is ₹1.00 (100), less than the payment\'s ₹5.00 (500): top up first');
    expect(formatted.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.method' });

    const other = domain.badInput('input.amount', 'too small');
    expect(relocate(other, 'input.paymentId', 'input.method')).toBe(other);
    const conflict = domain.conflict('already paid');
    expect(relocate(conflict, 'input.paymentId', 'input.method')).toBe(conflict);
    const plain = new Error('boom');
    expect(relocate(plain, 'input.paymentId', 'input.method')).toBe(plain);
  });

  it('the error code is counted from the DomainError, not as an internal error', () => {
    const wrapped = api.toGraphQLError(domain.conflict('x'));
    expect(api.errorCode(wrapped)).toBe('CONFLICT');
    const located = Object.assign(new (class extends Error {})('located'), { extensions: {}, originalError: domain.notFound('Payment', 'abc') });
    expect(api.errorCode(located as never)).toBe('NOT_FOUND');
  });
});
