import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { MikroORM } from '@mikro-orm/postgresql';
import { startApp } from '../src/app.js';
import { signToken } from '../src/auth/auth.js';
import { loadConfig } from '../src/config.js';
import { ormConfig } from '../src/db/mikro-orm.config.js';
import { adminQuery, databaseUrl, openScratchServer } from '../src/db/scratch.js';
import { createLogger } from '../src/logger.js';
import { splitFee } from '../src/money/money.js';
import { Payment, PaymentPurpose } from '../src/payments/payment.entity.js';
import { PaymentStatus } from '../src/payments/payment.state.js';
import { Transaction, TransactionStatus, TransactionType } from '../src/transactions/transaction.entity.js';

/**
 * `npm run bench:payments-page`: SQL statements and latency of one `payments(first: 50)` page
 * with each payment's transactions (and each transaction's payment), over HTTP, on a scratch
 * database holding 5,000 payments of one customer among 20,000.
 */
const QUERY = `query Page($first: Int) { payments(first: $first) { totalCount edges { node { id status amount platformFee
  transactions { id type status amount payment { id status } } } } } }`;
const ROUNDS = 200;

async function seed(orm: MikroORM): Promise<void> {
  const users = ['bench-user', ...Array.from({ length: 3 }, (_, i) => `other-${i}`)];
  for (let batch = 0; batch < 20; batch += 1) {
    const em = orm.em.fork();
    for (let i = 0; i < 1000; i += 1) {
      const n = batch * 1000 + i;
      const amount = 10_000 + n;
      const split = splitFee(amount, 1500);
      const createdAt = new Date(Date.UTC(2026, 0, 1) + n * 60_000);
      const payerId = n % 4 === 0 ? users[0]! : users[1 + (n % 3)]!;
      const payment = Object.assign(new Payment(), {
        purpose: PaymentPurpose.ORDER, status: PaymentStatus.CAPTURED, amount, currency: 'INR', feeBps: 1500,
        platformFee: split.platformFee, payeeAmount: split.payeeAmount, payerId,
        razorpayOrderId: `order_${n.toString(36).padStart(14, '0')}`, createdAt, updatedAt: createdAt, paidAt: createdAt,
      });
      em.persist(payment);
      em.persist(Object.assign(new Transaction(), {
        type: TransactionType.CHARGE, status: TransactionStatus.COMPLETED, amount, currency: 'INR', userId: payerId, payment, createdAt, completedAt: createdAt,
      }));
    }
    await em.flush();
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function main(): Promise<void> {
  const server = await openScratchServer(process.env.DATABASE_ADMIN_URL);
  const name = `payments_bench_${randomBytes(4).toString('hex')}`;
  await adminQuery(server.adminUrl, `create database "${name}"`);
  const url = databaseUrl(server.adminUrl, name);
  const orm = await MikroORM.init(ormConfig({ clientUrl: url }));
  try {
    await orm.getMigrator().up();
    await seed(orm);
    const config = loadConfig({ NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', DATABASE_URL: url, LOG_LEVEL: 'silent', JWT_SECRET: 'bench-secret-bench-secret-bench-secret-42', RATE_LIMIT_PER_MINUTE: '1000000' });
    const app = await startApp(config, { orm, logger: createLogger('silent') });
    const token = await signToken({ id: 'bench-user', role: 'customer' }, config.jwtSecret);
    const knex = orm.em.getConnection().getKnex();
    let statements = 0;
    knex.on('query', (query: { sql: string }) => {
      if (!query.sql.includes('webhook_event')) statements += 1; // the webhook worker's poll is not the page's
    });
    const request = async (first: number) => {
      const response = await fetch(`${app.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: QUERY, variables: { first } }),
      });
      const body = (await response.json()) as { data?: { payments: { edges: unknown[] } }; errors?: unknown };
      if (body.errors || body.data?.payments.edges.length !== first) throw new Error(JSON.stringify(body.errors ?? body));
    };
    for (const first of [1, 10, 50, 100]) {
      statements = 0;
      await request(first);
      console.log(`payments(first: ${String(first).padStart(3)}) with transactions and their payment: ${statements} SQL statements`);
    }
    for (let i = 0; i < 20; i += 1) await request(50); // warm-up
    const times: number[] = [];
    statements = 0;
    for (let i = 0; i < ROUNDS; i += 1) {
      const start = performance.now();
      await request(50);
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    console.log(`payments(first: 50), ${ROUNDS} sequential requests over HTTP: p50 ${percentile(times, 50).toFixed(1)} ms, ` +
      `p95 ${percentile(times, 95).toFixed(1)} ms, max ${times.at(-1)!.toFixed(1)} ms, ${(statements / ROUNDS).toFixed(1)} statements/request ` +
      `(5,000 of the customer's payments among 20,000; PostgreSQL: ${server.kind})`);
    await app.close();
  } finally {
    await orm.close();
    await adminQuery(server.adminUrl, `drop database if exists "${name}" with (force)`);
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
