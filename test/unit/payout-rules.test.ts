import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertBalanced, payoutLines, refundPayeePart, type CaptureFacts } from '../../src/ledger/ledger.lines.js';
import { splitFee } from '../../src/money/money.js';
import { PayoutHold, PayoutMethod, PayoutStatus } from '../../src/payouts/payout.entity.js';
import { decideTransfer, directHoldUntil, directTransferKey, holdFor, nettable, owesTransfer, payoutMethodFor, statusAfterReversal } from '../../src/payouts/payout.rules.js';

const capture = { purpose: 'ORDER', payeeId: 'freelancer-7', payeeAmount: 42415, currency: 'INR', gateway: 'razorpay', funding: 'GATEWAY' };

describe('which captures owe a transfer, and by which method', () => {
  it('a Razorpay INR capture with a payee and a share does, from its payment', () => {
    expect(owesTransfer(capture)).toBe(true);
    expect(payoutMethodFor(capture)).toBe(PayoutMethod.PAYMENT);
  });
  it.each([
    ['PhonePe (no Razorpay payment to transfer from)', { gateway: 'phonepe' }],
    ['paid from the wallet (no Razorpay payment)', { funding: 'WALLET' }],
  ])('%s does, by a direct transfer', (_name, change) => {
    expect(payoutMethodFor({ ...capture, ...change })).toBe(PayoutMethod.DIRECT);
  });
  it.each([
    ['a top-up', { purpose: 'WALLET_TOPUP' }],
    ['no payee', { payeeId: null }],
    ['no share (fee 100%)', { payeeAmount: 0 }],
    ['another currency (Route is INR only)', { currency: 'USD' }],
  ])('%s does not', (_name, change) => {
    expect(owesTransfer({ ...capture, ...change })).toBe(false);
    expect(payoutMethodFor({ ...capture, ...change })).toBeNull();
  });
});

describe('direct transfers', () => {
  const id = '0b7e6a52-3f7c-4c1e-9a55-8d2f0c1e4b7a';
  const allowed = /^[A-Za-z0-9 _-]{4,36}$/;
  it('key: the payout id for the first transfer, a distinct key within Razorpay\'s 36 characters for each one made again after a failure', () => {
    expect(directTransferKey(id, 0)).toBe(id);
    const keys = [0, 1, 2, 99, 999].map((n) => directTransferKey(id, n));
    for (const key of keys) expect(key).toMatch(allowed);
    expect(new Set(keys).size).toBe(keys.length);
    expect(directTransferKey(id, 1)).toBe('0b7e6a523f7c4c1e9a558d2f0c1e4b7a-1');
  });
  it('the service holds them (no on_hold at Razorpay): until released, or until the delay ends', () => {
    const now = new Date('2026-11-30T06:00:00Z');
    const later = new Date('2026-11-30T06:01:00Z');
    expect(directHoldUntil({ hold: PayoutHold.NONE, releasedAt: null, onHoldUntil: null }, now)).toBeNull();
    expect(directHoldUntil({ hold: PayoutHold.RELEASED, releasedAt: null, onHoldUntil: null }, now)).toBe('released');
    expect(directHoldUntil({ hold: PayoutHold.RELEASED, releasedAt: now, onHoldUntil: null }, now)).toBeNull();
    expect(directHoldUntil({ hold: PayoutHold.DELAY, releasedAt: null, onHoldUntil: later }, now)).toEqual(later);
    expect(directHoldUntil({ hold: PayoutHold.DELAY, releasedAt: null, onHoldUntil: now }, later)).toBeNull();
  });
});

describe('netting a payee\'s debt', () => {
  it('takes the whole debt the share covers, never more than the share, never below zero', () => {
    expect(nettable(300, 1_000)).toBe(300);
    expect(nettable(1_500, 1_000)).toBe(1_000);
    expect(nettable(0, 1_000)).toBe(0);
    expect(nettable(-5, 1_000)).toBe(0);
    fc.assert(fc.property(fc.integer({ min: -1e6, max: 1e9 }), fc.integer({ min: 0, max: 1e9 }), (debt, share) => {
      const n = nettable(debt, share);
      return n >= 0 && n <= share && n <= Math.max(0, debt) && (n === share || n === Math.max(0, debt));
    }));
  });
  it('books payable → receivable settled, the reverse of a receivable', () => {
    const lines = payoutLines('p1', 'INR', 250, 'netted');
    assertBalanced(lines);
    expect(lines).toEqual([{ account: 'payee_payable:p1:INR', amount: 250 }, { account: 'payee_receivable:p1:INR', amount: -250 }]);
    const byAccount = (ls: { account: string; amount: number }[]) => [...ls].sort((a, b) => a.account.localeCompare(b.account));
    expect(byAccount(payoutLines('p1', 'INR', 250, 'receivable').map((l) => ({ ...l, amount: -l.amount })))).toEqual(byAccount(lines));
  });
});

