/**
 * Every error the sandbox answers is Razorpay's small JSON error body, over real HTTP: unknown
 * paths, fields the client made up (never echoed unless they look like field names) and a
 * failure of its own database (no stack, SQL or driver message).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let auth: string;

beforeAll(async () => {
  server = await startTestServer({ env: { RECONCILE_ENABLED: 'false' } });
  auth = `Basic ${Buffer.from(`${server.config.razorpay.keyId}:${server.config.razorpay.keySecret}`).toString('base64')}`;
});
afterAll(async () => {
  await server?.close();
});

async function call(path: string, init: { method?: string; body?: unknown; auth?: boolean } = {}) {
  const response = await fetch(`${server.url}/sandbox/razorpay${path}`, {
    method: init.method ?? 'POST',
    headers: { 'content-type': 'application/json', ...(init.auth === false ? {} : { authorization: auth }) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await response.text();
  return { status: response.status, type: response.headers.get('content-type'), text, body: JSON.parse(text) as { error: Record<string, unknown> } };
}

const HOSTILE = '<script>alert(1)</script>';

describe('sandbox error answers', () => {
  it('an unknown path outside /v1 is a Razorpay 404 body, not an HTML page', async () => {
    const answer = await call('/nowhere/at/all', { method: 'GET' });
    expect(answer.status).toBe(404);
    expect(answer.type).toMatch(/^application\/json/);
    expect(answer.body.error).toMatchObject({ code: 'BAD_REQUEST_ERROR', description: 'The requested URL was not found on the server.' });
  });

  it('made-up fields are named when they look like field names, never echoed otherwise', async () => {
    const plain = await call('/v1/orders', { body: { amount: 1_000, currency: 'INR', colour: 'red' } });
    expect(plain.status).toBe(400);
    expect(plain.body.error).toMatchObject({ field: 'colour', description: 'colour is/are not required and should not be sent' });

    for (const [path, body] of [
      ['/v1/orders', { amount: 1_000, currency: 'INR', [HOSTILE]: 1 }],
      ['/v1/orders', { amount: 1_000, currency: 'INR', notes: { [HOSTILE]: { nested: true } } }],
      ['/checkout/pay', { order_id: 'order_x', outcome: 'success', [HOSTILE]: 1 }],
      ['/control/faults', { [HOSTILE]: 1 }],
    ] as const) {
      const answer = await call(path, { body, auth: path.startsWith('/v1') });
      expect(answer.status, path).toBe(400);
      expect(answer.text, `${path} ${answer.text}`).not.toContain('alert(1)');
      expect(answer.body.error.field, path).toMatch(/\(a field\)/);
    }
  });

  it('a failure of its own database is a generic 500 body with no stack, SQL or driver message', async () => {
    const broken = await startTestServer({ env: { RECONCILE_ENABLED: 'false' } });
    try {
      await broken.app.sandbox!.close();
      const response = await fetch(`${broken.url}/sandbox/razorpay/v1/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: auth },
        body: JSON.stringify({ amount: 1_000, currency: 'INR' }),
      });
      expect(response.status).toBe(500);
      const body = (await response.json()) as { error: Record<string, unknown> };
      expect(body.error).toEqual({
        code: 'SERVER_ERROR', description: 'The server encountered an error.', source: 'NA', step: 'NA', reason: 'NA', metadata: {},
      });
    } finally {
      await broken.close();
    }
  });
});
