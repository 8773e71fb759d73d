import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { MikroORM } from '@mikro-orm/postgresql';
import { startApp } from '../src/app.js';
import { signToken } from '../src/auth/auth.js';
import { ledgerCheck } from '../src/cli/ledger.commands.js';
import { loadConfig } from '../src/config.js';
import { ormConfig } from '../src/db/mikro-orm.config.js';
import { adminQuery, databaseUrl, openScratchServer } from '../src/db/scratch.js';
import { createLogger } from '../src/logger.js';

/**
 * `npm run bench:mixed-workload`: 20 customers at once, each topping up (some top-ups fail),
 * paying orders by card (with duplicated, reordered or dropped webhooks) and from the wallet
 * (more than the balance allows, concurrently), over HTTP against the sandbox; most orders name
 * one of two payees, registered as Route linked accounts first, so each card payment's payee
 * share is transferred (a payout); once the transfers are processed, operators refund some of
 * the card payments (concurrent partial refunds, to the card or the wallet), which reverses the
 * payee's part of the transfers; then `ledger check`. Prints the counts, the payout figures
 * (payouts by status, capture-to-processed times, transfers and reversals at the gateway), the
 * time taken and the check's output.
 */
const USERS = 20;
let seed = 42;
const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)]!;

async function main(): Promise<void> {
  const server = await openScratchServer(process.env.DATABASE_ADMIN_URL);
  const name = `payments_mixed_${randomBytes(4).toString('hex')}`;
  await adminQuery(server.adminUrl, `create database "${name}"`);
  const url = databaseUrl(server.adminUrl, name);
  const orm = await MikroORM.init(ormConfig({ clientUrl: url, poolMax: 20 }));
  await orm.getMigrator().up();
  const config = loadConfig({ NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', DATABASE_URL: url, LOG_LEVEL: 'silent', JWT_SECRET: 'bench-secret-bench-secret-bench-secret-42', RATE_LIMIT_PER_MINUTE: '1000000', WEBHOOK_WORKER_INTERVAL_MS: '200' });
  const app = await startApp(config, { orm, logger: createLogger('silent') });
  const counts = { topUps: 0, topUpsFailed: 0, cardPayments: 0, cardFailures: 0, walletPayments: 0, walletRefused: 0, webhooksDuplicated: 0, refunds: 0, refundsRefused: 0 };
  const admin = await signToken({ id: 'ops', role: 'admin' }, config.jwtSecret);
  const paidByCard: { id: string; amount: number }[] = [];
  const conn = () => orm.em.fork().getConnection();
  /** Polls `sql` (one row, column n) until it is 0, at most `ms`; answers what is left. */
  const drain = async (sql: string, ms: number) => {
    const until = Date.now() + ms;
    for (;;) {
      const [row] = await conn().execute(sql);
      if (row.n === 0 || Date.now() > until) return row.n as number;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  const gql = async (token: string, query: string, variables: Record<string, unknown>) => {
    const response = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as { data?: Record<string, Record<string, unknown>>; errors?: { message: string; extensions: { code: string } }[] };
  };
  const checkout = async (orderId: string, knobs: Record<string, unknown>) =>
    (await (await fetch(`${app.url}/sandbox/razorpay/checkout/pay`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ order_id: orderId, method: pick(['card', 'upi', 'netbanking', 'wallet']), ...knobs }),
    })).json()) as Record<string, string>;
  const verify = (token: string, c: Record<string, string>) => gql(token, 'mutation($i: VerifyPaymentInput!) { verifyPayment(input: $i) { status } }', {
    i: { razorpayOrderId: c.razorpay_order_id, razorpayPaymentId: c.razorpay_payment_id, razorpaySignature: c.razorpay_signature },
  });
  const knobs = () => pick([{}, { duplicateWebhooks: 3 }, { shuffleWebhooks: true }, { dropWebhooks: true }, { webhookDelayMs: 50, duplicateWebhooks: 2 }]);

  // The two payees the orders name, registered as Route linked accounts (the sandbox activates them at once).
  for (const [n, payeeId] of ['cleaner-1', 'tutor-2'].entries()) {
    const registered = await gql(admin, 'mutation($i: RegisterPayeeAccountInput!) { registerPayeeAccount(input: $i) { status } }', { i: {
      payeeId, email: `${payeeId}@example.com`, phone: '9876543210', legalName: 'Asha Kumari', beneficiaryName: 'Asha Kumari',
      bankAccountNumber: `5010000${n}987654`, ifsc: 'HDFC0001234', pan: `ABCPK000${n}Z`, street1: '12 MG Road', city: 'Bengaluru', state: 'Karnataka', postalCode: '560001',
    } });
    if (registered.data?.registerPayeeAccount?.status !== 'ACTIVATED') throw new Error(`registerPayeeAccount ${payeeId}: ${JSON.stringify(registered)}`);
  }

  const started = performance.now();
  await Promise.all(Array.from({ length: USERS }, async (_, u) => {
    const token = await signToken({ id: `user-${u}`, role: 'customer' }, config.jwtSecret);
    for (let t = 0; t < 2; t += 1) {
      const amount = 5_000 + Math.floor(random() * 50_000);
      const topUp = await gql(token, 'mutation($i: AddWalletBalanceInput!) { addWalletBalance(input: $i) { razorpayOrderId } }', { i: { amount } });
      const orderId = topUp.data!.addWalletBalance!.razorpayOrderId as string;
      if (random() < 0.2) {
        await checkout(orderId, { outcome: 'failure' });
        counts.topUpsFailed += 1;
      } else {
        const k = knobs();
        if ('duplicateWebhooks' in k) counts.webhooksDuplicated += 1;
        await verify(token, await checkout(orderId, { outcome: 'success', ...k }));
        counts.topUps += 1;
      }
    }
    const orders = await Promise.all(Array.from({ length: 6 }, async () => {
      const created = await gql(token, 'mutation($i: CreateOrderInput!) { createOrder(input: $i) { razorpayOrderId payment { id amount } } }', {
        i: { amount: 1_000 + Math.floor(random() * 30_000), payeeId: pick(['cleaner-1', 'tutor-2', null]) },
      });
      return created.data!.createOrder as { razorpayOrderId: string; payment: { id: string; amount: number } };
    }));
    await Promise.all(orders.map(async (order, i) => {
      if (i % 2 === 0) {
        const paid = await gql(token, 'mutation($i: PayWithWalletInput!) { payWithWallet(input: $i) { status } }', { i: { paymentId: order.payment.id } });
        if (paid.errors) counts.walletRefused += 1;
        else counts.walletPayments += 1;
      } else if (random() < 0.25) {
        await checkout(order.razorpayOrderId, { outcome: 'failure' });
        counts.cardFailures += 1;
        await verify(token, await checkout(order.razorpayOrderId, { outcome: 'success', ...knobs() }));
        counts.cardPayments += 1;
      } else {
        await verify(token, await checkout(order.razorpayOrderId, { outcome: 'success', ...knobs() }));
        counts.cardPayments += 1;
        paidByCard.push(order.payment);
      }
    }));
  }));
  // The payees' transfers are made and processed before the refunds, so that refunds reverse them.
  const paymentsDone = performance.now();
  const payoutsLeft = await drain(`select count(*)::int as n from payout where status = 'PENDING'`, 60_000);
  const transfersDone = performance.now();
  // Operators refund some card payments: partial ones several times (racing each other), to
  // the card or to the wallet, sometimes asking for more than remains.
  await Promise.all(paidByCard.filter((_, i) => i % 2 === 0).map(async (payment) => {
    const requests = Array.from({ length: 3 }, () => ({
      paymentId: payment.id,
      amount: 1 + Math.floor(random() * payment.amount * 0.6),
      destination: pick(['SOURCE', 'WALLET']),
      reason: 'mixed workload',
    }));
    const results = await Promise.all(requests.map((i) => gql(admin, 'mutation($i: RefundInput!) { refund(input: $i) { status } }', { i })));
    for (const result of results) {
      if (result.errors) counts.refundsRefused += 1;
      else counts.refunds += 1;
    }
  }));
  await app.sandbox!.whenWebhooksSettled();
  await drain(`select count(*)::int as n from webhook_event where status in ('PENDING', 'FAILED')`, 10_000);
  const reversalsLeft = await drain(`select count(*)::int as n from payout_reversal where status = 'PENDING'`, 60_000);
  const seconds = (performance.now() - started) / 1000;
  const [webhooks] = await conn().execute(`select count(*)::int as n from webhook_event`);
  console.log(`mixed workload: ${USERS} customers concurrently in ${seconds.toFixed(1)} s; ${JSON.stringify(counts)}; ${webhooks.n} webhook events stored`);
  const byStatus = Object.fromEntries((await conn().execute(`select status, count(*)::int as n from payout group by status order by status`)).map((r) => [r.status, r.n]));
  const reversals = Object.fromEntries((await conn().execute(`select status, count(*)::int as n from payout_reversal group by status order by status`)).map((r) => [r.status, r.n]));
  const [times] = await conn().execute(`select count(*)::int as n,
      percentile_cont(0.5) within group (order by extract(epoch from processed_at - created_at)) as p50,
      percentile_cont(0.95) within group (order by extract(epoch from processed_at - created_at)) as p95,
      max(extract(epoch from processed_at - created_at)) as max
    from payout where processed_at is not null`);
  const transfers = await app.sandbox!.transfers.all();
  const figures = {
    payouts: byStatus, stillPendingAfter60s: payoutsLeft, reversals, reversalsPendingAfter60s: reversalsLeft,
    captureToProcessedSeconds: { payouts: times.n, p50: Number(Number(times.p50).toFixed(2)), p95: Number(Number(times.p95).toFixed(2)), max: Number(Number(times.max).toFixed(2)) },
    lastPaymentToTransfersDoneSeconds: Number(((transfersDone - paymentsDone) / 1000).toFixed(1)),
    gatewayTransfers: transfers.length, gatewayAmountTransferred: transfers.reduce((sum, t) => sum + t.amount, 0), gatewayAmountReversed: transfers.reduce((sum, t) => sum + (t.amount_reversed ?? 0), 0),
  };
  console.log(`payouts: ${JSON.stringify(figures)}`);
  console.log('$ npm run cli -- ledger check');
  const { exitCode } = await ledgerCheck(orm, (line) => console.log(line));
  await app.close();
  await orm.close();
  await adminQuery(server.adminUrl, `drop database if exists "${name}" with (force)`);
  await server.stop();
  process.exitCode = exitCode;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
