/**
 * The Razorpay Route adapter's transfers against the sandbox over real HTTP: a transfer from a
 * captured payment, its listing, fetch, hold, reversals and the settlement's transfers; the
 * `transfer.*` and `settlement.processed` webhooks signed, received by the service's inbox and
 * decoded into the neutral `transfer` event (and ignored while no handler is registered); the
 * faults: a transfer that fails, a reversal refused for balance, a timeout after the transfer
 * was made (found again by its payout id).
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TransferRequest } from '../../src/gateways/payout-gateway.js';
import { decodeRazorpayWebhook } from '../../src/gateways/razorpay/razorpay.webhooks.js';
import { RazorpayRouteGateway } from '../../src/gateways/razorpay/route/route.gateway.js';
import { WebhookEvent, WebhookEventStatus } from '../../src/webhooks/webhook-event.entity.js';
import { control } from '../helpers/payouts.js';
import { capturedSandboxPayment, gatewayError, linkedAccountVia } from '../helpers/route.js';
import { eventually, startTestServer, type TestServer } from '../helpers/server.js';

const TIMEOUT_MS = 1_500;
let server: TestServer;
let route: RazorpayRouteGateway;
const warnings: Record<string, unknown>[] = [];

beforeAll(async () => {
  server = await startTestServer({ env: { RECONCILE_ENABLED: 'false' } });
  route = new RazorpayRouteGateway({
    keyId: server.config.razorpay.keyId,
    keySecret: server.config.razorpay.keySecret,
    apiUrl: `${server.url}/sandbox/razorpay`,
    timeoutMs: TIMEOUT_MS,
    maxRetries: 2,
    retryBaseMs: 5,
    logger: { warn: (obj) => warnings.push(obj) },
  });
});
afterEach(() => {
  server.app.sandbox!.resetFaults();
});
afterAll(async () => {
  await server?.close();
});

const sandbox = () => server.app.sandbox!;

/** An activated linked account, through the adapter (the sandbox activates at once by default). */
async function linkedAccount(): Promise<string> {
  const account = await linkedAccountVia(route, 'trf');
  expect(account.activationStatus).toBe('activated');
  return account.id;
}

/** A captured payment of `amount` paise at the sandbox. */
const capturedPayment = (amount = 50_000) => capturedSandboxPayment(sandbox(), amount);

const request = (accountId: string, amount: number, overrides: Partial<TransferRequest> = {}): TransferRequest => ({
  accountId, amount, currency: 'INR', payoutId: `po_${randomUUID()}`, onHold: false, onHoldUntil: null, ...overrides,
});

const storedEvents = (type: string) => server.db.orm.em.fork().find(WebhookEvent, { eventType: type });


