/**
 * The pages as HTTP serves them: each with its own Content Security Policy allowing only the
 * service itself (and its socket), pages revalidated and hashed assets cached for a year,
 * GraphiQL only for a browser asking /graphql, the sandbox's demo sign-in validating its
 * input, and the sandbox's checkout.js stand-in. Pages off by configuration answer 404.
 */
import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticate } from '../../src/auth/auth.js';
import { startTestServer, TEST_JWT_SECRET, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

function directives(csp: string | null): Record<string, string> {
  return Object.fromEntries((csp ?? '').split(';').map((d) => d.trim().split(/\s+(.*)/s).slice(0, 2) as [string, string]));
}

describe('pages', () => {
  it.each([['/shop'], ['/console']])('%s: HTML, revalidated, with a CSP allowing only this service and its socket', async (path) => {
    const response = await fetch(`${server.url}${path}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('cache-control')).toBe('no-cache');
    const csp = directives(response.headers.get('content-security-policy'));
    const host = new URL(server.url).host;
    expect(csp).toMatchObject({
      'default-src': "'none'",
      'script-src': "'self'",
      'style-src': "'self'",
      'connect-src': `'self' ws://${host} wss://${host}`,
      'frame-src': "'none'",
      'frame-ancestors': "'none'",
    });
    const html = await response.text();
    const assets = [...html.matchAll(/(?:src|href)="(\/static\/[^"]+)"/g)].map((m) => m[1]!);
    expect(assets.length).toBeGreaterThan(0);
    const asset = await fetch(`${server.url}${assets[0]}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });

  it('a missing asset is a 404, not the page', async () => {
    expect((await fetch(`${server.url}/static/nope-123.js`)).status).toBe(404);
  });

  it('GET /graphql: GraphiQL for a browser, the API for everyone else', async () => {
    const page = await fetch(`${server.url}/graphql`, { headers: { accept: BROWSER_ACCEPT } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Loading GraphiQL');
    expect(directives(page.headers.get('content-security-policy'))['script-src']).toBe("'self'");

    const query = `${server.url}/graphql?query=${encodeURIComponent('{ __typename }')}`;
    const api = await fetch(query, { headers: { accept: 'application/json' } });
    expect(api.headers.get('content-type')).toMatch(/json/);
    // The API's own GraphQL answer (data, or its CSRF refusal of a GET without a preflight header).
    const body = (await api.json()) as Record<string, unknown>;
    expect('data' in body || 'errors' in body).toBe(true);
    // A browser GET carrying a query is left to the API too.
    expect(await (await fetch(query, { headers: { accept: BROWSER_ACCEPT } })).text()).not.toContain('Loading GraphiQL');
    expect(await (await fetch(`${server.url}/graphql`, { headers: { accept: '*/*' } })).text()).not.toContain('Loading GraphiQL');
  });
});

describe('sandbox storefront helpers', () => {
  it('settings name the sandbox checkout.js, which is served as JavaScript defining Razorpay, and the gateways on offer, the default first', async () => {
    const settings = (await (await fetch(`${server.url}/shop/settings.json`)).json()) as { checkoutScript: string };
    expect(settings).toEqual({ mode: 'sandbox', checkoutScript: '/sandbox/razorpay/checkout.js', demoSignIn: true, gateways: ['RAZORPAY', 'PHONEPE'] });
    const script = await fetch(`${server.url}${settings.checkoutScript}`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    expect(await script.text()).toContain('Razorpay');
  });

  it('demo sign-in gives a customer token for a valid id, and a 400 naming userId otherwise', async () => {
    const ok = await fetch(`${server.url}/shop/demo-session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId: 'demo-1' }) });
    expect(ok.status).toBe(200);
    const { token } = (await ok.json()) as { token: string };
    expect(await authenticate(`Bearer ${token}`, TEST_JWT_SECRET)).toEqual({ user: { id: 'demo-1', role: 'customer' } });

    for (const body of [{ userId: 'bad id with spaces' }, { userId: '' }, { userId: 'x', role: 'admin' }, {}]) {
      const refused = await fetch(`${server.url}/shop/demo-session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(refused.status).toBe(400);
      const { error } = (await refused.json()) as { error: { field: string; message: string } };
      expect(error.message).toMatch(/^(userId|body|role)?:? ?/);
      expect(error.field).toBe('role' in body ? 'body' : 'userId');
    }
  });
});

describe('pages switched off', () => {
  it('answers 404 for every page, and GET /graphql goes to the API', async () => {
    const off = await startTestServer({ env: { SHOP_ENABLED: 'false', CONSOLE_ENABLED: 'false', GRAPHIQL_ENABLED: 'false' } });
    try {
      for (const path of ['/shop', '/console', '/shop/settings.json']) expect((await fetch(`${off.url}${path}`)).status).toBe(404);
      const graphql = await fetch(`${off.url}/graphql`, { headers: { accept: BROWSER_ACCEPT } });
      expect(await graphql.text()).not.toContain('Loading GraphiQL');
    } finally {
      await off.close();
    }
  });
});
