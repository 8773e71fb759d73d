import path from 'node:path';
import { countRows } from './postgres-cpu.js';
import { PROJECT_ROOT } from './support.js';

/** `npm run bench`'s command line (the options are described in bench/main.ts) and the scenarios' sizes. */
const args = process.argv.slice(2);
export const quick = args.includes('--quick');
export const only = args.includes('--only') ? new Set(args[args.indexOf('--only') + 1]!.split(',')) : null;
export const profileDir = args.includes('--profile') ? path.resolve(args[args.indexOf('--profile') + 1]!) : null;
// `--heap <dir>`: a V8 heap snapshot of the service written there once each live scenario's subscribers are open.
export const heapDir = args.includes('--heap') ? path.resolve(args[args.indexOf('--heap') + 1]!) : null;
// Another build of the service to measure with the same scenarios (a checkout of an older commit, built).
export const serviceRoot = args.includes('--service') ? path.resolve(args[args.indexOf('--service') + 1]!) : PROJECT_ROOT;
export const wanted = (scenario: string) => !only || only.has(scenario);
// BENCH_SERVICE_NODE_ARGS="--trace-gc …": V8/Node flags for the service's process only (memory experiments).
export const serviceNodeArgs = (process.env.BENCH_SERVICE_NODE_ARGS ?? '').split(' ').filter(Boolean);
export const ackOnly = args.includes('--ack-only');
export const webhookLoad = args.includes('--webhook-load') ? (args[args.indexOf('--webhook-load') + 1] as 'paced' | 'autocannon') : 'paced';
export const drain = args.includes('--drain');
// The webhook scenarios also count the rows written an event, by table (each reading waits for PostgreSQL's statistics: 11 s or more).
countRows(args.includes('--rows'));
export const serviceEnv: Record<string, string> = args.includes('--service-env')
  ? Object.fromEntries(args[args.indexOf('--service-env') + 1]!.split(',').map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]))
  : {};

// `--service-socket`: the service reaches PostgreSQL through its Unix socket (DATABASE_URL's `?host=<directory>`)
// instead of TCP loopback; the sandbox, the bare route and the bench's own client keep TCP.
export const serviceSocket = args.includes('--service-socket');

export const SIZES = quick
  ? { pages: 2_000, seconds: 1, pgbenchScale: 1, webhookRate: 50, webhookSeconds: 2, broadcasts: [50], own: 100, ownRate: 50, ownSeconds: 1, idleSeconds: 1, writeWarmUp: { windowSeconds: 1, maxSeconds: 1 }, webhookWarmUp: 1 }
  : { pages: 20_000, seconds: 10, pgbenchScale: 8, webhookRate: 500, webhookSeconds: 30, broadcasts: [2_000, 10_000], own: 10_000, ownRate: 200, ownSeconds: 10, idleSeconds: 5, writeWarmUp: { windowSeconds: 5, maxSeconds: 30 }, webhookWarmUp: 10 };
// `--write-warm-up N`: at most N seconds of createOrder load before the measured ones (0: measure a cold process).
if (args.includes('--write-warm-up')) SIZES.writeWarmUp.maxSeconds = Number(args[args.indexOf('--write-warm-up') + 1]);
// `--webhook-warm-up N`: N seconds of the same deliveries for other payments, all processed, before the measured ones (0: none).
if (args.includes('--webhook-warm-up')) SIZES.webhookWarmUp = Number(args[args.indexOf('--webhook-warm-up') + 1]);
// `--webhook-seconds N`: a shorter (or longer) webhook scenario, the same rate (quicker profiles of the drain).
if (args.includes('--webhook-seconds')) SIZES.webhookSeconds = Number(args[args.indexOf('--webhook-seconds') + 1]);
