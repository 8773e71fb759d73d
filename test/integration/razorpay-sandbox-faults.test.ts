/**
 * The real RazorpayGateway adapter against the sandbox over real HTTP when things go wrong: the
 * sandbox's faults, the adapter's retries and timeouts, refused connections, redirects, proxies,
 * and the connections it keeps open.
 */
import http from 'node:http';
import type net from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  adapter, baseUrl, expectGatewayError, gateway, KEY_SECRET, listen, newOrder, pay, post, router, useRazorpaySandbox, warnings,
} from '../helpers/razorpay-sandbox.js';

useRazorpaySandbox();

describe('faults, retries and timeouts', () => {
  it('retries 5xx and succeeds', async () => {
    const orderId = await newOrder();
    router.sandbox.setFaults({ failNextRequests: { count: 2, status: 500 } });
    expect((await gateway.fetchOrder(orderId)).id).toBe(orderId);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatchObject({ operation: 'fetchOrder', status: 500, code: 'SERVER_ERROR' });
  });

  it('retries 429', async () => {
    const orderId = await newOrder();
    await post('/control/faults', { failNextRequests: { count: 1, status: 429 } });
    expect((await gateway.fetchOrder(orderId)).id).toBe(orderId);
    expect(warnings).toHaveLength(1);
  });

  it('does not retry other 4xx', async () => {
    const orderId = await newOrder();
    router.sandbox.setFaults({ failNextRequests: { count: 2, status: 400 } });
    await expectGatewayError(gateway.fetchOrder(orderId), 'rejected', /Injected fault/);
    expect(router.sandbox.faults().failNextRequests.count).toBe(1);
    expect(warnings).toHaveLength(0);
  });

  it('gives up as unavailable when the retries run out', async () => {
    router.sandbox.setFaults({ failNextRequests: { count: 10, status: 503 } });
    const error = await expectGatewayError(gateway.fetchOrder('order_00000000000000'), 'unavailable');
    expect(error.httpStatus).toBe(503);
    expect(router.sandbox.faults().failNextRequests.count).toBe(6);
  });

  it('does not retry an unkeyed refund after a 5xx, so money never moves twice', async () => {
    const { razorpay_payment_id: paymentId } = await pay(await newOrder());
    router.sandbox.setFaults({ failNextRequests: { count: 1, status: 500 } });
    await expectGatewayError(gateway.refundPayment({ paymentId, amount: 1_000 }), 'unavailable');
    router.sandbox.setFaults({ failNextRequests: { count: 1, status: 500 } });
    const refund = await gateway.refundPayment({ paymentId, amount: 1_000, idempotencyKey: 'refund-key-retried' });
    expect(refund.status).toBe('processed');
    expect((await gateway.fetchPayment(paymentId)).amountRefunded).toBe(1_000);
  });

  it('times out a server that never answers, as unavailable', async () => {
    const { url } = await listen(() => {
      /* never answers */
    });
    const hung = adapter({ apiUrl: url, timeoutMs: 100, maxRetries: 1 });
    const started = Date.now();
    await expectGatewayError(hung.fetchPayment('pay_00000000000000'), 'unavailable', /did not answer in time/);
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(warnings).toEqual([expect.objectContaining({ operation: 'fetchPayment', networkError: 'ECONNABORTED' })]);
  });

  it('times out a slow sandbox through its latency knob', async () => {
    router.sandbox.setFaults({ latencyMs: 300 });
    await expectGatewayError(adapter({ timeoutMs: 100, maxRetries: 0 }).fetchOrder('order_00000000000000'), 'unavailable');
  });

  it('follows no redirect: the other location is never asked, and a 3xx is a failed call', async () => {
    const asked: string[] = [];
    const { url: elsewhere } = await listen((req, res) => {
      asked.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    const { url } = await listen((req, res) => {
      res.writeHead(307, { location: `${elsewhere}${req.url}` }).end();
    });
    await expectGatewayError(adapter({ apiUrl: url, maxRetries: 0 }).createOrder({ amount: 10_000, currency: 'INR', receipt: 'redirected' }), 'unavailable');
    expect(asked).toEqual([]);
  });

  it('sends through a proxy named in the environment, and direct without one', async () => {
    const proxied: string[] = [];
    const { url: proxy } = await listen((req, res) => {
      proxied.push(`${req.method} ${req.url}`);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
        id: 'order_ViaTheProxy001', entity: 'order', amount: 10_000, amount_paid: 0, amount_due: 10_000, currency: 'INR',
        receipt: 'proxied', status: 'created', attempts: 0, notes: {}, created_at: 1_700_000_000,
      }));
    });
    const saved = { HTTP_PROXY: process.env.HTTP_PROXY, NO_PROXY: process.env.NO_PROXY, no_proxy: process.env.no_proxy };
    try {
      Object.assign(process.env, { HTTP_PROXY: proxy, NO_PROXY: '', no_proxy: '' });
      expect((await adapter().createOrder({ amount: 10_000, currency: 'INR', receipt: 'proxied' })).id).toBe('order_ViaTheProxy001');
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
    expect(proxied).toEqual([`POST ${baseUrl}/sandbox/razorpay/v1/orders`]);
    // Made without one (as every other adapter here), it goes direct, to the sandbox.
    expect((await gateway.createOrder({ amount: 10_000, currency: 'INR', receipt: 'direct' })).id).not.toBe('order_ViaTheProxy001');
    expect(proxied).toHaveLength(1);
  });

  it('reports a refused connection as unavailable after retrying', async () => {
    const { server, url } = await listen(() => undefined);
    await new Promise((resolve) => server.close(resolve));
    await expectGatewayError(adapter({ apiUrl: url, maxRetries: 2 }).fetchOrder('order_00000000000000'), 'unavailable', /could not be reached/);
    expect(warnings).toHaveLength(2);
    expect(JSON.stringify(warnings)).not.toContain(KEY_SECRET);
  });
});

describe('kept-open connections', () => {
  it('one connection for consecutive calls, its TCP keep-alive set once, not again at every request', async () => {
    // Every connection an agent opens in this test, and the system calls its keep-alive settings make.
    type Handle = { setKeepAlive(enable: boolean, delaySeconds: number): number };
    const sockets: net.Socket[] = [];
    const kernelCalls: number[] = [];
    const original = http.Agent.prototype.createConnection;
    http.Agent.prototype.createConnection = function createConnection(this: http.Agent, ...args: Parameters<typeof original>) {
      const socket = original.apply(this, args) as net.Socket;
      const handle = (socket as unknown as { _handle: Handle | null })._handle;
      if (handle) {
        const set = handle.setKeepAlive.bind(handle);
        handle.setKeepAlive = (enable, delaySeconds) => {
          kernelCalls.push(delaySeconds);
          return set(enable, delaySeconds);
        };
      }
      sockets.push(socket);
      return socket;
    } as typeof original;
    try {
      const client = adapter();
      for (let i = 0; i < 5; i += 1) await client.createOrder({ amount: 10_000, currency: 'INR', receipt: `kept-${i}` });
    } finally {
      http.Agent.prototype.createConnection = original;
    }
    expect(sockets).toHaveLength(1);
    // The connect's own setting, nothing after it (axios and the agent used to alternate 60 s and 1 s).
    expect(kernelCalls.length).toBeLessThanOrEqual(1);
  });
});
