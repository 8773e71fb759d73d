/**
 * Decoding Route's transfer webhooks into the neutral `transfer` event: the status read from
 * `status`, `transfer_status` or (the sample omits both) the event name; `transfers.failed` as
 * one page spells it; `settlement.processed`; an entity missing or malformed.
 */
import { describe, expect, it } from 'vitest';
import { decodeRazorpayWebhook } from '../../src/gateways/razorpay/razorpay.webhooks.js';
import { parseTransfer } from '../../src/gateways/razorpay/route/route.mappers.js';

const transfer = (overrides: Record<string, unknown> = {}) => ({
  id: 'trf_E9uhYLFLLZ2pks', entity: 'transfer', source: 'pay_E9up5WhIfMYnKW', recipient: 'acc_CMaomTz4o0FOFz',
  amount: 1000, currency: 'INR', amount_reversed: 0, fees: 3, tax: 0, notes: { payout_id: 'po-1', name: 'x' },
  linked_account_notes: [], on_hold: true, on_hold_until: 1_700_000_000, settlement_status: 'on_hold',
  recipient_settlement_id: null, created_at: 1_580_219_046, processed_at: 1_580_219_048, ...overrides,
});
const envelope = (event: string, payload: Record<string, unknown>) => ({
  entity: 'event', account_id: 'acc_BFQ7uQEaa7j2z7', event, contains: Object.keys(payload), payload, created_at: 1_580_219_050,
});

describe('transfer webhooks', () => {
  it('transfer.processed without a status (Razorpay sample): processed, with the payout id and the hold', () => {
    const decoded = decodeRazorpayWebhook('transfer.processed', envelope('transfer.processed', { transfer: { entity: transfer() } }));
    expect(decoded).toEqual({
      kind: 'transfer', type: 'transfer.processed', trusted: true,
      event: {
        type: 'transfer.processed', occurredAt: new Date(1_580_219_050_000),
        transfer: {
          id: 'trf_E9uhYLFLLZ2pks', sourcePaymentId: 'pay_E9up5WhIfMYnKW', accountId: 'acc_CMaomTz4o0FOFz', amount: 1000, amountReversed: 0,
          status: 'processed', onHold: true, onHoldUntil: new Date(1_700_000_000_000), payoutId: 'po-1', recipientSettlementId: null, failureReason: null,
        },
      },
    });
  });

  it('transfers.failed (as one page spells it) with transfer_status and an error: failed, with the reason', () => {
    const entity = transfer({ transfer_status: 'failed', error: { code: 'BAD_REQUEST_ERROR', description: null, reason: 'BAD_REQUEST_TRANSFER_INSUFFICIENT_BALANCE' } });
    const decoded = decodeRazorpayWebhook('transfers.failed', envelope('transfers.failed', { transfer: { entity } }));
    expect(decoded).toMatchObject({ kind: 'transfer', event: { type: 'transfer.failed', transfer: { status: 'failed', failureReason: 'BAD_REQUEST_TRANSFER_INSUFFICIENT_BALANCE' } } });
  });

  it('transfer.failed without status or error: failed all the same', () => {
    const decoded = decodeRazorpayWebhook('transfer.failed', envelope('transfer.failed', { transfer: { entity: transfer({ notes: [] }) } }));
    expect(decoded).toMatchObject({ kind: 'transfer', event: { transfer: { status: 'failed', failureReason: 'failed', payoutId: null } } });
  });

  it('settlement.processed: the settlement id', () => {
    const settlement = { id: 'setl_DGlQ1Rj8os78Ec', entity: 'settlement', amount: 9973635, status: 'processed', fees: 471699, tax: 42070, utr: '1568176960vxp0rj', created_at: 1_568_176_960 };
    expect(decodeRazorpayWebhook('settlement.processed', envelope('settlement.processed', { settlement: { entity: settlement } })))
      .toMatchObject({ kind: 'transfer', type: 'settlement.processed', event: { type: 'settlement.processed', settlementId: 'setl_DGlQ1Rj8os78Ec' } });
  });

  it('without its entity: other, with the reason; a malformed entity throws naming the field', () => {
    expect(decodeRazorpayWebhook('transfer.processed', envelope('transfer.processed', {}))).toEqual({ kind: 'other', type: 'transfer.processed', reason: 'transfer.processed carries no transfer entity' });
    expect(decodeRazorpayWebhook('settlement.processed', envelope('settlement.processed', {}))).toMatchObject({ kind: 'other' });
    expect(() => decodeRazorpayWebhook('transfer.processed', envelope('transfer.processed', { transfer: { entity: transfer({ amount: '10' }) } }))).toThrow(/amount/);
  });

  it('a REST answer must carry status or transfer_status', () => {
    expect(parseTransfer(transfer({ transfer_status: 'pending' })).status).toBe('pending');
    expect(parseTransfer(transfer({ status: 'partially_reversed', amount_reversed: 400 }))).toMatchObject({ status: 'partially_reversed', amountReversed: 400 });
    expect(() => parseTransfer(transfer())).toThrow(/status/);
    expect(() => parseTransfer(transfer({ status: 'settled' }))).toThrow(/status/);
  });
});
