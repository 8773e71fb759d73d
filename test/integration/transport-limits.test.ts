import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Client } from 'graphql-ws';
import { eventually, startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let production: TestServer;
let alice: string;

beforeAll(async () => {
  server = await startTestServer({ env: { WS_AUTH_TIMEOUT_MS: '500', WS_MAX_OPERATIONS_PER_CONNECTION: '2', WS_MAX_CONNECTIONS_PER_USER: '2', WS_KEEP_ALIVE_MS: '300' } });
  // Production as deployed: live Razorpay keys (never called here), no introspection, /metrics closed.
  production = await startTestServer({
    env: {
      NODE_ENV: 'production',
      RAZORPAY_KEY_ID: 'rzp_live_notcalled0001',
      RAZORPAY_KEY_SECRET: 'not-called-in-this-test',
      RAZORPAY_WEBHOOK_SECRET: 'not-called-in-this-test',
      RAZORPAY_API_URL: 'http://127.0.0.1:9',
      RECONCILE_ENABLED: 'false',
      CORS_ORIGINS: 'https://shop.example.com',
    },
  });
  alice = await server.token('alice');
});

afterAll(async () => {
  await server?.close();
  await production?.close();
});

type Outcome = { results: { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] }[]; error: unknown };

/** Runs one operation on a graphql-ws client until it completes or fails. */
function run(client: Client, query: string, variables?: Record<string, unknown>): Promise<Outcome> {
  return new Promise((resolve) => {
    const results: Outcome['results'] = [];
    client.subscribe({ query, variables }, {
      next: (value) => void results.push(value as Outcome['results'][number]),
      error: (error) => resolve({ results, error }),
      complete: () => resolve({ results, error: null }),
    });
  });
}

/** The codes of an operation refused before it ran (an `error` message: a list of errors). */
function refusedCodes(outcome: Outcome): string[] {
  expect(outcome.results).toEqual([]);
  expect(Array.isArray(outcome.error)).toBe(true);
  return (outcome.error as { extensions?: { code?: string } }[]).map((e) => String(e.extensions?.code));
}

/** Keeps a client's connection open (lazy clients close when idle) until it is disposed. */
async function openConnection(client: Client): Promise<Client> {
  const connected = new Promise<void>((resolve) => {
    const off = client.on('connected', () => {
      off();
      resolve();
    });
  });
  client.subscribe({ query: 'subscription { myPaymentUpdates { id } }' }, { next: () => undefined, error: () => undefined, complete: () => undefined });
  await connected;
  return client;
}

/**
 * A raw graphql-transport-ws socket: what an attacker's script sees, byte for byte. `autoPong:
 * false`: a client that never answers the server's pings (a peer gone without closing).
 */
