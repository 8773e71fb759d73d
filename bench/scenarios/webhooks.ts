import { createHmac } from 'node:crypto';
import type pg from 'pg';
import { pacedLoad } from '../paced-load.js';
import { cpuPer, rowCounters, rowsPer, walCounters, walPer, type PostgresCpuSampler, type RowCounters, type WalPer } from '../postgres-cpu.js';
import { cpuMs, histogramDelta, load, round, scrapeEventLoopDelay, scrapeHistogram, waitFor, type Child } from '../support.js';

/**
 * How often the bench counts what is left while processing runs: each count reads thousands of rows
 * (in a drain of 11,250 events ~7 ms of PostgreSQL's CPU a count, pg_stat_statements); every 50 ms
 * took about a tenth of a core from what is measured. The figures' resolution is this interval.
 */
export const POLL_MS = 250;

export interface Delivery {
  eventId: string;
  body: string;
  signature: string;
}

/** A Razorpay `payment.authorized` / `payment.captured` delivery for one of our orders, signed as Razorpay signs. */
export function paymentDelivery(secret: string, order: { orderId: string }, paymentId: string, event: 'payment.authorized' | 'payment.captured', amount: number): Delivery {
  const captured = event === 'payment.captured';
  const body = JSON.stringify({
    entity: 'event', account_id: 'acc_BENCH', event, contains: ['payment'], created_at: Math.floor(Date.now() / 1000),
    payload: { payment: { entity: {
      id: paymentId, entity: 'payment', amount, currency: 'INR', status: captured ? 'captured' : 'authorized', order_id: order.orderId, method: 'upi',
      captured, amount_refunded: 0, refund_status: null, vpa: 'bench@ybl', card: null, bank: null, wallet: null, fee: captured ? 236 : null, tax: captured ? 36 : null,
      error_code: null, error_description: null, error_reason: null, error_source: null, error_step: null, created_at: Math.floor(Date.now() / 1000), notes: [],
    } } },
  });
  return { eventId: `evt_${paymentId}_${event}`, body, signature: createHmac('sha256', secret).update(body).digest('hex') };
}

/** Sends one delivery to the webhook route; the HTTP status. */
export async function deliver(service: Child, delivery: Delivery): Promise<number> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      const response = await fetch(`${service.url}/webhooks/razorpay`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-razorpay-signature': delivery.signature, 'x-razorpay-event-id': delivery.eventId },
        body: delivery.body,
      });
      await response.arrayBuffer();
      return response.status;
    } catch (error) {
      // A kept-alive connection the server closed as it was reused: Razorpay retries too, and a
      // repeated event id is answered as a duplicate.
      if (attempt >= 3) throw error;
    }
  }
}

/**
 * The deliveries for `orders`: each order authorised then captured, a third of them captured
 * first (out of order), and a quarter of all deliveries repeats of an earlier one. `tag` names
 * the gateway's payment ids (and so the event ids): another tag, another set of payments.
 */
export function webhookPlan(secret: string, orders: { orderId: string }[], amount: number, tag = 'bench'): Delivery[] {
  const plan: Delivery[] = [];
  orders.forEach((order, i) => {
    const paymentId = `pay_${tag}${String(i).padStart(9, '0')}`;
    const events = [paymentDelivery(secret, order, paymentId, 'payment.authorized', amount), paymentDelivery(secret, order, paymentId, 'payment.captured', amount)];
    if (i % 3 === 2) events.reverse();
    for (const event of events) {
      plan.push(event);
      // After every third delivery, one repeats a delivery sent a little earlier.
      if (plan.length % 4 === 3) plan.push(plan[Math.max(0, plan.length - 1 - (plan.length % 7))]!);
    }
  });
  return plan;
}

/**
 * What the load generator saw (`paced`: from each delivery's scheduled time; `autocannon`: its own
 * figures, see bench/paced-load.ts), beside what the service measured itself while the
 * deliveries arrived: the route's answer time (its `http_request_duration_seconds` histogram:
 * bucket bounds, an upper bound of p50 and p99) and its event loop's delay.
 */
