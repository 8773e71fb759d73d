import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { signToken, type Role } from '../src/auth/auth.js';
import { SANDBOX_KEY_ID, SANDBOX_KEY_SECRET, SANDBOX_WEBHOOK_SECRET } from '../src/config.js';
import { adminQuery, databaseUrl, openScratchServer } from '../src/db/scratch.js';
import { cloneOrders, seedPaymentPages } from './seed.js';
import { measureBroadcast, measureOwnPayments } from './scenarios/live.js';
import { measureRead } from './scenarios/read.js';
import { measureDrain } from './scenarios/webhook-drain.js';
import { measureWebhooks } from './scenarios/webhooks.js';
import { calibrate, type Calibration } from './calibration.js';
import { startPostgresCpuSampler } from './postgres-cpu.js';
import { CREATE_ORDER, measureCreateOrder, measureIdle, measurePgbench } from './scenarios/write.js';
import { BENCH_DIST, BENCH_METRICS_TOKEN, heapSnapshot, startChild, type Child } from './support.js';
import { ackOnly, drain, heapDir, profileDir, quick, serviceEnv, serviceNodeArgs, serviceRoot, serviceSocket, SIZES, wanted, webhookLoad } from './options.js';

/**
 * `npm run bench`: every figure of issue 11, each beside its reference, in one run and one JSON
 * object. The service runs as in production (NODE_ENV=production, LOG_LEVEL=warn, its gateway
 * remote: the Razorpay sandbox in a process of its own, reached over HTTP), with the operation
 * budget lifted; the references are a bare Express 5 + pg route (bench/bare-route.ts) and pgbench.
 *
 * `--quick`: a few seconds, small numbers (CI checks the bench still works; never its timings).
 * `--only read,write,webhooks,live`: some scenarios (`broadcast` or `own`: one half of live). `--profile <dir>`: the service writes a
 * V8 CPU profile there (`node --cpu-prof`), the sandbox one in `<dir>/sandbox`; `node dist/bench/profile-top.js <file>` sums it up.
 * `--service <dir>`: measure the service built in another checkout (`<dir>/dist/src/main.js`).
 * `--service-env K=V,K=V`: extra environment for the service (WEBHOOK_CONCURRENCY=8, …).
 * `--ack-only`: the webhook scenario with processing switched off (WEBHOOK_PROCESSING=false): the
 * acknowledgement's own latency and CPU, nothing settled.
 * `--webhook-load autocannon`: the webhook deliveries sent by autocannon's `overallRate` (bursts at
 * the top of every second; the generator before the fifth round) instead of the paced open loop.
 * `--drain`: processing alone: the webhook scenario's deliveries stored as `--ack-only` does, then
 * that service stopped and one that processes started on the same database (`--profile`: only it
 * is profiled), timed until every event is settled: events per second, CPU per event.
 * `--rows`: the webhook scenarios also report the rows written an event (or a delivery) by table,
 * inserted, updated (of them HOT) and deleted, from PostgreSQL's statistics (each reading waits
 * 11 s or more for them: bench/postgres-cpu.ts).
 * `--write-warm-up N`, `--webhook-warm-up N`: at most N seconds of the write scenario's load, N
 * seconds of the webhook scenario's deliveries (for other payments, all processed), before the
 * measured ones; 0 measures a cold process. The options are read in bench/options.ts.
 */
const JWT_SECRET = 'bench-secret-bench-secret-bench-secret-42';
const AMOUNT = 10_000;

