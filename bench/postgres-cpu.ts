import { readFileSync } from 'node:fs';
import pg from 'pg';
import { round } from './support.js';

/**
 * PostgreSQL's CPU, by who caused it: every `intervalMs` the backends of the bench's database
 * (`pg_stat_activity`) and their `/proc/<pid>/stat` user + system time, the deltas summed by
 * connection name. The service's connections are named (`payments-jobs`: pg-boss's pool;
 * `payments-webhook-inbox`: the pool that stores deliveries); MikroORM's pool is unnamed; the
 * bench's own client is `payments-bench`. `other` is the server's processes tied to no client
 * (postmaster, walwriter, checkpointer, background writer, autovacuum: shared by every database on
 * the server, so other helpers' load lands there too) and autovacuum workers of this database.
 * Backends of other databases are left out. A backend first seen after the first sample is counted
 * from its start (a new pool connection's setup is its cost); one that exits between two samples
 * loses its last delta (its pool closed it: rare under load).
 */
export interface PostgresCpuSampler {
  /** CPU ms per group since the sampler started, read now (not at the last tick). */
  read(): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

const GROUPS: Record<string, string> = {
  'payments-jobs': 'pgBoss',
  'payments-webhook-inbox': 'inbox',
  'payments-bench': 'bench',
  'payments-sandbox': 'sandbox',
  '': 'orm',
};
const SELF = 'payments-bench-pgcpu';
const TICK_MS = 1000 / 100; // USER_HZ: /proc counts in hundredths of a second

function cpuTicks(pid: number): { ticks: number; ppid: number } | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return { ticks: Number(fields[11]) + Number(fields[12]), ppid: Number(fields[1]) };
  } catch {
    return null; // exited, or another machine's server (then every group stays 0)
  }
}

export async function startPostgresCpuSampler(url: string, intervalMs = 500): Promise<PostgresCpuSampler> {
  const client = new pg.Client({ connectionString: url, application_name: SELF });
  await client.connect();
  const database = (await client.query<{ db: string }>('select current_database() as db')).rows[0]!.db;
  const seen = new Map<number, { group: string; ticks: number }>();
  const totals: Record<string, number> = {};
  let first = true;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;

  const sample = async (): Promise<void> => {
    const { rows } = await client.query<{ pid: number; datname: string | null; app: string | null; kind: string | null }>(
      `select pid, datname, application_name as app, backend_type as kind from pg_stat_activity where datname = $1 or datname is null`, [database]);
    const current = new Map<number, string>();
    for (const row of rows) {
      if (row.kind === 'client backend') {
        if (row.datname !== database) continue;
        current.set(row.pid, row.app === SELF ? 'sampler' : GROUPS[row.app ?? ''] ?? `app:${row.app}`);
      } else current.set(row.pid, 'other');
    }
    const postmaster = rows.length ? cpuTicks(rows[0]!.pid)?.ppid : undefined;
    if (postmaster) current.set(postmaster, 'other');
    for (const [pid, group] of current) {
      const now = cpuTicks(pid);
      if (!now) continue;
      const before = seen.get(pid);
      const from = before && before.group === group ? before.ticks : first ? now.ticks : 0;
      totals[group] = (totals[group] ?? 0) + (now.ticks - from);
      seen.set(pid, { group, ticks: now.ticks });
    }
    for (const pid of seen.keys()) if (!current.has(pid)) seen.delete(pid);
    first = false;
  };
  const tick = (): Promise<void> => (running = running.then(sample).catch(() => undefined));
  await tick();
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  return {
    async read() {
      if (!stopped) await tick();
      return Object.fromEntries(Object.entries(totals).map(([group, ticks]) => [group, ticks * TICK_MS]));
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
      await client.end().catch(() => undefined);
    },
  };
}

/** `after − before` per group, per `count` (events or deliveries), in ms, with the total. */
export function cpuPer(before: Record<string, number>, after: Record<string, number>, count: number): Record<string, number> | null {
  if (count <= 0) return null;
  const per: Record<string, number> = {};
  let total = 0;
  for (const group of Object.keys(after).sort()) {
    const ms = (after[group] ?? 0) - (before[group] ?? 0);
    total += ms;
    per[group] = round(ms / count, 2);
  }
  return { total: round(total / count, 2), ...per };
}

