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
// already stored; then that row's id. A PENDING row is stored with "job_queued" false: the feeder
// adds its processing job (webhook.feeder.ts), so the acknowledgement is this one round trip.
// The second branch reads the statement's snapshot: a duplicate committed by a concurrent delivery
// after it began is not in it, and `store` looks it up once the statement is over.
const INSERT_EVENT: pg.QueryConfig = {
  // A named (prepared) statement: parsed and planned once per connection.
  name: 'webhook-inbox-insert',
  text: `
  with inserted as (
    insert into "webhook_event" ("id", "gateway", "event_id", "event_type", "payload", "status", "raw_body", "last_error", "job_queued", "attempts", "next_attempt_at", "received_at")
    values ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, now(), now())
    on conflict ("gateway", "event_id") do nothing
    returning "id")
  select "id", true as "stored" from inserted
  union all
  select "id", false as "stored" from "webhook_event" where "gateway" = $2 and "event_id" = $3 and not exists (select 1 from inserted)`,
};
const FIND_EVENT: pg.QueryConfig = {
  name: 'webhook-inbox-find',
  text: `select "id" from "webhook_event" where "gateway" = $1 and "event_id" = $2`,
};

/**
 * The webhook inbox: stores each delivery once, keyed by its gateway and the gateway's event id.
 * Its processing job is not inserted here: the feeder adds the jobs of stored rows in batches
 * (never for a duplicate or a QUARANTINED event), woken by `onStored`.
 *
 * It is the acknowledgement path, so it runs on a pool of its own (plain `pg`, prepared
 * statements: no unit of work, no query building): processing, which runs on the job runner and
 * MikroORM's pool, can never take the connections an acknowledgement waits for.
 */
export class WebhookInbox {
  constructor(
    private readonly pool: pg.Pool,
    /** Called after a new PENDING event is committed (the feeder's wake-up). */
    private readonly onStored: () => void = () => undefined,
  ) {}

  /**
   * Stores the event unless one with the same id is already stored. Resolves only once the
   * row is committed, so the caller may acknowledge; `stored: false` means a duplicate.
   */
  async store(event: IncomingWebhook): Promise<{ stored: boolean; id: string }> {
    const { quarantine } = event;
    const { rows } = await this.pool.query<{ id: string; stored: boolean }>({
      ...INSERT_EVENT,
      values: [
        randomUUID(),
        event.gateway,
        event.eventId,
        event.eventType,
        JSON.stringify(event.payload),
        quarantine ? WebhookEventStatus.QUARANTINED : WebhookEventStatus.PENDING,
        quarantine ? quarantine.raw.toString('base64') : null,
        quarantine ? `quarantined: ${quarantine.problems.join('; ')}` : null,
        // A QUARANTINED event is never processed: it needs no job.
        Boolean(quarantine),
      ],
    });
    const row = rows[0];
    if (row) {
      if (row.stored && !quarantine) this.onStored();
      return row;
    }
    const found = await this.pool.query<{ id: string }>({ ...FIND_EVENT, values: [event.gateway, event.eventId] });
    if (!found.rows[0]) throw new Error(`webhook event ${event.gateway}/${event.eventId} was neither stored nor found`);
    return { stored: false, id: found.rows[0].id };
  }

  /** Closes the inbox's pool (the app's shutdown, after the HTTP server stopped taking requests). */
  async close(): Promise<void> {
    await this.pool.end();
  }
}
