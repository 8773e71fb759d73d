import WebSocket from 'ws';
import { cpuMs, histogramDelta, percentile, round, rssMiB, scrapeEventLoopDelay, scrapeHistogram, threadCpuMs, waitFor, type Child, type Histogram } from '../support.js';
import { deliver, paymentDelivery } from './webhooks.js';
import { openSpread } from './live-clients.js';
import { pacedLoad } from '../paced-load.js';

const FOLLOW = 'subscription Follow($id: ID!) { paymentStatusChanged(paymentId: $id) { id status version updatedAt } }';

export interface Subscriber {
  socket: WebSocket;
  /** Resolves on the first message (the current state). */
  ready: Promise<void>;
  /** Milliseconds from the change's commit (its updatedAt) to arrival, one per change received. */
  delays: number[];
  statuses: string[];
}

/** One graphql-ws connection (the protocol by hand: the client library would dominate the bench's own CPU) following one payment. */
function subscribe(wsUrl: string, token: string, paymentId: string, onDelay?: (ms: number) => void): Subscriber {
  // The server offers no extensions; the bench trusts its own server's UTF-8 (ws would check every message's bytes).
  const socket = new WebSocket(wsUrl, 'graphql-transport-ws', { perMessageDeflate: false, skipUTF8Validation: true });
  const subscriber: Subscriber = { socket, ready: Promise.resolve(), delays: [], statuses: [] };
  subscriber.ready = new Promise<void>((resolve, reject) => {
    let first = true;
    socket.once('error', reject);
    socket.once('close', (code, reason) => first && reject(new Error(`socket closed ${code} ${reason.toString()} before the first message`)));
    socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })));
    socket.on('message', (data: Buffer) => {
      // Arrival: when the message has been read, before the bench parses it.
      const arrived = Date.now();
      const message = JSON.parse(data.toString()) as { type: string; payload?: { data?: { paymentStatusChanged: { status: string; updatedAt: string } }; errors?: unknown } };
      if (message.type === 'connection_ack') {
        socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: FOLLOW, variables: { id: paymentId } } }));
      } else if (message.type === 'next' && message.payload?.data) {
        const payment = message.payload.data.paymentStatusChanged;
        if (first) {
          first = false;
          resolve();
        } else {
          const delay = arrived - Date.parse(payment.updatedAt);
          subscriber.delays.push(delay);
          if (subscriber.delays.length === 1) onDelay?.(delay);
          subscriber.statuses.push(payment.status);
        }
      } else if (message.type === 'error' || message.payload?.errors) {
        reject(new Error(`subscribe refused: ${JSON.stringify(message.payload)}`));
      }
    });
  });
  return subscriber;
}

/** Opens `count` subscribers, `parallel` handshakes at a time. */
export async function openSubscribers(wsUrl: string, count: number, who: (i: number) => { token: string; paymentId: string }, onDelay?: (ms: number) => void): Promise<Subscriber[]> {
  const subscribers: Subscriber[] = new Array(count);
  let next = 0;
  await Promise.all(Array.from({ length: 64 }, async () => {
    while (next < count) {
      const i = next++;
      const { token, paymentId } = who(i);
      subscribers[i] = subscribe(wsUrl, token, paymentId, onDelay);
      await subscribers[i].ready;
    }
  }));
  return subscribers;
}

export async function closeAll(subscribers: Subscriber[]): Promise<void> {
  await Promise.all(subscribers.map((s) => new Promise<void>((resolve) => {
    if (s.socket.readyState === WebSocket.CLOSED) return resolve();
    s.socket.once('close', () => resolve());
    s.socket.close();
  })));
}

export interface BroadcastFigures {
  clientThreads: number;
  subscribers: number;
  told: number;
  /** The first subscriber told: about the change's own commit and publish, before any socket queueing. */
  minMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  serverKiBPerSubscriber: number;
  rssMiB: number;
  /** CPU time the server spent from the webhook to the last subscriber told (10 ms ticks). */
  serverCpuMsForTheChange: number;
  /** CPU time the bench's own process (its subscribers' sockets) spent in the same window: it shares the two cores. */
  clientCpuMsForTheChange: number;
  /** From the change's updatedAt (set in its transaction) to its publish after the commit, by the service's own clock (/metrics; null: an older build without it). */
  publishDelay: ReturnType<typeof histogramDelta>;
}

const PUBLISH_DELAY = 'payment_publish_delay_seconds';

