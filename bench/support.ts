import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

/** dist/bench: where the compiled entries of the child processes live. */
export const BENCH_DIST = path.dirname(fileURLToPath(import.meta.url));
export const PROJECT_ROOT = path.resolve(BENCH_DIST, '../..');

export const round = (value: number, digits = 1): number => Math.round(value * 10 ** digits) / 10 ** digits;

/** The p-th percentile of ascending `sorted` (nearest rank). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Resident set size of a process in MiB (Linux /proc). */
export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return round(kib / 1024);
}

/** User + system CPU time in a `/proc/…/stat` file, in milliseconds (clock ticks of 10 ms). */
function statCpuMs(path: string): number {
  const fields = readFileSync(path, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** CPU time (user + system) a process has used so far, in milliseconds (Linux /proc). */
export function cpuMs(pid: number): number {
  return statCpuMs(`/proc/${pid}/stat`);
}

/**
 * CPU time of a process's main thread (its JavaScript and everything it waits on in system calls)
 * and of all its other threads together (V8's GC and compiler helpers, libuv's pool), in ms
 * (Linux /proc/<pid>/task; a thread that exited in between is no longer counted).
 */
export function threadCpuMs(pid: number): { main: number; others: number } {
  let others = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    if (Number(tid) === pid) continue;
    try {
      others += statCpuMs(`/proc/${pid}/task/${tid}/stat`);
    } catch {
      // The thread ended while the directory was read.
    }
  }
  return { main: statCpuMs(`/proc/${pid}/task/${pid}/stat`), others };
}

/** Samples a process's RSS every 250 ms; `stop()` returns the peak seen. */
export function watchRss(pid: number): { stop(): number } {
  let peak = rssMiB(pid);
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rssMiB(pid));
    } catch {
      // the process is gone: keep the peak seen
    }
  }, 250);
  return {
    stop() {
      clearInterval(timer);
      return peak;
    },
  };
}

export interface Child {
  pid: number;
  url: string;
  stop(): Promise<void>;
  /** What the child wrote on stderr (the last 64 KiB), for a failure report. */
  stderr(): string;
}

/**
 * Starts `node <script>` with `env` and waits until `GET <url><readyPath>` answers 200.
 * `nodeArgs` go before the script (`--cpu-prof`).
 */
export async function startChild(script: string, env: Record<string, string>, url: string, options: { readyPath?: string; nodeArgs?: string[] } = {}): Promise<Child> {
  const child: ChildProcess = spawn(process.execPath, [...(options.nodeArgs ?? []), script], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    // BENCH_CHILD_LOG=<file>: the children's stdout (their JSON logs) appended there.
    stdio: ['ignore', process.env.BENCH_CHILD_LOG ? openSync(process.env.BENCH_CHILD_LOG, 'a') : 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-65_536);
  });
  let exited: number | null = null;
  child.once('exit', (code) => void (exited = code ?? -1));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited !== null) throw new Error(`${path.basename(script)} exited (${exited}) before it was ready:\n${stderr}`);
    try {
      const response = await fetch(`${url}${options.readyPath ?? '/healthz'}`, { signal: AbortSignal.timeout(1_000) });
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${path.basename(script)} was not ready within 60 s:\n${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    pid: child.pid!,
    url,
    stderr: () => stderr,
    async stop() {
      if (exited !== null) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
      await gone;
      clearTimeout(timer);
    },
  };
}

export interface LoadFigures {
  requests: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  /** CPU time the server spent per request: what a shared, loaded machine does not distort. */
  serverCpuMsPerRequest?: number;
}

