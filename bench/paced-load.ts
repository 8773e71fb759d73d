import http from 'node:http';
import { cpuMs, percentile, round, type LoadFigures } from './support.js';

export interface PacedRequest {
  headers: Record<string, string>;
  body: string;
}

export interface PacedFigures extends LoadFigures {
  p90Ms: number;
  maxMs: number;
  /** How late the generator sent a request after its scheduled time (its own event loop's delay): p99 and max, ms. */
  sendLateP99Ms: number;
  sendLateMaxMs: number;
  /** The failed requests by error code, when any failed. */
  errorCodes?: Record<string, number>;
  /** Requests sent again after the keep-alive race (the server closed the idle socket they were written on). */
  resentAfterKeepAliveReset?: number;
}

/**
 * An open-loop load at a steady rate: request i is due at `start + i / rate` whatever the
 * answers before it did (as independent senders would send), over at most `connections`
 * kept-alive connections (a request due while all are busy waits for one: that wait is latency).
 * Each latency runs from the request's **scheduled** time to its answer's end, so neither a slow
 * answer nor a late generator hides a delay (coordinated omission).
 *
 * Why not autocannon's `overallRate` (used before): it gives each connection `rate / connections`
 * requests a second and refills them on a one-second timer, so every second began with all
 * connections sending back to back (500 requests in a closed-loop burst, then nothing), and its
 * correction for coordinated omission assumes an interval of `ceil(1 / rate)` = 1 ms per connection,
 * adding a synthetic sample for every millisecond of each answer's latency (a 90 ms answer counts
 * as 90 samples of 1–90 ms): both inflate the tail it reports.
 */
export async function pacedLoad(options: {
  url: string;
  path: string;
  rate: number;
  count: number;
  connections: number;
  timeoutMs: number;
  request: (i: number) => PacedRequest;
}, serverPid?: number): Promise<PacedFigures> {
  const target = new URL(options.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections });
  const latencies = new Float64Array(options.count);
  const late = new Float64Array(options.count);
  let [answered, non2xx, errors, next, resent] = [0, 0, 0, 0, 0];
  const errorCodes: Record<string, number> = {};
  const cpuBefore = serverPid ? cpuMs(serverPid) : 0;
  const start = performance.now();
  const interval = 1000 / options.rate;
  await new Promise<void>((resolve) => {
    const settle = () => {
      answered += 1;
      if (answered === options.count) resolve();
    };
    const send = (i: number, due: number, resend = false) => {
      const { headers, body } = options.request(i);
      if (!resend) late[i] = performance.now() - due;
      const req = http.request({
        // A resend goes on a connection of its own: through the agent it could be written on
        // another kept-alive socket the server was closing too, and fail again (it did: two
        // deliveries of a run were lost, and the run reported a payment not captured).
        agent: resend ? false : agent, host: target.hostname, port: target.port, path: options.path, method: 'POST',
        headers: { ...headers, 'content-length': Buffer.byteLength(body) }, timeout: options.timeoutMs,
      }, (res) => {
        res.resume();
        res.once('end', () => {
          latencies[i] = performance.now() - due;
          if (res.statusCode! < 200 || res.statusCode! >= 300) non2xx += 1;
          settle();
        });
      });
      req.once('timeout', () => req.destroy(new Error('timeout')));
      req.once('error', (error: NodeJS.ErrnoException) => {
        // Node's keep-alive race: the server closed an idle socket just as this request was
        // written on it, so the request never reached it. Sent again at once on a new connection, as
        // Node's documentation advises (and as a gateway redelivers); its latency still counts
        // from its scheduled time. Not only when `reusedSocket` says so: a request that waited for
        // a socket is handed a freed kept-alive one without that flag, and met the same reset.
        if (!resend && error.code === 'ECONNRESET') {
          resent += 1;
          send(i, due, true);
          return;
        }
        latencies[i] = performance.now() - due;
        errors += 1;
        const code = error.code ?? error.message;
        errorCodes[code] = (errorCodes[code] ?? 0) + 1;
        settle();
      });
      req.end(body);
    };
    const tick = () => {
      const now = performance.now();
      while (next < options.count && start + next * interval <= now) {
        send(next, start + next * interval);
        next += 1;
      }
      if (next < options.count) setTimeout(tick, Math.max(0, start + next * interval - performance.now()));
    };
    tick();
  });
  const seconds = (performance.now() - start) / 1000;
  // BENCH_PACED_DUMP=<file>: every latency and send delay written there (a run looked at second by second).
  if (process.env.BENCH_PACED_DUMP) (await import('node:fs')).writeFileSync(process.env.BENCH_PACED_DUMP, JSON.stringify({ latencies: Array.from(latencies), late: Array.from(late), interval }));
  agent.destroy();
  const sorted = Array.from(latencies).sort((a, b) => a - b);
  const lateSorted = Array.from(late).sort((a, b) => a - b);
  return {
    ...(serverPid ? { serverCpuMsPerRequest: round((cpuMs(serverPid) - cpuBefore) / Math.max(1, options.count), 2) } : {}),
    requests: options.count,
    perSecond: round(options.count / seconds, 0),
    p50Ms: round(percentile(sorted, 50)),
    p90Ms: round(percentile(sorted, 90)),
    p99Ms: round(percentile(sorted, 99)),
    maxMs: round(sorted[sorted.length - 1] ?? NaN),
    non2xx,
    errors,
    ...(errors > 0 ? { errorCodes } : {}),
    ...(resent > 0 ? { resentAfterKeepAliveReset: resent } : {}),
    sendLateP99Ms: round(percentile(lateSorted, 99)),
    sendLateMaxMs: round(lateSorted[lateSorted.length - 1] ?? NaN),
  };
}
