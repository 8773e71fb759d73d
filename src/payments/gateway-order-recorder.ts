import DataLoader from 'dataloader';
import type { MikroORM } from '@mikro-orm/postgresql';
import { rawStatement } from '../db/raw-statement.js';

/** The gateway order on an intent that has none yet: one payment. */
const RECORD_ONE = 'update "payment" set "razorpay_order_id" = ?, "redirect_url" = ? where "id" = ? and "razorpay_order_id" is null';
/** The same for any number of payments, one text for every batch size; the ids it set come back. */
const RECORD_MANY = 'update "payment" set "razorpay_order_id" = v.order_id, "redirect_url" = v.redirect_url ' +
  'from unnest(?::uuid[], ?::text[], ?::text[]) as v(id, order_id, redirect_url) ' +
  'where "payment"."id" = v.id and "payment"."razorpay_order_id" is null returning "payment"."id"';
/** The most orders one statement records. */
const MAX_BATCH = 100;

export interface GatewayOrderRecord {
  paymentId: string;
  orderId: string;
  redirectUrl: string | null;
}

/**
 * Records gateway orders on their intents: `update … where razorpay_order_id is null`, so only
 * if no other request (one that took over the intent, thinking it orphaned) set one first. The
 * orders whose gateway calls finish together (within one turn of the event loop, up to
 * {@link MAX_BATCH}) are recorded by one statement: under load that is one round trip and one
 * commit for several orders instead of one each (issue 11). Each order is told whether its own
 * row was set, exactly as by its own statement:
 *
 * - the same payment twice in one batch (two requests racing for an orphaned intent) cannot be
 *   told apart by one UPDATE … FROM (it sets the row once, from either): the second is sent
 *   alone, after the batch, and finds the order already set;
 * - when the batch's statement fails (one order id refused as a duplicate, a lost connection),
 *   each order is tried alone, so each gets its own outcome and error.
 *
 * Batched with DataLoader (already used for the read path's loaders), without its cache.
 */
export class GatewayOrderRecorder {
  readonly #loader: DataLoader<GatewayOrderRecord, number>;

  constructor(private readonly orm: MikroORM) {
    this.#loader = new DataLoader((records) => this.#recordBatch(records), {
      cache: false,
      maxBatchSize: MAX_BATCH,
      // The default (the end of the current tick) would batch only what one callback finished;
      // setImmediate collects every gateway answer that arrived in this turn of the event loop.
      batchScheduleFn: (dispatch) => setImmediate(dispatch),
    });
  }

  /** Sets the gateway order on the intent unless one is set already; the number of rows changed (0 or 1). */
  record(paymentId: string, orderId: string, redirectUrl: string | null): Promise<number> {
    return this.#loader.load({ paymentId, orderId, redirectUrl });
  }

  async #recordBatch(records: readonly GatewayOrderRecord[]): Promise<(number | Error)[]> {
    if (records.length === 1) return [await this.#settle(this.#recordOne(records[0]!))];
    const first = new Map<string, number>();
    records.forEach((record, i) => {
      if (!first.has(record.paymentId)) first.set(record.paymentId, i);
    });
    const batch = [...first.values()].map((i) => records[i]!);
    const results: (number | Error)[] = new Array<number | Error>(records.length);
    let set: Set<string> | null = null;
    try {
      set = await this.#recordMany(batch);
    } catch {
      // Each alone: its own outcome, its own error.
      for (const i of first.values()) results[i] = await this.#settle(this.#recordOne(records[i]!));
    }
    if (set) for (const i of first.values()) results[i] = set.has(records[i]!.paymentId) ? 1 : 0;
    for (let i = 0; i < records.length; i += 1) {
      if (results[i] === undefined) results[i] = await this.#settle(this.#recordOne(records[i]!));
    }
    return results;
  }

  async #recordOne({ paymentId, orderId, redirectUrl }: GatewayOrderRecord): Promise<number> {
    const result = await rawStatement<{ rowCount: number | null }>(this.orm.em, RECORD_ONE, [orderId, redirectUrl, paymentId]);
    return result.rowCount ?? 0;
  }

  async #recordMany(records: GatewayOrderRecord[]): Promise<Set<string>> {
    const result = await rawStatement<{ rows: { id: string }[] }>(this.orm.em, RECORD_MANY, [
      records.map((record) => record.paymentId),
      records.map((record) => record.orderId),
      records.map((record) => record.redirectUrl),
    ]);
    return new Set(result.rows.map((row) => row.id));
  }

  async #settle(outcome: Promise<number>): Promise<number | Error> {
    return outcome.catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
  }
}
