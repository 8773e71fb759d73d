import { describe, expect, it } from 'vitest';
import { DomainError } from '../../src/common/errors.js';
import { SavedPaymentMethodType as T } from '../../src/payment-methods/payment-method.entity.js';
import {
  checkNewPaymentMethod,
  checkNickname,
  containsCardNumber,
  isCardExpired,
  type PaymentMethodFields,
} from '../../src/payment-methods/payment-method.rules.js';
import { upiProvider } from '../../src/payment-methods/upi-providers.js';

const NOW = new Date(Date.UTC(2026, 10, 15, 12)); // 15 November 2026
const CARD: PaymentMethodFields = { type: T.CARD, cardNetwork: 'Visa', last4: '4242', expiryMonth: 12, expiryYear: 2029 };
const UPI: PaymentMethodFields = { type: T.UPI, vpa: 'asha.k@okaxis' };
const NETBANKING: PaymentMethodFields = { type: T.NETBANKING, bankName: 'HDFC Bank' };
const WALLET: PaymentMethodFields = { type: T.WALLET, walletProvider: 'paytm', maskedWalletNumber: 'XXXXXX1234' };

/** The BAD_USER_INPUT error the rules throw for `fields`, or a failure if they accept it. */
function refusal(fields: PaymentMethodFields, now = NOW): { field: unknown; message: string } {
  try {
    checkNewPaymentMethod(fields, now);
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    const domainError = error as DomainError;
    expect(domainError.code).toBe('BAD_USER_INPUT');
    return { field: domainError.field, message: domainError.message };
  }
  throw new Error(`accepted ${JSON.stringify(fields)}`);
}

describe('containsCardNumber', () => {
  it.each([
    '4111111111111111',
    '4111 1111 1111 1111',
    '4111-1111-1111-1111',
    '4111.1111.1111.1111',
    'my visa 4111 1111 1111 1111',
    '378282246310005', // Amex, 15 digits
    '601100099990', // 12 digits
    '4111111111111111111', // 19 digits
    '４１１１１１１１１１１１１１１１', // full-width digits
  ])('finds a card number in %s', (text) => {
    expect(containsCardNumber(text)).toBe(true);
  });

  it.each(['4242', 'Salary card', 'HDFC 1234 exp 12/2030', '98765432101@ybl', 'XXXXXX1234', '12345678901'])('finds none in %s', (text) => {
    expect(containsCardNumber(text)).toBe(false);
  });
});

