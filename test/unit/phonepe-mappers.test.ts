/** PhonePe's wire shapes → the interface's types, the metaInfo encoding, ids and callback checks. */
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/gateways/gateway.js';
import { callbackAuthorization, isAuthorizedCallback, receiveCallback } from '../../src/gateways/phonepe/phonepe.callbacks.js';
import { classifyFailure, toGatewayError } from '../../src/gateways/phonepe/phonepe.failures.js';
import { PhonePeGateway } from '../../src/gateways/phonepe/phonepe.gateway.js';
import { parsePaymentId, paymentIdOf } from '../../src/gateways/phonepe/phonepe.ids.js';
import {
  fromMetaInfo,
  parseWireOrderStatus,
  toGatewayOrder,
  toGatewayPayments,
  toGatewayRefund,
  toMetaInfo,
} from '../../src/gateways/phonepe/phonepe.mappers.js';

const attempt = (transactionId: string, state: string, timestamp: number, extra: Record<string, unknown> = {}) => ({
  transactionId, paymentMode: 'UPI_COLLECT', timestamp, amount: 1_000, state, ...extra,
});

const order = (state: string, paymentDetails: unknown[], extra: Record<string, unknown> = {}) =>
  parseWireOrderStatus({ merchantOrderId: 'mo_1', orderId: 'OMO1', state, amount: 1_000, expireAt: 1_700_000_000_000, paymentDetails, ...extra });

describe('callback Authorization', () => {
  it('is the hex SHA-256 of username:password (the documented example)', () => {
    expect(callbackAuthorization('username', 'password')).toMatch(/^bc842c31.*cd76e0e$/);
  });

  it('compares in constant time over the bytes, ignoring hex case; anything else is refused', () => {
    const expected = callbackAuthorization('u', 'p');
    expect(isAuthorizedCallback(expected, expected)).toBe(true);
    expect(isAuthorizedCallback(expected, expected.toUpperCase())).toBe(true);
    expect(isAuthorizedCallback(expected, undefined)).toBe(false);
    expect(isAuthorizedCallback(expected, '')).toBe(false);
    expect(isAuthorizedCallback(expected, `SHA256 ${expected}`)).toBe(false);
    expect(isAuthorizedCallback(expected, expected.slice(0, 62))).toBe(false);
    expect(isAuthorizedCallback(expected, callbackAuthorization('u', 'q'))).toBe(false);
  });

  it('receives: refused without it, quarantined when unreadable, the same event id for a repeat', () => {
    const auth = callbackAuthorization('u', 'p');
    const body = (payload: unknown) => Buffer.from(JSON.stringify({ event: 'checkout.order.completed', payload }));
    const payload = { merchantOrderId: 'mo_1', orderId: 'OMO1', state: 'COMPLETED', amount: 1_000, expireAt: 1, paymentDetails: [attempt('OM1', 'COMPLETED', 5)] };
    expect(receiveCallback(auth, { rawBody: body(payload), headers: { authorization: 'nope' } })).toMatchObject({ ok: false });
    const first = receiveCallback(auth, { rawBody: body(payload), headers: { Authorization: auth } });
    const repeat = receiveCallback(auth, { rawBody: Buffer.from(` ${body(payload).toString()} `), headers: { authorization: auth } });
    expect(first).toMatchObject({ ok: true, eventType: 'checkout.order.completed', eventId: expect.stringMatching(/^checkout\.order\.completed:[0-9a-f]{40}$/) });
    expect(repeat.ok && first.ok && repeat.eventId === first.eventId).toBe(true);
    const failedLater = receiveCallback(auth, { rawBody: body({ ...payload, state: 'FAILED' }), headers: { authorization: auth } });
    expect(failedLater.ok && first.ok && failedLater.eventId !== first.eventId).toBe(true);
    const notJson = receiveCallback(auth, { rawBody: Buffer.from('{'), headers: { authorization: auth } });
    expect(notJson).toMatchObject({ ok: true, quarantine: { problems: ['body is not JSON'] } });
    const badPayload = receiveCallback(auth, { rawBody: body({ merchantOrderId: 'mo_1' }), headers: { authorization: auth } });
    expect(badPayload).toMatchObject({ ok: true, eventType: 'checkout.order.completed', quarantine: {} });
  });
});

describe('metaInfo', () => {
  it('carries the receipt in udf1 and the notes as JSON over udf2–udf5, and back', () => {
    const notes = { payment_id: 'p1', long: 'x'.repeat(600) };
    const meta = toMetaInfo('rcpt-1', notes);
    expect(meta.udf1).toBe('rcpt-1');
    expect(Object.values(meta).every((value) => value.length <= 256)).toBe(true);
    expect(fromMetaInfo(meta as Record<string, unknown>)).toEqual({ receipt: 'rcpt-1', notes });
    expect(fromMetaInfo(undefined)).toEqual({ receipt: null, notes: {} });
    expect(fromMetaInfo({ udf1: 'r', udf2: '{broken' })).toEqual({ receipt: 'r', notes: {} });
  });

  it('refuses notes that do not fit, naming them', () => {
    expect(() => toMetaInfo('r', { big: 'x'.repeat(1_100) })).toThrow(/notes must be at most 1024/);
  });
});

