import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';

// Found by the generated-queries property test (FC_SEED=715302041, over WebSocket): an admin's
// `unfreezeWallet(userId: "\ud800")` answered INTERNAL_SERVER_ERROR. A lone surrogate is not
// text PostgreSQL can hold; every id argument must be refused as bad input, on both transports.
const HOSTILE_IDS = ['\ud800', 'a\udc00b', '\u0000', 'x'.repeat(300)];

let server: TestServer;
let admin: string;

beforeAll(async () => {
  server = await startTestServer();
  admin = await server.token('hostile-admin', 'admin');
});

afterAll(async () => {
  await server?.close();
});

async function overHttp(query: string, variables: Record<string, unknown>): Promise<{ status: number; codes: string[] }> {
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
  return { status: response.status, codes: (body.errors ?? []).map((e) => String(e.extensions?.code)) };
}

async function overWebSocket(query: string, variables: Record<string, unknown>): Promise<string[]> {
  const client = server.ws(admin);
  try {
    return await new Promise<string[]>((resolve) => {
      const codes: string[] = [];
      client.subscribe({ query, variables }, {
        next: (value) => codes.push(...(value.errors ?? []).map((e) => String(e.extensions?.code))),
        error: (errors) => resolve([...codes, ...(Array.isArray(errors) ? errors.map((e: { extensions?: { code?: string } }) => String(e.extensions?.code)) : ['CLOSED'])]),
        complete: () => resolve(codes),
      });
    });
  } finally {
    await client.dispose();
  }
}

describe('ids that are not text PostgreSQL can hold', () => {
  for (const id of HOSTILE_IDS) {
    const label = JSON.stringify(id).slice(0, 24);
    it(`unfreezeWallet, freezeWallet and the transactions filter with ${label}: a client error, never INTERNAL_SERVER_ERROR`, async () => {
      for (const query of [
        'mutation($u: ID!) { unfreezeWallet(userId: $u) { balance } }',
        'mutation($u: ID!) { freezeWallet(input: { userId: $u, reason: "hostile id test" }) { balance } }',
        'query($u: ID) { transactions(filter: { userId: $u }) { totalCount } }',
      ]) {
        const http = await overHttp(query, { u: id });
        expect(http.codes.length, `${query} over HTTP`).toBeGreaterThan(0);
        expect(http.codes).not.toContain('INTERNAL_SERVER_ERROR');
        expect(http.status).toBeLessThan(500);
        const ws = await overWebSocket(query, { u: id });
        expect(ws.length, `${query} over WebSocket`).toBeGreaterThan(0);
        expect(ws).not.toContain('INTERNAL_SERVER_ERROR');
      }
    });
  }
});