describe('checkNewPaymentMethod', () => {
  it('stores a card as network, last 4 digits and expiry, the network in its canonical spelling', () => {
    expect(checkNewPaymentMethod({ ...CARD, cardNetwork: 'mastercard', nickname: '  Salary card ' }, NOW)).toEqual({
      type: T.CARD,
      nickname: 'Salary card',
      provider: 'Mastercard',
      cardNetwork: 'Mastercard',
      cardLast4: '4242',
      expiryMonth: 12,
      expiryYear: 2029,
      vpa: null,
      bankName: null,
      walletProvider: null,
      maskedWalletNumber: null,
    });
    expect(checkNewPaymentMethod({ ...CARD, cardNetwork: 'American Express' }, NOW).cardNetwork).toBe('Amex');
    expect(checkNewPaymentMethod({ ...CARD, cardNetwork: 'RUPAY' }, NOW).cardNetwork).toBe('RuPay');
  });

  it('derives a UPI provider from the handle and keeps unknown handles as their own provider', () => {
    expect(checkNewPaymentMethod(UPI, NOW)).toMatchObject({ vpa: 'asha.k@okaxis', provider: 'Google Pay' });
    expect(checkNewPaymentMethod({ type: T.UPI, vpa: 'Asha@YBL' }, NOW)).toMatchObject({ vpa: 'asha@ybl', provider: 'PhonePe' });
    expect(checkNewPaymentMethod({ type: T.UPI, vpa: 'asha@newbank' }, NOW).provider).toBe('newbank');
  });

  it('stores net banking and wallets with the name to show', () => {
    expect(checkNewPaymentMethod(NETBANKING, NOW)).toMatchObject({ provider: 'HDFC Bank', bankName: 'HDFC Bank' });
    expect(checkNewPaymentMethod({ ...WALLET, walletProvider: 'PhonePe', maskedWalletNumber: '******9876' }, NOW)).toMatchObject({
      provider: 'PhonePe',
      walletProvider: 'phonepe',
      maskedWalletNumber: 'XXXXXX9876',
    });
    expect(checkNewPaymentMethod({ ...WALLET, walletProvider: 'airtel' }, NOW).walletProvider).toBe('airtelmoney');
  });

  it('refuses a card number wherever it is put, before any other rule, without repeating it', () => {
    const cases: [PaymentMethodFields, string][] = [
      [{ ...CARD, last4: '4111111111111111' }, 'input.last4'],
      [{ ...CARD, last4: '4111 1111 1111 1111' }, 'input.last4'],
      [{ ...CARD, nickname: 'visa 4111-1111-1111-1111' }, 'input.nickname'],
      [{ ...UPI, nickname: '4111111111111111' }, 'input.nickname'],
      [{ ...UPI, last4: '4111111111111111' }, 'input.last4'],
      [{ ...UPI, vpa: '4111111111111111@ybl' }, 'input.vpa'],
      [{ ...NETBANKING, bankName: 'HDFC 4111111111111111' }, 'input.bankName'],
    ];
    for (const [fields, field] of cases) {
      const error = refusal(fields);
      expect(error.field).toBe(field);
      expect(error.message).toContain('full card numbers are never accepted');
      expect(error.message).not.toMatch(/4111|1111/);
    }
  });

  it('refuses each bad card field by name', () => {
    const cases: [Partial<PaymentMethodFields>, string, RegExp][] = [
      [{ cardNetwork: 'Bajaj' }, 'input.cardNetwork', /must be one of Visa, Mastercard/],
      [{ last4: '424' }, 'input.last4', /exactly the last 4 digits/],
      [{ last4: '42a2' }, 'input.last4', /exactly the last 4 digits/],
      [{ last4: '12345678' }, 'input.last4', /exactly the last 4 digits/],
      [{ expiryMonth: 0 }, 'input.expiryMonth', /1 to 12/],
      [{ expiryMonth: 13 }, 'input.expiryMonth', /1 to 12/],
      [{ expiryYear: 29 }, 'input.expiryYear', /4-digit year/],
      [{ expiryYear: 2047 }, 'input.expiryYear', /at most 20 years ahead \(2046 or earlier\)/],
      [{ expiryYear: 2025 }, 'input.expiryYear', /expired/],
      [{ expiryMonth: 10, expiryYear: 2026 }, 'input.expiryMonth', /expired/],
      [{ nickname: 'n'.repeat(41) }, 'input.nickname', /at most 40 characters/],
      [{ nickname: 'two\nlines' }, 'input.nickname', /control characters/],
    ];
    for (const [change, field, message] of cases) {
      const error = refusal({ ...CARD, ...change });
      expect(error.field, JSON.stringify(change)).toBe(field);
      expect(error.message).toMatch(message);
    }
  });

  it('accepts a card expiring this month and one 20 years ahead', () => {
    expect(checkNewPaymentMethod({ ...CARD, expiryMonth: 11, expiryYear: 2026 }, NOW).expiryMonth).toBe(11);
    expect(checkNewPaymentMethod({ ...CARD, expiryMonth: 1, expiryYear: 2046 }, NOW).expiryYear).toBe(2046);
    expect(checkNickname('n'.repeat(40))).toHaveLength(40);
    expect(checkNickname('   ')).toBeNull();
  });

  it('requires the fields of the type and refuses those of another, by name', () => {
    const cases: [PaymentMethodFields, string, RegExp][] = [
      [{ ...CARD, last4: undefined }, 'input.last4', /required for CARD/],
      [{ ...CARD, cardNetwork: null }, 'input.cardNetwork', /required for CARD/],
      [{ ...CARD, expiryMonth: null }, 'input.expiryMonth', /required for CARD/],
      [{ ...CARD, expiryYear: null }, 'input.expiryYear', /required for CARD/],
      [{ type: T.UPI }, 'input.vpa', /required for UPI/],
      [{ type: T.NETBANKING }, 'input.bankName', /required for NETBANKING/],
      [{ ...WALLET, walletProvider: null }, 'input.walletProvider', /required for WALLET/],
      [{ ...WALLET, maskedWalletNumber: null }, 'input.maskedWalletNumber', /required for WALLET/],
      [{ ...CARD, vpa: 'asha@okaxis' }, 'input.vpa', /belongs to UPI methods, not CARD/],
      [{ ...UPI, last4: '4242' }, 'input.last4', /belongs to CARD methods, not UPI/],
      [{ ...UPI, expiryMonth: 1 }, 'input.expiryMonth', /belongs to CARD methods/],
      [{ ...NETBANKING, walletProvider: 'paytm' }, 'input.walletProvider', /belongs to WALLET methods, not NETBANKING/],
      [{ ...WALLET, bankName: 'HDFC Bank' }, 'input.bankName', /belongs to NETBANKING methods, not WALLET/],
    ];
    for (const [fields, field, message] of cases) {
      const error = refusal(fields);
      expect(error.field, JSON.stringify(fields)).toBe(field);
      expect(error.message).toMatch(message);
    }
  });

  it('refuses bad UPI ids, bank names, wallets and unmasked wallet numbers by name', () => {
    const cases: [PaymentMethodFields, string, RegExp][] = [
      [{ type: T.UPI, vpa: 'asha' }, 'input.vpa', /UPI id like name@okaxis/],
      [{ type: T.UPI, vpa: 'a@okaxis' }, 'input.vpa', /UPI id/],
      [{ type: T.UPI, vpa: 'asha@ok4xis' }, 'input.vpa', /UPI id/],
      [{ type: T.UPI, vpa: 'asha k@okaxis' }, 'input.vpa', /UPI id/],
      [{ type: T.UPI, vpa: `${'a'.repeat(257)}@okaxis` }, 'input.vpa', /UPI id/],
      [{ type: T.NETBANKING, bankName: ' ' }, 'input.bankName', /2 to 100 characters/],
      [{ type: T.NETBANKING, bankName: 'B'.repeat(101) }, 'input.bankName', /2 to 100 characters/],
      [{ ...WALLET, walletProvider: 'paypal' }, 'input.walletProvider', /must be one of paytm, phonepe/],
      [{ ...WALLET, maskedWalletNumber: '9876543210' }, 'input.maskedWalletNumber', /full phone numbers are not accepted/],
      [{ ...WALLET, maskedWalletNumber: '+91 98765 43210' }, 'input.maskedWalletNumber', /full phone numbers are not accepted/],
      [{ ...WALLET, maskedWalletNumber: 'XXXX1234' }, 'input.maskedWalletNumber', /masked like XXXXXX1234/],
      [{ ...WALLET, maskedWalletNumber: 'XXXXXX12345' }, 'input.maskedWalletNumber', /masked like XXXXXX1234/],
    ];
    for (const [fields, field, message] of cases) {
      const error = refusal(fields);
      expect(error.field, JSON.stringify(fields)).toBe(field);
      expect(error.message).toMatch(message);
      expect(error.message).not.toContain('9876');
    }
  });
});