/** `count` subscribers on one payment (distinct staff users), one change (authorised by a webhook): who is told, how fast after the commit. */
export async function measureBroadcast(service: Child, secret: string, tokens: (i: number) => string, order: { id: string; orderId: string }, count: number, amount: number, onOpen?: () => Promise<void>): Promise<BroadcastFigures> {
  const before = rssMiB(service.pid);
  const wsUrl = `${service.url.replace('http', 'ws')}/graphql`;
  // BENCH_LIVE_CLIENT_THREADS=N: the subscribers spread over N worker threads (see live-clients.ts);
  // by default two, so the bench's 10,000 clients are not paced by one core (1: all in this thread).
  const threads = Number(process.env.BENCH_LIVE_CLIENT_THREADS ?? 2);
  const spread = threads > 1 ? await openSpread(wsUrl, Array.from({ length: count }, (_, i) => tokens(i)), order.id, threads) : null;
  const subscribers = spread ? [] : await openSubscribers(wsUrl, count, (i) => ({ token: tokens(i), paymentId: order.id }));
  const rss = rssMiB(service.pid);
  await onOpen?.();
  const published = await scrapeHistogram(service, PUBLISH_DELAY);
  const cpuBefore = cpuMs(service.pid);
  const clientBefore = process.cpuUsage();
  const status = await deliver(service, paymentDelivery(secret, order, `pay_bcast${order.id.slice(0, 8)}`, 'payment.authorized', amount));
  if (status !== 200) throw new Error(`the broadcast's webhook was answered ${status}`);
  await waitFor(async () => (spread ? spread.delays.length >= count : subscribers.every((s) => s.delays.length > 0)), 20_000);
  const cpu = cpuMs(service.pid) - cpuBefore;
  const client = process.cpuUsage(clientBefore);
  const publishDelay = histogramDelta(published, await scrapeHistogram(service, PUBLISH_DELAY));
  const delays = (spread ? [...spread.delays] : subscribers.flatMap((s) => s.delays.slice(0, 1))).sort((a, b) => a - b);
  await (spread ? spread.close() : closeAll(subscribers));
  return {
    clientThreads: Math.max(1, threads),
    subscribers: count,
    told: delays.length,
    minMs: delays[0] ?? NaN,
    p50Ms: percentile(delays, 50),
    p99Ms: percentile(delays, 99),
    maxMs: delays.at(-1) ?? NaN,
    serverKiBPerSubscriber: Math.round(((rss - before) * 1024) / count),
    rssMiB: rss,
    serverCpuMsForTheChange: cpu,
    clientCpuMsForTheChange: Math.round((client.user + client.system) / 1000),
    publishDelay,
  };
}

export interface OwnPaymentFigures {
  subscribers: number;
  changesPerSecond: number;
  changes: number;
  delivered: number;
  wrongPayment: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  rssPeakMiB: number;
  /** CPU time of the server and of the bench's own process (its subscribers, its webhook sender) from the first change to the last delivery. */
  serverCpuMs: number;
  /** Of it: how busy the service's main thread was in that time (at 100 % every message waits its turn), and its other threads' CPU (V8's GC and compiler helpers, libuv's pool). */
  serverThreads: { mainThreadBusyPercent: number; otherThreadsCpuMs: number };
  clientCpuMs: number;
  /** The webhook sender (bench/paced-load.ts): how late it sent (its own event loop), and the acknowledgements' p99, ms. */
  sendLateP99Ms: number;
  webhookAckP99Ms: number;
  /** Before the changes, nothing changing: the CPU the service and the bench (the subscribers) spend a second. */
  idleWithSubscribers: { seconds: number; serviceCpuMsPerSecond: number; benchCpuMsPerSecond: number };
  /** See BroadcastFigures.publishDelay: the changes' own processing after their updatedAt, before anything is sent. */
  publishDelay: ReturnType<typeof histogramDelta>;
  /** The service's event-loop delay from the first change to the last delivery (10 ms resolution). */
  eventLoopDelay: Awaited<ReturnType<typeof scrapeEventLoopDelay>>;
  /** The service's GC pauses in that time, by kind: how many, and their sum. */
  gcPauses: Record<string, { count: number; totalMs: number } | null>;
}

/**
 * `orders.length` customers each following their own payment, while `rate` of those payments a
 * second are authorised (by webhook) for `seconds`: delay from each change's commit to its one
 * subscriber, and that nobody hears of a payment they do not follow.
 */