/** `url` with PostgreSQL's `application_name` set (pg reads it from the query string). */
function withApplicationName(url: string, name: string): string {
  const named = new URL(url);
  named.searchParams.set('application_name', name);
  return named.toString();
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Progress on stderr (stdout carries only the JSON object). */
const step = (what: string) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${what}`);

/** Runs one scenario; a failure is reported in its place and the others still run. */
async function scenario<T>(name: string, run: () => Promise<T>): Promise<T | { error: string }> {
  try {
    return await run();
  } catch (error) {
    step(`${name} failed: ${String(error)}`);
    return { error: error instanceof Error ? `${error.message}${error.cause ? ` (${String(error.cause)})` : ''}` : String(error) };
  }
}

const token = (id: string, role: Role = 'customer') => signToken({ id, role }, JWT_SECRET, '2h');

async function main(): Promise<void> {
  const server = await openScratchServer(process.env.DATABASE_ADMIN_URL);
  const suffix = randomBytes(4).toString('hex');
  const name = `payments_bench_${suffix}`;
  const pgbenchName = `payments_pgbench_${suffix}`;
  await adminQuery(server.adminUrl, `create database "${name}"`);
  const url = databaseUrl(server.adminUrl, name);
  const serviceUrl = serviceSocket ? await socketUrl(url) : url;
  const [servicePort, sandboxPort, barePort] = [await freePort(), await freePort(), await freePort()];
  const children: Child[] = [];
  // Named, so that PostgreSQL's CPU on its polls is told apart from the service's (bench/postgres-cpu.ts).
  const db = new pg.Client({ connectionString: url, application_name: 'payments-bench' });
  const report: Record<string, unknown> = {
    command: `npm run bench${quick ? ' -- --quick' : ''}`,
    machine: { cpus: (await import('node:os')).cpus().length, node: process.version, postgres: server.kind },
    service: `NODE_ENV=production, LOG_LEVEL=warn, RATE_LIMIT_PER_MINUTE lifted; gateway: the Razorpay sandbox out of process, over HTTP; PostgreSQL over ${serviceSocket ? 'its Unix socket' : 'TCP loopback'}`,
  };
  try {
    const startService = (processing: boolean, profile: boolean) => startChild(path.join(serviceRoot, 'dist/src/main.js'), {
      NODE_ENV: 'production', PORT: String(servicePort), HOST: '127.0.0.1', DATABASE_URL: serviceUrl, JWT_SECRET, LOG_LEVEL: 'warn',
      RATE_LIMIT_PER_MINUTE: '100000000', RAZORPAY_MODE: 'live', RAZORPAY_KEY_ID: SANDBOX_KEY_ID, RAZORPAY_KEY_SECRET: SANDBOX_KEY_SECRET,
      RAZORPAY_WEBHOOK_SECRET: SANDBOX_WEBHOOK_SECRET, RAZORPAY_API_URL: `http://127.0.0.1:${sandboxPort}/sandbox/razorpay`, RECONCILE_ENABLED: 'false',
      // /metrics for the live scenarios' publish delay (payment_publish_delay_seconds).
      METRICS_TOKEN: BENCH_METRICS_TOKEN,
      ...(processing ? {} : { WEBHOOK_PROCESSING: 'false' }),
      ...serviceEnv,
    }, `http://127.0.0.1:${servicePort}`, {
      nodeArgs: [
        ...(profileDir && profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
        ...(heapDir ? ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${heapDir}`] : []),
        ...serviceNodeArgs,
      ],
    });
    // `--drain`: this one only acknowledges; the one that processes is profiled.
    const service = await startService(!ackOnly && !drain, !drain);
    const snapshotDir = heapDir;
    const snapshot = snapshotDir ? () => heapSnapshot(service.pid, snapshotDir) : undefined;
    children.push(service);
    const sandbox = await startChild(path.join(BENCH_DIST, 'sandbox-server.js'), {
      // Named, so that PostgreSQL's CPU for the gateway's stand-in is told apart (bench/postgres-cpu.ts).
      SANDBOX_PORT: String(sandboxPort), DATABASE_URL: withApplicationName(url, 'payments-sandbox'), SERVICE_WEBHOOK_URL: `${service.url}/webhooks/razorpay`,
      RAZORPAY_KEY_ID: SANDBOX_KEY_ID, RAZORPAY_KEY_SECRET: SANDBOX_KEY_SECRET, RAZORPAY_WEBHOOK_SECRET: SANDBOX_WEBHOOK_SECRET,
    }, `http://127.0.0.1:${sandboxPort}`, { nodeArgs: profileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.join(profileDir, 'sandbox')}`] : [] });
    children.push(sandbox);
    await db.connect();
    // The machine's speed this hour (bench/calibration.ts), before any load and again after the last scenario.
    const calibration: { atStart: Calibration; atEnd?: Calibration } = { atStart: await calibrate(db) };
    report.machine = { ...(report.machine as object), calibration };

    if (wanted('read')) {
      step('read: seeding pages, then the bare route and the service under load');
      await seedPaymentPages(db, 'bench-reader', SIZES.pages);
      const bare = await startChild(path.join(BENCH_DIST, 'bare-route.js'), { BARE_PORT: String(barePort), DATABASE_URL: url, JWT_SECRET }, `http://127.0.0.1:${barePort}`);
      children.push(bare);
      report.read = { scenario: `payments(first: 50) with transactions, 20 connections, ${SIZES.seconds} s (${SIZES.pages / 4} of the reader's payments among ${SIZES.pages})`,
        ...(await scenario('read', async () => measureRead(service, bare, await token('bench-reader'), 20, SIZES.seconds))) };
      await bare.stop();
    }

    // One order made by createOrder itself: the template of every order the later scenarios need.
    const created = await (await fetch(`${service.url}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await token('template-payer')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: CREATE_ORDER, variables: { input: { amount: AMOUNT, payeeId: 'bench-payee', idempotencyKey: 'bench-template' } } }),
    })).json() as { data?: { createOrder: { payment: { id: string } } }; errors?: unknown };
    if (!created.data) throw new Error(`createOrder failed: ${JSON.stringify(created.errors)}`);
    const template = created.data.createOrder.payment.id;

    if (wanted('write')) {
      step('write: pgbench TPC-B, then createOrder');
      await adminQuery(server.adminUrl, `create database "${pgbenchName}"`);
      const pgbench = await measurePgbench(server.adminUrl, pgbenchName, SIZES.seconds, SIZES.pgbenchScale);
      const tokens = await Promise.all(Array.from({ length: 16 }, (_, i) => token(`bench-buyer-${i}`)));
      const pgCpu = await startPostgresCpuSampler(url);
      const idle = await scenario('idle', () => measureIdle(service, pgCpu, SIZES.idleSeconds));
      const createOrder = await scenario('createOrder', () => measureCreateOrder(service, tokens, 16, SIZES.seconds, SIZES.writeWarmUp, sandbox, pgCpu));
      await pgCpu.stop();
      report.write = {
        scenario: `createOrder, 16 connections, ${SIZES.seconds} s, after a warm-up of the same load (windows of ${SIZES.writeWarmUp.windowSeconds} s until one is no more than 5 % faster than the one before, at most ${SIZES.writeWarmUp.maxSeconds} s; not counted); the gateway (sandbox) in its own process`,
        idle,
        createOrder,
        pgbench,
        ratio: 'tps' in pgbench && 'perSecond' in createOrder ? Math.round((createOrder.perSecond / pgbench.tps) * 100) / 100 : null,
      };
    }

    if (wanted('live') || wanted('broadcast') || wanted('own')) {
      const broadcasts = [];
      for (const count of wanted('live') || wanted('broadcast') ? SIZES.broadcasts : []) {
        step(`live: ${count} subscribers on one payment`);
        const [order] = await cloneOrders(db, template, 1, `bcast${count}_`, `'template-payer'`);
        const staff = await Promise.all(Array.from({ length: count }, (_, i) => token(`staff-${i}`, 'admin')));
        broadcasts.push(await scenario('broadcast', () => measureBroadcast(service, SANDBOX_WEBHOOK_SECRET, (i) => staff[i]!, order!, count, AMOUNT, snapshot)));
      }
      let ownPayments;
      if (wanted('live') || wanted('own')) {
        step(`live: ${SIZES.own} subscribers on their own payments, ${SIZES.ownRate} changes/s`);
        const own = await cloneOrders(db, template, SIZES.own, 'own', `'own-' || g`);
        ownPayments = await scenario('own payments', () => measureOwnPayments(service, SANDBOX_WEBHOOK_SECRET, (id) => token(id), own, AMOUNT, SIZES.ownRate, SIZES.ownSeconds, SIZES.idleSeconds, snapshot));
      }
      report.live = { broadcast: broadcasts, ownPayments };
    }
    // Last: on this machine its backlog of processing outlasts the scenario, and the live scenarios'
    // changes (webhook events too) would queue behind it.
    if (wanted('webhooks')) {
      step(`webhooks: ${SIZES.webhookRate}/s for ${SIZES.webhookSeconds} s`);
      const count = Math.ceil((SIZES.webhookRate * SIZES.webhookSeconds * 0.75) / 2);
      const orders = await cloneOrders(db, template, count, 'hook', `'hook-payer-' || (g % 50)`);
      // The same deliveries for other payments first, at the same rate, every one processed before
      // the measured ones start (not with --drain, whose processor starts afterwards): a
      // long-running service's code is compiled for the path (as the write scenario's warm-up).
      // Their own figures are reported beside, never mixed into the measured ones.
      const warmUp = SIZES.webhookWarmUp > 0 && !drain ? await scenario('webhooks warm-up', async () => {
        step(`webhooks: warm-up, ${SIZES.webhookRate}/s for ${SIZES.webhookWarmUp} s`);
        const warmOrders = await cloneOrders(db, template, Math.ceil((SIZES.webhookRate * SIZES.webhookWarmUp * 0.75) / 2), 'warm', `'hook-payer-' || (g % 50)`);
        const figures = await measureWebhooks(service, db, SANDBOX_WEBHOOK_SECRET, warmOrders, AMOUNT, SIZES.webhookRate, SIZES.webhookWarmUp, ackOnly, webhookLoad, undefined, 'warm');
        return { seconds: SIZES.webhookWarmUp, acks: { p50Ms: figures.acks.p50Ms, p99Ms: figures.acks.p99Ms },
          ...('allProcessedAfterLastDeliveryS' in figures ? { allProcessedAfterLastDeliveryS: figures.allProcessedAfterLastDeliveryS, capturedPaymentsWithoutExactlyOneCompletedCharge: figures.capturedPaymentsWithoutExactlyOneCompletedCharge } : {}) };
      }) : null;
      // PostgreSQL's CPU by connection (pg-boss's, MikroORM's, the inbox's, the server's own) beside the service's.
      const pgCpu = await startPostgresCpuSampler(url);
      const what = drain ? 'stored without processing, then drained by a service that processes (--drain)'
        : ackOnly ? 'acknowledged only (WEBHOOK_PROCESSING=false)' : 'processed in the same process';
      report.webhooks = {
        scenario: `${SIZES.webhookRate} signed deliveries/s for ${SIZES.webhookSeconds} s (a quarter repeats, a third of the payments captured before authorised), ${what}${warmUp ? `, after a warm-up of ${SIZES.webhookWarmUp} s of the same deliveries for other payments (all processed first; not counted)` : ''}`,
        ...(warmUp ? { warmUp } : {}),
        ...(await scenario('webhooks', async () => drain
          ? await measureDrain(service, async () => {
            const processor = await startService(true, true);
            children.push(processor);
            return processor;
          }, db, SANDBOX_WEBHOOK_SECRET, orders, AMOUNT, SIZES.webhookRate, SIZES.webhookSeconds, webhookLoad, pgCpu)
          : await measureWebhooks(service, db, SANDBOX_WEBHOOK_SECRET, orders, AMOUNT, SIZES.webhookRate, SIZES.webhookSeconds, ackOnly, webhookLoad, pgCpu))),
      };
      await pgCpu.stop();
    }
    calibration.atEnd = await calibrate(db);
  } finally {
    await db.end().catch(() => undefined);
    for (const child of children.reverse()) await child.stop();
    await adminQuery(server.adminUrl, `drop database if exists "${name}" with (force)`);
    await adminQuery(server.adminUrl, `drop database if exists "${pgbenchName}" with (force)`);
    await server.stop();
  }
  // Correctness, never timing: an error, a lost or misrouted message, a payment not settled exactly once.
  const problems = findProblems(report);
  if (problems.length) report.problems = problems;
  console.log(JSON.stringify(report, null, 2));
  if (problems.length) {
    step(`problems: ${problems.join('; ')}`);
    process.exitCode = 1;
  }
}

function findProblems(report: Record<string, unknown>): string[] {
  const problems: string[] = [];
  JSON.stringify(report, (key, value: unknown) => {
    if (key === 'error') problems.push(`a scenario failed: ${String(value)}`);
    return value;
  });
  const webhooks = report.webhooks as { paymentsNotCaptured?: number; paymentsWithoutExactlyOneCompletedCharge?: number; capturedPaymentsWithoutExactlyOneCompletedCharge?: number } | undefined;
  if (webhooks?.capturedPaymentsWithoutExactlyOneCompletedCharge) problems.push(`${webhooks.capturedPaymentsWithoutExactlyOneCompletedCharge} CAPTURED payments without exactly one completed CHARGE`);
  if (webhooks?.paymentsNotCaptured) problems.push(`${webhooks.paymentsNotCaptured} payments not captured after their webhooks`);
  if (webhooks?.paymentsWithoutExactlyOneCompletedCharge) problems.push(`${webhooks.paymentsWithoutExactlyOneCompletedCharge} payments without exactly one completed CHARGE`);
  const live = report.live as { broadcast?: { subscribers?: number; told?: number }[]; ownPayments?: { changes?: number; delivered?: number; wrongPayment?: number } } | undefined;
  for (const b of live?.broadcast ?? []) if (b.told !== undefined && b.told !== b.subscribers) problems.push(`broadcast: ${b.told} of ${b.subscribers} told`);
  const own = live?.ownPayments;
  if (own?.delivered !== undefined && own.delivered !== own.changes) problems.push(`own payments: ${own.delivered} of ${own.changes} changes delivered`);
  if (own?.wrongPayment) problems.push(`own payments: ${own.wrongPayment} messages reached a subscriber of another payment`);
  return problems;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

/** The same database through the server's (first) Unix socket directory, as DATABASE_URL's `?host=` form. */
async function socketUrl(tcpUrl: string): Promise<string> {
  const client = new pg.Client({ connectionString: tcpUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ directories: string; port: string }>(`select current_setting('unix_socket_directories') as directories, current_setting('port') as port`);
    const directory = rows[0]!.directories.split(',')[0]!.trim();
    if (!directory) throw new Error('--service-socket: this PostgreSQL listens on no Unix socket (unix_socket_directories is empty)');
    const url = new URL(tcpUrl);
    url.hostname = 'localhost';
    url.port = '';
    url.searchParams.set('host', directory);
    url.searchParams.set('port', rows[0]!.port);
    return url.toString();
  } finally {
    await client.end();
  }
}
