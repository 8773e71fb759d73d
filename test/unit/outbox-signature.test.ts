import { describe, expect, it } from 'vitest';
import { signOutboxBody, verifyOutboxSignature } from '../../src/outbox/outbox.signature.js';

const secret = 's'.repeat(40);
const body = JSON.stringify({ id: 'evt', type: 'payment.captured', data: { amount: 100 } });

describe('outbox signatures', () => {
  it('verify over the raw body with the timestamp inside the signed content', () => {
    const header = signOutboxBody(secret, body, 1_800_000_000);
    expect(header).toMatch(/^t=1800000000,v1=[0-9a-f]{64}$/);
    expect(verifyOutboxSignature([secret], header, body, { now: 1_800_000_100 })).toBe(true);
  });

  it('refuse a changed body, another secret, a changed timestamp, or one outside the tolerance', () => {
    const header = signOutboxBody(secret, body, 1_800_000_000);
    expect(verifyOutboxSignature([secret], header, body.replace('100', '101'), { now: 1_800_000_000 })).toBe(false);
    expect(verifyOutboxSignature(['other'.repeat(8)], header, body, { now: 1_800_000_000 })).toBe(false);
    expect(verifyOutboxSignature([secret], header.replace('t=1800000000', 't=1800000001'), body, { now: 1_800_000_000 })).toBe(false);
    expect(verifyOutboxSignature([secret], header, body, { now: 1_800_000_301 })).toBe(false);
    expect(verifyOutboxSignature([secret], header, body, { now: 1_800_000_010, toleranceSeconds: 5 })).toBe(false);
    expect(verifyOutboxSignature([secret], undefined, body)).toBe(false);
    expect(verifyOutboxSignature([secret], 'garbage', body)).toBe(false);
  });

  it('accept the previous secret during a rotation', () => {
    const header = signOutboxBody('old'.repeat(12), body, 1_800_000_000);
    expect(verifyOutboxSignature([secret, 'old'.repeat(12)], header, body, { now: 1_800_000_000 })).toBe(true);
  });
});
