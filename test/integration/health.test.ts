import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MikroORM } from '@mikro-orm/postgresql';
import { startApp, type RunningApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { ensureDatabase, openDatabase } from '../../src/db/database.js';
import { freePort, startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../../src/db/embedded-postgres.js';
import { createLogger } from '../../src/logger.js';
import { eventually } from '../helpers/server.js';

// This file runs its own PostgreSQL, because it stops and restarts it.
let dir: string;
let port: number;
let pg: EmbeddedPostgresHandle;
let orm: MikroORM;
let app: RunningApp;

const start = () => startEmbeddedPostgres({ dataDir: path.join(dir, 'data'), port });
const get = async (route: string) => {
  const response = await fetch(`${app.url}${route}`);
  return { status: response.status, text: await response.text() };
};

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'payments-health-'));
  port = await freePort();
  pg = await start();
  await ensureDatabase(pg.url('postgres'), 'payments');
  orm = await openDatabase(pg.url('payments'), { poolMax: 4 });
  const config = loadConfig({ NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', DATABASE_URL: pg.url('payments'), LOG_LEVEL: 'silent', JWT_SECRET: 'x'.repeat(40), WEBHOOK_PROCESSING_THREAD: 'false' });
  app = await startApp(config, { orm, logger: createLogger('silent') });
}, 120_000);

afterAll(async () => {
  await app?.close();
  await orm?.close();
  await pg?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('health and metrics', () => {
  it('/readyz fails while the database is stopped and recovers when it returns; /healthz stays up', async () => {
    expect(await get('/readyz')).toEqual({ status: 200, text: JSON.stringify({ status: 'ready' }) });
    await pg.stop();
    const down = await eventually(async () => {
      const response = await get('/readyz');
      return response.status === 503 ? response : null;
    }, 10_000, '/readyz to fail');
    expect(JSON.parse(down.text)).toMatchObject({ status: 'not ready', reason: expect.any(String) });
    expect((await get('/healthz')).status).toBe(200);
    pg = await start();
    await eventually(async () => (await get('/readyz')).status === 200, 20_000, '/readyz to recover');
  }, 60_000);

  it('/metrics serves Prometheus text: requests by route, GraphQL errors by code, the webhook backlog', async () => {
    await fetch(`${app.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ payments { totalCount } }' }) });
    const { status, text } = await get('/metrics');
    expect(status).toBe(200);
    expect(text).toMatch(/http_requests_total\{route="\/graphql",method="POST",status="200"\} 1/);
    expect(text).toMatch(/graphql_errors_total\{code="UNAUTHENTICATED"\} 1/);
    expect(text).toMatch(/webhook_backlog 0/);
  });
});
