/** Razorpay-shaped identifiers and timestamps for the sandbox. */
import { randomInt } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const ID_LENGTH = 14;

/** `prefix_` + 14 base62 characters, like `order_Ldx9WjPqG3m2Nc`; random, so never reused. */
export function newId(prefix: 'order' | 'pay' | 'rfnd' | 'evt' | 'acc' | 'sth' | 'acc_prd' | 'trf' | 'rvrsl' | 'setl'): string {
  let suffix = '';
  for (let i = 0; i < ID_LENGTH; i += 1) suffix += BASE62[randomInt(BASE62.length)];
  return `${prefix}_${suffix}`;
}

/** Razorpay stamps `created_at` in whole Unix seconds. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
