import 'reflect-metadata';
import { createHmac, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { MikroORM } from '@mikro-orm/postgresql';
import { startApp } from '../src/app.js';
import { loadConfig, SANDBOX_WEBHOOK_SECRET } from '../src/config.js';
import { ormConfig } from '../src/db/mikro-orm.config.js';
import { adminQuery, databaseUrl, openScratchServer } from '../src/db/scratch.js';
import { createLogger } from '../src/logger.js';

/**
 * `npm run bench:webhook-ingest`: how fast `POST /webhooks/razorpay` answers (Razorpay gives
 * up after 5 s) when 2,000 signed deliveries arrive 25 at a time — a quarter of them
 * duplicates — and how long until every stored event is processed.
 */
const DELIVERIES = 2_000;
const CONCURRENCY = 25;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function main(): Promise<void> {
  const server = await openScratchServer(process.env.DATABASE_ADMIN_URL);
  const name = `payments_ingest_${randomBytes(4).toString('hex')}`;
  await adminQuery(server.adminUrl, `create database "${name}"`);
  const url = databaseUrl(server.adminUrl, name);
  const orm = await MikroORM.init(ormConfig({ clientUrl: url, poolMax: 20 }));
  await orm.getMigrator().up();
  const config = loadConfig({ NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', DATABASE_URL: url, LOG_LEVEL: 'silent', JWT_SECRET: 'bench-secret-bench-secret-bench-secret-42', WEBHOOK_WORKER_INTERVAL_MS: '100' });
  const app = await startApp(config, { orm, logger: createLogger('silent') });

  const bodies = Array.from({ length: DELIVERIES }, (_, i) => {
    const n = i % 4 === 3 ? i - 1 : i; // every fourth delivery repeats the previous event
    const body = JSON.stringify({
      entity: 'event', account_id: 'acc_BENCH', event: 'payment.captured', contains: ['payment'], created_at: 1_800_000_000,
      payload: { payment: { entity: { id: `pay_${String(n).padStart(14, '0')}`, entity: 'payment', amount: 10_000, currency: 'INR', status: 'captured', order_id: `order_${String(n).padStart(14, '0')}`, method: 'upi', captured: true, amount_refunded: 0, refund_status: null, vpa: 'x@ybl', card: null, bank: null, wallet: null, fee: 236, tax: 36, error_code: null, error_description: null, error_reason: null, error_source: null, error_step: null, created_at: 1_800_000_000, notes: [] } } },
    });
    return { body, eventId: `evt_bench_${n}`, signature: createHmac('sha256', SANDBOX_WEBHOOK_SECRET).update(body).digest('hex') };
  });

  const times: number[] = [];
  const statuses = new Map<number, number>();
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < bodies.length) {
      const delivery = bodies[next++]!;
      const t = performance.now();
      const response = await fetch(`${app.url}/webhooks/razorpay`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-razorpay-signature': delivery.signature, 'x-razorpay-event-id': delivery.eventId },
        body: delivery.body,
      });
      await response.text();
      times.push(performance.now() - t);
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    }
  }));
  const answered = (performance.now() - started) / 1000;
  for (;;) {
    const [row] = await orm.em.fork().getConnection().execute(`select count(*)::int as n from webhook_event where status in ('PENDING', 'FAILED')`);
    if (row.n === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const drained = (performance.now() - started) / 1000;
  const [stored] = await orm.em.fork().getConnection().execute(`select count(*)::int as n, count(*) filter (where status = 'IGNORED')::int as ignored, string_agg(distinct status, ',') as statuses from webhook_event`);
  times.sort((a, b) => a - b);
  console.log(`${DELIVERIES} deliveries, ${CONCURRENCY} at a time: answered in ${answered.toFixed(1)} s (${(DELIVERIES / answered).toFixed(0)}/s); ` +
    `response p50 ${percentile(times, 50).toFixed(1)} ms, p95 ${percentile(times, 95).toFixed(1)} ms, p99 ${percentile(times, 99).toFixed(1)} ms, max ${times.at(-1)!.toFixed(1)} ms; ` +
    `HTTP ${JSON.stringify(Object.fromEntries(statuses))}; ${stored.n} events stored once each (statuses: ${stored.statuses}; ${stored.ignored} ignored, as their orders are unknown here); all processed after ${drained.toFixed(1)} s`);
  await app.close();
  await orm.close();
  await adminQuery(server.adminUrl, `drop database if exists "${name}" with (force)`);
  await server.stop();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
