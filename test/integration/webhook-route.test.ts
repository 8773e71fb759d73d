/**
 * The webhook route as the HTTP server's own request handler, ahead of the Express app (eleventh
 * round of issue 11): it answers every path under /webhooks/ as the Express route did — the same
 * paths (trailing slash, query, case of the prefix), the same body reading (express.raw's limit
 * and Content-Encoding), the same small JSON errors — and leaves every other path to the app.
 */
import 'reflect-metadata';
import { createHmac } from 'node:crypto';
import http from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhookEvent } from '../../src/webhooks/webhook-event.entity.js';
import { newId } from '../../src/sandbox/razorpay/sandbox.ids.js';
import { paymentEvent, wirePayment } from '../helpers/checkout.js';
import { SANDBOX_WEBHOOK_SECRET, startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ env: { RECONCILE_ENABLED: 'false' } });
});
afterAll(async () => {
  await server?.close();
});

interface Answer { status: number; headers: http.IncomingHttpHeaders; body: string }

/** One request over plain HTTP, the target sent exactly as given (fetch would normalise it). */
function request(method: string, target: string, headers: Record<string, string> = {}, body?: Buffer | string): Promise<Answer> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, method, path: target, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A signed `payment.failed` delivery (nothing to process for it to be stored): its bytes, headers and event id. */
function signedDelivery() {
  const { body, eventId } = paymentEvent('payment.failed', wirePayment(newId('order'), newId('pay'), 'failed', 5_000));
  const headers = {
    'content-type': 'application/json',
    'x-razorpay-signature': createHmac('sha256', SANDBOX_WEBHOOK_SECRET).update(body).digest('hex'),
    'x-razorpay-event-id': eventId,
  };
  return { body, eventId, headers };
}

const stored = (eventId: string) => server.db.orm.em.fork().count(WebhookEvent, { eventId });

describe('the webhook route, ahead of the Express app', () => {
  it('takes a delivery with a trailing slash, a query string or another case of /webhooks, as the Express route did', async () => {
    for (const target of ['/webhooks/razorpay/', '/webhooks/razorpay?via=proxy', '/WEBHOOKS/razorpay', '/webhooks/razor%70ay']) {
      const { body, eventId, headers } = signedDelivery();
      const answer = await request('POST', target, headers, body);
      expect([target, answer.status, JSON.parse(answer.body)]).toEqual([target, 200, { status: 'stored' }]);
      expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(await stored(eventId)).toBe(1);
    }
  });

  it('an absolute-form target is routed by its path', async () => {
    const { body, eventId, headers } = signedDelivery();
    const answer = await request('POST', `${server.url}/webhooks/razorpay`, headers, body);
    expect([answer.status, JSON.parse(answer.body)]).toEqual([200, { status: 'stored' }]);
    expect(await stored(eventId)).toBe(1);
  });

  it('answers other paths under /webhooks/ 404 and other methods 405, each a small JSON body, without reading a byte', async () => {
    for (const target of ['/webhooks/', '/webhooks/razorpay/extra', '/webhooks//razorpay', '/webhooks/%E0%A4%A', '/webhooks/stripe?<script>']) {
      const answer = await request('POST', target, { 'content-type': 'application/json' }, '{"entity":"event"}');
      expect([target, answer.status, JSON.parse(answer.body)]).toEqual([target, 404, { error: 'no such webhook route', code: 'NOT_FOUND' }]);
    }
    for (const method of ['GET', 'PUT', 'DELETE', 'OPTIONS', 'PATCH']) {
      const answer = await request(method, '/webhooks/razorpay');
      expect([method, answer.status, answer.headers.allow, JSON.parse(answer.body)])
        .toEqual([method, 405, 'POST', { error: 'method not allowed: signed events are POSTed here', code: 'METHOD_NOT_ALLOWED' }]);
    }
    const head = await request('HEAD', '/webhooks/razorpay');
    expect([head.status, head.headers.allow, head.body]).toEqual([405, 'POST', '']);
  });

  it('reads a gzip-encoded body as express.raw did (its signature checked on the inflated bytes); a body not the gzip it claims, or an unknown encoding, is a 400', async () => {
    const { body, eventId, headers } = signedDelivery();
    const zipped = await request('POST', '/webhooks/razorpay', { ...headers, 'content-encoding': 'gzip' }, gzipSync(body));
    expect([zipped.status, JSON.parse(zipped.body)]).toEqual([200, { status: 'stored' }]);
    expect(await stored(eventId)).toBe(1);
    const other = signedDelivery();
    for (const encoding of ['gzip', 'compress']) {
      const answer = await request('POST', '/webhooks/razorpay', { ...other.headers, 'content-encoding': encoding }, other.body);
      expect([encoding, answer.status, JSON.parse(answer.body)]).toEqual([encoding, 400, { error: 'body could not be read', code: 'BAD_REQUEST' }]);
    }
    expect(await stored(other.eventId)).toBe(0);
  });

  it('leaves every other path to the app: /webhooks without a gateway, /graphql, /health', async () => {
    const bare = await request('POST', '/webhooks', { 'content-type': 'application/json' }, '{}');
    expect(bare.status).toBe(404);
    expect(JSON.parse(bare.body).code).toBe('NOT_FOUND');
    const graphql = await request('POST', '/graphql', { 'content-type': 'application/json' }, JSON.stringify({ query: '{ __typename }' }));
    expect([graphql.status, JSON.parse(graphql.body)]).toEqual([200, { data: { __typename: 'Query' } }]);
    // The app's answers carry its security headers; the webhook route's never needed them.
    expect(graphql.headers['x-content-type-options']).toBe('nosniff');
    expect((await request('GET', '/healthz')).status).toBe(200);
  });
});