export interface AckFigures {
  generator: 'paced' | 'autocannon';
  perSecond: number;
  p50Ms: number;
  p90Ms?: number;
  p99Ms: number;
  maxMs?: number;
  non2xx: number;
  errors: number;
  sendLateP99Ms?: number;
  sendLateMaxMs?: number;
  serviceAnswer: ReturnType<typeof histogramDelta>;
  serviceEventLoopDelay: Awaited<ReturnType<typeof scrapeEventLoopDelay>>;
}

export interface WebhookFigures {
  deliveries: number;
  payments: number;
  ratePerSecond: number;
  acks: AckFigures;
  /** Server CPU time per delivery while they arrived (processing that ran meanwhile included: same process). */
  serverCpuMsPerDelivery: number | null;
  allProcessedAfterLastDeliveryS: number | null;
  /**
   * Processing alone, from the last delivery until every payment was CAPTURED (or the wait
   * ended): events settled (PROCESSED, IGNORED, DEAD) in that time, per second, and the server's
   * CPU per event settled. The figure of processing's own cost, whatever the acknowledgements did.
   */
  afterLastDelivery: { eventsSettled: number; seconds: number; eventsPerSecond: number; serverCpuMsPerEvent: number | null };
  /**
   * PostgreSQL's CPU (bench/postgres-cpu.ts) from the first delivery until every payment was
   * CAPTURED, per event settled, by connection group (`pgBoss`, `orm`, `inbox`, `bench`, `other`).
   */
  postgresCpuMsPerEvent?: Record<string, number> | null;
  /** WAL bytes and full-page images an event, and the checkpoints during the measurement (server-wide; null before PostgreSQL 14). */
  postgresWalPerEvent?: WalPer | null;
  /** Rows inserted, updated (of them HOT) and deleted an event, by table (bench/postgres-cpu.ts). */
  postgresRowsPerEvent?: RowCounters | null;
  paymentsNotCaptured: number;
  paymentsWithoutExactlyOneCompletedCharge: number;
  /** Must be 0 whatever the load: a CAPTURED payment with a doubled or missing CHARGE. */
  capturedPaymentsWithoutExactlyOneCompletedCharge: number;
}

/** `--ack-only`: the service stores and acknowledges (WEBHOOK_PROCESSING=false); nothing is processed. */
export interface AckOnlyFigures {
  deliveries: number;
  ratePerSecond: number;
  acks: WebhookFigures['acks'];
  /** Server CPU time per delivery: the acknowledgement alone. */
  serverCpuMsPerDelivery: number | null;
  /** Distinct events stored (the plan's repeats are duplicates). */
  eventsStored: number;
  /** PostgreSQL's CPU per delivery while they arrived, by connection group (bench/postgres-cpu.ts). */
  postgresCpuMsPerDelivery?: Record<string, number> | null;
  /** WAL bytes and full-page images a delivery, and the checkpoints while they arrived (server-wide; null before PostgreSQL 14). */
  postgresWalPerDelivery?: WalPer | null;
  /** Rows inserted, updated (of them HOT) and deleted a delivery, by table (bench/postgres-cpu.ts). */
  postgresRowsPerDelivery?: RowCounters | null;
}

/**
 * `rate` deliveries a second for `seconds` (the plan above) against the route while the same
 * process processes them; then how long until every payment is CAPTURED, and the money check:
 * exactly one completed CHARGE per payment.
 */
