import { badInput } from '../common/errors.js';
import { SavedPaymentMethodType } from './payment-method.entity.js';
import { upiProvider } from './upi-providers.js';

/*
 * The rules a saved payment method's fields keep, as pure functions (the clock is a parameter).
 * Errors name the field (`input.last4`) and say what to send; they never repeat the value sent,
 * which could be a card number.
 */

export const MAX_NICKNAME_LENGTH = 40;
export const MAX_BANK_NAME_LENGTH = 100;
/** How far ahead a card's expiry year may be. */
export const MAX_EXPIRY_YEARS_AHEAD = 20;

/** Card networks a card may be saved with, in the spelling the API returns. */
export const CARD_NETWORKS = ['Visa', 'Mastercard', 'RuPay', 'Amex', 'Diners', 'Maestro', 'Discover', 'JCB'] as const;
/** Other spellings clients send (Razorpay says "American Express", "Diners Club"). */
const CARD_NETWORK_ALIASES: Readonly<Record<string, string>> = { americanexpress: 'Amex', dinersclub: 'Diners' };

/** Wallets by Razorpay's wallet code, with the name the client shows. */
export const WALLET_PROVIDERS: Readonly<Record<string, string>> = {
  paytm: 'Paytm',
  phonepe: 'PhonePe',
  amazonpay: 'Amazon Pay',
  mobikwik: 'MobiKwik',
  freecharge: 'Freecharge',
  airtelmoney: 'Airtel Money',
  jiomoney: 'JioMoney',
  olamoney: 'Ola Money',
  payzapp: 'PayZapp',
};
const WALLET_ALIASES: Readonly<Record<string, string>> = { airtel: 'airtelmoney', jio: 'jiomoney', ola: 'olamoney' };

export const VPA_PATTERN = /^[a-zA-Z0-9.\-_]{2,256}@[a-zA-Z]{2,64}$/;
/** Six masking characters and the last four digits of the wallet's phone number. */
const MASKED_NUMBER_PATTERN = /^[Xx*]{6}[0-9]{4}$/;

const MASKED_NUMBER_RULE = "must be the wallet's phone number masked like XXXXXX1234 or ******1234 (six X or * and the last 4 digits): full phone numbers are not accepted";
export const FULL_CARD_NUMBER_REFUSED = 'full card numbers are never accepted or stored: send only the last 4 digits of the card, in last4';

/** The fields a client sends for a new method (the API input, or anything shaped like it). */
export interface PaymentMethodFields {
  type: SavedPaymentMethodType;
  nickname?: string | null;
  cardNetwork?: string | null;
  last4?: string | null;
  expiryMonth?: number | null;
  expiryYear?: number | null;
  vpa?: string | null;
  bankName?: string | null;
  walletProvider?: string | null;
  maskedWalletNumber?: string | null;
}

/** A new method's checked, normalised fields, ready to store. */
export interface NewPaymentMethod {
  type: SavedPaymentMethodType;
  nickname: string | null;
  provider: string;
  cardNetwork: string | null;
  cardLast4: string | null;
  expiryMonth: number | null;
  expiryYear: number | null;
  vpa: string | null;
  bankName: string | null;
  walletProvider: string | null;
  maskedWalletNumber: string | null;
}

type TypeField = Exclude<keyof PaymentMethodFields, 'type' | 'nickname'>;

/** The fields each type takes; all of them are required for it and refused on the others. */
const FIELDS_BY_TYPE: Readonly<Record<SavedPaymentMethodType, readonly TypeField[]>> = {
  [SavedPaymentMethodType.CARD]: ['cardNetwork', 'last4', 'expiryMonth', 'expiryYear'],
  [SavedPaymentMethodType.UPI]: ['vpa'],
  [SavedPaymentMethodType.NETBANKING]: ['bankName'],
  [SavedPaymentMethodType.WALLET]: ['walletProvider', 'maskedWalletNumber'],
};

