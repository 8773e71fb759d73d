/** The payee rules alone: activation news in every arrival order, validation, masking, Route webhook decoding. */
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../src/common/errors.js';
import { decodeRazorpayWebhook } from '../../src/gateways/razorpay/razorpay.webhooks.js';
import { decodeRouteProductEvent, parseRouteProduct, parseStakeholder } from '../../src/gateways/razorpay/route/route.mappers.js';
import type { RazorpayWebhookEnvelope } from '../../src/gateways/razorpay/razorpay.wire.js';
import { PayeeAccountStatus as S } from '../../src/payees/payee-account.entity.js';
import { decideActivation, mask, validateRegistration, type PayeeRegistration } from '../../src/payees/payee.rules.js';

const t = (seconds: number) => new Date(1_800_000_000_000 + seconds * 1000);

describe('decideActivation', () => {
  it('applies newer news and ignores older news', () => {
    expect(decideActivation({ status: S.REQUESTED, statusObservedAt: t(0) }, { status: 'under_review', observedAt: t(1) })).toEqual({ kind: 'apply', status: S.UNDER_REVIEW });
    expect(decideActivation({ status: S.UNDER_REVIEW, statusObservedAt: t(5) }, { status: 'needs_clarification', observedAt: t(4) }).kind).toBe('ignore');
  });

  it('treats news from the same second as not older (webhooks are stamped in seconds)', () => {
    const observed = new Date(t(3).getTime() + 700);
    expect(decideActivation({ status: S.NEEDS_CLARIFICATION, statusObservedAt: observed }, { status: 'activated', observedAt: t(3) })).toEqual({ kind: 'apply', status: S.ACTIVATED });
  });

  it('never takes an activated account back, except to SUSPENDED; a suspended one returns only on newer news', () => {
    for (const status of ['requested', 'under_review', 'needs_clarification'] as const) {
      expect(decideActivation({ status: S.ACTIVATED, statusObservedAt: t(1) }, { status, observedAt: t(9) }).kind).toBe('ignore');
    }
    expect(decideActivation({ status: S.ACTIVATED, statusObservedAt: t(1) }, { status: 'suspended', observedAt: t(2) })).toEqual({ kind: 'apply', status: S.SUSPENDED });
    expect(decideActivation({ status: S.SUSPENDED, statusObservedAt: t(2) }, { status: 'activated', observedAt: t(2) }).kind).toBe('ignore');
    expect(decideActivation({ status: S.SUSPENDED, statusObservedAt: t(2) }, { status: 'activated', observedAt: t(3) })).toEqual({ kind: 'apply', status: S.ACTIVATED });
  });

  it('does nothing for the status it already has', () => {
    expect(decideActivation({ status: S.ACTIVATED, statusObservedAt: t(1) }, { status: 'activated', observedAt: t(2) })).toEqual({ kind: 'none' });
  });
});

const valid: PayeeRegistration = {
  payeeId: 'payee-1', email: 'a@example.com', phone: '+91 98765 43210', legalName: 'Asha Kumari', beneficiaryName: 'Asha Kumari',
  bankAccountNumber: '501000987654', ifsc: 'hdfc0001234', pan: 'abcpk1234z', street1: '12 MG Road', city: 'Bengaluru', state: 'Karnataka', postalCode: '560001',
};

