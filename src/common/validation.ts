import { Field } from 'type-graphql';
import { IsOptional, Matches } from 'class-validator';

/*
 * Input rules every feature's API inputs share. They are decorators (type-graphql and
 * class-validator) because they describe input shapes; they live here rather than in graphql/
 * so that `*.inputs.ts` files take them without importing the GraphQL layer's runtime (context,
 * errors, transport), and so no feature borrows them from another feature.
 */

export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9_.:-]{8,100}$/;
const IDEMPOTENCY_KEY_RULE = 'must be 8 to 100 characters of letters, digits, _ . : - (a UUID works)';

/**
 * The optional `idempotencyKey` every money-moving input takes: the same key from the same
 * caller returns the original result and moves no money twice.
 */
export function IdempotencyKeyField(description = 'The same key from the same caller returns the original result and moves no money twice.'): PropertyDecorator {
  return (target, property) => {
    Field(() => String, { nullable: true, description })(target, property);
    IsOptional()(target, property);
    Matches(IDEMPOTENCY_KEY_PATTERN, { message: IDEMPOTENCY_KEY_RULE })(target, property);
  };
}

/** PostgreSQL text and jsonb cannot hold U+0000: refused as bad input instead of failing in SQL. */
export const NUL = '\u0000';
export const NO_NUL_RULE = 'must not contain the NUL character (\\u0000)';
