/**
 * The rules a payee's registration keeps, as pure functions: what valid bank details, PAN and
 * contact details are (each refusal names the field and says why, never quoting the value),
 * how they are masked for storage, and which activation news may change an account's status.
 */
import { badInput } from '../common/errors.js';
import type { RouteActivationStatus } from '../gateways/payout-gateway.js';
import { PayeeAccountStatus } from './payee-account.entity.js';

/** What registration needs, as the API takes it (service callers pass the same shape). */
export interface PayeeRegistration {
  payeeId: string;
  email: string;
  phone: string;
  legalName: string;
  beneficiaryName: string;
  bankAccountNumber: string;
  ifsc: string;
  pan: string;
  street1: string;
  street2?: string | null;
  city: string;
  state: string;
  postalCode: string;
  category?: string | null;
  subcategory?: string | null;
}

/** The registration after validation: trimmed, upper-cased where the format is. */
export type ValidRegistration = Required<{ [K in keyof PayeeRegistration]: NonNullable<PayeeRegistration[K]> }>;

/** The payeeId orders carry (payment.inputs.ts's rule, at most 64 characters). */
export const PAYEE_ID = /^[A-Za-z0-9_.:@-]{1,64}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^\+?[0-9]{8,15}$/;
const BANK_ACCOUNT = /^[0-9]{9,18}$/;
const IFSC = /^[A-Z]{4}0[A-Z0-9]{6}$/;
const PAN = /^[A-Z]{5}[0-9]{4}[A-Z]$/;
const POSTAL_CODE = /^[1-9][0-9]{5}$/;
const CATEGORY = /^[a-z_]{2,50}$/;
/** Razorpay's defaults for a freelancer-like individual; an operator may send others. */
export const DEFAULT_CATEGORY = 'services';
export const DEFAULT_SUBCATEGORY = 'professional_services';

function text(field: string, value: string | null | undefined, min: number, max: number): string {
  const trimmed = (value ?? '').trim();
  if (trimmed.length < min) throw badInput(field, min === 1 ? 'must not be blank' : `must be at least ${min} characters`);
  if (trimmed.length > max) throw badInput(field, `must be at most ${max} characters`);
  if (trimmed.includes('\u0000')) throw badInput(field, 'must not contain the NUL character (\\u0000)');
  return trimmed;
}

/**
 * Validates a registration, first problem first, in the order of the input's fields. The
 * messages describe the rule only: a mistyped account number or PAN is never echoed back.
 */
export function validateRegistration(input: PayeeRegistration, prefix = 'input'): ValidRegistration {
  const f = (name: string) => `${prefix}.${name}`;
  if (!PAYEE_ID.test(input.payeeId ?? '')) throw badInput(f('payeeId'), 'must be 1 to 64 letters, digits and _ . : @ - (the payeeId orders carry)');
  const email = text(f('email'), input.email, 3, 254);
  if (!EMAIL.test(email)) throw badInput(f('email'), 'must be an email address (name@domain)');
  const phone = (input.phone ?? '').replace(/[\s-]/g, '');
  if (!PHONE.test(phone)) throw badInput(f('phone'), 'must be 8 to 15 digits, optionally after +');
  const legalName = text(f('legalName'), input.legalName, 4, 200);
  const beneficiaryName = text(f('beneficiaryName'), input.beneficiaryName, 1, 120);
  const bankAccountNumber = (input.bankAccountNumber ?? '').trim();
  if (!BANK_ACCOUNT.test(bankAccountNumber)) {
    throw badInput(f('bankAccountNumber'), 'must be 9 to 18 digits, with no spaces, letters or punctuation');
  }
  const ifsc = (input.ifsc ?? '').trim().toUpperCase();
  if (!IFSC.test(ifsc)) {
    throw badInput(f('ifsc'), 'must be 11 characters: the bank\'s 4 letters, then 0, then the branch\'s 6 letters or digits (e.g. HDFC0001234)');
  }
  const pan = (input.pan ?? '').trim().toUpperCase();
  if (!PAN.test(pan)) throw badInput(f('pan'), 'must be 10 characters: 5 letters, 4 digits, 1 letter (e.g. ABCPE1234F)');
  if (pan[3] !== 'P') throw badInput(f('pan'), "must be a person's PAN (its 4th character is P): payees are registered as individuals");
  const street1 = text(f('street1'), input.street1, 1, 100);
  const street2 = (input.street2 ?? '').trim() === '' ? street1 : text(f('street2'), input.street2, 1, 100);
  const city = text(f('city'), input.city, 1, 100);
  const state = text(f('state'), input.state, 2, 100);
  const postalCode = (input.postalCode ?? '').trim();
  if (!POSTAL_CODE.test(postalCode)) throw badInput(f('postalCode'), 'must be an Indian PIN code: 6 digits, not starting with 0');
  const category = (input.category ?? DEFAULT_CATEGORY).trim();
  if (!CATEGORY.test(category)) throw badInput(f('category'), "must be one of Razorpay's business categories (lower case and _)");
  const subcategory = (input.subcategory ?? DEFAULT_SUBCATEGORY).trim();
  if (!CATEGORY.test(subcategory)) throw badInput(f('subcategory'), "must be one of Razorpay's business subcategories (lower case and _)");
  return {
    payeeId: input.payeeId, email, phone, legalName, beneficiaryName, bankAccountNumber, ifsc, pan,
    street1, street2, city, state, postalCode, category, subcategory,
  };
}

