/**
 * The sandbox's webhook outbox in PostgreSQL: events are sealed (event id, `created_at`, body
 * bytes) and written in the same transaction as the change that causes them, so a change is
 * never committed without its webhooks and a restart finds every delivery still pending.
 * Each row names the sandbox instance delivering it (`owner`); an instance holds a session
 * advisory lock on its name while it lives, so a successor can tell orphaned rows from rows a
 * live instance (another server on the same database) is still delivering.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { WireEventName, WireWebhookEnvelope } from '../../gateways/razorpay/razorpay.wire.js';
import { LOCK_SPACE, SCHEMA, type SandboxDb, type Statement } from './sandbox.db.js';
import { newId, nowSeconds } from './sandbox.ids.js';
import type {
  WireMerchantProduct,
  WireRouteProductEventName,
  WireSettlement,
  WireTransfer,
  WireTransferEventName,
} from '../../gateways/razorpay/route/route.wire.js';

/** A webhook a change causes, before it is sealed into a signed delivery. */
export interface SandboxEvent {
  event: WireEventName;
  payload: WireWebhookEnvelope['payload'];
}

/** A Route `product.route.*` webhook (sandbox.route.ts), sealed like the others. */
export interface RouteSandboxEvent {
  event: WireRouteProductEventName;
  payload: { merchant_product: { entity: WireMerchantProduct } };
}

/** A Route `transfer.*` or `settlement.processed` webhook (sandbox.transfers.ts), sealed like the others. */
export interface TransferSandboxEvent {
  event: WireTransferEventName;
  payload: { transfer: { entity: Omit<WireTransfer, 'status'> & { status?: WireTransfer['status'] } } } | { settlement: { entity: WireSettlement } };
}

type AnySandboxEvent = SandboxEvent | RouteSandboxEvent | TransferSandboxEvent;

export interface DeliveryKnobs {
  /** Wait this long before the first delivery. */
  delayMs?: number;
  /** Deliver every event this many times, concurrently (same bytes, same event id). */
  duplicates?: number;
  /** Deliver the events last first. Reversed rather than random, so tests can rely on it. */
  reverse?: boolean;
  /** Deliver nothing, as when Razorpay's webhook is missed; reconciliation must cope. */
  drop?: boolean;
  /**
   * Hold the events (pending, across restarts too) until released (`releaseHeld`), so a test
   * can order deliveries without waiting on a clock.
   */
  hold?: boolean;
}

export type WebhookOutcome = 'pending' | 'delivered' | 'failed' | 'dropped';

export interface WebhookRecord {
  eventId: string;
  event: string;
  outcome: WebhookOutcome;
  /** HTTP attempts made, over all duplicate deliveries. */
  attempts: number;
}

export interface QueuedEvent {
  eventId: string;
  event: string;
  body: Buffer;
}

/** The webhooks one change causes, in delivery order, with when and how often to send them. */
export interface QueuedBatch {
  batchId: string;
  events: QueuedEvent[];
  /** Epoch milliseconds of the first delivery. */
  dueAt: number;
  copies: number;
  dropped: boolean;
  /** Waits for `releaseHeld` before its due time counts. */
  held: boolean;
}

interface WebhookRow {
  event_id: string;
  batch_id: string;
  event: string;
  body: string;
  copies: number;
  due_at: Date;
  held: boolean;
}

const MAX_RECORDS = 200;
const ownerLock = (owner: string): string => `owner:${owner}`;

export class WebhookOutbox {
  /** This instance's name on the rows it delivers. */
  readonly owner = randomUUID();
  #accountId = '';
  #lockClient: pg.Client | null = null;

  constructor(private readonly db: SandboxDb) {}

  /**
   * Reads (or makes) the account id events carry, and holds the lock that says this
   * instance is alive on `client`, a connection of its own kept for the instance's lifetime.
   */
  async open(client: pg.Client): Promise<void> {
    await this.db.query(`insert into ${SCHEMA}.settings (name, value) values ('account_id', $1) on conflict do nothing`, [newId('acc')]);
    const { rows } = await this.db.query<{ value: string }>(`select value from ${SCHEMA}.settings where name = 'account_id'`);
    this.#accountId = rows[0]!.value;
    await client.query('select pg_advisory_lock($1, hashtext($2))', [LOCK_SPACE, ownerLock(this.owner)]);
    this.#lockClient = client;
  }

