import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { GatewayName } from '../gateways/gateway.js';
import { WebhookEventStatus } from './webhook-event.entity.js';

export interface IncomingWebhook {
  gateway: GatewayName;
  eventId: string;
  eventType: string;
  payload: Record<string, unknown>;
  /**
   * Set when the body could not be stored as received: its exact bytes, and why. The event is
   * then QUARANTINED (kept, never processed) with `payload` the sanitised copy.
   */
  quarantine?: { raw: Buffer; problems: string[] };
}

// One fixed statement, its own transaction (autocommit): the row, unless (gateway, event id) is
// already stored; then that row's id. A PENDING row is stored with its place in
// "webhook_event_unqueued": the feeder adds its processing job (webhook.feeder.ts), so the
// acknowledgement is this one round trip.
// The second branch reads the statement's snapshot: a duplicate committed by a concurrent delivery
// after it began is not in it, and `store` looks it up once the statement is over.
const INSERT_EVENT: pg.QueryConfig = {
  // A named (prepared) statement: parsed and planned once per connection.
  name: 'webhook-inbox-insert',
  text: `
  with inserted as (
    insert into "webhook_event" ("id", "gateway", "event_id", "event_type", "payload", "status", "raw_body", "last_error", "attempts", "next_attempt_at", "received_at")
    values ($1, $2, $3, $4, $5, $6, $7, $8, 0, now(), now())
    on conflict ("gateway", "event_id") do nothing
    returning "id", "status"),
  unqueued as (
    insert into "webhook_event_unqueued" ("webhook_event_id") select "id" from inserted where "status" = 'PENDING')
  select "id", true as "stored" from inserted
  union all
  select "id", false as "stored" from "webhook_event" where "gateway" = $2 and "event_id" = $3 and not exists (select 1 from inserted)`,
};
const FIND_EVENT: pg.QueryConfig = {
  name: 'webhook-inbox-find',
  text: `select "id" from "webhook_event" where "gateway" = $1 and "event_id" = $2`,
};

// Several deliveries in one statement (and one commit): what arrived while every connection was
// busy. The rows come as one JSON array; each input row's id is answered: the new row's, or the
// stored one's (`stored` false). A row committed by a concurrent statement after this one began is
// in neither branch: `store` looks it up afterwards, as for one delivery.
const INSERT_EVENTS: pg.QueryConfig = {
  name: 'webhook-inbox-insert-many',
  text: `
  with input as (
    select * from jsonb_to_recordset($1::jsonb) as t("id" uuid, "gateway" text, "event_id" text, "event_type" text, "payload" jsonb, "status" text, "raw_body" text, "last_error" text)),
  inserted as (
    insert into "webhook_event" ("id", "gateway", "event_id", "event_type", "payload", "status", "raw_body", "last_error", "attempts", "next_attempt_at", "received_at")
    select "id", "gateway", "event_id", "event_type", "payload", "status", "raw_body", "last_error", 0, now(), now() from input
    on conflict ("gateway", "event_id") do nothing
    returning "id", "status"),
  unqueued as (
    insert into "webhook_event_unqueued" ("webhook_event_id") select "id" from inserted where "status" = 'PENDING')
  select i."gateway", i."event_id", coalesce(n."id", e."id") as "id", n."id" is not null as "stored"
  from input i
  left join inserted n on n."id" = i."id"
  left join "webhook_event" e on n."id" is null and e."gateway" = i."gateway" and e."event_id" = i."event_id"`,
};

interface Waiting {
  event: IncomingWebhook;
  resolve: (value: { stored: boolean; id: string }) => void;
  reject: (error: unknown) => void;
}

export interface WebhookInboxOptions {
  /** Statements in flight at once: the pool's size (a delivery arriving while all are busy waits for the next statement). */
  concurrency?: number;
  /** The most deliveries one statement stores. */
  maxBatch?: number;
}

/**
 * The webhook inbox: stores each delivery once, keyed by its gateway and the gateway's event id.
 * Its processing job is not inserted here: the feeder adds the jobs of stored rows in batches
 * (never for a duplicate or a QUARANTINED event), woken by `onStored`.
 *
 * It is the acknowledgement path, so it runs on a pool of its own (plain `pg`, prepared
 * statements: no unit of work, no query building): processing, which runs on the job runner and
 * MikroORM's pool, can never take the connections an acknowledgement waits for.
 *
 * At most `concurrency` statements are in flight. A delivery that arrives while a connection is
 * free is stored alone at once; those that arrive while every connection is busy are stored
 * together by the next statement, one round trip and one commit for all of them (a group commit):
 * under a burst the wait is for one statement, not for a queue of single inserts, each with its
 * commit. If a grouped statement fails, each of its deliveries is stored alone, so one bad row
 * fails only its own delivery.
 */
export class WebhookInbox {
  readonly #concurrency: number;
  readonly #maxBatch: number;
  readonly #waiting: Waiting[] = [];
  #inFlight = 0;

  constructor(
    private readonly pool: pg.Pool,
    /** Called after a new PENDING event is committed (the feeder's wake-up). */
    private readonly onStored: () => void = () => undefined,
    options: WebhookInboxOptions = {},
  ) {
    this.#concurrency = options.concurrency ?? pool.options.max ?? 10;
    this.#maxBatch = options.maxBatch ?? 200;
  }