describe('mapping', () => {
  it('attempts: COMPLETED is captured, PENDING created, FAILED failed; oldest first', () => {
    const wire = order('COMPLETED', [attempt('OM2', 'COMPLETED', 20), attempt('OM1', 'FAILED', 10, { errorCode: 'PAYMENT_ERROR', detailedErrorCode: 'ZM' })]);
    const payments = toGatewayPayments('mo_1', wire);
    expect(payments.map((p) => [p.id, p.status, p.captured])).toEqual([['mo_1:OM1', 'failed', false], ['mo_1:OM2', 'captured', true]]);
    expect(payments[0]).toMatchObject({ errorCode: 'PAYMENT_ERROR', errorDescription: 'ZM', currency: 'INR', methodDetails: { method: 'upi' } });
    expect(toGatewayPayments('mo_1', order('PENDING', [attempt('OM3', 'PENDING', 1)]))[0]!.status).toBe('created');
  });

  it('orders: paid, attempted or created; EXPIRED (one doc sample) reads like FAILED', () => {
    expect(toGatewayOrder('mo_1', order('COMPLETED', [attempt('OM1', 'COMPLETED', 10)]))).toMatchObject({ status: 'paid', amountPaid: 1_000, amountDue: 0, attempts: 1 });
    expect(toGatewayOrder('mo_1', order('FAILED', [attempt('OM1', 'FAILED', 10)]))).toMatchObject({ status: 'attempted', amountPaid: 0 });
    expect(toGatewayOrder('mo_1', order('EXPIRED', []))).toMatchObject({ status: 'created', notes: { phonepe_state: 'EXPIRED' }, createdAt: new Date(1_700_000_000_000) });
    expect(() => parseWireOrderStatus({ orderId: 'x', state: 'WHATEVER', amount: 1, expireAt: 1 })).toThrow(/state/);
    expect(() => parseWireOrderStatus({ orderId: 'x', state: 'PENDING', amount: 1.5, expireAt: 1 })).toThrow(/amount/);
  });

  it('refunds: PENDING and CONFIRMED are pending, COMPLETED processed, FAILED failed', () => {
    const now = new Date(0);
    const states = ['PENDING', 'CONFIRMED', 'COMPLETED', 'FAILED'] as const;
    expect(states.map((state) => toGatewayRefund('mo_1:OM1', 'rfd_1', { amount: 100, state }, now).status)).toEqual(['pending', 'pending', 'processed', 'failed']);
  });
});

describe('decodeWebhook', () => {
  const gateway = new PhonePeGateway({
    clientId: 'c', clientSecret: 's', clientVersion: 1, webhookUsername: 'u', webhookPassword: 'p', mode: 'sandbox', redirectUrl: 'https://shop.example/back',
  });

  it('order callbacks: the latest attempt, untrusted; no attempt is nothing to act on; unreadable throws naming the field', () => {
    const payload = { merchantOrderId: 'mo_1', orderId: 'OMO1', state: 'COMPLETED', amount: 1_000, expireAt: 1, paymentDetails: [attempt('OM2', 'COMPLETED', 20), attempt('OM1', 'FAILED', 10)] };
    expect(gateway.decodeWebhook('checkout.order.completed', payload)).toMatchObject({ kind: 'payment', trusted: false, payment: { id: 'mo_1:OM2', status: 'captured' } });
    expect(gateway.decodeWebhook('checkout.order.failed', { ...payload, state: 'FAILED', paymentDetails: [] })).toEqual({ kind: 'other', type: 'checkout.order.failed' });
    expect(() => gateway.decodeWebhook('checkout.order.completed', { ...payload, amount: '1000' })).toThrow(/amount/);
    expect(() => gateway.decodeWebhook('checkout.order.completed', { ...payload, merchantOrderId: undefined })).toThrow(/merchantOrderId/);
    expect(gateway.decodeWebhook('checkout.transaction.attempt.failed', {})).toEqual({ kind: 'other', type: 'checkout.transaction.attempt.failed' });
  });

  it('refund callbacks name the order, not the attempt', () => {
    const refund = gateway.decodeWebhook('pg.refund.completed', { merchantRefundId: 'rfd_1', originalMerchantOrderId: 'mo_1', refundId: 'OMR1', state: 'COMPLETED', amount: 500 });
    expect(refund).toMatchObject({ kind: 'refund', trusted: false, refund: { id: 'rfd_1', paymentId: 'mo_1', status: 'processed', amount: 500, notes: { phonepe_refund_id: 'OMR1' } } });
  });
});

describe('ids and failures', () => {
  it('a payment id is the merchant order id and the transaction id, split back exactly', () => {
    expect(parsePaymentId(paymentIdOf('mo_1', 'OM123'))).toEqual({ merchantOrderId: 'mo_1', transactionId: 'OM123' });
    expect(parsePaymentId('mo_1')).toEqual({ merchantOrderId: 'mo_1', transactionId: null });
    for (const bad of ['', 'mo 1:OM1', 'mo_1:OM/1', '../x:OM1', `${'a'.repeat(64)}:OM1`]) {
      expect(() => parsePaymentId(bad)).toThrow(GatewayError);
    }
  });

  it('PhonePe\'s "no such order" 400 is not_found; INVALID_CLIENT and 401 are unavailable; 5xx unavailable; other 4xx rejected', () => {
    const http = (httpStatusCode: number, code: string, message = 'm') => toGatewayError(classifyFailure({ httpStatusCode, code, message }));
    expect(http(400, 'MERCHANT_ORDER_MAPPING_NOT_FOUND').kind).toBe('not_found');
    expect(http(400, 'INVALID_CLIENT').kind).toBe('unavailable');
    expect(http(401, 'UNAUTHORIZED').kind).toBe('unavailable');
    expect(http(503, 'X').kind).toBe('unavailable');
    expect(http(400, 'BAD_REQUEST', 'Refund amount too big')).toMatchObject({ kind: 'rejected', message: 'Refund amount too big' });
    expect(toGatewayError(classifyFailure({ isAxiosError: true, code: 'ECONNABORTED', config: { data: 'client_secret=s' } })).message).toMatch(/in time/);
  });
});
