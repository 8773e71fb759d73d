import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { closeAll, openSubscribers, type Subscriber } from './live.js';

/**
 * The broadcast's subscribers spread over worker threads (`BENCH_LIVE_CLIENT_THREADS=N`): each
 * thread has its own event loop and opens its share of the sockets, so the bench's client can use
 * both cores. Arrival is still taken where each message is read (Date.now(), the same clock);
 * the delays are posted to the main thread in batches (every 50 ms), not one message each.
 */
export interface SpreadSubscribers {
  /** The delays measured so far (the first change each subscriber received). */
  delays: number[];
  close(): Promise<void>;
}

interface Job { wsUrl: string; tokens: string[]; paymentId: string }

export async function openSpread(wsUrl: string, tokens: string[], paymentId: string, threads: number): Promise<SpreadSubscribers> {
  const delays: number[] = [];
  const per = Math.ceil(tokens.length / threads);
  const workers = await Promise.all(Array.from({ length: threads }, (_, t) => new Promise<Worker>((resolve, reject) => {
    const job: Job = { wsUrl, tokens: tokens.slice(t * per, (t + 1) * per), paymentId };
    const worker = new Worker(fileURLToPath(import.meta.url), { workerData: job });
    worker.on('message', (message: { ready?: true; delays?: number[]; error?: string }) => {
      if (message.ready) resolve(worker);
      else if (message.delays) delays.push(...message.delays);
      else if (message.error) reject(new Error(message.error));
    });
    worker.once('error', reject);
  })));
  return {
    delays,
    async close() {
      await Promise.all(workers.map((worker) => new Promise<void>((resolve) => {
        worker.once('exit', () => resolve());
        worker.postMessage('close');
      })));
    },
  };
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  const { wsUrl, tokens, paymentId } = workerData as Job;
  let subscribers: Subscriber[] = [];
  let measured: number[] = [];
  const flush = () => {
    if (measured.length) port.postMessage({ delays: measured });
    measured = [];
  };
  const timer = setInterval(flush, 50);
  openSubscribers(wsUrl, tokens.length, (i) => ({ token: tokens[i]!, paymentId }), (delay) => measured.push(delay))
    .then((opened) => {
      subscribers = opened;
      port.postMessage({ ready: true });
    })
    .catch((error: unknown) => port.postMessage({ error: String(error) }));
  port.on('message', (message) => {
    if (message !== 'close') return;
    clearInterval(timer);
    flush();
    void closeAll(subscribers).then(() => process.exit(0));
  });
}