describe('holds', () => {
  const now = new Date('2026-11-30T06:00:00.400Z');
  it('none, until released, or a delay from now rounded up to the second (Razorpay takes unix seconds)', () => {
    expect(holdFor('none', 60, now)).toEqual({ hold: PayoutHold.NONE, onHoldUntil: null });
    expect(holdFor('released', 60, now)).toEqual({ hold: PayoutHold.RELEASED, onHoldUntil: null });
    expect(holdFor('delay', 60, now)).toEqual({ hold: PayoutHold.DELAY, onHoldUntil: new Date('2026-11-30T06:01:01.000Z') });
  });
});

describe('news of a transfer', () => {
  const pending = { status: PayoutStatus.PENDING, hold: PayoutHold.NONE, releasedAt: null };
  it('moves a PENDING payout to PROCESSED, ON_HOLD (held until released) or FAILED', () => {
    expect(decideTransfer(pending, { status: 'processed', onHold: false })).toEqual({ kind: 'processed', status: PayoutStatus.PROCESSED });
    expect(decideTransfer({ ...pending, hold: PayoutHold.RELEASED }, { status: 'processed', onHold: true })).toEqual({ kind: 'processed', status: PayoutStatus.ON_HOLD });
    expect(decideTransfer({ ...pending, hold: PayoutHold.RELEASED, releasedAt: new Date() }, { status: 'processed', onHold: false }))
      .toEqual({ kind: 'processed', status: PayoutStatus.PROCESSED });
    expect(decideTransfer(pending, { status: 'failed', onHold: false })).toEqual({ kind: 'failed' });
    expect(decideTransfer(pending, { status: 'pending', onHold: false })).toEqual({ kind: 'none' });
  });
  it('reads reversed states at Razorpay as processed', () => {
    expect(decideTransfer(pending, { status: 'partially_reversed', onHold: false }).kind).toBe('processed');
  });
  it('changes nothing settled, and reports a contradiction', () => {
    expect(decideTransfer({ ...pending, status: PayoutStatus.PROCESSED }, { status: 'processed', onHold: false })).toEqual({ kind: 'none' });
    expect(decideTransfer({ ...pending, status: PayoutStatus.PROCESSED }, { status: 'failed', onHold: false }).kind).toBe('contradiction');
    expect(decideTransfer({ ...pending, status: PayoutStatus.FAILED }, { status: 'processed', onHold: false }).kind).toBe('contradiction');
  });
  it('a reversal of part or all', () => {
    expect(statusAfterReversal(1000, 1)).toBe(PayoutStatus.PARTIALLY_REVERSED);
    expect(statusAfterReversal(1000, 1000)).toBe(PayoutStatus.REVERSED);
  });
});

describe('payout journals', () => {
  it('each move is balanced between the payee\'s accounts', () => {
    for (const move of ['transfer', 'processed', 'failed', 'reversed', 'receivable'] as const) {
      const lines = payoutLines('p:1', 'INR', 250, move);
      assertBalanced(lines);
      expect(lines.every((line) => /^payee_(payable|in_transit|paid|receivable):p:1:INR$/.test(line.account))).toBe(true);
    }
    expect(payoutLines('p', 'INR', 250, 'transfer')).toEqual([
      { account: 'payee_payable:p:INR', amount: 250 },
      { account: 'payee_in_transit:p:INR', amount: -250 },
    ]);
    expect(() => payoutLines('p', 'INR', 0, 'transfer')).toThrow(RangeError);
  });

  it('partial refunds in any order reverse exactly the payee share in total (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 100, max: 5_000_000 }), fc.integer({ min: 0, max: 10_000 }), fc.array(fc.integer({ min: 1, max: 1_000_000 }), { maxLength: 8 }),
      (amount, feeBps, cuts) => {
        const { platformFee, payeeAmount } = splitFee(amount, feeBps);
        const facts: CaptureFacts = { purpose: 'ORDER', amount, currency: 'INR', platformFee, payeeAmount, payeeId: 'p', payerId: 'u' };
        const points = [...new Set(cuts.map((c) => 1 + (c % Math.max(1, amount - 1))))].filter((p) => p < amount).sort((a, b) => a - b);
        let before = 0;
        let reversed = 0;
        for (const point of [...points, amount]) {
          const part = refundPayeePart(facts, before, point - before);
          expect(part).toBeGreaterThanOrEqual(0);
          reversed += part;
          before = point;
        }
        expect(reversed).toBe(payeeAmount);
      }));
  });
});