  /**
   * Stores the event unless one with the same id is already stored. Resolves only once the
   * row is committed, so the caller may acknowledge; `stored: false` means a duplicate.
   */
  store(event: IncomingWebhook): Promise<{ stored: boolean; id: string }> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ event, resolve, reject });
      this.#next();
    });
  }

  /** Closes the inbox's pool (the app's shutdown, after the HTTP server stopped taking requests). */
  async close(): Promise<void> {
    await this.pool.end();
  }

  /** Starts statements while connections are free: each takes every delivery waiting (up to `maxBatch`). */
  #next(): void {
    while (this.#inFlight < this.#concurrency && this.#waiting.length > 0) {
      const batch = this.#waiting.splice(0, this.#maxBatch);
      this.#inFlight += 1;
      void this.#storeBatch(batch)
        // Nothing in it should throw; if something did, its deliveries are answered 503, never left waiting.
        .catch((error: unknown) => batch.forEach(({ reject }) => reject(error)))
        .finally(() => {
          this.#inFlight -= 1;
          this.#next();
        });
    }
  }

  async #storeBatch(batch: Waiting[]): Promise<void> {
    if (batch.length === 1) {
      const [only] = batch as [Waiting];
      await this.#storeOne(only.event).then(only.resolve, only.reject);
      return;
    }
    // One row per event id: a repeat inside the batch is answered as a duplicate of the first.
    const first = new Map<string, Waiting>();
    const repeats: [Waiting, Waiting][] = [];
    for (const waiting of batch) {
      const key = `${waiting.event.gateway} ${waiting.event.eventId}`;
      const earlier = first.get(key);
      if (earlier) repeats.push([waiting, earlier]);
      else first.set(key, waiting);
    }
    const rows = [...first.values()].map(({ event }) => ({ event, id: randomUUID() }));
    let answers: Map<string, { id: string | null; stored: boolean }>;
    try {
      const result = await this.pool.query<{ gateway: string; event_id: string; id: string | null; stored: boolean }>({
        ...INSERT_EVENTS,
        // The payload as the object it is: the statement reads it as jsonb out of the array.
        values: [JSON.stringify(rows.map(({ event, id }) => ({ ...columns(event), id, payload: event.payload })))],
      });
      answers = new Map(result.rows.map((row) => [`${row.gateway} ${row.event_id}`, row]));
    } catch {
      // Whatever refused the group (one row the table refuses), each delivery alone: only its own fails.
      await Promise.all(batch.map(({ event, resolve, reject }) => this.#storeOne(event).then(resolve, reject)));
      return;
    }
    const settled = new Map<Waiting, Promise<{ stored: boolean; id: string }>>();
    for (const { event, id } of rows) {
      const key = `${event.gateway} ${event.eventId}`;
      const waiting = first.get(key)!;
      const answer = answers.get(key);
      let outcome: Promise<{ stored: boolean; id: string }>;
      if (answer?.stored) {
        if (!event.quarantine) this.onStored();
        outcome = Promise.resolve({ stored: true, id });
      } else if (answer?.id) {
        outcome = Promise.resolve({ stored: false, id: answer.id });
      } else {
        outcome = this.#find(event);
      }
      settled.set(waiting, outcome);
      outcome.then(waiting.resolve, waiting.reject);
    }
    for (const [waiting, earlier] of repeats) {
      settled.get(earlier)!.then(({ id }) => waiting.resolve({ stored: false, id }), waiting.reject);
    }
  }

  async #storeOne(event: IncomingWebhook): Promise<{ stored: boolean; id: string }> {
    const c = columns(event);
    const { rows } = await this.pool.query<{ id: string; stored: boolean }>({
      ...INSERT_EVENT,
      values: [randomUUID(), c.gateway, c.event_id, c.event_type, c.payload, c.status, c.raw_body, c.last_error],
    });
    const row = rows[0];
    if (row) {
      if (row.stored && !event.quarantine) this.onStored();
      return row;
    }
    return this.#find(event);
  }

  /** A duplicate committed after the statement began: the stored row's id. */
  async #find(event: IncomingWebhook): Promise<{ stored: boolean; id: string }> {
    const found = await this.pool.query<{ id: string }>({ ...FIND_EVENT, values: [event.gateway, event.eventId] });
    if (!found.rows[0]) throw new Error(`webhook event ${event.gateway}/${event.eventId} was neither stored nor found`);
    return { stored: false, id: found.rows[0].id };
  }
}

/** The stored columns of a delivery (the payload as JSON text). */
function columns(event: IncomingWebhook) {
  const { quarantine } = event;
  return {
    gateway: event.gateway,
    event_id: event.eventId,
    event_type: event.eventType,
    payload: JSON.stringify(event.payload),
    status: quarantine ? WebhookEventStatus.QUARANTINED : WebhookEventStatus.PENDING,
    raw_body: quarantine ? quarantine.raw.toString('base64') : null,
    // A QUARANTINED event is never processed: it needs no job (the statement queues PENDING rows only).
    last_error: quarantine ? `quarantined: ${quarantine.problems.join('; ')}` : null,
  };
}