export async function measureOwnPayments(service: Child, secret: string, tokenOf: (payerId: string) => Promise<string>, orders: { id: string; orderId: string; payerId: string }[], amount: number, rate: number, seconds: number, idleSeconds: number, onOpen?: () => Promise<void>): Promise<OwnPaymentFigures> {
  const tokens = await Promise.all(orders.map((o) => tokenOf(o.payerId)));
  const subscribers = await openSubscribers(`${service.url.replace('http', 'ws')}/graphql`, orders.length, (i) => ({ token: tokens[i]!, paymentId: orders[i]!.id }));
  await onOpen?.();
  // What the open subscribers cost with nothing changing (the keep-alive pings and their pongs), over a fixed window.
  const idleBefore = { service: cpuMs(service.pid), bench: process.cpuUsage() };
  await new Promise((resolve) => setTimeout(resolve, idleSeconds * 1000));
  const idleBench = process.cpuUsage(idleBefore.bench);
  const idle = {
    seconds: idleSeconds,
    serviceCpuMsPerSecond: round((cpuMs(service.pid) - idleBefore.service) / idleSeconds),
    benchCpuMsPerSecond: round((idleBench.user + idleBench.system) / 1000 / idleSeconds),
  };
  let peak = rssMiB(service.pid);
  const published = await scrapeHistogram(service, PUBLISH_DELAY);
  const gcBefore = await gcPauses(service);
  // Last: resets the event-loop delay's histogram, read again after the last delivery.
  await scrapeEventLoopDelay(service);
  const cpuBefore = cpuMs(service.pid);
  const threadsBefore = threadCpuMs(service.pid);
  const windowStart = performance.now();
  const clientBefore = process.cpuUsage();
  const changes = Math.min(orders.length, Math.round(rate * seconds));
  const plan = orders.slice(0, changes).map((order, i) => paymentDelivery(secret, order, `pay_own${String(i).padStart(9, '0')}`, 'payment.authorized', amount));
  const rss = setInterval(() => void (peak = Math.max(peak, rssMiB(service.pid))), 250);
  // Signed beforehand, sent by the paced generator (bench/paced-load.ts) over kept-alive connections:
  // a fetch() a delivery, signed in the loop, cost the bench ~2.2 ms of CPU a change on the same two cores.
  const sent = await pacedLoad({
    url: service.url, path: '/webhooks/razorpay', rate, count: changes, connections: 16, timeoutMs: 10_000,
    request: (i) => ({ headers: { 'content-type': 'application/json', 'x-razorpay-signature': plan[i]!.signature, 'x-razorpay-event-id': plan[i]!.eventId }, body: plan[i]!.body }),
  }).finally(() => clearInterval(rss));
  if (sent.non2xx > 0 || sent.errors > 0) throw new Error(`webhooks: ${sent.non2xx} answered non-2xx, ${sent.errors} failed`);
  await waitFor(async () => subscribers.slice(0, changes).every((s) => s.delays.length > 0), 30_000);
  peak = Math.max(peak, rssMiB(service.pid));
  const cpu = cpuMs(service.pid) - cpuBefore;
  const threadsAfter = threadCpuMs(service.pid);
  const windowMs = performance.now() - windowStart;
  const client = process.cpuUsage(clientBefore);
  // First: every scrape resets the event-loop delay's histogram.
  const eventLoopDelay = await scrapeEventLoopDelay(service);
  const publishDelay = histogramDelta(published, await scrapeHistogram(service, PUBLISH_DELAY));
  const gcAfter = await gcPauses(service);
  const gc = Object.fromEntries(GC_KINDS.map((kind) => {
    const [before, after] = [gcBefore[kind], gcAfter[kind]];
    return [kind, before && after ? { count: after.count - before.count, totalMs: round((after.sum - before.sum) * 1000) } : null];
  }));
  const delays = subscribers.slice(0, changes).flatMap((s) => s.delays).sort((a, b) => a - b);
  const wrongPayment = subscribers.slice(changes).reduce((sum, s) => sum + s.delays.length, 0);
  await closeAll(subscribers);
  return {
    subscribers: orders.length,
    changesPerSecond: rate,
    changes,
    delivered: delays.length,
    wrongPayment,
    p50Ms: percentile(delays, 50),
    p99Ms: percentile(delays, 99),
    maxMs: delays.at(-1) ?? NaN,
    rssPeakMiB: round(peak),
    serverCpuMs: cpu,
    serverThreads: {
      mainThreadBusyPercent: round((100 * (threadsAfter.main - threadsBefore.main)) / windowMs, 0),
      otherThreadsCpuMs: threadsAfter.others - threadsBefore.others,
    },
    clientCpuMs: Math.round((client.user + client.system) / 1000),
    sendLateP99Ms: sent.sendLateP99Ms,
    webhookAckP99Ms: sent.p99Ms,
    idleWithSubscribers: idle,
    publishDelay,
    eventLoopDelay,
    gcPauses: gc,
  };
}

const GC_KINDS = ['minor', 'major', 'incremental'] as const;
/** prom-client's default `nodejs_gc_duration_seconds`, by kind (scavenges are `minor`, mark-compacts `major`). */
async function gcPauses(service: Child): Promise<Record<(typeof GC_KINDS)[number], Histogram | null>> {
  const entries = await Promise.all(GC_KINDS.map(async (kind) => [kind, await scrapeHistogram(service, 'nodejs_gc_duration_seconds', `kind="${kind}"`)] as const));
  return Object.fromEntries(entries) as Record<(typeof GC_KINDS)[number], Histogram | null>;
}