function rawSocket(target: TestServer, headers: Record<string, string> = {}, autoPong = true) {
  const socket = new WebSocket(`${target.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws', { headers, autoPong });
  let received = 0;
  let pings = 0;
  socket.on('ping', () => void (pings += 1));
  const messages: { type: string; payload?: unknown }[] = [];
  socket.on('message', (data: Buffer) => {
    received += data.length;
    messages.push(JSON.parse(data.toString()) as { type: string });
  });
  const opened = new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() }));
  });
  return { socket, opened, closed, messages, get received() { return received; }, get pings() { return pings; } };
}

const aliases = (n: number, field: string) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(' ')} }`;
const nested = (levels: number) => `{ __type(name: "Query") { ${'fields { type { '.repeat(levels)} name ${'} } '.repeat(levels)} } }`;

describe('WebSocket connections must authenticate', () => {
  it('a connection that never sends connection_init is closed (4408) after WS_AUTH_TIMEOUT_MS', async () => {
    const raw = rawSocket(server);
    await raw.opened;
    const started = Date.now();
    const close = await raw.closed;
    expect(close.code).toBe(4408);
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
  });

  it('without a token: closed 4403 at connection_init, and 1,000 aliases of __schema sent anyway run nothing', async () => {
    const raw = rawSocket(server);
    await raw.opened;
    raw.socket.send(JSON.stringify({ type: 'connection_init', payload: {} }));
    raw.socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: aliases(1_000, '__schema { types { name } }') } }));
    const close = await raw.closed;
    // 4403 when the refusal of connection_init comes first, 4401 when the subscribe message
    // arrives before it (graphql-ws refuses an operation on an unacknowledged connection).
    expect([4401, 4403]).toContain(close.code);
    expect(raw.messages.filter((m) => m.type === 'next')).toEqual([]);
    expect(raw.received).toBe(0);
  });

  it('at most WS_MAX_CONNECTIONS_PER_USER connections per user (4429 beyond); a closed one frees its place', async () => {
    const first = await openConnection(server.ws(alice));
    const second = await openConnection(server.ws(alice));
    const refused = await run(server.ws(alice), '{ __typename }');
    expect((refused.error as { code?: number }).code).toBe(4429);
    expect((await run(server.ws(await server.token('bob')), '{ __typename }')).error).toBeNull();
    await first.dispose();
    await eventually(async () => (await run(server.ws(alice), '{ __typename }')).error === null, 5_000, 'a place to free up');
    await second.dispose();
  });

  it('a connection that stops answering pings is terminated after WS_KEEP_ALIVE_MS, freeing its place; one that answers stays', async () => {
    const carol = await server.token('carol');
    const connect = async (autoPong: boolean) => {
      const raw = rawSocket(server, {}, autoPong);
      await raw.opened;
      raw.socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${carol}` } }));
      await eventually(() => raw.messages.some((m) => m.type === 'connection_ack'), 5_000, 'connection_ack');
      return raw;
    };
    const [silent, answering] = [await connect(false), await connect(true)];
    // Carol's two places are taken.
    expect((await run(server.ws(carol), '{ __typename }')).error).toMatchObject({ code: 4429 });
    // 1006: terminated without a closing handshake, after a ping it never answered.
    expect((await silent.closed).code).toBe(1006);
    expect(silent.pings).toBeGreaterThanOrEqual(1);
    await eventually(async () => (await run(server.ws(carol), '{ __typename }')).error === null, 5_000, 'the place of the silent connection to free up');
    await eventually(() => answering.pings >= 3, 5_000, 'three pings answered');
    expect(answering.socket.readyState).toBe(WebSocket.OPEN);
    answering.socket.close();
    await answering.closed;
  });
});

describe('the same document limits as HTTP, over WebSocket', () => {
  let client: Client;
  beforeAll(() => {
    client = server.ws(alice);
  });
  afterAll(async () => {
    await client.dispose();
  });

  it('2,500 aliases of wallet { balance } in one ~50 kB message → GRAPHQL_PARSE_FAILED (token limit), nothing runs', async () => {
    const query = aliases(2_500, 'wallet { balance }');
    expect(query.length).toBeGreaterThan(40_000);
    expect(refusedCodes(await run(client, query))).toEqual(['GRAPHQL_PARSE_FAILED']);
  });

  it('16 aliases → GRAPHQL_VALIDATION_FAILED naming the alias limit', async () => {
    const outcome = await run(client, aliases(16, 'wallet { balance }'));
    expect(refusedCodes(outcome)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect((outcome.error as { message: string }[])[0]!.message).toMatch(/Aliases limit of 15 exceeded/);
  });

  it('34 levels deep → GRAPHQL_VALIDATION_FAILED naming the depth limit', async () => {
    const outcome = await run(client, nested(16));
    expect(refusedCodes(outcome)).toContain('GRAPHQL_VALIDATION_FAILED');
    expect((outcome.error as { message: string }[]).map((e) => e.message)).toContainEqual(expect.stringMatching(/depth limit of 10 exceeded, found 34/));
  });

  it('over the cost limit → GRAPHQL_VALIDATION_FAILED naming the cost', async () => {
    const outcome = await run(client, aliases(5, 'payments(first: 100) { edges { node { id } } }'));
    expect((outcome.error as { message: string }[]).map((e) => e.message)).toContainEqual(expect.stringMatching(/Cost limit of 5000 exceeded/));
  });

  it('a syntax error → GRAPHQL_PARSE_FAILED and the socket stays open', async () => {
    expect(refusedCodes(await run(client, '{'))).toEqual(['GRAPHQL_PARSE_FAILED']);
    expect(refusedCodes(await run(client, '{ wallet { nosuchfield } }'))).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect((await run(client, '{ wallet { balance } }')).results).toEqual([{ data: { wallet: { balance: 0 } } }]);
  });

  it('a message that is not the protocol (a query that is not a string) → closed 4400, no internals in the reason', async () => {
    const raw = rawSocket(server);
    await raw.opened;
    raw.socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${alice}` } }));
    await eventually(() => raw.messages.some((m) => m.type === 'connection_ack'), 5_000, 'connection_ack');
    raw.socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: 42, variables: [1] } }));
    const close = await raw.closed;
    expect(close.code).toBe(4400);
    expect(close.reason).not.toMatch(/ at |node_modules|\.js/);
  });

  it('at most WS_MAX_OPERATIONS_PER_CONNECTION operations at once on one connection', async () => {
    const busy = server.ws(await server.token('bob'));
    const feeds = [1, 2].map(() => busy.subscribe({ query: 'subscription { myPaymentUpdates { id } }' }, { next: () => undefined, error: () => undefined, complete: () => undefined }));
    const third = await run(busy, '{ __typename }');
    expect(refusedCodes(third)).toEqual(['RATE_LIMITED']);
    for (const stop of feeds) stop();
    await eventually(async () => (await run(busy, '{ __typename }')).error === null, 5_000, 'the running operations to end');
    await busy.dispose();
  });
});

