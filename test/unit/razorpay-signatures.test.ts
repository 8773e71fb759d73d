import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RazorpayGateway } from '../../src/gateways/razorpay/razorpay.gateway.js';
import {
  checkoutSignature,
  hmacSha256Hex,
  safeEqualHex,
  webhookSignature,
} from '../../src/gateways/razorpay/razorpay.signatures.js';

describe('hmacSha256Hex', () => {
  // RFC 4231 test cases 1 and 2.
  it('matches the RFC 4231 vectors', () => {
    expect(hmacSha256Hex('\x0b'.repeat(20), 'Hi There')).toBe(
      'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
    );
    expect(hmacSha256Hex('Jefe', Buffer.from('what do ya want for nothing?'))).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });
});

describe('safeEqualHex', () => {
  const hex = 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7';

  it('is true for the same hex, whatever its case', () => {
    expect(safeEqualHex(hex, hex)).toBe(true);
    expect(safeEqualHex(hex, hex.toUpperCase())).toBe(true);
  });

  it('is false for a different, shorter, longer, odd-length, non-hex or empty value', () => {
    expect(safeEqualHex(hex, hex.replace(/^b/, 'c'))).toBe(false);
    expect(safeEqualHex(hex, hex.slice(0, -2))).toBe(false);
    expect(safeEqualHex(hex, `${hex}00`)).toBe(false);
    expect(safeEqualHex(hex, hex.slice(0, -1))).toBe(false);
    expect(safeEqualHex(hex, `${hex.slice(0, -2)}zz`)).toBe(false);
    expect(safeEqualHex(hex, '')).toBe(false);
    expect(safeEqualHex('', '')).toBe(false);
  });

  it('never throws, even for values that are not strings', () => {
    const notAString = undefined as unknown as string;
    expect(safeEqualHex(hex, notAString)).toBe(false);
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        expect(() => safeEqualHex(a, b)).not.toThrow();
      }),
    );
  });

  it('agrees with plain equality on lowercase hex', () => {
    const lowerHex = fc.uint8Array({ minLength: 1, maxLength: 40 }).map((bytes) => Buffer.from(bytes).toString('hex'));
    fc.assert(fc.property(lowerHex, lowerHex, (a, b) => safeEqualHex(a, b) === (a === b)));
  });
});

describe('checkout and webhook signatures', () => {
  it('signs order_id|payment_id with the key secret', () => {
    expect(checkoutSignature('key_secret', 'order_A', 'pay_B')).toBe(hmacSha256Hex('key_secret', 'order_A|pay_B'));
  });

  it('signs the raw bytes, so re-serialised JSON does not verify', () => {
    const raw = Buffer.from('{"entity":"event",  "event":"payment.captured"}');
    const reserialised = JSON.stringify(JSON.parse(raw.toString()));
    expect(webhookSignature('whsec', raw)).not.toBe(webhookSignature('whsec', reserialised));
  });
});

describe('RazorpayGateway signature checks', () => {
  const gateway = new RazorpayGateway({
    keyId: 'rzp_test_unit',
    keySecret: 'key_secret',
    webhookSecrets: ['current_secret', 'previous_secret'],
  });

  it('verifies Checkout signatures against the stored order id only', () => {
    const signature = checkoutSignature('key_secret', 'order_Stored', 'pay_X');
    expect(gateway.verifyCheckoutSignature('order_Stored', 'pay_X', signature)).toBe(true);
    expect(gateway.verifyCheckoutSignature('order_Other', 'pay_X', signature)).toBe(false);
    expect(gateway.verifyCheckoutSignature('order_Stored', 'pay_X', 'not-hex')).toBe(false);
  });

  it('accepts webhooks signed with the current or the previous secret, nothing else', () => {
    const body = Buffer.from('{"entity":"event"}');
    expect(gateway.verifyWebhookSignature(body, webhookSignature('current_secret', body))).toBe(true);
    expect(gateway.verifyWebhookSignature(body, webhookSignature('previous_secret', body))).toBe(true);
    expect(gateway.verifyWebhookSignature(body, webhookSignature('key_secret', body))).toBe(false);
    expect(gateway.verifyWebhookSignature(Buffer.from('{"entity":"event" }'), webhookSignature('current_secret', body))).toBe(false);
  });

  it('refuses to start without a webhook secret', () => {
    expect(() => new RazorpayGateway({ keyId: 'k', keySecret: 's', webhookSecrets: [] })).toThrow(/webhook secret/);
  });
});