const REQUIRED_HINTS: Readonly<Record<TypeField, string>> = {
  cardNetwork: `the card's network (${CARD_NETWORKS.join(', ')})`,
  last4: "the card's last 4 digits",
  expiryMonth: "the card's expiry month (1 to 12)",
  expiryYear: "the card's 4-digit expiry year",
  vpa: 'the UPI id, like name@okaxis',
  bankName: "the bank's name",
  walletProvider: `the wallet (${Object.keys(WALLET_PROVIDERS).join(', ')})`,
  maskedWalletNumber: "the wallet's phone number masked like XXXXXX1234",
};

/** Text fields scanned for card numbers, in the order errors are reported. */
const TEXT_FIELDS = ['last4', 'nickname', 'cardNetwork', 'vpa', 'bankName', 'walletProvider', 'maskedWalletNumber'] as const;

/**
 * True when `text` carries a card number: 12 or more digits in a row once spaces, dashes and
 * other separators are taken out (`4111 1111 1111 1111`, `4111-1111-1111-1111`, full-width
 * digits). Deliberately broad: a false alarm costs a retyped nickname, a miss stores a card number.
 */
export function containsCardNumber(text: string): boolean {
  return /[0-9]{12,}/.test(text.normalize('NFKC').replace(/[^\p{L}\p{N}]/gu, ''));
}

/** A full phone number (10 digits, optionally with +91 or 0 in front) where a masked one belongs. */
function isFullPhoneNumber(text: string): boolean {
  return /^(?:91|0)?[0-9]{10}$/.test(text.replace(/[\s\-()+]/g, ''));
}

const present = <T>(value: T | null | undefined): value is T => value !== null && value !== undefined;
// eslint-disable-next-line no-control-regex -- the point is to find control characters
const hasControlCharacters = (text: string) => /[\u0000-\u001f\u007f]/.test(text);

/**
 * A nickname as stored: trimmed, empty means none, at most 40 characters, no control
 * characters, never a card number.
 */
export function checkNickname(nickname: string | null | undefined, field = 'input.nickname'): string | null {
  if (!present(nickname)) return null;
  if (containsCardNumber(nickname)) throw badInput(field, FULL_CARD_NUMBER_REFUSED);
  const trimmed = nickname.trim();
  if (trimmed.length === 0) return null;
  if (trimmed.length > MAX_NICKNAME_LENGTH) throw badInput(field, `must be at most ${MAX_NICKNAME_LENGTH} characters`);
  if (hasControlCharacters(trimmed)) throw badInput(field, 'must not contain control characters (line breaks, tabs, NUL)');
  return trimmed;
}

/** True once the card's expiry month is over (in UTC). */
export function isCardExpired(month: number, year: number, now: Date): boolean {
  return year * 12 + month < now.getUTCFullYear() * 12 + now.getUTCMonth() + 1;
}

/**
 * Checks a new saved method and returns what to store. Card numbers are looked for first, in
 * every text field, so one is always refused as a card number whatever field it was put in;
 * then fields of another type are refused, the type's fields required, and each checked.
 */
