/**
 * Delivers the sandbox's queued callbacks to the service, as PhonePe does: POST JSON with
 * `Authorization: sha256hex(username:password)`. One at a time in queue order (so tests see a
 * deterministic order unless they ask for another), each retried with backoff until a 2xx or
 * its tries run out. The queue is in PostgreSQL: what a stopped sandbox left pending is
 * delivered by the next one.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { SCHEMA, type SandboxDb } from './sandbox.db.js';

export interface SandboxLogger {
  warn(obj: Record<string, unknown>, msg: string): void;
}

export interface CallbackRecord {
  seq: number;
  event: string;
  status: 'held' | 'pending' | 'delivered' | 'failed' | 'dropped';
  copies: number;
  attempts: number;
  body: unknown;
}

interface CallbackRow {
  seq: string;
  event: string;
  body: string;
  status: CallbackRecord['status'];
  copies: number;
  attempts: number;
}

export interface CallbackDispatcherOptions {
  db: SandboxDb;
  url: () => string;
  authorization: string;
  maxTries?: number;
  retryBaseMs?: number;
  timeoutMs?: number;
  logger?: SandboxLogger;
}

export class CallbackDispatcher {
  readonly #options: Required<Omit<CallbackDispatcherOptions, 'logger'>> & { logger?: SandboxLogger };
  #draining: Promise<void> | null = null;
  #again = false;
  #stopped = false;

  constructor(options: CallbackDispatcherOptions) {
    this.#options = { maxTries: 3, retryBaseMs: 200, timeoutMs: 5_000, ...options };
  }

  /** Starts delivering whatever is pending (again, if a drain is running). */
  kick(): void {
    if (this.#stopped) return;
    if (this.#draining) {
      this.#again = true;
      return;
    }
    this.#draining = (async () => {
      try {
        do {
          this.#again = false;
          await this.#drain();
        } while (this.#again && !this.#stopped);
      } catch (error) {
        this.#options.logger?.warn({ problem: (error as Error).message }, 'phonepe sandbox: callback delivery stopped');
      } finally {
        this.#draining = null;
      }
    })();
  }

  /** Held callbacks go out, in the order they were made or (`reverse`) the opposite. */
  async release(reverse: boolean): Promise<number> {
    const { rowCount } = await this.#options.db.query(
      `update ${SCHEMA}.callbacks c set status = 'pending', release_rank = r.rank
       from (select seq, row_number() over (order by seq ${reverse ? 'desc' : 'asc'}) as rank from ${SCHEMA}.callbacks where status = 'held') r
       where c.seq = r.seq`,
    );
    this.kick();
    return rowCount ?? 0;
  }

  /** Resolves once nothing is being delivered. */
  async whenIdle(): Promise<void> {
    while (this.#draining) await this.#draining;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.whenIdle();
  }

  async records(): Promise<CallbackRecord[]> {
    const { rows } = await this.#options.db.query<CallbackRow>(`select * from ${SCHEMA}.callbacks order by seq`);
    return rows.map((row) => ({ seq: Number(row.seq), event: row.event, status: row.status, copies: row.copies, attempts: row.attempts, body: JSON.parse(row.body) as unknown }));
  }

  async #drain(): Promise<void> {
    while (!this.#stopped) {
      const { rows } = await this.#options.db.query<CallbackRow>(
        `select * from ${SCHEMA}.callbacks where status = 'pending' order by release_rank, seq limit 1`,
      );
      const row = rows[0];
      if (!row) return;
      const delivered = await this.#deliver(row);
      await this.#options.db.query(`update ${SCHEMA}.callbacks set status = $2, attempts = $3 where seq = $1`, [
        row.seq, delivered.ok ? 'delivered' : 'failed', delivered.attempts,
      ]);
    }
  }

  /** Every copy is sent; the callback counts as delivered once the first copy got a 2xx. */
  async #deliver(row: CallbackRow): Promise<{ ok: boolean; attempts: number }> {
    const { maxTries, retryBaseMs } = this.#options;
    let attempts = row.attempts;
    for (let tries = 0; tries < maxTries && !this.#stopped; tries += 1) {
      attempts += 1;
      if (await this.#post(row)) {
        for (let copy = 1; copy < row.copies; copy += 1) await this.#post(row);
        return { ok: true, attempts };
      }
      await sleep(retryBaseMs * 2 ** tries);
    }
    return { ok: false, attempts };
  }

  async #post(row: CallbackRow): Promise<boolean> {
    try {
      const response = await fetch(this.#options.url(), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: this.#options.authorization },
        body: row.body,
        signal: AbortSignal.timeout(this.#options.timeoutMs),
      });
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok) return true;
      this.#options.logger?.warn({ seq: row.seq, event: row.event, status: response.status }, 'phonepe sandbox: callback refused');
      return false;
    } catch (error) {
      this.#options.logger?.warn({ seq: row.seq, event: row.event, problem: (error as Error).message }, 'phonepe sandbox: callback not delivered');
      return false;
    }
  }
}
