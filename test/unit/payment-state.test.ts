import { describe, expect, it } from 'vitest';
import { canTransition, PAYMENT_TRANSITIONS, PaymentStatus } from '../../src/payments/payment.state.js';

const S = PaymentStatus;

describe('payment state table', () => {
  it('allows exactly the moves of DESIGN.md', () => {
    const allowed = Object.entries(PAYMENT_TRANSITIONS).flatMap(([from, tos]) => tos.map((to) => `${from}→${to}`)).sort();
    expect(allowed).toEqual([
      'AUTHORIZED→CAPTURED',
      'AUTHORIZED→FAILED',
      'CAPTURED→PARTIALLY_REFUNDED',
      'CAPTURED→REFUNDED',
      'CREATED→AUTHORIZED',
      'CREATED→CAPTURED',
      'CREATED→FAILED',
      'FAILED→AUTHORIZED',
      'FAILED→CAPTURED',
      'PARTIALLY_REFUNDED→REFUNDED',
    ]);
  });

  it('never moves a payment backwards or out of a final state', () => {
    expect(canTransition(S.CAPTURED, S.AUTHORIZED)).toBe(false);
    expect(canTransition(S.CAPTURED, S.FAILED)).toBe(false);
    expect(canTransition(S.CAPTURED, S.CREATED)).toBe(false);
    expect(canTransition(S.REFUNDED, S.CAPTURED)).toBe(false);
    expect(canTransition(S.PARTIALLY_REFUNDED, S.CAPTURED)).toBe(false);
    expect(canTransition(S.AUTHORIZED, S.CREATED)).toBe(false);
    for (const status of Object.values(S)) expect(canTransition(status, status)).toBe(false);
  });

  it('accepts a late authorisation or a later attempt after a failure', () => {
    expect(canTransition(S.FAILED, S.AUTHORIZED)).toBe(true);
    expect(canTransition(S.FAILED, S.CAPTURED)).toBe(true);
  });
});
