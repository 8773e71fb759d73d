/**
 * The sandbox's refunds with `reverse_all` (`POST /v1/payments/:pay/refund {amount, reverse_all}`)
 * over real HTTP, as a client that uses them (the service does not) meets them: a full refund
 * reverses every transfer of the payment; a partial one reverses its amount when the payment
 * went to one linked account and is refused when it went to several; the reversals are listed
 * with the refund's id; a pending transfer or a refused reversal (balance) refuses the refund
 * with nothing written; a repeat with the same idempotency key reverses nothing again.
 */
import 'reflect-metadata';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RazorpayRouteGateway } from '../../src/gateways/razorpay/route/route.gateway.js';
import { control } from '../helpers/payouts.js';
import { capturedSandboxPayment, linkedAccountVia } from '../helpers/route.js';
import { eventually, startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let route: RazorpayRouteGateway;

beforeAll(async () => {
  server = await startTestServer({ env: { RECONCILE_ENABLED: 'false' } });
  route = new RazorpayRouteGateway({
    keyId: server.config.razorpay.keyId, keySecret: server.config.razorpay.keySecret, apiUrl: `${server.url}/sandbox/razorpay`,
    timeoutMs: 5_000, maxRetries: 2, retryBaseMs: 5, logger: { warn: () => undefined },
  });
});
afterEach(() => server.app.sandbox!.resetFaults());
afterAll(async () => {
  await server?.close();
});

const sandbox = () => server.app.sandbox!;

/** A Razorpay answer: an entity, a collection or an error. */
interface WireBody {
  [key: string]: unknown;
  id?: string;
  status?: string;
  items?: Record<string, unknown>[];
  error?: { code: string; description: string; field?: string };
}

/** Razorpay's REST API of the sandbox with basic auth, as any client calls it. */
async function api(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: WireBody }> {
  const auth = Buffer.from(`${server.config.razorpay.keyId}:${server.config.razorpay.keySecret}`).toString('base64');
  const response = await fetch(`${server.url}/sandbox/razorpay${path}`, {
    method, headers: { authorization: `Basic ${auth}`, 'content-type': 'application/json', ...headers }, ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as WireBody };
}

const linkedAccount = async () => (await linkedAccountVia(route, 'ra')).id;

const capturedPayment = (amount: number) => capturedSandboxPayment(sandbox(), amount);

/** Transfers from `payment` (over HTTP), waited for until processed unless `processed` is false. */
async function transfers(payment: string, items: { account: string; amount: number }[], processed = true): Promise<string[]> {
  const made = await api('POST', `/v1/payments/${payment}/transfers`, { transfers: items.map((i) => ({ ...i, currency: 'INR' })) });
  expect(made.status).toBe(200);
  const ids = (made.body.items as { id: string }[]).map((t) => t.id);
  if (processed) {
    for (const id of ids) await eventually(async () => (await api('GET', `/v1/transfers/${id}`)).body.status === 'processed', 10_000, `${id} processed`);
  }
  return ids;
}

const transfer = async (id: string) => (await api('GET', `/v1/transfers/${id}`)).body;
const reversals = async (id: string) => (await api('GET', `/v1/transfers/${id}/reversals`)).body.items!;
const payment = async (id: string) => (await api('GET', `/v1/payments/${id}`)).body;

describe('refunds with reverse_all', () => {
  it('a full refund reverses what is left of every transfer of the payment, to every account, each reversal naming the refund', async () => {
    const [a, b, pay] = await Promise.all([linkedAccount(), linkedAccount(), capturedPayment(100_000)]);
    const [ta, tb] = await transfers(pay, [{ account: a, amount: 40_000 }, { account: b, amount: 30_000 }]);
    // Part of one was reversed by hand before: the refund takes the rest.
    expect((await api('POST', `/v1/transfers/${ta}/reversals`, { amount: 5_000 })).status).toBe(200);

    const refund = await api('POST', `/v1/payments/${pay}/refund`, { reverse_all: true });
    expect(refund.status).toBe(200);
    expect(refund.body).toMatchObject({ entity: 'refund', amount: 100_000, payment_id: pay, status: 'processed' });
    expect(await transfer(ta!)).toMatchObject({ status: 'reversed', amount_reversed: 40_000 });
    expect(await transfer(tb!)).toMatchObject({ status: 'reversed', amount_reversed: 30_000 });
    const byRefund = (list: Record<string, unknown>[]) => list.filter((r) => r.customer_refund_id === refund.body.id);
    expect(byRefund(await reversals(ta!)).map((r) => r.amount)).toEqual([35_000]);
    expect(byRefund(await reversals(tb!))).toMatchObject([{ entity: 'reversal', transfer_id: tb, amount: 30_000, currency: 'INR' }]);
    expect((await reversals(tb!))[0]!.id).toMatch(/^rvrsl_/);
    expect(await payment(pay)).toMatchObject({ status: 'refunded', amount_refunded: 100_000 });
  });

  it('partial refunds of a payment transferred to one account reverse their amount, at most what is left; the one that completes the refund reverses the rest', async () => {
    const [a, pay] = await Promise.all([linkedAccount(), capturedPayment(100_000)]);
    // Two requests, so that one is the older (transfers made in one request have no order).
    const [t1] = await transfers(pay, [{ account: a, amount: 20_000 }]);
    const [t2] = await transfers(pay, [{ account: a, amount: 10_000 }]);
    const first = await api('POST', `/v1/payments/${pay}/refund`, { amount: 25_000, reverse_all: 1 });
    expect(first.status).toBe(200);
    // Oldest transfer first, then the next: 20,000 + 5,000.
    expect(await transfer(t1!)).toMatchObject({ status: 'reversed', amount_reversed: 20_000 });
    expect(await transfer(t2!)).toMatchObject({ status: 'partially_reversed', amount_reversed: 5_000 });
    expect((await reversals(t2!)).map((r) => [r.amount, r.customer_refund_id])).toEqual([[5_000, first.body.id]]);
    // More than is left of the transfers: only what is left (5,000) is taken back.
    const second = await api('POST', `/v1/payments/${pay}/refund`, { amount: 40_000, reverse_all: true });
    expect(second.status).toBe(200);
    expect(await transfer(t2!)).toMatchObject({ status: 'reversed', amount_reversed: 10_000 });
    // Nothing left to reverse: the refund that completes the payment's refund reverses nothing more.
    const last = await api('POST', `/v1/payments/${pay}/refund`, { reverse_all: true });
    expect(last.body).toMatchObject({ amount: 35_000, status: 'processed' });
    expect((await reversals(t1!)).length + (await reversals(t2!)).length).toBe(3);
  });

  it('a partial refund of a payment transferred to two accounts is refused on reverse_all, nothing refunded or reversed; a full one is not', async () => {
    const [a, b, pay] = await Promise.all([linkedAccount(), linkedAccount(), capturedPayment(50_000)]);
    const [ta, tb] = await transfers(pay, [{ account: a, amount: 10_000 }, { account: b, amount: 10_000 }]);
    const refused = await api('POST', `/v1/payments/${pay}/refund`, { amount: 1_000, reverse_all: true });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: 'BAD_REQUEST_ERROR', field: 'reverse_all' });
    expect(refused.body.error!.description).toMatch(/more than one linked account/);
    expect(await payment(pay)).toMatchObject({ amount_refunded: 0, status: 'captured' });
    expect([...(await reversals(ta!)), ...(await reversals(tb!))]).toEqual([]);
    // Without reverse_all it is an ordinary refund: the transfers stay with the payees.
    expect((await api('POST', `/v1/payments/${pay}/refund`, { amount: 1_000 })).status).toBe(200);
    expect(await transfer(ta!)).toMatchObject({ status: 'processed', amount_reversed: 0 });
    const full = await api('POST', `/v1/payments/${pay}/refund`, { reverse_all: true });
    expect(full.body).toMatchObject({ amount: 49_000 });
    expect([await transfer(ta!), await transfer(tb!)].map((t) => t.status)).toEqual(['reversed', 'reversed']);
  });

  it('refused with nothing written while a transfer is pending, or while the linked account lacks the balance (refuseReversals knob)', async () => {
    const [a, pay] = await Promise.all([linkedAccount(), capturedPayment(30_000)]);
    await control(server, '/transfers', { processing: 'manual' });
    const [t] = await transfers(pay, [{ account: a, amount: 10_000 }], false);
    const pending = await api('POST', `/v1/payments/${pay}/refund`, { reverse_all: true });
    expect(pending.status).toBe(400);
    expect(pending.body.error!.description).toMatch(/pending state/);
    await control(server, `/transfers/${t}/settle`, { status: 'processed' });

    await control(server, '/transfers', { refuseReversals: 1 });
    const poor = await api('POST', `/v1/payments/${pay}/refund`, { amount: 3_000, reverse_all: true });
    expect(poor.status).toBe(400);
    expect(poor.body.error!.description).toBe('The linked account does not have sufficient balance to process reversal.');
    expect(await payment(pay)).toMatchObject({ amount_refunded: 0 });
    expect(await reversals(t!)).toEqual([]);
    expect(sandbox().transfers.knobs().refuseReversals).toBe(0);
    // The refusal was used up: the same request now refunds and reverses.
    expect((await api('POST', `/v1/payments/${pay}/refund`, { amount: 3_000, reverse_all: true })).status).toBe(200);
    expect(await transfer(t!)).toMatchObject({ status: 'partially_reversed', amount_reversed: 3_000 });
  });

  it('failed transfers are skipped, a payment without transfers is refunded as usual, a repeat with the same key reverses nothing again, and a bad value names reverse_all', async () => {
    const [a, pay, plain] = await Promise.all([linkedAccount(), capturedPayment(40_000), capturedPayment(20_000)]);
    await control(server, '/transfers', { failTransfers: 1 });
    const [failed] = await transfers(pay, [{ account: a, amount: 10_000 }], false);
    await eventually(async () => (await transfer(failed!)).status === 'failed', 10_000, 'transfer failed');
    const [ok] = await transfers(pay, [{ account: a, amount: 10_000 }]);
    const key = { 'x-refund-idempotency': `reverse-all-${Date.now()}` };
    const once = await api('POST', `/v1/payments/${pay}/refund`, { amount: 4_000, reverse_all: true }, key);
    const again = await api('POST', `/v1/payments/${pay}/refund`, { amount: 4_000, reverse_all: true }, key);
    expect(again.body.id).toBe(once.body.id);
    expect(await transfer(ok!)).toMatchObject({ status: 'partially_reversed', amount_reversed: 4_000 });
    expect(await transfer(failed!)).toMatchObject({ status: 'failed', amount_reversed: 0 });
    expect(await reversals(ok!)).toHaveLength(1);
    // The same key without reverse_all is a different request.
    expect((await api('POST', `/v1/payments/${pay}/refund`, { amount: 4_000 }, key)).status).toBe(400);

    expect((await api('POST', `/v1/payments/${plain}/refund`, { reverse_all: true })).body).toMatchObject({ amount: 20_000, status: 'processed' });
    const bad = await api('POST', `/v1/payments/${pay}/refund`, { amount: 100, reverse_all: 'yes' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ field: 'reverse_all' });
  });
});
