import { describe, expect, it } from 'vitest';
import {
  parseWebhookEnvelope,
  parseWirePayment,
  toGatewayOrder,
  toGatewayPayment,
  toGatewayRefund,
} from '../../src/gateways/razorpay/razorpay.mappers.js';
import type { WireOrder, WirePayment, WireRefund } from '../../src/gateways/razorpay/razorpay.wire.js';

const order: WireOrder = {
  id: 'order_IluGWxBm9U8zJ8',
  entity: 'order',
  amount: 50000,
  amount_paid: 0,
  amount_due: 50000,
  currency: 'INR',
  receipt: 'rcptid_11',
  offer_id: null,
  status: 'created',
  attempts: 0,
  notes: [],
  created_at: 1642662092,
};

const payment: WirePayment = {
  id: 'pay_29QQoUBi66xm2f',
  entity: 'payment',
  amount: 50000,
  currency: 'INR',
  status: 'captured',
  order_id: 'order_IluGWxBm9U8zJ8',
  invoice_id: null,
  international: false,
  method: 'card',
  amount_refunded: 0,
  refund_status: null,
  captured: true,
  description: null,
  card_id: 'card_29QQoCw0K7rvfg',
  card: { last4: '1111', network: 'Visa' },
  bank: null,
  wallet: null,
  vpa: null,
  email: 'gaurav.kumar@example.com',
  contact: '+919000090000',
  notes: { booking: 'bk_1', count: 2 },
  fee: 1180,
  tax: 180,
  error_code: null,
  error_description: null,
  error_source: null,
  error_step: null,
  error_reason: null,
  created_at: 1642662100,
};

const refund: WireRefund = {
  id: 'rfnd_FP8QHiV938haTz',
  entity: 'refund',
  amount: 20000,
  currency: 'INR',
  payment_id: 'pay_29QQoUBi66xm2f',
  notes: [],
  receipt: null,
  acquirer_data: { arn: null },
  batch_id: null,
  status: 'processed',
  speed_requested: 'optimum',
  speed_processed: 'instant',
  created_at: 1642662200,
};

describe('toGatewayOrder', () => {
  it('keeps ids and integer amounts, turns [] notes into {} and seconds into a Date', () => {
    expect(toGatewayOrder(order)).toEqual({
      id: 'order_IluGWxBm9U8zJ8',
      amount: 50000,
      amountPaid: 0,
      amountDue: 50000,
      currency: 'INR',
      receipt: 'rcptid_11',
      status: 'created',
      attempts: 0,
      notes: {},
      createdAt: new Date(1642662092 * 1000),
    });
  });
});

describe('toGatewayPayment', () => {
  it('maps a captured card payment, numeric notes becoming strings', () => {
    expect(toGatewayPayment(payment)).toEqual({
      id: 'pay_29QQoUBi66xm2f',
      orderId: 'order_IluGWxBm9U8zJ8',
      amount: 50000,
      currency: 'INR',
      status: 'captured',
      captured: true,
      amountRefunded: 0,
      refundStatus: null,
      methodDetails: { method: 'card', cardNetwork: 'Visa', cardLast4: '1111', vpa: null, bank: null, wallet: null },
      fee: 1180,
      tax: 180,
      errorCode: null,
      errorDescription: null,
      errorReason: null,
      createdAt: new Date(1642662100 * 1000),
    });
  });

  it('maps a failed UPI attempt with its error fields and no card', () => {
    const failed: WirePayment = {
      ...payment,
      status: 'failed',
      captured: false,
      method: 'upi',
      card: undefined,
      card_id: null,
      vpa: 'success@razorpay',
      fee: null,
      tax: null,
      error_code: 'BAD_REQUEST_ERROR',
      error_description: 'Payment was declined',
      error_source: 'customer',
      error_step: 'payment_authentication',
      error_reason: 'payment_failed',
    };
    const mapped = toGatewayPayment(failed);
    expect(mapped.methodDetails).toEqual({ method: 'upi', cardNetwork: null, cardLast4: null, vpa: 'success@razorpay', bank: null, wallet: null });
    expect(mapped).toMatchObject({ status: 'failed', errorCode: 'BAD_REQUEST_ERROR', errorReason: 'payment_failed', fee: null });
  });

  it('refuses a payment without an order rather than inventing one', () => {
    expect(() => toGatewayPayment({ ...payment, order_id: null })).toThrow(/pay_29QQoUBi66xm2f has no order_id/);
  });
});

describe('toGatewayRefund', () => {
  it('maps speeds, status and amount', () => {
    expect(toGatewayRefund(refund)).toEqual({
      id: 'rfnd_FP8QHiV938haTz',
      paymentId: 'pay_29QQoUBi66xm2f',
      amount: 20000,
      currency: 'INR',
      status: 'processed',
      speedRequested: 'optimum',
      speedProcessed: 'instant',
      notes: {},
      createdAt: new Date(1642662200 * 1000),
    });
  });
});

describe('parseWirePayment', () => {
  it('refuses a float amount: money is integer paise', () => {
    expect(() => parseWirePayment({ ...payment, amount: 159.2 })).toThrow(/amount/);
  });

  it('tolerates missing fields it does not read (email, contact, error source and step)', () => {
    const { email: _email, contact: _contact, error_source: _source, error_step: _step, ...trimmed } = payment;
    expect(parseWirePayment(trimmed)).toMatchObject({ id: payment.id, email: null, contact: null, error_source: null, error_step: null });
  });

  it('keeps fields it does not know', () => {
    expect(parseWirePayment({ ...payment, acquirer_data: { rrn: '1' } })).toMatchObject({ acquirer_data: { rrn: '1' } });
  });
});

describe('parseWebhookEnvelope', () => {
  const envelope = {
    entity: 'event',
    account_id: 'acc_BFQ7uQEaa7j2z7',
    event: 'order.paid',
    contains: ['payment', 'order'],
    payload: { payment: { entity: payment }, order: { entity: { ...order, status: 'paid', amount_paid: 50000, amount_due: 0 } } },
    created_at: 1642662101,
  };

  it('returns the typed envelope with its entities', () => {
    const parsed = parseWebhookEnvelope(JSON.parse(JSON.stringify(envelope)));
    expect(parsed.event).toBe('order.paid');
    expect(parsed.payload.payment?.entity.id).toBe('pay_29QQoUBi66xm2f');
    expect(parsed.payload.order?.entity.status).toBe('paid');
  });

  it('accepts unknown events and payload kinds, so they can be stored and acknowledged', () => {
    const unknown = { ...envelope, event: 'payment.dispute.created', contains: ['dispute'], payload: { dispute: { entity: { id: 'disp_1' } } } };
    expect(parseWebhookEnvelope(unknown).event).toBe('payment.dispute.created');
  });

  it('names each missing or mistyped field', () => {
    const broken = {
      ...envelope,
      payload: { payment: { entity: { ...payment, id: undefined, amount: '500' } } },
    };
    expect(() => parseWebhookEnvelope(broken)).toThrow(/payload\.payment\.entity\.id.*payload\.payment\.entity\.amount/);
    expect(() => parseWebhookEnvelope({ ...envelope, event: undefined })).toThrow(/Invalid Razorpay webhook envelope: event/);
  });

  it('rejects what is not an object', () => {
    expect(() => parseWebhookEnvelope('{"entity":"event"}')).toThrow(/Invalid Razorpay webhook envelope: \(root\)/);
    expect(() => parseWebhookEnvelope(null)).toThrow(/Invalid Razorpay webhook envelope/);
  });
});
