/**
 * The Route adapter's direct transfers (`POST /v1/transfers` with `X-Transfer-Idempotency`)
 * against the sandbox over real HTTP: made from the platform balance (no source payment),
 * processed with a signed `transfer.processed`; the same key answering the same transfer (also
 * after a timeout, and when asked several times at once); the same key with another body and
 * a malformed key refused; an account not activated and the platform balance refused; a
 * failure with `transfer.failed`; a reversal of a direct transfer.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/gateways/gateway.js';
import type { DirectTransferRequest } from '../../src/gateways/payout-gateway.js';
import { decodeRazorpayWebhook } from '../../src/gateways/razorpay/razorpay.webhooks.js';
import { RazorpayRouteGateway } from '../../src/gateways/razorpay/route/route.gateway.js';
import { WebhookEvent } from '../../src/webhooks/webhook-event.entity.js';
import { control } from '../helpers/payouts.js';
import { gatewayError, linkedAccountVia } from '../helpers/route.js';
import { eventually, startTestServer, type TestServer } from '../helpers/server.js';

const TIMEOUT_MS = 1_500;
let server: TestServer;
let route: RazorpayRouteGateway;

beforeAll(async () => {
  server = await startTestServer({ env: { RECONCILE_ENABLED: 'false' } });
  route = new RazorpayRouteGateway({
    keyId: server.config.razorpay.keyId,
    keySecret: server.config.razorpay.keySecret,
    apiUrl: `${server.url}/sandbox/razorpay`,
    timeoutMs: TIMEOUT_MS,
    maxRetries: 3,
    retryBaseMs: 5,
  });
});
afterEach(() => {
  server.app.sandbox!.resetFaults();
});
afterAll(async () => {
  await server?.close();
});

const sandbox = () => server.app.sandbox!;

/** A linked account through the adapter: activated at once, or left waiting (`activate` false). */
async function linkedAccount(activate = true): Promise<string> {
  if (!activate) await control(server, '/route', { activation: 'manual' });
  return (await linkedAccountVia(route, 'd')).id;
}

const request = (accountId: string, amount: number, overrides: Partial<DirectTransferRequest> = {}): DirectTransferRequest => {
  const payoutId = randomUUID();
  return { accountId, amount, currency: 'INR', payoutId, idempotencyKey: payoutId, ...overrides };
};

const madeFor = async (payoutId: string) => (await sandbox().transfers.all()).filter((t) => (t.notes as Record<string, string>).payout_id === payoutId);
const storedEvents = (type: string) => server.db.orm.em.fork().find(WebhookEvent, { eventType: type });


