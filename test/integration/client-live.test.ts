/**
 * The typed client against the real service, through a TCP proxy that can cut the network:
 * HTTP operations typed by the client preset, and the live helper authenticating in
 * connection_init, reconnecting with backoff after the connection is lost, resubscribing, and
 * fetching the current state after reconnecting, so a change made while offline is not missed.
 */
import 'reflect-metadata';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createHttpClient,
  createLive,
  GraphQLRequestError,
  newer,
  ShopMyPaymentsDocument,
  ShopMyPaymentUpdatesDocument,
  ShopTopUpDocument,
  ShopVerifyPaymentDocument,
  type ShopPaymentFragment,
} from '../../client/src/index.js';
import { pay } from '../helpers/checkout.js';
import { eventually, startTestServer, type TestServer } from '../helpers/server.js';

/** Forwards TCP to `target`; `cut()` drops every connection and refuses new ones until `restore()`. */
async function startProxy(target: number) {
  const sockets = new Set<net.Socket>();
  let down = false;
  const server = net.createServer((client) => {
    if (down) return client.destroy();
    const upstream = net.connect(target, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    cut() {
      down = true;
      for (const s of sockets) s.destroy();
    },
    restore() {
      down = false;
    },
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

let server: TestServer;
let proxy: Awaited<ReturnType<typeof startProxy>>;
let token: string;

beforeAll(async () => {
  server = await startTestServer();
  proxy = await startProxy(server.app.port);
  token = await server.token('mobile-1');
});
afterAll(async () => {
  await proxy?.close();
  await server?.close();
});

describe('typed client', () => {
  it('answers typed data, and a GraphQLRequestError carrying the code', async () => {
    const request = createHttpClient({ url: `${server.url}/graphql`, token: () => token });
    const { payments } = await request(ShopMyPaymentsDocument, { first: 5 });
    expect(payments.edges).toEqual([]);
    const anonymous = createHttpClient({ url: `${server.url}/graphql` });
    const error = await anonymous(ShopMyPaymentsDocument, { first: 5 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphQLRequestError);
    expect((error as GraphQLRequestError).code).toBe('UNAUTHENTICATED');
  });

  it('reconnects after a network loss, resubscribes, and fetches what changed while offline', async () => {
    const request = createHttpClient({ url: `${server.url}/graphql`, token: () => token });
    const statuses: string[] = [];
    const seen = new Map<string, ShopPaymentFragment>();
    let resyncs = 0;
    let live = 0;
    const first = (await request(ShopTopUpDocument, { input: { amount: 50_000 } })).addWalletBalance;
    const client = createLive({
      url: `ws://127.0.0.1:${proxy.port}/graphql`,
      token: () => token,
      webSocketImpl: WebSocket,
      minDelayMs: 50,
      maxDelayMs: 400,
      onStatus: (status) => statuses.push(status),
    });
    const stop = client.subscribe(ShopMyPaymentUpdatesDocument, {}, {
      next: (data) => {
        live += 1;
        seen.set(data.myPaymentUpdates.id, newer(seen.get(data.myPaymentUpdates.id), data.myPaymentUpdates));
      },
      resync: async () => {
        const { payments } = await request(ShopMyPaymentsDocument, { first: 20 });
        for (const { node } of payments.edges) seen.set(node.id, newer(seen.get(node.id), node));
        resyncs += 1;
      },
    });
    try {
      await eventually(() => resyncs >= 1 && seen.get(first.payment.id), 5_000, 'the first state');

      proxy.cut();
      await eventually(() => statuses.includes('reconnecting'), 5_000, 'the client to notice the loss');
      // Paid while the client is offline: its update cannot reach the client's socket.
      const checkout = await pay(server.url, first.razorpayOrderId);
      await request(ShopVerifyPaymentDocument, {
        input: { razorpayOrderId: checkout.razorpay_order_id, razorpayPaymentId: checkout.razorpay_payment_id, razorpaySignature: checkout.razorpay_signature },
      });
      expect(seen.get(first.payment.id)?.status).toBe('CREATED');

      proxy.restore();
      await eventually(() => resyncs >= 2 && seen.get(first.payment.id)?.status === 'CAPTURED', 10_000, 'the capture fetched after reconnecting');
      expect(statuses.filter((s) => s === 'connected').length).toBeGreaterThanOrEqual(2);

      // Resubscribed: a later change arrives live again.
      const liveBefore = live;
      const second = (await request(ShopTopUpDocument, { input: { amount: 20_000 } })).addWalletBalance;
      await pay(server.url, second.razorpayOrderId, { awaitWebhooks: true });
      await eventually(() => live > liveBefore && seen.get(second.payment.id)?.status === 'CAPTURED', 10_000, 'a live update after reconnecting');
    } finally {
      stop();
      await client.dispose();
    }
  });
});
