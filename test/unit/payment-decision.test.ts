import { describe, expect, it } from 'vitest';
import type { GatewayPayment } from '../../src/gateways/gateway.js';
import { decideGatewayUpdate, type PaymentFacts } from '../../src/payments/payment.decision.js';
import { PaymentStatus } from '../../src/payments/payment.state.js';

const S = PaymentStatus;

function attempt(id: string, status: GatewayPayment['status'], overrides: Partial<GatewayPayment> = {}): GatewayPayment {
  return {
    id,
    orderId: 'order_AAAAAAAAAAAAAA',
    amount: 50_000,
    currency: 'INR',
    status,
    captured: status === 'captured' || status === 'refunded',
    amountRefunded: 0,
    refundStatus: null,
    methodDetails: { method: 'card', cardNetwork: 'Visa', cardLast4: '1111', vpa: null, bank: null, wallet: null },
    fee: null,
    tax: null,
    errorCode: status === 'failed' ? 'BAD_REQUEST_ERROR' : null,
    errorDescription: status === 'failed' ? 'Payment failed' : null,
    errorReason: status === 'failed' ? 'payment_failed' : null,
    createdAt: new Date(),
    ...overrides,
  };
}

const facts = (status: PaymentStatus, razorpayPaymentId: string | null = null): PaymentFacts => ({
  status,
  razorpayPaymentId,
  amount: 50_000,
  currency: 'INR',
});

/** Applies snapshots in order the way the settlement does, returning the final status. */
function replay(snapshots: GatewayPayment[]): { status: PaymentStatus; attempt: string | null; applied: number } {
  let current = facts(S.CREATED);
  let applied = 0;
  for (const snapshot of snapshots) {
    const decision = decideGatewayUpdate(current, snapshot);
    if (decision.action === 'apply') {
      current = { ...current, status: decision.to, razorpayPaymentId: snapshot.id };
      applied += 1;
    }
  }
  return { status: current.status, attempt: current.razorpayPaymentId, applied };
}

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

describe('decideGatewayUpdate', () => {
  it('applies a capture on a new payment and adopts the attempt', () => {
    expect(decideGatewayUpdate(facts(S.CREATED), attempt('pay_A', 'captured'))).toEqual({ action: 'apply', to: S.CAPTURED });
  });

  it('does nothing for the same news twice', () => {
    expect(decideGatewayUpdate(facts(S.CAPTURED, 'pay_A'), attempt('pay_A', 'captured'))).toEqual({ action: 'none' });
    expect(decideGatewayUpdate(facts(S.CREATED), attempt('pay_A', 'created'))).toEqual({ action: 'none' });
  });

  it('ignores a late authorized after captured', () => {
    const decision = decideGatewayUpdate(facts(S.CAPTURED, 'pay_A'), attempt('pay_A', 'authorized'));
    expect(decision.action).toBe('ignore');
  });

  it('ignores a late failure of an old attempt after another attempt was captured', () => {
    const decision = decideGatewayUpdate(facts(S.CAPTURED, 'pay_B'), attempt('pay_A', 'failed'));
    expect(decision).toMatchObject({ action: 'ignore', to: S.FAILED });
  });

  it('lets a later attempt succeed after a failed one, and a late authorisation', () => {
    expect(decideGatewayUpdate(facts(S.FAILED, 'pay_A'), attempt('pay_B', 'captured'))).toEqual({ action: 'apply', to: S.CAPTURED });
    expect(decideGatewayUpdate(facts(S.FAILED, 'pay_A'), attempt('pay_A', 'authorized'))).toEqual({ action: 'apply', to: S.AUTHORIZED });
  });

  it('flags a second captured attempt on a paid order as an anomaly, without applying it', () => {
    expect(decideGatewayUpdate(facts(S.CAPTURED, 'pay_A'), attempt('pay_B', 'captured')).action).toBe('anomaly');
  });

  it('never accepts money that does not match the order', () => {
    expect(decideGatewayUpdate(facts(S.CREATED), attempt('pay_A', 'captured', { amount: 100 })).action).toBe('anomaly');
    expect(decideGatewayUpdate(facts(S.CREATED), attempt('pay_A', 'captured', { currency: 'USD' })).action).toBe('anomaly');
  });

  it('does not let another attempt fail an authorised payment', () => {
    expect(decideGatewayUpdate(facts(S.AUTHORIZED, 'pay_B'), attempt('pay_A', 'failed')).action).toBe('ignore');
  });

  it('ends CAPTURED by pay_B for every arrival order of: A failed, B authorized, B captured', () => {
    const events = [attempt('pay_A', 'failed'), attempt('pay_B', 'authorized'), attempt('pay_B', 'captured')];
    for (const order of permutations(events)) {
      expect(replay(order), order.map((e) => `${e.id}:${e.status}`).join(',')).toMatchObject({ status: S.CAPTURED, attempt: 'pay_B' });
    }
  });

  it('ends CAPTURED for every arrival order of authorized/captured with duplicates', () => {
    const events = [attempt('pay_A', 'authorized'), attempt('pay_A', 'captured'), attempt('pay_A', 'captured'), attempt('pay_A', 'authorized')];
    for (const order of permutations(events)) expect(replay(order).status).toBe(S.CAPTURED);
  });

  it('ends FAILED when the only attempt failed, whatever else repeats', () => {
    expect(replay([attempt('pay_A', 'failed'), attempt('pay_A', 'failed'), attempt('pay_A', 'created')])).toMatchObject({ status: S.FAILED, applied: 1 });
  });
});