export function checkNewPaymentMethod(fields: PaymentMethodFields, now: Date): NewPaymentMethod {
  for (const name of TEXT_FIELDS) {
    const value = fields[name];
    if (!present(value)) continue;
    if (name === 'maskedWalletNumber' && isFullPhoneNumber(value)) throw badInput(`input.${name}`, MASKED_NUMBER_RULE);
    if (containsCardNumber(value)) throw badInput(`input.${name}`, FULL_CARD_NUMBER_REFUSED);
  }
  const nickname = checkNickname(fields.nickname);
  const own = FIELDS_BY_TYPE[fields.type];
  if (!own) throw badInput('input.type', `must be one of ${Object.keys(FIELDS_BY_TYPE).join(', ')}`);
  for (const [type, names] of Object.entries(FIELDS_BY_TYPE)) {
    if (type === fields.type) continue;
    const foreign = names.find((name) => present(fields[name]));
    if (foreign) throw badInput(`input.${foreign}`, `belongs to ${type} methods, not ${fields.type}: leave it out`);
  }
  const missing = own.find((name) => !present(fields[name]));
  if (missing) throw badInput(`input.${missing}`, `is required for ${fields.type} methods: send ${REQUIRED_HINTS[missing]}`);

  const stored: NewPaymentMethod = {
    type: fields.type,
    nickname,
    provider: '',
    cardNetwork: null,
    cardLast4: null,
    expiryMonth: null,
    expiryYear: null,
    vpa: null,
    bankName: null,
    walletProvider: null,
    maskedWalletNumber: null,
  };
  switch (fields.type) {
    case SavedPaymentMethodType.CARD: {
      const network = cardNetwork(fields.cardNetwork!);
      if (!/^[0-9]{4}$/.test(fields.last4!)) throw badInput('input.last4', 'must be exactly the last 4 digits of the card, like 1234');
      const { month, year } = cardExpiry(fields.expiryMonth!, fields.expiryYear!, now);
      return { ...stored, provider: network, cardNetwork: network, cardLast4: fields.last4!, expiryMonth: month, expiryYear: year };
    }
    case SavedPaymentMethodType.UPI: {
      const vpa = fields.vpa!.trim();
      if (!VPA_PATTERN.test(vpa)) {
        throw badInput('input.vpa', 'must be a UPI id like name@okaxis: 2 to 256 letters, digits or . - _, then @, then a 2 to 64 letter handle');
      }
      const normalised = vpa.toLowerCase();
      return { ...stored, provider: upiProvider(normalised), vpa: normalised };
    }
    case SavedPaymentMethodType.NETBANKING: {
      const bankName = fields.bankName!.trim();
      if (bankName.length < 2 || bankName.length > MAX_BANK_NAME_LENGTH) {
        throw badInput('input.bankName', `must be the bank's name, 2 to ${MAX_BANK_NAME_LENGTH} characters`);
      }
      if (hasControlCharacters(bankName)) throw badInput('input.bankName', 'must not contain control characters (line breaks, tabs, NUL)');
      return { ...stored, provider: bankName, bankName };
    }
    case SavedPaymentMethodType.WALLET: {
      const code = fields.walletProvider!.trim().toLowerCase();
      const walletProvider = WALLET_ALIASES[code] ?? code;
      const name = WALLET_PROVIDERS[walletProvider];
      if (!name) throw badInput('input.walletProvider', `must be one of ${Object.keys(WALLET_PROVIDERS).join(', ')}`);
      const masked = fields.maskedWalletNumber!.trim();
      if (!MASKED_NUMBER_PATTERN.test(masked)) throw badInput('input.maskedWalletNumber', MASKED_NUMBER_RULE);
      return { ...stored, provider: name, walletProvider, maskedWalletNumber: `XXXXXX${masked.slice(6)}` };
    }
  }
}

function cardNetwork(value: string): string {
  const key = value.replace(/\s+/g, '').toLowerCase();
  const network = CARD_NETWORKS.find((name) => name.toLowerCase() === key) ?? CARD_NETWORK_ALIASES[key];
  if (!network) throw badInput('input.cardNetwork', `must be one of ${CARD_NETWORKS.join(', ')}`);
  return network;
}

function cardExpiry(month: number, year: number, now: Date): { month: number; year: number } {
  if (!Number.isInteger(month) || month < 1 || month > 12) throw badInput('input.expiryMonth', 'must be a month from 1 to 12');
  if (!Number.isInteger(year) || year < 1000 || year > 9999) throw badInput('input.expiryYear', 'must be the 4-digit year, like 2031');
  const latest = now.getUTCFullYear() + MAX_EXPIRY_YEARS_AHEAD;
  if (year > latest) throw badInput('input.expiryYear', `must be at most ${MAX_EXPIRY_YEARS_AHEAD} years ahead (${latest} or earlier)`);
  if (year < now.getUTCFullYear()) throw badInput('input.expiryYear', 'is in the past: the card has expired; save a card that is still valid');
  if (isCardExpired(month, year, now)) throw badInput('input.expiryMonth', 'is in the past: the card has expired; save a card that is still valid');
  return { month, year };
}