function refusal(overrides: Partial<PayeeRegistration>): DomainError {
  try {
    validateRegistration({ ...valid, ...overrides });
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('validateRegistration', () => {
  it('normalises IFSC and PAN to upper case, the phone to digits, and defaults the category', () => {
    expect(validateRegistration(valid)).toMatchObject({ ifsc: 'HDFC0001234', pan: 'ABCPK1234Z', phone: '+919876543210', category: 'services', street2: '12 MG Road' });
  });

  it('names the field and the rule, never the value', () => {
    for (const [overrides, field] of [
      [{ bankAccountNumber: '12 34 56 78 90' }, 'input.bankAccountNumber'],
      [{ bankAccountNumber: '1234567890123456789' }, 'input.bankAccountNumber'],
      [{ ifsc: 'HDFC01234' }, 'input.ifsc'],
      [{ pan: 'ABCPK12345' }, 'input.pan'],
      [{ pan: 'ABCFK1234Z' }, 'input.pan'],
      [{ email: 'nobody' }, 'input.email'],
      [{ legalName: 'Al' }, 'input.legalName'],
    ] as [Partial<PayeeRegistration>, string][]) {
      const error = refusal(overrides);
      expect(error.code).toBe('BAD_USER_INPUT');
      expect(error.field).toBe(field);
      expect(error.message).not.toContain(Object.values(overrides)[0]);
    }
  });

  it('masks all but the last four characters', () => {
    expect(mask('501000987654')).toBe('XXXXXXXX7654');
    expect(mask('ABCPK1234Z')).toBe('XXXXXX234Z');
  });
});

describe('Route mappers', () => {
  it('keep no PAN and no account number from the answers that echo them', () => {
    expect(parseStakeholder({ id: 'sth_1', entity: 'stakeholder', kyc: { pan: 'ABCPK1234Z' } })).toEqual({ id: 'sth_1' });
    const product = parseRouteProduct({
      id: 'acc_prd_1', account_id: 'acc_1', activation_status: 'activated', requirements: [],
      active_configuration: { settlements: { account_number: '501000987654', ifsc_code: 'HDFC0001234', beneficiary_name: 'A' } },
    });
    expect(JSON.stringify(product)).not.toContain('501000987654');
  });

  it('decode product.route.* webhooks, and say why one cannot be used', () => {
    const envelope = (event: string, payload: Record<string, unknown>) => ({ entity: 'event', account_id: 'acc_x', event, contains: [], payload, created_at: 1_800_000_000 }) as RazorpayWebhookEnvelope;
    const decoded = decodeRouteProductEvent(envelope('product.route.needs_clarification', {
      merchant_product: { entity: { id: 'acc_prd_1', merchant_id: 'M1', activation_status: 'needs_clarification', data: { requirements: [{ field_reference: 'settlements.ifsc_code', reason_code: 'field_invalid', status: 'required' }] } } },
    }));
    expect(decoded).toMatchObject({ productId: 'acc_prd_1', activationStatus: 'needs_clarification', requirements: [{ fieldReference: 'settlements.ifsc_code', resolutionUrl: null }] });
    expect(decodeRouteProductEvent(envelope('product.route.activated', {}))).toEqual({ unusable: 'product.route.activated carries no merchant_product entity' });
    expect(decodeRouteProductEvent(envelope('product.route.activated', { merchant_product: { entity: { id: 'p', activation_status: 'rejected' } } })))
      .toHaveProperty('unusable');
    expect(() => decodeRouteProductEvent(envelope('product.route.activated', { merchant_product: { entity: { activation_status: 'activated' } } }))).toThrow(/merchant_product is malformed at id/);
  });

  it('reach the handlers through the Razorpay gateway as a trusted payee_account event, or other with the reason', () => {
    const body = { entity: 'event', account_id: 'acc_x', event: 'product.route.activated', contains: ['merchant_product'], created_at: 1_800_000_000,
      payload: { merchant_product: { entity: { id: 'acc_prd_1', merchant_id: 'M1', activation_status: 'activated' } } } };
    expect(decodeRazorpayWebhook('product.route.activated', body)).toMatchObject({ kind: 'payee_account', trusted: true, product: { productId: 'acc_prd_1', activationStatus: 'activated' } });
    expect(decodeRazorpayWebhook('product.route.activated', { ...body, payload: {} })).toEqual({ kind: 'other', type: 'product.route.activated', reason: 'product.route.activated carries no merchant_product entity' });
  });
});