export async function measureWebhooks(service: Child, db: pg.Client, secret: string, orders: { id: string; orderId: string }[], amount: number, rate: number, seconds: number, ackOnly = false, generator: AckFigures['generator'] = 'paced', pgCpu?: PostgresCpuSampler, tag = 'bench'): Promise<WebhookFigures | AckOnlyFigures> {
  const plan = webhookPlan(secret, orders, amount, tag);
  const headers = (delivery: (typeof plan)[number]) => ({ 'content-type': 'application/json', 'x-razorpay-signature': delivery.signature, 'x-razorpay-event-id': delivery.eventId });
  const ROUTE = 'route="/webhooks/razorpay"';
  const answeredBefore = await scrapeHistogram(service, 'http_request_duration_seconds', ROUTE);
  await scrapeEventLoopDelay(service);
  const connections = Math.min(100, Math.max(10, Math.round(rate / 10)));
  // Events already in the inbox (a warm-up's): the figures below count this run's only.
  const eventsSettled = async () => Number((await db.query(`select count(*)::int as n from webhook_event where status in ('PROCESSED', 'IGNORED', 'DEAD')`)).rows[0].n);
  const eventsStored = async () => Number((await db.query(`select count(*)::int as n from webhook_event`)).rows[0].n);
  const [storedAtStart, settledAtStart] = [await eventsStored(), await eventsSettled()];
  const [pgCpuBefore, walBefore, rowsBefore] = [await pgCpu?.read(), await walCounters(db), await rowCounters(db)];
  let next = 0;
  const loaded = generator === 'paced' ? await pacedLoad({
    url: service.url, path: '/webhooks/razorpay', rate, count: plan.length, connections, timeoutMs: 10_000,
    request: (i) => ({ headers: headers(plan[i]!), body: plan[i]!.body }),
  }, service.pid) : await load({
    url: service.url,
    connections,
    overallRate: rate,
    amount: plan.length,
    timeout: 10,
    requests: [{
      method: 'POST',
      path: '/webhooks/razorpay',
      setupRequest: (req) => {
        const delivery = plan[next++ % plan.length]!;
        return {
          ...req,
          headers: headers(delivery),
          body: delivery.body,
        };
      },
    }],
  }, service.pid);
  const lastDelivery = Date.now();
  const serviceEventLoopDelay = await scrapeEventLoopDelay(service);
  const serviceAnswer = histogramDelta(answeredBefore, await scrapeHistogram(service, 'http_request_duration_seconds', ROUTE));
  const { serverCpuMsPerRequest, requests: _requests, ...figures } = loaded;
  const acks: AckFigures = { generator, ...figures, serviceAnswer, serviceEventLoopDelay };
  if (ackOnly) {
    const [pgCpuAfter, walAfter] = [await pgCpu?.read(), await walCounters(db)];
    const stored = (await eventsStored()) - storedAtStart;
    const rowsAfter = await rowCounters(db);
    return {
      deliveries: plan.length, ratePerSecond: rate,
      acks,
      serverCpuMsPerDelivery: serverCpuMsPerRequest ?? null,
      eventsStored: stored,
      ...(pgCpuBefore && pgCpuAfter ? { postgresCpuMsPerDelivery: cpuPer(pgCpuBefore, pgCpuAfter, plan.length) } : {}),
      postgresWalPerDelivery: walPer(walBefore, walAfter, plan.length),
      postgresRowsPerDelivery: rowsPer(rowsBefore, rowsAfter, plan.length),
    };
  }
  const ids = orders.map((o) => o.id);
  const [settledBefore, cpuBefore] = [await eventsSettled(), cpuMs(service.pid)];
  const notCaptured = async () => Number((await db.query(`select count(*)::int as n from payment where id = any($1) and status <> 'CAPTURED'`, [ids])).rows[0].n);
  // Until every payment is processed, however long that takes on this machine (bounded by 50 ms an
  // event, as --drain): "all processed N s after the last delivery" is the figure, and the money
  // check then runs on settled books, so only a lost or doubled CHARGE fails the run, never a timing.
  const settled = await waitFor(async () => (await notCaptured()) === 0, Math.max(60_000, plan.length * 50), POLL_MS);
  const processedAfter = settled ? round((Date.now() - lastDelivery) / 1000) : null;
  const [settledAfter, cpuAfter, waited, pgCpuAfter, walAfter] = [await eventsSettled(), cpuMs(service.pid), (Date.now() - lastDelivery) / 1000, await pgCpu?.read(), await walCounters(db)];
  const rowsAfter = await rowCounters(db);
  const afterLastDelivery = {
    eventsSettled: settledAfter - settledBefore,
    seconds: round(waited),
    eventsPerSecond: round((settledAfter - settledBefore) / Math.max(0.001, waited)),
    serverCpuMsPerEvent: settledAfter > settledBefore ? round((cpuAfter - cpuBefore) / (settledAfter - settledBefore), 2) : null,
  };
  const counts = await chargeCheck(db, ids);
  return {
    deliveries: plan.length,
    payments: orders.length,
    ratePerSecond: rate,
    acks,
    serverCpuMsPerDelivery: serverCpuMsPerRequest ?? null,
    allProcessedAfterLastDeliveryS: processedAfter,
    afterLastDelivery,
    ...(pgCpuBefore && pgCpuAfter ? { postgresCpuMsPerEvent: cpuPer(pgCpuBefore, pgCpuAfter, settledAfter - settledAtStart) } : {}),
    postgresWalPerEvent: walPer(walBefore, walAfter, settledAfter - settledAtStart),
    postgresRowsPerEvent: rowsPer(rowsBefore, rowsAfter, settledAfter - settledAtStart),
    paymentsNotCaptured: counts.notCaptured,
    paymentsWithoutExactlyOneCompletedCharge: counts.unsettled,
    capturedPaymentsWithoutExactlyOneCompletedCharge: counts.capturedWrong,
  };
}

