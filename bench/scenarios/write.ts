import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { cpuPer, type PostgresCpuSampler } from '../postgres-cpu.js';
import type autocannon from 'autocannon';
import { cpuMs, load, round, type Child, type LoadFigures } from '../support.js';

const run = promisify(execFile);

export const CREATE_ORDER = 'mutation Create($input: CreateOrderInput!) { createOrder(input: $input) { razorpayOrderId payment { id status } } }';

export interface CreateOrderFigures extends LoadFigures {
  /** Orders a second in each window of the warm-up before the measured seconds (none counted). */
  warmUpPerSecond: number[];
  gatewayCpuMsPerRequest?: number;
  /** The bench process's own CPU an order: autocannon, the load generator, on the same cores. */
  loadGeneratorCpuMsPerRequest: number;
  /** PostgreSQL's CPU an order by connection group (bench/postgres-cpu.ts; the sandbox's pool is `sandbox`). */
  postgresCpuMsPerRequest?: Record<string, number> | null;
}

/**
 * `createOrder` with a fresh idempotency key each time, `connections` at once for `seconds` after a warm-up,
 * spread over `tokens` (one customer each). With `gateway` (the sandbox's process), its CPU time
 * per request too: it shares the machine's cores with the service; so do PostgreSQL (`postgres`,
 * its CPU by connection group) and the load generator (this process).
 */
export async function measureCreateOrder(service: Child, tokens: string[], connections: number, seconds: number, warmUp: { windowSeconds: number; maxSeconds: number }, gateway?: Child, postgres?: PostgresCpuSampler): Promise<CreateOrderFigures> {
  let n = 0;
  const options = (duration: number): autocannon.Options => ({
    url: service.url,
    connections,
    duration,
    requests: [{
      method: 'POST',
      path: '/graphql',
      setupRequest: (req) => {
        n += 1;
        return {
          ...req,
          headers: { authorization: `Bearer ${tokens[n % tokens.length]}`, 'content-type': 'application/json' },
          body: JSON.stringify({ query: CREATE_ORDER, variables: { input: { amount: 10_000, payeeId: 'bench-payee', idempotencyKey: `bench-${process.pid}-${n}` } } }),
        };
      },
    }],
  });
  // The same orders first, not counted, in windows of `warmUp.windowSeconds` until a window is
  // no more than 5 % faster than the one before (or `warmUp.maxSeconds` have passed): what is
  // measured is the service once V8 has compiled its hot paths, as a long-running process
  // serves, not its first seconds (docs/performance/create-order.md, "createOrder, fourteenth round").
  const warmUpRates: number[] = [];
  for (let spent = 0; spent < warmUp.maxSeconds; spent += warmUp.windowSeconds) {
    const previous = warmUpRates.at(-1);
    const rate = (await load(options(warmUp.windowSeconds))).perSecond;
    warmUpRates.push(rate);
    if (previous !== undefined && rate <= previous * 1.05) break;
  }
  const gatewayBefore = gateway ? cpuMs(gateway.pid) : 0;
  const postgresBefore = postgres ? await postgres.read() : {};
  const selfBefore = process.cpuUsage();
  const figures = await load(options(seconds), service.pid);
  const self = process.cpuUsage(selfBefore);
  const requests = Math.max(1, figures.requests);
  return {
    ...figures,
    warmUpPerSecond: warmUpRates,
    ...(gateway ? { gatewayCpuMsPerRequest: round((cpuMs(gateway.pid) - gatewayBefore) / requests, 2) } : {}),
    loadGeneratorCpuMsPerRequest: round((self.user + self.system) / 1000 / requests, 2),
    ...(postgres ? { postgresCpuMsPerRequest: cpuPer(postgresBefore, await postgres.read(), figures.requests) } : {}),
  };
}

/**
 * What the service and PostgreSQL spend a second with no request coming (the job runner's polls,
 * the webhook feeder's, the metrics): the floor under every order's cost, taken over `seconds`.
 */
export async function measureIdle(service: Child, postgres: PostgresCpuSampler, seconds: number): Promise<{ seconds: number; serviceCpuMsPerSecond: number; postgresCpuMsPerSecond: Record<string, number> | null }> {
  const serviceBefore = cpuMs(service.pid);
  const postgresBefore = await postgres.read();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  return {
    seconds,
    serviceCpuMsPerSecond: round((cpuMs(service.pid) - serviceBefore) / seconds, 1),
    postgresCpuMsPerSecond: cpuPer(postgresBefore, await postgres.read(), seconds),
  };
}

export interface PgbenchFigures {
  tps: number;
  clients: number;
  scale: number;
  seconds: number;
}

/** pgbench TPC-B (its built-in script) with 8 clients on a database of its own; null when pgbench is missing. */
export async function measurePgbench(adminUrl: string, database: string, seconds: number, scale: number): Promise<PgbenchFigures | { skipped: string }> {
  try {
    await run('pgbench', ['--version']);
  } catch {
    return { skipped: 'pgbench is not installed (PostgreSQL client tools): the createOrder ratio is left out' };
  }
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  await run('pgbench', ['-i', '-q', '-s', String(scale), url.toString()]);
  const { stdout } = await run('pgbench', ['-c', '8', '-j', '2', '-T', String(seconds), '-n', url.toString()]);
  const tps = Number(/tps = ([\d.]+)/.exec(stdout)?.[1] ?? NaN);
  return { tps: Math.round(tps), clients: 8, scale, seconds };
}
