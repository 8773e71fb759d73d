import type pg from 'pg';
import { cpuPer, rowCounters, rowsPer, walCounters, walPer, type PostgresCpuSampler, type RowCounters, type WalPer } from '../postgres-cpu.js';
import { cpuMs, round, waitFor, type Child } from '../support.js';
import { chargeCheck, measureWebhooks, POLL_MS, type AckFigures, type AckOnlyFigures } from './webhooks.js';

/** `--drain`: the deliveries stored by a service that does not process (`--ack-only`), then processed by another. */
export interface DrainFigures {
  /** The acknowledgements, as `--ack-only` measures them. */
  stored: AckOnlyFigures;
  /** From the processing service being ready until no event was left PENDING or FAILED (or the wait ended). */
  drain: {
    eventsSettled: number; seconds: number; eventsPerSecond: number; serverCpuMsPerEvent: number | null; eventsLeft: number;
    /** PostgreSQL's CPU over the drain, per event settled, by connection group (bench/postgres-cpu.ts). */
    postgresCpuMsPerEvent?: Record<string, number> | null;
    /** WAL bytes and full-page images an event, and the checkpoints during the measurement (server-wide; null before PostgreSQL 14). */
    postgresWalPerEvent?: WalPer | null;
    postgresRowsPerEvent?: RowCounters | null;
  };
  payments: number;
  paymentsNotCaptured: number;
  paymentsWithoutExactlyOneCompletedCharge: number;
  capturedPaymentsWithoutExactlyOneCompletedCharge: number;
}

/**
 * Processing alone: `acknowledger` stores the plan's deliveries without processing them (and is
 * stopped once every event has its job), then `startProcessor` starts a service that processes;
 * timed from its being ready until every event is settled: events per second and the service's
 * CPU per event, nothing else running in it. Then the same money check as {@link measureWebhooks}.
 */
export async function measureDrain(acknowledger: Child, startProcessor: () => Promise<Child>, db: pg.Client, secret: string, orders: { id: string; orderId: string }[], amount: number, rate: number, seconds: number, generator: AckFigures['generator'] = 'paced', pgCpu?: PostgresCpuSampler): Promise<DrainFigures> {
  const stored = await measureWebhooks(acknowledger, db, secret, orders, amount, rate, seconds, true, generator, pgCpu) as AckOnlyFigures;
  // Events still waiting for their job: the feeder's table, or (a build before the thirteenth round, `--service`) the flag on the event.
  const { rows: [{ table }] } = await db.query(`select to_regclass('webhook_event_unqueued') is not null as "table"`);
  const waiting = table ? `select count(*)::int as n from webhook_event_unqueued` : `select count(*)::int as n from webhook_event where not job_queued`;
  const unqueued = async () => Number((await db.query(waiting)).rows[0].n);
  if (!(await waitFor(async () => (await unqueued()) === 0, 60_000))) throw new Error('the acknowledging service left events without their job');
  await acknowledger.stop();
  // Before the processor starts (its work would keep the statistics moving): the acknowledger's connections have closed and reported.
  const rowsBefore = await rowCounters(db);
  const processor = await startProcessor();
  const eventsLeft = async () => Number((await db.query(`select count(*)::int as n from webhook_event where status in ('PENDING', 'FAILED')`)).rows[0].n);
  const [leftBefore, cpuBefore, start, pgCpuBefore, walBefore] = [await eventsLeft(), cpuMs(processor.pid), Date.now(), await pgCpu?.read(), await walCounters(db)];
  await waitFor(async () => (await eventsLeft()) === 0, Math.max(60_000, stored.eventsStored * 50), POLL_MS);
  const [leftAfter, cpuAfter, waited, pgCpuAfter, walAfter] = [await eventsLeft(), cpuMs(processor.pid), (Date.now() - start) / 1000, await pgCpu?.read(), await walCounters(db)];
  const settled = leftBefore - leftAfter;
  const rowsAfter = await rowCounters(db);
  const counts = await chargeCheck(db, orders.map((o) => o.id));
  return {
    stored,
    drain: {
      eventsSettled: settled, seconds: round(waited), eventsPerSecond: round(settled / Math.max(0.001, waited)),
      serverCpuMsPerEvent: settled > 0 ? round((cpuAfter - cpuBefore) / settled, 2) : null, eventsLeft: leftAfter,
      ...(pgCpuBefore && pgCpuAfter ? { postgresCpuMsPerEvent: cpuPer(pgCpuBefore, pgCpuAfter, settled) } : {}),
      postgresWalPerEvent: walPer(walBefore, walAfter, settled),
      postgresRowsPerEvent: rowsPer(rowsBefore, rowsAfter, settled),
    },
    payments: orders.length,
    paymentsNotCaptured: counts.notCaptured,
    paymentsWithoutExactlyOneCompletedCharge: counts.unsettled,
    capturedPaymentsWithoutExactlyOneCompletedCharge: counts.capturedWrong,
  };
}