/**
 * One statement, so the counts agree (processing may still be running): payments not CAPTURED,
 * payments whose CHARGE is not exactly one completed one, and of those the CAPTURED ones (a
 * doubled or lost CHARGE; a payment not yet processed has its CHARGE pending).
 */
export async function chargeCheck(db: pg.Client, ids: string[]): Promise<{ notCaptured: number; unsettled: number; capturedWrong: number }> {
  const { rows: [counts] } = await db.query(`
    with unsettled as (
      select p.id, p.status from payment p
      where p.id = any($1) and ((select count(*) from transaction t where t.payment_id = p.id and t.type = 'CHARGE' and t.status = 'COMPLETED') <> 1
         or exists (select 1 from transaction t where t.payment_id = p.id and t.type = 'CHARGE' and t.status <> 'COMPLETED')))
    select (select count(*)::int from payment where id = any($1) and status <> 'CAPTURED') as "notCaptured",
           (select count(*)::int from unsettled) as "unsettled",
           (select count(*)::int from unsettled where status = 'CAPTURED') as "capturedWrong"`, [ids]);
  if (counts.notCaptured > 0) await describeNotCaptured(db, ids);
  return counts;
}

/** Up to five payments left not CAPTURED, each with its webhook events as stored and settled, on stderr (what to look at when a run reports one). */
async function describeNotCaptured(db: pg.Client, ids: string[]): Promise<void> {
  const { rows } = await db.query(`
    select p.id, p.status, p.razorpay_order_id as "orderId",
      (select json_agg(json_build_object('eventId', e.event_id, 'type', e.event_type, 'status', e.status, 'attempts', e.attempts, 'lastError', e.last_error,
          'receivedAt', e.received_at, 'processedAt', e.processed_at) order by e.received_at)
        from webhook_event e where e.payload -> 'payload' -> 'payment' -> 'entity' ->> 'order_id' = p.razorpay_order_id) as events,
      (select json_agg(json_build_object('type', pe.type, 'from', pe.from_status, 'to', pe.to_status, 'source', pe.source, 'at', pe.created_at) order by pe.created_at)
        from payment_event pe where pe.payment_id = p.id) as "auditEvents"
    from payment p where p.id = any($1) and p.status <> 'CAPTURED' limit 5`, [ids]);
  for (const row of rows) console.error(`[bench] not captured: ${JSON.stringify(row)}`);
}
