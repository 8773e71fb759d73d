/**
 * Reads REST request bodies the way Razorpay validates them: integer amounts, receipt and
 * notes limits, no unexpected fields; each failure a 400 naming the field.
 */
import { fieldName, invalid } from './sandbox.errors.js';

export interface OrderInput {
  amount: number;
  currency: string;
  receipt: string | null;
  notes: Record<string, string | number>;
  autoCapture: boolean;
}

export interface CaptureInput {
  amount: number;
  currency: string;
}

export interface RefundInput {
  amount: number | null;
  speed: 'normal' | 'optimum';
  notes: Record<string, string | number>;
  receipt: string | null;
  /** `reverse_all`: reverse the payment's Route transfers with the refund (sandbox.refund-reversals.ts). */
  reverseAll: boolean;
}

const MAX_RECEIPT = 40;
const MAX_NOTES = 15;
const MAX_NOTE_VALUE = 256;
const MIN_ORDER_AMOUNT = 100;

function asObject(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw invalid('body', 'The request body must be a JSON object.');
  return body as Record<string, unknown>;
}

function rejectUnknownFields(body: Record<string, unknown>, allowed: readonly string[]): void {
  const extra = Object.keys(body).filter((key) => !allowed.includes(key)).map(fieldName);
  if (extra.length > 0) throw invalid(extra[0]!, `${extra.join(', ')} is/are not required and should not be sent`);
}

function readAmount(value: unknown, minimum: number): number {
  if (value === undefined || value === null) throw invalid('amount', 'The amount field is required.');
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw invalid('amount', 'The amount must be an integer.');
  if (value < minimum) {
    throw invalid('amount', minimum === MIN_ORDER_AMOUNT ? 'The amount must be atleast INR 1.00.' : 'The amount must be at least 1.');
  }
  return value;
}

function readCurrency(value: unknown): string {
  if (value === undefined || value === null) throw invalid('currency', 'The currency field is required.');
  if (typeof value !== 'string' || !/^[A-Z]{3}$/.test(value)) throw invalid('currency', 'The currency is invalid.');
  return value;
}

function readReceipt(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw invalid('receipt', 'The receipt must be a string.');
  if (value.length > MAX_RECEIPT) throw invalid('receipt', `The receipt may not be greater than ${MAX_RECEIPT} characters.`);
  return value;
}

function readNotes(value: unknown): Record<string, string | number> {
  if (value === undefined || value === null) return {};
  if (Array.isArray(value) && value.length === 0) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw invalid('notes', 'The notes must be an object.');
  const entries = Object.entries(value);
  if (entries.length > MAX_NOTES) throw invalid('notes', `Number of notes should not be more than ${MAX_NOTES}.`);
  for (const [key, note] of entries) {
    if (typeof note !== 'string' && typeof note !== 'number') throw invalid(fieldName(`notes.${key}`), 'Notes values must be strings or numbers.');
    if (String(note).length > MAX_NOTE_VALUE) {
      throw invalid(fieldName(`notes.${key}`), `Notes values may not be greater than ${MAX_NOTE_VALUE} characters.`);
    }
  }
  return Object.fromEntries(entries) as Record<string, string | number>;
}

function readCaptureFlag(value: unknown): boolean {
  // Razorpay's documentation uses 1/0, its SDK types say boolean: both are accepted.
  if (value === undefined || value === null) return true;
  if (value === 1 || value === true || value === '1' || value === 'true') return true;
  if (value === 0 || value === false || value === '0' || value === 'false') return false;
  throw invalid('payment_capture', 'The payment capture field must be 0 or 1.');
}

/** `POST /v1/orders`: integer amount ≥ 100, currency, receipt ≤ 40, ≤ 15 notes. */
export function readOrderInput(body: unknown): OrderInput {
  const fields = asObject(body);
  rejectUnknownFields(fields, ['amount', 'currency', 'receipt', 'notes', 'payment_capture']);
  return {
    amount: readAmount(fields.amount, MIN_ORDER_AMOUNT),
    currency: readCurrency(fields.currency),
    receipt: readReceipt(fields.receipt),
    notes: readNotes(fields.notes),
    autoCapture: readCaptureFlag(fields.payment_capture),
  };
}

/** `POST /v1/payments/:id/capture`: integer amount and currency, both required. */
export function readCaptureInput(body: unknown): CaptureInput {
  const fields = asObject(body);
  rejectUnknownFields(fields, ['amount', 'currency']);
  return { amount: readAmount(fields.amount, 1), currency: readCurrency(fields.currency) };
}

/** `reverse_all`: the docs send `1`, the SDKs `true`; absent is false. */
function readReverseAll(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === 0 || value === '0' || value === 'false') return false;
  if (value === true || value === 1 || value === '1' || value === 'true') return true;
  throw invalid('reverse_all', 'The reverse all field must be true or false (1 or 0).');
}

/** `POST /v1/payments/:id/refund`: optional positive integer amount, speed normal|optimum, reverse_all. */
export function readRefundInput(body: unknown): RefundInput {
  const fields = asObject(body);
  rejectUnknownFields(fields, ['amount', 'speed', 'notes', 'receipt', 'reverse_all']);
  const speed = fields.speed ?? 'normal';
  if (speed !== 'normal' && speed !== 'optimum') throw invalid('speed', 'The selected speed is invalid.');
  return {
    amount: fields.amount === undefined || fields.amount === null ? null : readAmount(fields.amount, 1),
    speed,
    notes: readNotes(fields.notes),
    receipt: readReceipt(fields.receipt),
    reverseAll: readReverseAll(fields.reverse_all),
  };
}