  /** Seals `events`; `statement` stores them, to be run with the change in its transaction. */
  enqueue(events: AnySandboxEvent[], knobs: DeliveryKnobs): { batch: QueuedBatch; statement: Statement | null } {
    const batchId = randomUUID();
    const delayMs = knobs.delayMs ?? 0;
    const batch: QueuedBatch = {
      batchId,
      events: events.map((event) => this.#seal(event)),
      dueAt: Date.now() + delayMs,
      copies: Math.max(1, knobs.duplicates ?? 1),
      dropped: knobs.drop ?? false,
      held: !(knobs.drop ?? false) && (knobs.hold ?? false),
    };
    const order = knobs.reverse ? [...batch.events].reverse() : batch.events;
    let statement: Statement | null = null;
    if (events.length > 0) {
      const values: unknown[] = [];
      const rows = batch.events.map((queued, i) => {
        values.push(queued.eventId, order.indexOf(queued), queued.event, queued.body.toString('utf8'));
        return `($${i * 4 + 1}, $${i * 4 + 2}, $${i * 4 + 3}, $${i * 4 + 4})`;
      });
      const n = values.length;
      values.push(batchId, batch.dropped ? 'dropped' : 'pending', batch.copies, new Date(batch.dueAt), this.owner, batch.held);
      statement = {
        text: `insert into ${SCHEMA}.webhooks (event_id, position, event, body, batch_id, outcome, copies, due_at, owner, held)
         select v.event_id, v.position::int, v.event, v.body, $${n + 1}::uuid, $${n + 2}, $${n + 3}::int, $${n + 4}::timestamptz, $${n + 5},
                $${n + 6}::boolean
           from (values ${rows.join(', ')}) as v (event_id, position, event, body)`,
        values,
      };
    }
    return { batch: { ...batch, events: order }, statement };
  }

  /** Records what became of an event and the HTTP attempts it took (over all its copies). */
  async finish(eventId: string, outcome: 'delivered' | 'failed', attempts: number): Promise<void> {
    await this.db.query(`update ${SCHEMA}.webhooks set outcome = $2, attempts = attempts + $3 where event_id = $1`, [
      eventId,
      outcome,
      attempts,
    ]);
  }

  /**
   * Releases this instance's held batches: the ones holding any of `eventIds`, or all of them
   * when `eventIds` is null. Returns the batches and events released (not ones released before).
   */
  async releaseHeld(eventIds: string[] | null): Promise<{ batchIds: string[]; eventIds: string[] }> {
    const { rows } = await this.db.query<{ batch_id: string; event_id: string }>(
      `update ${SCHEMA}.webhooks set held = false
        where owner = $1 and held and outcome = 'pending'
          and ($2::text[] is null or batch_id in (select batch_id from ${SCHEMA}.webhooks where event_id = any($2::text[])))
        returning batch_id, event_id`,
      [this.owner, eventIds],
    );
    return { batchIds: [...new Set(rows.map((row) => row.batch_id))], eventIds: rows.map((row) => row.event_id) };
  }

  /**
   * Takes over the pending rows of instances that are gone (their lock is free) and returns
   * every pending batch this instance now owns, to be delivered from where they stopped.
   */
  async claimOrphans(): Promise<QueuedBatch[]> {
    const client = this.#lockClient;
    if (!client) throw new Error('the webhook outbox is not open');
    const owners = await this.db.query<{ owner: string }>(
      `select distinct owner from ${SCHEMA}.webhooks where outcome = 'pending' and owner <> $1`,
      [this.owner],
    );
    for (const { owner } of owners.rows) {
      const lock = [LOCK_SPACE, ownerLock(owner)];
      const { rows } = await client.query<{ free: boolean }>('select pg_try_advisory_lock($1, hashtext($2)) as free', lock);
      if (!rows[0]!.free) continue;
      try {
        await this.db.query(`update ${SCHEMA}.webhooks set owner = $1 where owner = $2 and outcome = 'pending'`, [this.owner, owner]);
      } finally {
        await client.query('select pg_advisory_unlock($1, hashtext($2))', lock);
      }
    }
    const { rows } = await this.db.query<WebhookRow>(
      `select event_id, batch_id, event, body, copies, due_at, held from ${SCHEMA}.webhooks
        where owner = $1 and outcome = 'pending' order by batch_id, position`,
      [this.owner],
    );
    const batches = new Map<string, QueuedBatch>();
    for (const row of rows) {
      let batch = batches.get(row.batch_id);
      if (!batch) {
        batch = { batchId: row.batch_id, events: [], dueAt: row.due_at.getTime(), copies: row.copies, dropped: false, held: row.held };
        batches.set(row.batch_id, batch);
      }
      batch.events.push({ eventId: row.event_id, event: row.event, body: Buffer.from(row.body, 'utf8') });
    }
    return [...batches.values()];
  }

  /** The latest events and what became of them, newest last. */
  async records(): Promise<WebhookRecord[]> {
    const { rows } = await this.db.query<{ event_id: string; event: string; outcome: WebhookOutcome; attempts: number }>(
      `select event_id, event, outcome, attempts from (
         select * from ${SCHEMA}.webhooks order by seq desc limit ${MAX_RECORDS}) latest order by seq`,
    );
    return rows.map((row) => ({ eventId: row.event_id, event: row.event, outcome: row.outcome, attempts: row.attempts }));
  }

  #seal(event: AnySandboxEvent): QueuedEvent {
    const envelope: Omit<WireWebhookEnvelope, 'payload' | 'event'> & Pick<typeof event, 'event' | 'payload'> = {
      entity: 'event',
      account_id: this.#accountId,
      event: event.event,
      contains: Object.keys(event.payload),
      payload: event.payload,
      created_at: nowSeconds(),
    };
    return { eventId: newId('evt'), event: event.event, body: Buffer.from(JSON.stringify(envelope), 'utf8') };
  }
}
