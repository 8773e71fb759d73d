/**
 * The webhook route's contract with the HTTP server it is the first handler of: every path under
 * /webhooks/ is its own (answered, never passed on), every other path is left to the app, and a
 * delivery is answered once the inbox stored it. A real HTTP server on a loopback port; the
 * gateway and the inbox are stand-ins (the real ones: webhook-route.test.ts under integration).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway, GatewayLookup, WebhookRequest } from '../../src/gateways/gateway.js';
import { createLogger } from '../../src/logger.js';
import type { IncomingWebhook, WebhookInbox } from '../../src/webhooks/webhook.inbox.js';
import { createWebhookRoute } from '../../src/webhooks/webhook.route.js';

const toApp: string[] = [];
const stored: IncomingWebhook[] = [];
const answered: [string, number][] = [];
let server: http.Server;
let base: string;

beforeAll(async () => {
  const gateway = {
    name: 'razorpay',
    receiveWebhook: ({ rawBody, headers }: WebhookRequest) => headers['x-test-signature'] === 'good'
      ? { ok: true as const, eventId: String(headers['x-test-event']), eventType: 'payment.captured', payload: JSON.parse(rawBody.toString('utf8')) as Record<string, unknown> }
      : { ok: false as const, reason: 'X-Test-Signature does not match the body' },
  } as unknown as Gateway;
  const gateways: GatewayLookup = {
    get: (name) => (name === 'razorpay' ? gateway : (() => { throw new Error(`no gateway ${name}`); })()),
    find: (name) => (name === 'razorpay' ? gateway : undefined),
  };
  const inbox = { store: (event: IncomingWebhook) => { stored.push(event); return Promise.resolve({ stored: stored.filter((e) => e.eventId === event.eventId).length === 1, id: 'row' }); } } as unknown as WebhookInbox;
  const route = createWebhookRoute({ gateways, inbox, logger: createLogger('silent'), onAnswered: (name, status) => answered.push([name, status]) });
  server = http.createServer((req, res) => {
    if (route(req, res)) return;
    toApp.push(`${req.method} ${req.url}`);
    res.writeHead(299).end('app');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
});

const post = (path: string, headers: Record<string, string>, body: string) => fetch(`${base}${path}`, { method: 'POST', headers, body });

describe('createWebhookRoute', () => {
  it('answers a delivery once the inbox stored it, a repeat as a duplicate, and tells the metrics', async () => {
    const headers = { 'x-test-signature': 'good', 'x-test-event': 'evt_1' };
    const first = await post('/webhooks/razorpay', headers, '{"a":1}');
    const again = await post('/webhooks/razorpay', headers, '{"a":1}');
    expect([first.status, await first.json(), again.status, await again.json()]).toEqual([200, { status: 'stored' }, 200, { status: 'duplicate' }]);
    expect(stored.map((e) => [e.gateway, e.eventId, e.payload])).toEqual([['razorpay', 'evt_1', { a: 1 }], ['razorpay', 'evt_1', { a: 1 }]]);
    const refused = await post('/webhooks/razorpay', { 'x-test-signature': 'bad' }, '{"echo":"<marker>"}');
    expect([refused.status, await refused.json()]).toEqual([400, { error: 'X-Test-Signature does not match the body', code: 'BAD_REQUEST' }]);
    expect(answered).toEqual([['razorpay', 200], ['razorpay', 200], ['razorpay', 400]]);
  });

  it('keeps every path under /webhooks/ from the app, and passes every other path on untouched', async () => {
    for (const path of ['/webhooks/razorpay', '/webhooks/stripe', '/webhooks/', '/webhooks/razorpay/x', '/Webhooks/razorpay?x=1']) {
      const answer = await fetch(`${base}${path}`);
      expect([path, answer.status]).toEqual([path, answer.status === 405 ? 405 : 404]);
    }
    expect(toApp).toEqual([]);
    for (const path of ['/graphql', '/webhooks', '/webhooksx/razorpay', '/healthz']) {
      const answer = await post(path, {}, '{}');
      expect([path, answer.status, await answer.text()]).toEqual([path, 299, 'app']);
    }
    expect(toApp).toEqual(['POST /graphql', 'POST /webhooks', 'POST /webhooksx/razorpay', 'POST /healthz']);
  });
});