/** Runs autocannon and keeps the figures the report prints. */
export async function load(options: autocannon.Options, serverPid?: number): Promise<LoadFigures> {
  const cpuBefore = serverPid ? cpuMs(serverPid) : 0;
  const result = await autocannon({ ...options });
  return {
    ...(serverPid ? { serverCpuMsPerRequest: round((cpuMs(serverPid) - cpuBefore) / Math.max(1, result.requests.total), 2) } : {}),
    requests: result.requests.total,
    perSecond: round(result.requests.total / (result.duration || 1), 0),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

/** Polls `check` every `everyMs` (50 ms) until it returns true or `timeoutMs` passes; false on timeout. */
export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, everyMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/**
 * Has a process started with `--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=<dir>` write a heap
 * snapshot, and waits until it is complete (the process blocks while writing; its size then stays put).
 */
export async function heapSnapshot(pid: number, dir: string): Promise<void> {
  const before = new Set(readdirSync(dir));
  process.kill(pid, 'SIGUSR2');
  let size = -1;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const file = readdirSync(dir).find((f) => f.endsWith('.heapsnapshot') && !before.has(f));
    if (!file) continue;
    const now = statSync(path.join(dir, file)).size;
    if (now > 0 && now === size) return;
    size = now;
  }
}

/** The token the bench gives the service for /metrics. */
export const BENCH_METRICS_TOKEN = 'bench-metrics-token';

/** A Prometheus histogram as scraped: observations, their sum, and the cumulative count per bucket bound. */
export interface Histogram {
  count: number;
  sum: number;
  buckets: [number, number][];
}

async function scrape(service: Child): Promise<string | null> {
  const response = await fetch(`${service.url}/metrics`, { headers: { authorization: `Bearer ${BENCH_METRICS_TOKEN}` } });
  const text = await response.text();
  return response.ok ? text : null;
}

const sampleValue = (line: string) => Number(line.slice(line.lastIndexOf(' ') + 1));

/**
 * The service's histogram `name` from /metrics, or null when it has none (an older build).
 * `label` (`route="/webhooks/razorpay"`): only the series with that label.
 */
export async function scrapeHistogram(service: Child, name: string, label?: string): Promise<Histogram | null> {
  const text = await scrape(service);
  if (!text) return null;
  const lines = text.split('\n').filter((l) => !label || l.includes(label));
  const count = lines.find((l) => l.startsWith(`${name}_count`));
  const sum = lines.find((l) => l.startsWith(`${name}_sum`));
  // A labelled series appears with its first observation: none yet is an empty histogram.
  if (!count || !sum) return label && text.includes(`# TYPE ${name} histogram`) ? { count: 0, sum: 0, buckets: [] } : null;
  const buckets = lines.filter((l) => l.startsWith(`${name}_bucket{`)).map((l): [number, number] => {
    const le = /le="([^"]+)"/.exec(l)![1]!;
    return [le === '+Inf' ? Infinity : Number(le), sampleValue(l)];
  });
  return { count: sampleValue(count), sum: sampleValue(sum), buckets };
}

/**
 * The service's event-loop delay since the previous scrape, in ms (prom-client's default
 * metrics: perf_hooks' monitorEventLoopDelay at 10 ms resolution, reset at every scrape), or null
 * without /metrics. Scrape once before a load to reset it, once after to read it.
 */
export async function scrapeEventLoopDelay(service: Child): Promise<{ p50Ms: number; p99Ms: number; maxMs: number } | null> {
  const text = await scrape(service);
  if (!text) return null;
  const lines = text.split('\n');
  const gauge = (name: string) => {
    const line = lines.find((l) => l.startsWith(`${name} `));
    return line ? round(sampleValue(line) * 1000) : NaN;
  };
  return { p50Ms: gauge('nodejs_eventloop_lag_p50_seconds'), p99Ms: gauge('nodejs_eventloop_lag_p99_seconds'), maxMs: gauge('nodejs_eventloop_lag_max_seconds') };
}

/**
 * What was observed between two scrapes: the count, the mean in ms, and the bucket bounds (ms)
 * under which half and 99 % of the observations fall (an upper bound of p50 and p99).
 */
export function histogramDelta(before: Histogram | null, after: Histogram | null): { count: number; meanMs: number; p50AtMostMs: number; p99AtMostMs: number } | null {
  if (!before || !after) return null;
  const count = after.count - before.count;
  const bound = (p: number) => {
    const wanted = (p / 100) * count;
    const found = after.buckets.find(([, n], i) => n - (before.buckets[i]?.[1] ?? 0) >= wanted);
    return found ? found[0] * 1000 : NaN;
  };
  return { count, meanMs: count ? round(((after.sum - before.sum) / count) * 1000) : NaN, p50AtMostMs: bound(50), p99AtMostMs: bound(99) };
}
