import path from 'node:path';
import pg from 'pg';
import { signToken } from '../src/auth/auth.js';
import { newStats, ServiceClient, type ClientStats } from './client.js';
import { Cluster } from './cluster.js';
import { runLedgerCheck, type RunDatabases } from './database.js';
import { readGatewayTruth, type ClientPaid } from './gateway-truth.js';
import { checkInvariants, outstandingWork, type Violation } from './invariants.js';
import { ADD_PRODUCT } from './operations.js';
import { OutboxReceiver } from './outbox-receiver.js';
import { checkPayouts, outstandingPayoutWork, payoutFigures, type PayoutFigures } from './payout-invariants.js';
import { applyPayoutKnobs, newPayoutStats, PAYEES, payeeOrders, refundAfterPayouts, registerPayee, type PayoutStats } from './payouts.js';
import { planRun, type RunPlan } from './plan.js';
import { derive } from './prng.js';
import { newCustomer, newWorkloadStats, runCustomer, type WorkloadStats } from './workload.js';

const JWT_SECRET = 'chaos-run-jwt-secret-0123456789-abcdef';
const OUTBOX_SECRET = 'chaos-run-outbox-secret-0123456789-abcdef';

export interface RunOptions {
  seed: number;
  databases: RunDatabases;
  redisUrl: string | null;
  basePort: number;
  workloadMs: number;
  settleTimeoutMs: number;
  logDir: string;
  keepDatabase: boolean;
}

export interface RunResult {
  seed: number;
  plan: RunPlan;
  violations: Violation[];
  /** Work still open when the settle deadline passed (empty when it settled). */
  outstanding: string[];
  workload: WorkloadStats;
  payouts: PayoutStats & PayoutFigures;
  client: ClientStats;
  kills: number;
  seconds: number;
  /** Seconds spent starting the instances, in the workload (kills included), settling, checking. */
  phases: { start: number; workload: number; settle: number; check: number };
  database: string;
  logFile: string;
}

/** The service's configuration for a run: short intervals so a run settles in seconds. */
function serviceEnv(url: string, outboxUrl: string, redisUrl: string | null): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    NODE_ENV: 'development',
    HOST: '127.0.0.1',
    DATABASE_URL: url,
    JWT_SECRET,
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_MINUTE: '1000000',
    // Half the default, so an intent orphaned by a kill is taken over after 25 s rather than 45 s;
    // 2 s proved too short on a loaded machine (gateway calls timed out and runs could not finish).
    RAZORPAY_TIMEOUT_MS: '5000',
    PHONEPE_TIMEOUT_MS: '5000',
    RECONCILE_INTERVAL_MS: '300',
    RECONCILE_AFTER_MS: '500',
    CART_CHECKOUT_TIMEOUT_MS: '2500',
    OUTBOX_SUBSCRIBER_URLS: outboxUrl,
    OUTBOX_SECRET,
    OUTBOX_RETRY_BASE_MS: '200',
    // Work claimed by a killed instance is taken over after 8 s instead of 60 s, so a run settles
    // in seconds; the lease still outlives the 5 s gateway and outbox timeouts.
    OUTBOX_TIMEOUT_MS: '5000',
    WORKER_LEASE_SECONDS: '8',
    // A transfer Razorpay failed is made again at once (the library counts whole seconds), not after 30 s.
    PAYOUT_RETRY_BASE_MS: '200',
  };
  if (redisUrl) env.REDIS_URL = redisUrl;
  return env;
}

/**
 * One seed: a fresh database, the instances as child processes, the seed's workload while the
 * kill schedule SIGKILLs and restarts them, then wait (bounded) for workers, reconciliation and
 * deliveries to finish, and check the invariants and `ledger check`.
 */