describe('production: introspection refused on every transport, /metrics closed without a token', () => {
  it('introspection over HTTP and over WebSocket → GRAPHQL_VALIDATION_FAILED', async () => {
    const token = await production.token('alice');
    const http = await fetch(`${production.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ __schema { queryType { name } } }' }),
    });
    expect(http.status).toBe(400);
    expect(((await http.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const client = production.ws(token);
    expect(new Set(refusedCodes(await run(client, '{ __schema { queryType { name } } }')))).toEqual(new Set(['GRAPHQL_VALIDATION_FAILED']));
    expect((await run(client, '{ __typename }')).results).toEqual([{ data: { __typename: 'Query' } }]);
    await client.dispose();
  });

  it('/metrics answers 404 JSON when METRICS_TOKEN is not set', async () => {
    const response = await fetch(`${production.url}/metrics`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('a development-only origin is not allowed', async () => {
    const response = await fetch(`${production.url}/graphql`, { method: 'OPTIONS', headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'POST' } });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('one operation budget per IP for HTTP and WebSocket together', () => {
  let limited: TestServer;
  beforeAll(async () => {
    limited = await startTestServer({ env: { RATE_LIMIT_PER_MINUTE: '6' } });
  });
  afterAll(async () => {
    await limited?.close();
  });

  it('HTTP and WebSocket draw on the same budget; over it: RATE_LIMITED (429 with Retry-After over HTTP)', async () => {
    const token = await limited.token('carol');
    const post = () => fetch(`${limited.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    for (let i = 0; i < 3; i += 1) expect((await post()).status).toBe(200);
    const client = limited.ws(token);
    for (let i = 0; i < 3; i += 1) expect((await run(client, '{ __typename }')).error).toBeNull();
    expect(refusedCodes(await run(client, '{ __typename }'))).toEqual(['RATE_LIMITED']);
    const over = await post();
    expect(over.status).toBe(429);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await over.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('RATE_LIMITED');
    await client.dispose();
  });

  it('a user spreading requests over many IPs still runs out of their own budget', async () => {
    const token = await limited.token('dave');
    // Behind a trusted (loopback) proxy, the client's address comes from X-Forwarded-For.
    const post = (ip: string) => fetch(`${limited.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-forwarded-for': ip },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    for (let i = 1; i <= 6; i += 1) expect((await post(`203.0.113.${i}`)).status).toBe(200);
    const over = await post('203.0.113.7');
    expect(over.status).toBe(429);
    const body = (await over.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0]!.extensions.code).toBe('RATE_LIMITED');
    expect(body.errors[0]!.message).toMatch(/^Too many requests: at most 6 operations a minute/);
    expect((await post('203.0.113.8')).status).toBe(429);
  });

  it('a WebSocket behind the proxy counts against the same forwarded IP as HTTP', async () => {
    const ip = '198.51.100.9';
    for (let i = 0; i < 5; i += 1) {
      const response = await fetch(`${limited.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      expect(response.status).toBe(200);
    }
    const raw = rawSocket(limited, { 'x-forwarded-for': ip });
    await raw.opened;
    raw.socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${await limited.token('erin')}` } }));
    await eventually(() => raw.messages.some((m) => m.type === 'connection_ack'), 5_000, 'connection_ack');
    for (const id of ['1', '2']) raw.socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query: '{ __typename }' } }));
    await eventually(() => raw.messages.filter((m) => m.type === 'next' || m.type === 'error').length === 2, 5_000, 'two answers');
    expect(raw.messages.filter((m) => m.type === 'next')).toHaveLength(1);
    const refused = raw.messages.find((m) => m.type === 'error') as { payload: { extensions: { code: string } }[] };
    expect(refused.payload[0]!.extensions.code).toBe('RATE_LIMITED');
    raw.socket.close();
  });
});
