import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditServer } from 'graphql-http';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server?.close();
});

/**
 * GETs without a preflight-forcing header (a JSON content type, `apollo-require-preflight` or
 * `x-apollo-operation-name`) are refused by Apollo's CSRF prevention: a browser could send them
 * from any site with the user's cookies. The audit's three optional (MAY) GET checks send none,
 * so they stay notices — explained in the README.
 */
const CSRF_NOTICES = [
  'MAY accept application/x-www-form-urlencoded formatted GET requests',
  'MAY allow URL-encoded JSON string {variables} parameter in GETs when accepting application/graphql-response+json',
  'MAY allow URL-encoded JSON string {variables} parameter in GETs when accepting application/json',
];

describe('GraphQL over HTTP conformance (graphql-http audit)', () => {
  it('passes every audit: no error, no warning; the only notices are the CSRF-refused GETs', async () => {
    const results = await auditServer({ url: `${server.url}/graphql` });
    const notOk = await Promise.all(results.filter((r) => r.status !== 'ok').map(async (r) => ({
      status: r.status,
      name: r.name,
      reason: 'reason' in r ? r.reason : '',
      body: 'response' in r ? (await r.response.text()).slice(0, 300) : '',
    })));
    const csrf = notOk.filter((r) => r.status === 'notice' && CSRF_NOTICES.includes(r.name) && /Cross-Site Request Forgery/.test(r.body));
    expect(notOk.filter((r) => !csrf.includes(r))).toEqual([]);
    expect(csrf.map((r) => r.name).sort()).toEqual([...CSRF_NOTICES].sort());
    expect(results.length).toBeGreaterThan(50);
  });
});
