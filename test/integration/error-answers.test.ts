import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateOrderDocument, FreezeWalletDocument, ProcessCartDocument } from '../graphql/generated.js';
import { GATEWAY_DRIVERS } from '../helpers/gateway-drivers.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let alice: string;

beforeAll(async () => {
  server = await startTestServer({ env: { METRICS_TOKEN: 'metrics-token-0123456789', CORS_ORIGINS: 'https://shop.example.com' } });
  alice = await server.token('alice');
});

afterAll(async () => {
  await server?.close();
});

interface Answer {
  status: number;
  contentType: string;
  text: string;
  json: { errors?: { message: string; extensions?: { code?: string } }[]; error?: string; code?: string };
}

async function send(path: string, init: RequestInit): Promise<Answer> {
  const response = await fetch(`${server.url}${path}`, init);
  const text = await response.text();
  let json: Answer['json'] = {};
  try {
    json = JSON.parse(text) as Answer['json'];
  } catch {
    // Left empty: the assertions on content type and JSON shape will say what came back.
  }
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', text, json };
}

const postGraphQL = (body: string | Uint8Array, headers: Record<string, string> = {}) =>
  send('/graphql', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

/** Nothing a client should never see: a stack frame, a file path, a library's HTML page, SQL. */
function expectNothingInternal(answer: Answer) {
  expect(answer.contentType).toMatch(/json/);
  expect(answer.text).not.toMatch(/\bat [\w.<>]+ \(|node_modules|\/src\/|\.ts:\d|<!DOCTYPE|<html|<pre>|select |insert into/i);
}

/** A GraphQL client's view: JSON with errors[].extensions.code. */
function expectGraphQLError(answer: Answer, status: number, code: string) {
  expectNothingInternal(answer);
  expect({ status: answer.status, code: answer.json.errors?.[0]?.extensions?.code }).toEqual({ status, code });
}

describe('every error answer on /graphql is GraphQL-shaped JSON with a 4xx for client mistakes', () => {
  it('a malformed JSON body → 400 BAD_REQUEST', async () => {
    expectGraphQLError(await postGraphQL('{"query": "{ wallet { balance } }"'), 400, 'BAD_REQUEST');
  });

  it('a 10 MB body → 413 PAYLOAD_TOO_LARGE', async () => {
    const answer = await postGraphQL(JSON.stringify({ query: `{ __typename }`, variables: { pad: 'x'.repeat(10 * 1024 * 1024) } }));
    expectGraphQLError(answer, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('an unsupported charset → 415 UNSUPPORTED_MEDIA_TYPE, the charset not echoed', async () => {
    const answer = await postGraphQL('{"query":"{ __typename }"}', { 'content-type': 'application/json; charset=x-evil-charset' });
    expectGraphQLError(answer, 415, 'UNSUPPORTED_MEDIA_TYPE');
    expect(answer.text).not.toMatch(/evil/i);
  });

  it('a body that is not the gzip it claims → 400; an unknown Content-Encoding → 415', async () => {
    expectGraphQLError(await postGraphQL('this is not gzip', { 'content-encoding': 'gzip' }), 400, 'BAD_REQUEST');
    expectGraphQLError(await postGraphQL('{}', { 'content-encoding': 'x-evil' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    // A real gzip body is read.
    const gzipped = await postGraphQL(gzipSync(JSON.stringify({ query: '{ __typename }' })), { 'content-encoding': 'gzip' });
    expect(gzipped.json).toEqual({ data: { __typename: 'Query' } });
  });

  it('a syntax error → 400 GRAPHQL_PARSE_FAILED (not 500); legacy application/json clients get it with 200', async () => {
    expectGraphQLError(await postGraphQL('{"query":"{"}'), 400, 'GRAPHQL_PARSE_FAILED');
    expectGraphQLError(await postGraphQL('{"query":"{"}', { accept: 'application/graphql-response+json' }), 400, 'GRAPHQL_PARSE_FAILED');
    expectGraphQLError(await postGraphQL('{"query":"{"}', { accept: 'application/json' }), 200, 'GRAPHQL_PARSE_FAILED');
  });

  it('over the token limit → 400 GRAPHQL_PARSE_FAILED saying so', async () => {
    const query = `{ ${Array.from({ length: 1_100 }, (_, i) => `a${i}: __typename`).join(' ')} }`;
    const answer = await postGraphQL(JSON.stringify({ query }));
    expectGraphQLError(answer, 400, 'GRAPHQL_PARSE_FAILED');
    expect(answer.json.errors![0]!.message).toMatch(/more th.t 2000 tokens/);
  });

  it('over the depth and alias limits → 400 GRAPHQL_VALIDATION_FAILED', async () => {
    const nested = (levels: number) => `{ __type(name: "Query") { ${'fields { type { '.repeat(levels)} name ${'} } '.repeat(levels)} } }`;
    expect((await postGraphQL(JSON.stringify({ query: nested(2) }))).json.errors).toBeUndefined();
    const depth = await postGraphQL(JSON.stringify({ query: nested(16) }));
    expectGraphQLError(depth, 400, 'GRAPHQL_VALIDATION_FAILED');
    expect(depth.json.errors!.map((e) => e.message)).toContainEqual(expect.stringMatching(/depth limit of 10 exceeded, found 34/));
    const aliases = `{ ${Array.from({ length: 16 }, (_, i) => `w${i}: wallet { balance }`).join(' ')} }`;
    const alias = await postGraphQL(JSON.stringify({ query: aliases }), { authorization: `Bearer ${alice}` });
    expectGraphQLError(alias, 400, 'GRAPHQL_VALIDATION_FAILED');
    expect(alias.json.errors![0]!.message).toMatch(/Aliases limit of 15 exceeded/);
  });

  it('GET /graphql without a query → a JSON 4xx for API clients; browsers get no third-party script', async () => {
    const answer = await send('/graphql', { headers: { accept: 'application/json' } });
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expect(answer.text).not.toMatch(/<script|cdn\.|apollographql\.com/i);
    // In development a browser gets the offline GraphiQL (src/web): every script its own.
    const page = await send('/graphql', { headers: { accept: 'text/html' } });
    expect(page.text).not.toMatch(/cdn\.|apollographql\.com|<script[^>]+src="(https?:)?\/\//i);
  });

  it('an unknown route → 404 JSON', async () => {
    const answer = await send('/no/such/route', {});
    expectNothingInternal(answer);
    expect({ status: answer.status, code: answer.json.code }).toEqual({ status: 404, code: 'NOT_FOUND' });
  });
});

describe('other routes answer errors with a small JSON body', () => {
  it('a 600 kB webhook → 413 JSON', async () => {
    const answer = await send('/webhooks/razorpay', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-razorpay-signature': 'f'.repeat(64) },
      body: JSON.stringify({ entity: 'event', event: 'payment.captured', payload: { pad: 'x'.repeat(600 * 1024) } }),
    });
    expectNothingInternal(answer);
    expect({ status: answer.status, code: answer.json.code }).toEqual({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
  });
});

describe('no echoed input, authorisation before validation', () => {
  it.each([
    ["SQL in an id", "'; drop table payment;--"],
    ['markup in an id', '<script>alert(1)</script>'],
  ])('%s → NOT_FOUND without the id in the answer', async (_name, id) => {
    const answer = await postGraphQL(JSON.stringify({ query: 'query ($id: ID!) { payment(id: $id) { id } }', variables: { id } }), { authorization: `Bearer ${alice}` });
    expect(answer.status).toBe(200);
    expect(answer.json.errors![0]!.extensions!.code).toBe('NOT_FOUND');
    expect(answer.text).not.toMatch(/drop table|\\u0000|<script/i);
    expect(answer.json.errors![0]!.message).toBe('Payment was not found (that is not an id this service issues)');
  });

  it('a NUL character anywhere (PostgreSQL cannot store it) → 400 BAD_USER_INPUT naming where, over HTTP and WebSocket', async () => {
    const admin = await server.token('ops', 'admin');
    const viaVariable = await postGraphQL(JSON.stringify({ query: 'mutation ($id: ID!) { unfreezeWallet(userId: $id) { id } }', variables: { id: 'pay\u0000ment' } }), { authorization: `Bearer ${admin}` });
    expectGraphQLError(viaVariable, 400, 'BAD_USER_INPUT');
    expect(viaVariable.json.errors![0]!.message).toBe('id: must not contain the NUL character (\\u0000)');
    const viaLiteral = await postGraphQL(JSON.stringify({ query: '{ payment(id: "a\\u0000b") { id } }' }), { authorization: `Bearer ${alice}` });
    expectGraphQLError(viaLiteral, 400, 'GRAPHQL_VALIDATION_FAILED');
    expect(viaLiteral.json.errors![0]!.message).toMatch(/NUL character/);
    const client = server.ws(admin);
    const overWs = await new Promise<unknown>((resolve) => {
      client.subscribe({ query: 'mutation ($id: ID!) { unfreezeWallet(userId: $id) { id } }', variables: { id: 'x\u0000' } }, { next: resolve, error: resolve, complete: () => undefined });
    });
    expect(overWs).toEqual([{ message: 'id: must not contain the NUL character (\\u0000)', extensions: { code: 'BAD_USER_INPUT', field: 'id' } }]);
    await client.dispose();
  });

  it('a well-formed id is still named in NOT_FOUND', async () => {
    const id = '00000000-0000-4000-8000-000000000000';
    const answer = await postGraphQL(JSON.stringify({ query: `{ payment(id: "${id}") { id } }` }), { authorization: `Bearer ${alice}` });
    expect(answer.json.errors![0]!.message).toBe(`Payment ${id} was not found`);
  });

  it('a customer calling freezeWallet with bad input → FORBIDDEN, not the input rules', async () => {
    const bad = { userId: '', reason: '' };
    const asCustomer = await server.gql(FreezeWalletDocument, { input: bad }, alice);
    expect(asCustomer.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    const anonymous = await server.gql(FreezeWalletDocument, { input: bad }, null);
    expect(anonymous.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    // An admin does learn the rules.
    const asAdmin = await server.gql(FreezeWalletDocument, { input: bad }, await server.token('ops', 'admin'));
    expect(asAdmin.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('headers: helmet, CORS from the allow-list, /metrics behind its token', () => {
  it('sets the security headers on every answer', async () => {
    for (const path of ['/healthz', '/graphql?query=%7B__typename%7D', '/no/such/route']) {
      const response = await fetch(`${server.url}${path}`, { headers: { 'apollo-require-preflight': 'true' } });
      expect(response.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
      expect(response.headers.get('x-powered-by')).toBeNull();
    }
  });

  it('allows only the listed origins', async () => {
    const preflight = (origin: string) => fetch(`${server.url}/graphql`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' },
    });
    expect((await preflight('https://shop.example.com')).headers.get('access-control-allow-origin')).toBe('https://shop.example.com');
    expect((await preflight('https://evil.example.net')).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('/metrics needs the bearer token', async () => {
    const without = await send('/metrics', {});
    expect({ status: without.status, code: without.json.code }).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
    expect((await send('/metrics', { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
    const ok = await send('/metrics', { headers: { authorization: 'Bearer metrics-token-0123456789' } });
    expect(ok.status).toBe(200);
    expect(ok.text).toMatch(/http_requests_total/);
  });
});

describe('choosing a gateway: bad input named', () => {
  it('an unknown gateway value on createOrder, addWalletBalance and processCart → 400 BAD_USER_INPUT naming gateway', async () => {
    for (const [mutation, input] of [
      ['createOrder', '{ amount: 10000, gateway: $gateway }'],
      ['addWalletBalance', '{ amount: 10000, gateway: $gateway }'],
      ['processCart', '{ cartId: "00000000-0000-4000-8000-000000000000", method: GATEWAY, gateway: $gateway }'],
    ] as const) {
      const query = `mutation ($gateway: PaymentGateway) { ${mutation}(input: ${input}) { __typename } }`;
      const answer = await postGraphQL(JSON.stringify({ query, variables: { gateway: 'PAYPAL' } }), { authorization: `Bearer ${alice}` });
      expectGraphQLError(answer, 400, 'BAD_USER_INPUT');
      // Named and why; the value itself is not echoed (see "no echoed input" above).
      expect(answer.json.errors![0]!.message, mutation).toMatch(/at "gateway": not a value of the "PaymentGateway" enum/);
    }
  });
});

describe.each(GATEWAY_DRIVERS)('$gateway: a currency that is not one of ours → BAD_USER_INPUT naming input.currency', ({ gateway }) => {
  it('createOrder', async () => {
    const order = await server.gql(CreateOrderDocument, { input: { amount: 10_000, currency: 'XYZ', gateway } }, alice);
    expect(order.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'input.currency' } });
    expect(order.errors?.[0]?.message).toMatch(/^input\.currency: must be one of INR, /);
  });
});

// PhonePe only: it has no currency field and takes INR alone; Razorpay takes the others listed.
describe('PhonePe: any currency but INR refused before anything is sent', () => {
  it('createOrder in USD → BAD_USER_INPUT on input.currency saying PhonePe takes INR only; no payment, no PhonePe order', async () => {
    const sandboxOrders = async () => Number((await server.db.orm.em.fork().getConnection().execute<{ n: string }[]>('select count(*)::text as n from sandbox_phonepe.orders'))[0]!.n);
    const ordersBefore = await sandboxOrders();
    const answer = await server.gql(CreateOrderDocument, { input: { amount: 10_000, currency: 'USD', gateway: 'PHONEPE' } }, alice);
    expect(answer.data?.createOrder ?? null).toBeNull();
    expect(answer.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'input.currency' } });
    expect(answer.errors?.[0]?.message).toMatch(/currency.*PhonePe takes INR only/);
    expect(await sandboxOrders()).toBe(ordersBefore);
    const cart = await server.gql(ProcessCartDocument, { input: { cartId: '00000000-0000-4000-8000-000000000000', method: 'GATEWAY', gateway: 'PHONEPE' } }, alice);
    expect(cart.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});