describe('direct transfers', () => {
  it('transfers from the platform balance (no payment), processed with a signed transfer.processed', async () => {
    const account = await linkedAccount();
    const sent = request(account, 31_415);
    const made = await route.directTransfer(sent);
    expect(made).toMatchObject({ sourcePaymentId: null, accountId: account, amount: 31_415, status: 'pending', payoutId: sent.payoutId, onHold: false });
    expect(made.id).toMatch(/^trf_/);
    const processed = await eventually(async () => {
      const now = await route.fetchTransfer(made.id);
      return now.status === 'processed' ? now : null;
    }, 10_000, 'direct transfer processed');
    expect(processed.payoutId).toBe(sent.payoutId);
    const event = await eventually(async () => (await storedEvents('transfer.processed')).find((e) => JSON.stringify(e.payload).includes(made.id)), 10_000, 'transfer.processed stored');
    expect(decodeRazorpayWebhook('transfer.processed', event.payload)).toMatchObject({ kind: 'transfer', event: { type: 'transfer.processed', transfer: { id: made.id, sourcePaymentId: null, status: 'processed' } } });
  });

  it('answers the same transfer for the same key: again later, several at once, and after a timeout', async () => {
    const account = await linkedAccount();
    const sent = request(account, 12_000);
    const first = await route.directTransfer(sent);
    const again = await route.directTransfer(sent);
    expect(again.id).toBe(first.id);
    const together = request(account, 13_000);
    // Asked five times at once: one is made; the others answer it, or a 409 while it is being made
    // (retried by the adapter; still in flight after its retries, a GatewayError with HTTP 409,
    // which the transfer job treats as an unknown outcome, never as a refusal).
    const answers = await Promise.all(Array.from({ length: 5 }, () => route.directTransfer(together).catch((e: unknown) => e)));
    for (const answer of answers) if (answer instanceof GatewayError) expect(answer.httpStatus).toBe(409);
    const ids = new Set([...answers.filter((a) => !(a instanceof GatewayError)).map((t) => (t as { id: string }).id), (await route.directTransfer(together)).id]);
    expect(ids.size).toBe(1);
    expect((await madeFor(together.payoutId)).map((t) => t.id)).toEqual([...ids]);
    // Made, then answered after the adapter gave up: its retry with the same key gets that transfer.
    await control(server, '/transfers', { lateAnswers: { count: 1, delayMs: TIMEOUT_MS + 1_000 } });
    const late = request(account, 14_000);
    const answered = await route.directTransfer(late);
    const made = await madeFor(late.payoutId);
    expect(made.map((t) => t.id)).toEqual([answered.id]);
  });

  it('refuses the same key with another body, a malformed key, an account not activated, and more than the platform balance', async () => {
    const account = await linkedAccount();
    const sent = request(account, 10_000);
    await route.directTransfer(sent);
    expect(await gatewayError(route.directTransfer({ ...sent, amount: 10_001 }))).toMatchObject({ kind: 'rejected', httpStatus: 400, message: expect.stringMatching(/same idempotency key/) });
    expect(await madeFor(sent.payoutId)).toHaveLength(1);
    for (const key of ['abc', 'x'.repeat(37), 'bad/key', 'emoji🙂key']) {
      expect(await gatewayError(route.directTransfer(request(account, 10_000, { idempotencyKey: key })))).toMatchObject({ kind: 'rejected', httpStatus: null });
    }
    expect(await gatewayError(route.directTransfer(request(account, 99)))).toMatchObject({ kind: 'rejected', message: expect.stringMatching(/at least 100/) });
    const waiting = await linkedAccount(false);
    expect(await gatewayError(route.directTransfer(request(waiting, 10_000)))).toMatchObject({ kind: 'rejected', message: expect.stringMatching(/not activated/) });
    await control(server, '/route', { activation: 'instant' });
    // The helper throws unless the sandbox answers 2xx.
    await control(server, '/transfers/direct', { platformBalance: 15_000 });
    await route.directTransfer(request(account, 10_000));
    expect(await gatewayError(route.directTransfer(request(account, 10_000)))).toMatchObject({ kind: 'rejected', message: expect.stringMatching(/insufficient balance/) });
  });

  it('fails with transfer.failed, and is reversed like a transfer from a payment', async () => {
    const account = await linkedAccount();
    await control(server, '/transfers', { failTransfers: 1 });
    const doomed = await route.directTransfer(request(account, 20_000));
    const failed = await eventually(async () => {
      const now = await route.fetchTransfer(doomed.id);
      return now.status === 'failed' ? now : null;
    }, 10_000, 'direct transfer failed');
    expect(failed.failureReason).toMatch(/insufficient balance/);
    await eventually(async () => (await storedEvents('transfer.failed')).some((e) => JSON.stringify(e.payload).includes(doomed.id)), 10_000, 'transfer.failed stored');

    const made = await route.directTransfer(request(account, 30_000));
    await eventually(async () => (await route.fetchTransfer(made.id)).status === 'processed', 10_000, 'processed');
    const reversal = await route.reverseTransfer(made.id, { amount: 5_000, reversalId: 'rv-direct' });
    expect(reversal).toMatchObject({ transferId: made.id, amount: 5_000, reversalId: 'rv-direct' });
    expect(await route.fetchTransfer(made.id)).toMatchObject({ status: 'partially_reversed', amountReversed: 5_000 });
  });
});