export async function runSeed(options: RunOptions): Promise<RunResult> {
  const started = Date.now();
  const plan = planRun(options.seed, { workloadMs: options.workloadMs, allowTwoInstances: options.redisUrl !== null });
  const { name: database, url } = await options.databases.create(options.seed);
  const receiver = await OutboxReceiver.start(OUTBOX_SECRET);
  const cluster = new Cluster({
    count: plan.instances,
    basePort: options.basePort,
    env: serviceEnv(url, receiver.url, plan.instances > 1 ? options.redisUrl : null),
    logFile: path.join(options.logDir, `seed-${options.seed}.log`),
    // The sandbox's knobs live in its process: set again on every restart (a failure here shows in the log, the run goes on).
    onReady: (instanceUrl) => void applyPayoutKnobs(instanceUrl, plan.payouts).catch((error: unknown) => console.warn(`chaos: payout knobs on ${instanceUrl}: ${String(error)}`)),
  });
  const workload = newWorkloadStats();
  const payoutStats = newPayoutStats();
  const client = newStats();
  const clientPaid: ClientPaid[] = [];
  const db = new pg.Client({ connectionString: url });
  let result: RunResult | null = null;
  const phases = { start: 0, workload: 0, settle: 0, check: 0 };
  let mark = Date.now();
  const lap = (phase: keyof typeof phases) => {
    phases[phase] = (Date.now() - mark) / 1000;
    mark = Date.now();
  };
  try {
    await cluster.start(120_000);
    await db.connect();
    const adminToken = await signToken({ id: 'chaos-ops', role: 'admin' }, JWT_SECRET);
    const setup = new ServiceClient(cluster, derive(options.seed, 'setup'), client);
    // The knobs before the first registration (onReady's may still be on their way); then the
    // first payee registered while the products are added (before any kill: a registration a
    // kill cuts short keeps its 5-minute lease, and that payee's payouts would only accrue).
    await Promise.all(cluster.readyUrls().map((u) => applyPayoutKnobs(u, plan.payouts)));
    const firstPayee = registerPayee(new ServiceClient(cluster, derive(options.seed, 'payee-setup'), client), adminToken, options.seed, PAYEES[0], 1, payoutStats);
    const productIds: string[] = [];
    for (const [i, price] of plan.products.entries()) {
      const added = await setup.gql<{ addProduct: { id: string } }>(adminToken, ADD_PRODUCT, { i: { name: `Chaos product ${i}`, price } });
      if (!added.data) throw new Error(`addProduct failed: ${JSON.stringify(added.errors)}`);
      productIds.push(added.data.addProduct.id);
    }
    await firstPayee;
    lap('start');
    const context = { seed: options.seed, jwtSecret: JWT_SECRET, adminToken, productIds, stats: workload, clientPaid };

    const killsDone = Promise.all(plan.kills.map((kill) => new Promise<void>((resolve) => {
      setTimeout(() => {
        cluster.killAndRestart(kill.instance, kill.downMs);
        resolve();
      }, kill.atMs);
    })));
    const customers = await Promise.all(Array.from({ length: plan.customers }, (_, u) => {
      const random = derive(options.seed, `customer-${u}`);
      return newCustomer(u, options.seed, random, new ServiceClient(cluster, random, client), JWT_SECRET);
    }));
    // The operator: registers the second payee during the workload (kills included), and refunds payments whose payout went out.
    const operatorRandom = derive(options.seed, 'payout-operator');
    const operator = new ServiceClient(cluster, operatorRandom, client);
    let customersDone = false;
    // The second payee during the workload (kills included): its payouts accrue until it is activated.
    const lateRegistration = new Promise<void>((resolve) => setTimeout(resolve, plan.payouts.lateRegistrationAtMs))
      .then(() => registerPayee(operator, adminToken, options.seed, PAYEES[1], 2, payoutStats));
    const refunds = refundAfterPayouts(operator, adminToken, operatorRandom, plan.payouts, `chaos-${options.seed}-po`, () => customersDone, payoutStats);
    const buyerRandom = derive(options.seed, 'payee-buyer');
    const buyerToken = await signToken({ id: `chaos-${options.seed}-payee-buyer`, role: 'customer' }, JWT_SECRET);
    await Promise.all([
      ...customers.map((customer) => runCustomer(customer, plan.flowsPerCustomer, context)),
      payeeOrders(new ServiceClient(cluster, buyerRandom, client), buyerToken, buyerRandom, plan.payouts, `chaos-${options.seed}-pb`, clientPaid, payoutStats),
    ]);
    customersDone = true;
    await Promise.all([lateRegistration, refunds]);
    await killsDone;
    await cluster.whenAllReady(120_000);

    lap('workload');
    const outstanding = await settle(db, cluster, clientPaid, Date.now() + options.settleTimeoutMs);
    lap('settle');
    const truth = await readGatewayTruth(cluster.readyUrls());
    const violations = await checkInvariants(db, truth, clientPaid, receiver.received);
    await checkPayouts(db, (rule, detail) => violations.push({ rule, detail }));
    const ledger = await runLedgerCheck(url);
    if (!ledger.ok) violations.push({ rule: 'ledger-check', detail: ledger.lines.slice(-6).join(' | ') });
    for (const exit of cluster.unexpectedExits()) violations.push({ rule: 'process-exit', detail: exit });
    if (receiver.badSignatures > 0) violations.push({ rule: 'outbox-signature', detail: `${receiver.badSignatures} deliveries with a bad signature` });
    lap('check');
    const payouts = { ...payoutStats, ...(await payoutFigures(db)) };
    result = {
      seed: options.seed, plan, violations, outstanding, workload, payouts, client, kills: cluster.kills,
      seconds: 0, phases, database, logFile: cluster.logFile,
    };
    return result;
  } finally {
    await cluster.stop();
    await receiver.close();
    await db.end().catch(() => undefined);
    const failed = !result || result.violations.length > 0;
    if (!options.keepDatabase && !failed) await options.databases.drop(database);
    if (result) result.seconds = (Date.now() - started) / 1000;
  }
}

/** Waits until nothing is left to do (or the deadline); returns what was still open. */
async function settle(db: pg.Client, cluster: Cluster, clientPaid: ClientPaid[], deadline: number): Promise<string[]> {
  for (;;) {
    const truth = await readGatewayTruth(cluster.readyUrls());
    const open = [...(await outstandingWork(db, truth, clientPaid)), ...(await outstandingPayoutWork(db))];
    if (open.length === 0 || Date.now() > deadline) return open;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
