import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { RazorpayGateway } from '../../src/gateways/razorpay/razorpay.gateway.js';
import { wirePayment } from '../helpers/checkout.js';

const SECRET = 'unit-webhook-secret';
const gateway = new RazorpayGateway({ keyId: 'rzp_test_unit', keySecret: 'unit-key-secret', webhookSecrets: [SECRET], apiUrl: 'http://127.0.0.1:9' });
const sign = (body: Buffer) => createHmac('sha256', SECRET).update(body).digest('hex');

function envelope(event: string, payload: Record<string, unknown>): Record<string, unknown> {
  return { entity: 'event', account_id: 'acc_UNIT0000000001', event, contains: Object.keys(payload), payload, created_at: 1_700_000_000 };
}

const refund = {
  id: 'rfnd_UNIT0000000001', entity: 'refund', amount: 1_000, currency: 'INR', payment_id: 'pay_UNIT0000000001', notes: { refund_id: 'x' },
  receipt: null, status: 'processed', speed_requested: 'normal', speed_processed: 'normal', created_at: 1_700_000_000,
};

describe('Razorpay webhooks through the Gateway interface', () => {
  it('receiveWebhook accepts a signed envelope with its event id, and refuses without naming more than why', () => {
    const body = Buffer.from(JSON.stringify(envelope('payment.captured', { payment: { entity: wirePayment('order_UNIT0000000001', 'pay_UNIT0000000001', 'captured', 5_000) } })));
    const receipt = gateway.receiveWebhook({ rawBody: body, headers: { 'x-razorpay-signature': sign(body), 'x-razorpay-event-id': 'evt_UNIT0000000001' } });
    expect(receipt).toMatchObject({ ok: true, eventId: 'evt_UNIT0000000001', eventType: 'payment.captured' });
    expect(receipt.ok && receipt.quarantine).toBeFalsy();
    expect(gateway.receiveWebhook({ rawBody: body, headers: {} })).toEqual({ ok: false, reason: 'missing X-Razorpay-Signature header' });
    expect(gateway.receiveWebhook({ rawBody: body, headers: { 'x-razorpay-signature': sign(Buffer.from('other')) } }))
      .toEqual({ ok: false, reason: 'X-Razorpay-Signature does not match the body' });
  });

  it('decodeWebhook: payment and refund events become neutral, trusted events; the rest is other, with why', () => {
    const paid = gateway.decodeWebhook('order.paid', envelope('order.paid', { payment: { entity: wirePayment('order_UNIT0000000001', 'pay_UNIT0000000001', 'captured', 5_000) } }));
    expect(paid).toMatchObject({ kind: 'payment', type: 'order.paid', trusted: true, payment: { id: 'pay_UNIT0000000001', orderId: 'order_UNIT0000000001', status: 'captured', amount: 5_000 } });
    expect(gateway.decodeWebhook('refund.processed', envelope('refund.processed', { refund: { entity: refund } })))
      .toMatchObject({ kind: 'refund', type: 'refund.processed', trusted: true, refund: { id: 'rfnd_UNIT0000000001', paymentId: 'pay_UNIT0000000001', status: 'processed' } });
    const orderless = { ...wirePayment('order_UNIT0000000001', 'pay_NOORDER0000001', 'captured', 5_000), order_id: null };
    expect(gateway.decodeWebhook('payment.captured', envelope('payment.captured', { payment: { entity: orderless } })))
      .toEqual({ kind: 'other', type: 'payment.captured', reason: 'payment pay_NOORDER0000001 has no order' });
    expect(gateway.decodeWebhook('refund.failed', envelope('refund.failed', {}))).toEqual({ kind: 'other', type: 'refund.failed', reason: 'refund.failed carries no refund entity' });
    expect(gateway.decodeWebhook('payment.dispute.created', envelope('payment.dispute.created', {}))).toEqual({ kind: 'other', type: 'payment.dispute.created' });
  });

  it('decodeWebhook throws, naming the field, on a malformed payload', () => {
    const floaty = { ...wirePayment('order_UNIT0000000001', 'pay_UNIT0000000001', 'captured', 5_000), amount: 50.5 };
    expect(() => gateway.decodeWebhook('payment.captured', envelope('payment.captured', { payment: { entity: floaty } }))).toThrow(/payload\.payment\.entity\.amount/);
  });
});
