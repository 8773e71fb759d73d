import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { cpuMs, load, round, type Child, type LoadFigures } from '../support.js';

const run = promisify(execFile);

export const CREATE_ORDER = 'mutation Create($input: CreateOrderInput!) { createOrder(input: $input) { razorpayOrderId payment { id status } } }';

/**
 * `createOrder` with a fresh idempotency key each time, `connections` at once for `seconds`,
 * spread over `tokens` (one customer each). With `gateway` (the sandbox's process), its CPU time
 * per request too: it shares the machine's cores with the service.
 */
export async function measureCreateOrder(service: Child, tokens: string[], connections: number, seconds: number, gateway?: Child): Promise<LoadFigures & { gatewayCpuMsPerRequest?: number }> {
  let n = 0;
  const gatewayBefore = gateway ? cpuMs(gateway.pid) : 0;
  const figures = await load({
    url: service.url,
    connections,
    duration: seconds,
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
  }, service.pid);
  if (!gateway) return figures;
  return { ...figures, gatewayCpuMsPerRequest: round((cpuMs(gateway.pid) - gatewayBefore) / Math.max(1, figures.requests), 2) };
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