describe('transfers from a payment', () => {
  it('transfers, lists, fetches; processed by a signed transfer.processed the inbox stores and ignores (no handler yet)', async () => {
    const [account, payment] = await Promise.all([linkedAccount(), capturedPayment()]);
    const sent = request(account, 42_415);
    const made = await route.transferFromPayment(payment, sent);
    expect(made).toMatchObject({ sourcePaymentId: payment, accountId: account, amount: 42_415, amountReversed: 0, status: 'pending', payoutId: sent.payoutId, onHold: false, failureReason: null });
    expect(made.id).toMatch(/^trf_/);

    const processed = await eventually(async () => {
      const now = await route.fetchTransfer(made.id);
      return now.status === 'processed' ? now : null;
    }, 10_000, 'transfer processed');
    expect(processed.payoutId).toBe(sent.payoutId);
    expect(await route.listPaymentTransfers(payment)).toEqual([processed]);

    const event = await eventually(async () => (await storedEvents('transfer.processed')).find((e) => JSON.stringify(e.payload).includes(made.id)), 10_000, 'transfer.processed stored');
    await eventually(async () => {
      const [row] = await server.db.orm.em.fork().find(WebhookEvent, { id: event.id });
      return row?.status === WebhookEventStatus.IGNORED;
    }, 10_000, 'event ignored');
    // Razorpay's sample transfer.processed has no status: the decoder takes it from the event name.
    expect((event.payload as { payload: { transfer: { entity: Record<string, unknown> } } }).payload.transfer.entity.status).toBeUndefined();
    const decoded = decodeRazorpayWebhook('transfer.processed', event.payload);
    expect(decoded).toMatchObject({ kind: 'transfer', trusted: true, event: { type: 'transfer.processed', transfer: { id: made.id, status: 'processed', payoutId: sent.payoutId, amount: 42_415 } } });
  });

  it('holds a transfer at creation and releases it by PATCH, and refuses to send an on_hold_until in the past', async () => {
    const [account, payment] = await Promise.all([linkedAccount(), capturedPayment()]);
    const until = new Date(Date.now() + 86_400_000);
    const made = await route.transferFromPayment(payment, request(account, 10_000, { onHold: true, onHoldUntil: until }));
    expect(made).toMatchObject({ onHold: true, onHoldUntil: new Date(Math.floor(until.getTime() / 1000) * 1000) });
    const released = await route.editTransferHold(made.id, { onHold: false, onHoldUntil: null });
    expect(released).toMatchObject({ id: made.id, onHold: false, onHoldUntil: null });
    const again = await route.editTransferHold(made.id, { onHold: false, onHoldUntil: null });
    expect(again).toMatchObject({ onHold: false });
    const past = await gatewayError(route.transferFromPayment(payment, request(account, 10_000, { onHoldUntil: new Date(Date.now() - 60_000) })));
    expect(past).toMatchObject({ kind: 'rejected', httpStatus: 400 });
  });

  it("refuses what Razorpay refuses: more than the captured amount, less than ₹1, an uncaptured payment, an account not activated", async () => {
    const [account, payment] = await Promise.all([linkedAccount(), capturedPayment(20_000)]);
    await route.transferFromPayment(payment, request(account, 15_000));
    expect(await gatewayError(route.transferFromPayment(payment, request(account, 5_001)))).toMatchObject({ kind: 'rejected', message: expect.stringMatching(/greater than the captured amount/) });
    expect(await gatewayError(route.transferFromPayment(payment, request(account, 99)))).toMatchObject({ kind: 'rejected', message: expect.stringMatching(/at least 100/) });
    const order = await sandbox().createOrder({ amount: 20_000, currency: 'INR', receipt: 'r', notes: {}, autoCapture: false });
    const authorized = await sandbox().pay({ order_id: order.id, outcome: 'success', method: 'card' });
    expect(await gatewayError(route.transferFromPayment((authorized as { razorpay_payment_id: string }).razorpay_payment_id, request(account, 1_000)))).toMatchObject({ kind: 'rejected' });
    await control(server, '/route', { activation: 'manual' });
    const waiting = await route.createLinkedAccount({
      referenceId: `w${Date.now()}`, email: `waiting${Date.now()}@example.com`, phone: '9876543210', legalBusinessName: 'Ravi Shankar', businessType: 'individual',
      contactName: 'Ravi', category: 'services', subcategory: 'freelancer',
      address: { street1: 'a', street2: 'b', city: 'Pune', state: 'Maharashtra', postalCode: '411001', country: 'IN' },
    });
    const product = await route.requestRouteProduct(waiting.id);
    await route.submitSettlementDetails(waiting.id, product.id, { accountNumber: '501001234987600', ifscCode: 'HDFC0001234', beneficiaryName: 'Ravi' });
    expect(await gatewayError(route.transferFromPayment(payment, request(waiting.id, 1_000)))).toMatchObject({ kind: 'rejected', message: expect.stringMatching(/not activated/) });
    // Ids the SDK would paste into a path unescaped never leave the adapter.
    expect(await gatewayError(route.fetchTransfer('trf_x/../../payments'))).toMatchObject({ kind: 'not_found', httpStatus: null });
    expect(await gatewayError(route.fetchTransfer('trf_NoSuchTransfer1'))).toMatchObject({ kind: 'not_found', httpStatus: 404 });
  });
});

