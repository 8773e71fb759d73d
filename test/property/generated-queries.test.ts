import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { buildSchema } from 'graphql';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { ECHO_MARKER, generatedRequests, type GeneratedRequest } from './schema-documents.js';

// Thousands of documents in well under a minute: sent 8 at a time, without shrinking; a failure
// prints the seed (FC_SEED=<seed> reproduces the same documents) and the offending request.
const SEED = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
const HTTP_DOCUMENTS = Number(process.env.FC_HTTP_RUNS ?? 700);
const WS_DOCUMENTS = Number(process.env.FC_WS_RUNS ?? 1_300);
const CONCURRENCY = 8;

const schema = buildSchema(readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8'));
let server: TestServer;
let tokens: (string | null)[];

beforeAll(async () => {
  server = await startTestServer();
  tokens = [null, await server.token('fuzz-customer'), await server.token('fuzz-admin', 'admin'), await server.token('fuzz-service', 'service')];
});

afterAll(async () => {
  await server?.close();
});

interface ErrorLike {
  message?: unknown;
  extensions?: { code?: unknown; stacktrace?: unknown };
}

/** What must hold for every answer, whatever was sent: the reasons it does not, or none. */
function problemsWith(text: string, errors: ErrorLike[] | undefined): string[] {
  const problems: string[] = [];
  if (/\n\s+at |node_modules|\/src\/[\w/-]+\.[tj]s|<html/i.test(text)) problems.push('a stack trace, a file path or an HTML page');
  for (const error of errors ?? []) {
    const code = error.extensions?.code;
    if (typeof code !== 'string') problems.push(`an error without extensions.code: ${String(error.message)}`);
    if (code === 'INTERNAL_SERVER_ERROR') problems.push('INTERNAL_SERVER_ERROR: an unexpected failure');
    if (error.extensions?.stacktrace) problems.push('a stacktrace extension');
    if (String(error.message).includes(ECHO_MARKER)) problems.push(`the input echoed in an error: ${String(error.message).slice(0, 120)}`);
  }
  return problems;
}

async function inPool<T>(items: T[], work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < items.length) {
      const index = next++;
      await work(items[index]!, index);
    }
  }));
}

function describeFailure(transport: string, request: GeneratedRequest, detail: string, problems: string[]): string {
  return `${transport} (FC_SEED=${SEED}): ${problems.join('; ')}\nquery: ${request.query.slice(0, 800)}\nvariables: ${JSON.stringify(request.variables).slice(0, 400)}\nanswer: ${detail.slice(0, 600)}`;
}

describe('documents generated from the schema, hostile values included', () => {
  it(`over HTTP: no 5xx, no stack trace, every error with a code, no input echoed in errors (${HTTP_DOCUMENTS} documents)`, async () => {
    const requests = fc.sample(generatedRequests(schema), { numRuns: HTTP_DOCUMENTS, seed: SEED });
    const failures: string[] = [];
    let executed = 0;
    await inPool(requests, async (request, i) => {
      const token = tokens[i % tokens.length];
      const response = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(request),
      });
      const text = await response.text();
      let body: { data?: unknown; errors?: ErrorLike[] } = {};
      const problems: string[] = [];
      try {
        body = JSON.parse(text) as typeof body;
      } catch {
        problems.push('an answer that is not JSON');
      }
      if (response.status >= 500) problems.push(`HTTP ${response.status}`);
      if (body.data !== undefined) executed += 1;
      problems.push(...problemsWith(text, body.errors));
      if (problems.length) failures.push(describeFailure('HTTP', request, `${response.status} ${text}`, problems));
    });
    expect(failures.slice(0, 5)).toEqual([]);
    // The documents must reach the resolvers, not only the validator, to test anything there.
    expect(executed, `documents that reached execution, of ${requests.length}`).toBeGreaterThan(requests.length * 0.1);
  }, 120_000);

  it(`over WebSocket: the same (${WS_DOCUMENTS} documents), and the connection is never closed by a server error`, async () => {
    const requests = fc.sample(generatedRequests(schema), { numRuns: WS_DOCUMENTS, seed: SEED + 1 });
    const clients: Client[] = tokens.filter((t): t is string => t !== null).map((t) => server.ws(t));
    const failures: string[] = [];
    await inPool(requests, async (request, i) => {
      const client = clients[i % clients.length]!;
      const outcome = await new Promise<{ results: { errors?: ErrorLike[] }[]; error: unknown }>((resolve) => {
        const results: { errors?: ErrorLike[] }[] = [];
        client.subscribe(request, {
          next: (value) => void results.push(value as { errors?: ErrorLike[] }),
          error: (error) => resolve({ results, error }),
          complete: () => resolve({ results, error: null }),
        });
      });
      const text = JSON.stringify(outcome.results) + JSON.stringify(Array.isArray(outcome.error) ? outcome.error : {});
      const problems = [
        ...outcome.results.flatMap((r) => problemsWith(text, r.errors)),
        ...(Array.isArray(outcome.error) ? problemsWith(text, outcome.error as ErrorLike[]) : []),
      ];
      if (outcome.error && !Array.isArray(outcome.error)) {
        const close = outcome.error as { code?: number; reason?: string };
        problems.push(`the connection closed: ${String(close.code)} ${String(close.reason)}`);
      }
      if (problems.length) failures.push(describeFailure('WebSocket', request, text, problems));
    });
    await Promise.all(clients.map((c) => c.dispose()));
    expect(failures.slice(0, 5)).toEqual([]);
  }, 120_000);
});