/** All but the last four characters as X: what is stored and shown instead of the value. */
export function mask(value: string): string {
  return 'X'.repeat(Math.max(0, value.length - 4)) + value.slice(-4);
}

const FROM_GATEWAY: Record<RouteActivationStatus, PayeeAccountStatus> = {
  requested: PayeeAccountStatus.REQUESTED,
  needs_clarification: PayeeAccountStatus.NEEDS_CLARIFICATION,
  under_review: PayeeAccountStatus.UNDER_REVIEW,
  activated: PayeeAccountStatus.ACTIVATED,
  suspended: PayeeAccountStatus.SUSPENDED,
};

export function toAccountStatus(status: RouteActivationStatus): PayeeAccountStatus {
  return FROM_GATEWAY[status];
}

/** What one piece of activation news does to an account. */
export type ActivationDecision =
  | { kind: 'apply'; status: PayeeAccountStatus }
  | { kind: 'none' }
  | { kind: 'ignore'; reason: string };

/**
 * Decides whether news of the product's status (a webhook's snapshot, a fetch, the answer to
 * the bank details) changes the account. News older than what was last applied is ignored
 * (webhooks arrive late and out of order); an activated account only leaves ACTIVATED for
 * SUSPENDED, so a late `needs_clarification` cannot take it back; a suspended one comes back
 * only on strictly newer news.
 */
export function decideActivation(
  current: { status: PayeeAccountStatus; statusObservedAt: Date | null },
  news: { status: RouteActivationStatus; observedAt: Date },
): ActivationDecision {
  const next = toAccountStatus(news.status);
  if (next === current.status) return { kind: 'none' };
  // Whole seconds: webhooks are stamped in seconds, our own observations in milliseconds, so
  // news from the same second as the last applied one is not "older" (the guards below decide).
  const last = current.statusObservedAt ? Math.floor(current.statusObservedAt.getTime() / 1000) : null;
  const at = Math.floor(news.observedAt.getTime() / 1000);
  if (last !== null && at < last) return { kind: 'ignore', reason: `${news.status} is older than the status last applied` };
  if (current.status === PayeeAccountStatus.ACTIVATED && next !== PayeeAccountStatus.SUSPENDED) {
    return { kind: 'ignore', reason: `${news.status} arrived after the account was activated` };
  }
  if (current.status === PayeeAccountStatus.SUSPENDED && last !== null && at === last) {
    return { kind: 'ignore', reason: `${news.status} is not newer than the suspension` };
  }
  return { kind: 'apply', status: next };
}