describe('reversals and settlements', () => {
  it('reverses in parts, lists the reversals with their ids, and refuses more than is left', async () => {
    const [account, payment] = await Promise.all([linkedAccount(), capturedPayment()]);
    const made = await route.transferFromPayment(payment, request(account, 30_000));
    await eventually(async () => (await route.fetchTransfer(made.id)).status === 'processed', 10_000, 'processed');
    const first = await route.reverseTransfer(made.id, { amount: 10_000, reversalId: 'rv-1' });
    expect(first).toMatchObject({ transferId: made.id, amount: 10_000, reversalId: 'rv-1' });
    expect(first.id).toMatch(/^rvrsl_/);
    expect(await route.fetchTransfer(made.id)).toMatchObject({ status: 'partially_reversed', amountReversed: 10_000 });
    const second = await route.reverseTransfer(made.id, { amount: 20_000, reversalId: 'rv-2' });
    expect(await route.fetchTransfer(made.id)).toMatchObject({ status: 'reversed', amountReversed: 30_000 });
    expect((await route.listTransferReversals(made.id)).map((r) => r.reversalId).sort()).toEqual(['rv-1', 'rv-2']);
    expect((await route.listTransferReversals(made.id)).map((r) => r.id).sort()).toEqual([first.id, second.id].sort());
    expect(await gatewayError(route.reverseTransfer(made.id, { amount: 1, reversalId: 'rv-3' }))).toMatchObject({ kind: 'rejected' });
  });

  it('pays processed transfers out: settlement.processed, matched to its transfers by recipient_settlement_id', async () => {
    const [account, payment] = await Promise.all([linkedAccount(), capturedPayment()]);
    const a = await route.transferFromPayment(payment, request(account, 12_000));
    const held = await route.transferFromPayment(payment, request(account, 8_000, { onHold: true }));
    await eventually(async () => (await route.listPaymentTransfers(payment)).every((t) => t.status === 'processed'), 10_000, 'processed');
    const settled = (await control(server, '/transfers/settle-payees', {})) as { settlements: { id: string; amount: number }[] };
    const settlements = settled.settlements;
    const settledA = await route.fetchTransfer(a.id);
    expect(settledA.recipientSettlementId).toMatch(/^setl_/);
    expect((await route.fetchTransfer(held.id)).recipientSettlementId).toBeNull();
    expect(settlements.find((s) => s.id === settledA.recipientSettlementId)).toMatchObject({ amount: 12_000 });
    expect((await route.listSettlementTransfers(settledA.recipientSettlementId!)).map((t) => t.id)).toEqual([a.id]);
    const event = await eventually(async () => (await storedEvents('settlement.processed')).find((e) => JSON.stringify(e.payload).includes(settledA.recipientSettlementId!)), 10_000, 'settlement.processed stored');
    expect(decodeRazorpayWebhook('settlement.processed', event.payload)).toMatchObject({ kind: 'transfer', event: { type: 'settlement.processed', settlementId: settledA.recipientSettlementId } });
  });
});

describe('faults', () => {
  it('a transfer that fails: failed with the reason, and a signed transfer.failed', async () => {
    const [account, payment] = await Promise.all([linkedAccount(), capturedPayment()]);
    await control(server, '/transfers', { failTransfers: 1 });
    const made = await route.transferFromPayment(payment, request(account, 20_000));
    const failed = await eventually(async () => {
      const now = await route.fetchTransfer(made.id);
      return now.status === 'failed' ? now : null;
    }, 10_000, 'transfer failed');
    expect(failed.failureReason).toMatch(/insufficient balance/);
    const event = await eventually(async () => (await storedEvents('transfer.failed')).find((e) => JSON.stringify(e.payload).includes(made.id)), 10_000, 'transfer.failed stored');
    expect(decodeRazorpayWebhook('transfer.failed', event.payload)).toMatchObject({ kind: 'transfer', event: { type: 'transfer.failed', transfer: { id: made.id, status: 'failed', failureReason: expect.stringMatching(/insufficient/) } } });
    // A failed transfer does not count against the captured amount: the retry may transfer it again.
    const retried = await route.transferFromPayment(payment, request(account, 20_000, { payoutId: failed.payoutId! }));
    await eventually(async () => (await route.fetchTransfer(retried.id)).status === 'processed', 10_000, 'retry processed');
  });

  it('a reversal refused for balance: GatewayError rejected, nothing reversed', async () => {
    const [account, payment] = await Promise.all([linkedAccount(), capturedPayment()]);
    const made = await route.transferFromPayment(payment, request(account, 20_000));
    await eventually(async () => (await route.fetchTransfer(made.id)).status === 'processed', 10_000, 'processed');
    await control(server, '/transfers', { refuseReversals: 1 });
    const refused = await gatewayError(route.reverseTransfer(made.id, { amount: 5_000, reversalId: 'rv-refused' }));
    expect(refused).toMatchObject({ kind: 'rejected', httpStatus: 400, message: expect.stringMatching(/does not have sufficient balance/) });
    expect(await route.fetchTransfer(made.id)).toMatchObject({ status: 'processed', amountReversed: 0 });
    expect(await route.listTransferReversals(made.id)).toEqual([]);
  });

  it('a timeout after the transfer was made: not retried by the adapter, and found by listPaymentTransfers with its payout id', async () => {
    const [account, payment] = await Promise.all([linkedAccount(), capturedPayment()]);
    await control(server, '/transfers', { lateAnswers: { count: 1, delayMs: TIMEOUT_MS + 1_000 } });
    const sent = request(account, 25_000);
    const timedOut = await gatewayError(route.transferFromPayment(payment, sent));
    expect(timedOut.kind).toBe('unavailable');
    const found = (await route.listPaymentTransfers(payment)).filter((t) => t.payoutId === sent.payoutId);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ amount: 25_000, accountId: account, sourcePaymentId: payment });
    expect((await sandbox().transfers.all()).filter((t) => t.source === payment)).toHaveLength(1);
  });

  it('the same with the global latency knob (Razorpay answers after the adapter gave up): one transfer, found by its payout id', async () => {
    const [account, payment] = await Promise.all([linkedAccount(), capturedPayment()]);
    sandbox().setFaults({ latencyMs: TIMEOUT_MS + 500 });
    const sent = request(account, 11_000);
    expect((await gatewayError(route.transferFromPayment(payment, sent))).kind).toBe('unavailable');
    sandbox().resetFaults();
    const found = await eventually(async () => (await route.listPaymentTransfers(payment)).find((t) => t.payoutId === sent.payoutId), 10_000, 'the late transfer');
    expect(found.amount).toBe(11_000);
    expect((await route.listPaymentTransfers(payment))).toHaveLength(1);
  });

  it('reads are retried through a 5xx; a transfer creation answered 500 is not (it may have been made)', async () => {
    const [account, payment] = await Promise.all([linkedAccount(), capturedPayment()]);
    sandbox().setFaults({ failNextRequests: { count: 1, status: 503 } });
    expect(await route.listPaymentTransfers(payment)).toEqual([]);
    sandbox().setFaults({ failNextRequests: { count: 1, status: 500 } });
    expect((await gatewayError(route.transferFromPayment(payment, request(account, 1_000)))).kind).toBe('unavailable');
    expect(await route.listPaymentTransfers(payment)).toEqual([]);
    sandbox().setFaults({ failNextRequests: { count: 1, status: 429 } });
    const made = await route.transferFromPayment(payment, request(account, 1_000));
    expect((await route.listPaymentTransfers(payment)).map((t) => t.id)).toEqual([made.id]);
  });
});