describe('isCardExpired', () => {
  it('counts a card as valid through the whole of its expiry month (UTC)', () => {
    expect(isCardExpired(11, 2026, NOW)).toBe(false);
    expect(isCardExpired(10, 2026, NOW)).toBe(true);
    expect(isCardExpired(12, 2025, NOW)).toBe(true);
    expect(isCardExpired(1, 2027, NOW)).toBe(false);
    expect(isCardExpired(11, 2026, new Date(Date.UTC(2026, 11, 1)))).toBe(true);
  });
});

describe('upiProvider', () => {
  it.each([
    ['asha@paytm', 'Paytm'],
    ['asha@ybl', 'PhonePe'],
    ['asha@ibl', 'PhonePe'],
    ['asha@axl', 'PhonePe'],
    ['asha@okaxis', 'Google Pay'],
    ['asha@okhdfcbank', 'Google Pay'],
    ['asha@okicici', 'Google Pay'],
    ['asha@oksbi', 'Google Pay'],
    ['asha@upi', 'BHIM'],
    ['asha@apl', 'Amazon Pay'],
    ['asha@axisbank', 'Axis Bank'],
    ['asha@icici', 'ICICI Bank'],
    ['asha@hdfcbank', 'HDFC Bank'],
    ['asha@sbi', 'State Bank of India'],
    ['asha@SomeNewBank', 'somenewbank'],
  ])('%s → %s', (vpa, provider) => {
    expect(upiProvider(vpa)).toBe(provider);
  });
});
