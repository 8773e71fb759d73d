import { createHmac } from 'node:crypto';
import type pg from 'pg';
import { percentile, round } from './support.js';

/**
 * How fast the machine is this hour, by two fixed pieces of work timed with nothing under load.
 * On this shared, virtual machine the same build spent 3.9 to 5.2 ms of PostgreSQL's CPU an event
 * in-process within one hour (twelfth round), writing the same WAL an event each time. These
 * figures were meant to tell such an hour from a change in the service; in that round they did
 * not follow the runs (docs/performance/the-machine.md), so they are a record of the hour, and
 * builds are still compared by alternating pairs.
 *
 * - `nodeMs`: the bench's own CPU time (user + system, not wall time) for 20,000 webhook-sized
 *   bodies stringified, signed with HMAC-SHA256 and parsed back: JavaScript and OpenSSL, as the
 *   service's acknowledgements spend them.
 * - `postgresMs`: the server's execution time of one CPU-bound query (a million rows generated,
 *   hashed and summed; `EXPLAIN ANALYZE`'s "Execution Time"). The series is generated in the
 *   select list: `FROM generate_series(…)` stores its rows first, and a million of them spill to
 *   a 13 MB temporary file, whose writes made the figure noisier.
 *
 * Even so, one query alone varied from ~95 to ~210 ms within seconds on the idle machine: each
 * figure is the median of nine; lower is faster. The bench takes them before the first scenario
 * and after the last (`machine.calibration.atStart`, `.atEnd`).
 */
export interface Calibration { nodeMs: number; postgresMs: number }

export async function calibrate(db: pg.Client): Promise<Calibration> {
  const node: number[] = [];
  const postgres: number[] = [];
  for (let i = 0; i < 9; i++) {
    node.push(nodeWork());
    const { rows: [row] } = await db.query<{ 'QUERY PLAN': [{ 'Execution Time': number }] }>(
      `explain (analyze, timing off, format json) select sum(hashtext(g::text)::bigint) from (select generate_series(1, 1000000) g) s`);
    postgres.push(row!['QUERY PLAN'][0]['Execution Time']);
  }
  return { nodeMs: round(median(node)), postgresMs: round(median(postgres)) };
}

function nodeWork(): number {
  const start = process.cpuUsage();
  let checksum = 0;
  for (let i = 0; i < 20_000; i++) {
    const body = JSON.stringify({ entity: 'event', event: 'payment.captured', created_at: 1_764_547_200 + i,
      payload: { payment: { entity: { id: `pay_${i.toString(36).padStart(14, '0')}`, order_id: `order_${i}`, amount: 10_000, currency: 'INR', status: 'captured', method: 'upi' } } } });
    const signature = createHmac('sha256', 'calibration-secret').update(body).digest('hex');
    checksum += (JSON.parse(body) as { created_at: number }).created_at + signature.charCodeAt(0);
  }
  const used = process.cpuUsage(start);
  if (checksum === 0) throw new Error('unreachable: keeps the work from being optimised away');
  return (used.user + used.system) / 1000;
}

const median = (values: number[]): number => percentile([...values].sort((a, b) => a - b), 50);