describe('webhook knobs', () => {
  it('holds transfer webhooks until released, and drops them when told', async () => {
    const [account, payment] = await Promise.all([linkedAccount(), capturedPayment()]);
    await control(server, '/transfers', { holdWebhooks: true });
    const held = await route.transferFromPayment(payment, request(account, 5_000));
    await eventually(async () => (await route.fetchTransfer(held.id)).status === 'processed', 10_000, 'processed');
    const heldRecord = await eventually(async () => (await sandbox().state()).webhooks.find((w) => w.event === 'transfer.processed' && w.outcome === 'pending'), 5_000, 'held webhook');
    expect((await storedEvents('transfer.processed')).some((e) => JSON.stringify(e.payload).includes(held.id))).toBe(false);
    await control(server, '/webhooks/release', { eventId: heldRecord.eventId });
    await eventually(async () => (await storedEvents('transfer.processed')).some((e) => JSON.stringify(e.payload).includes(held.id)), 10_000, 'released webhook stored');

    await control(server, '/transfers', { holdWebhooks: false, dropWebhooks: true });
    const dropped = await route.transferFromPayment(payment, request(account, 5_000));
    await eventually(async () => (await route.fetchTransfer(dropped.id)).status === 'processed', 10_000, 'processed');
    await eventually(async () => (await sandbox().state()).webhooks.some((w) => w.event === 'transfer.processed' && w.outcome === 'dropped'), 5_000, 'dropped webhook');
  });

  it('manual processing: pending until the control call settles it', async () => {
    const [account, payment] = await Promise.all([linkedAccount(), capturedPayment()]);
    await control(server, '/transfers', { processing: 'manual' });
    const made = await route.transferFromPayment(payment, request(account, 5_000));
    expect((await route.fetchTransfer(made.id)).status).toBe('pending');
    expect(await gatewayError(route.reverseTransfer(made.id, { amount: 100, reversalId: 'early' }))).toMatchObject({ kind: 'rejected' });
    // The helper throws unless the sandbox answers 2xx.
    await control(server, `/transfers/${made.id}/settle`, { status: 'processed' });
    expect((await route.fetchTransfer(made.id)).status).toBe('processed');
  });
});

describe('restarts', () => {
  it("a pending transfer whose timer was lost (a restart) is processed by the next read once due", async () => {
    const [account, payment] = await Promise.all([linkedAccount(), capturedPayment()]);
    await control(server, '/transfers', { processing: 'delayed', delayMs: 1_500 });
    const made = await route.transferFromPayment(payment, request(account, 5_000));
    sandbox().transfers.stop(); // what a restart does to the timer: from now on only a read can process it
    expect((await route.fetchTransfer(made.id)).status).toBe('pending');
    const processed = await eventually(async () => {
      const now = await route.listPaymentTransfers(payment);
      return now[0]?.status === 'processed' ? now[0] : null;
    }, 10_000, 'processed on read');
    expect(processed.id).toBe(made.id);
    await eventually(async () => (await storedEvents('transfer.processed')).some((e) => JSON.stringify(e.payload).includes(made.id)), 10_000, 'its webhook');
  });
});