/**
 * The server's write-ahead log so far: bytes written, full-page images, checkpoints. They are
 * server-wide, which is fine on the bench's otherwise idle server. A checkpoint during a run makes
 * every page's next change write a full-page image, so the same work costs more WAL, and more
 * PostgreSQL CPU, than in a run without one. Null when the server does not expose them (before
 * PostgreSQL 14).
 */
export interface WalCounters { bytes: number; fullPageImages: number; checkpoints: number }

export async function walCounters(client: pg.Client): Promise<WalCounters | null> {
  try {
    const { rows: [{ version }] } = await client.query<{ version: number }>(`select current_setting('server_version_num')::int as version`);
    const checkpoints = version >= 170_000
      ? `(select num_timed + num_requested from pg_stat_checkpointer)`
      : `(select checkpoints_timed + checkpoints_req from pg_stat_bgwriter)`;
    const { rows: [row] } = await client.query<{ bytes: string; fpi: string; checkpoints: string }>(
      `select (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint as bytes, (select wal_fpi from pg_stat_wal) as fpi, ${checkpoints} as checkpoints`);
    return { bytes: Number(row!.bytes), fullPageImages: Number(row!.fpi), checkpoints: Number(row!.checkpoints) };
  } catch {
    return null;
  }
}

/** The same counters per event or delivery (bytes and full-page images divided, checkpoints counted). */
export type WalPer = WalCounters;

/** WAL bytes and full-page images per `count` (events or deliveries), and the checkpoints in between. */
export function walPer(before: WalCounters | null, after: WalCounters | null, count: number): WalPer | null {
  if (!before || !after || count <= 0) return null;
  return {
    bytes: Math.round((after.bytes - before.bytes) / count),
    fullPageImages: round((after.fullPageImages - before.fullPageImages) / count, 2),
    checkpoints: after.checkpoints - before.checkpoints,
  };
}

/**
 * Rows written so far, by table (`schema.table`, the bench's database only): inserted, updated
 * (of which HOT: no index touched, the new version on the same page), deleted. Like the WAL, they
 * do not move with the machine's speed: the same work writes the same rows. PostgreSQL's
 * cumulative statistics, which a backend reports when it goes idle, but no sooner than a second
 * after its previous report, and then only after ten idle seconds (PostgreSQL 15's
 * PGSTAT_IDLE_INTERVAL): a reading waits until they have not moved for eleven seconds (at most
 * thirty), so only with `--rows` (bench/main.ts); null otherwise.
 */
export type RowCounters = Record<string, { inserted: number; updated: number; hotUpdated: number; deleted: number }>;

let countingRows = false;

/** `--rows`: the scenarios read {@link rowCounters} (each reading takes at least eleven seconds). */
export function countRows(enabled: boolean): void {
  countingRows = enabled;
}

export async function rowCounters(client: pg.Client): Promise<RowCounters | null> {
  if (!countingRows) return null;
  const read = async (): Promise<string> => {
    const { rows } = await client.query<{ name: string; ins: string; upd: string; hot: string; del: string }>(
      `select schemaname || '.' || relname as name, n_tup_ins as ins, n_tup_upd as upd, n_tup_hot_upd as hot, n_tup_del as del from pg_stat_user_tables order by 1`);
    return JSON.stringify(Object.fromEntries(rows.map((r) => [r.name, { inserted: Number(r.ins), updated: Number(r.upd), hotUpdated: Number(r.hot), deleted: Number(r.del) }])));
  };
  let last = await read();
  for (let since = Date.now(), started = since; Date.now() - since < 11_000 && Date.now() - started < 30_000;) {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const now = await read();
    if (now !== last) [last, since] = [now, Date.now()];
  }
  return JSON.parse(last) as RowCounters;
}

/** Rows written per `count` (events or deliveries), by table, tables with none left out. */
export function rowsPer(before: RowCounters | null, after: RowCounters | null, count: number): RowCounters | null {
  if (!before || !after || count <= 0) return null;
  const per: RowCounters = {};
  for (const [name, a] of Object.entries(after)) {
    const b = before[name] ?? { inserted: 0, updated: 0, hotUpdated: 0, deleted: 0 };
    const row = {
      inserted: round((a.inserted - b.inserted) / count, 2), updated: round((a.updated - b.updated) / count, 2),
      hotUpdated: round((a.hotUpdated - b.hotUpdated) / count, 2), deleted: round((a.deleted - b.deleted) / count, 2),
    };
    if (row.inserted || row.updated || row.deleted) per[name] = row;
  }
  return per;
}
