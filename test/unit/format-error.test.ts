import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createErrorFormatter, scrubDigits } from '../../src/graphql/format-error.js';
import { createLogger } from '../../src/logger.js';

const format = createErrorFormatter(createLogger('silent'));
const run = (error: GraphQLError) => format(error.toJSON(), error);

describe('error formatting', () => {
  it('never echoes a value graphql-js quotes in a variable error', () => {
    const error = new GraphQLError(
      'Variable "$input" got invalid value { type: "CARD", last4: 4111111111111111 } at "input.last4"; Int cannot represent non-integer value: 4111111111111111',
      { extensions: { code: 'BAD_USER_INPUT' } },
    );
    const formatted = run(error);
    expect(formatted.message).toBe('Variable "$input" has an invalid value at "input.last4": Int cannot represent non-integer value');
    expect(formatted.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.last4' });
  });

  it('keeps unknown-field errors useful without the value', () => {
    const formatted = run(new GraphQLError(
      'Variable "$input" got invalid value { cvv: "123", cardNumber: "4111 1111 1111 1111" }; Field "cvv" is not defined by type "AddSavedPaymentMethodInput".',
      { extensions: { code: 'BAD_USER_INPUT' } },
    ));
    expect(formatted.message).toBe('Variable "$input" has an invalid value at "input": Field "cvv" is not defined by type "AddSavedPaymentMethodInput".');
    expect(formatted.message).not.toMatch(/4111|123/);
  });

  it('scrubs long digit runs from any client error', () => {
    expect(scrubDigits('card 4111-1111-1111-1111 and 4111 1111 1111 1111 and 411111111111')).toBe(
      'card [digits removed] and [digits removed] and [digits removed]',
    );
    expect(scrubDigits('order for 50000 paise')).toBe('order for 50000 paise');
    for (const id of ['00000000-0000-4000-8000-000000000000', '3f2a9c1e-0000-4000-8000-123456789012', 'order_123456789012AB']) {
      expect(scrubDigits(`Payment ${id} was not found`)).toBe(`Payment ${id} was not found`);
    }
  });

  it('replaces unexpected errors, keeping nothing of them', () => {
    const error = new GraphQLError('select * from payment where …', { originalError: new Error('connection refused at 10.0.0.1') });
    const formatted = run(error);
    expect(formatted.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
    expect(formatted.message).not.toMatch(/select|10\.0\.0\.1/);
  });
});
