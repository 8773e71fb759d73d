import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { GatewayName } from '../gateways/gateway.js';
import type { SqlClient } from '../jobs/job-runner.js';
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

/** Adds the processing job of a newly stored event, through the connection of the transaction that stores it. */
export type EnqueueProcessing = (client: SqlClient, id: string) => Promise<void>;

// One fixed statement: the row, unless (gateway, event id) is already stored; then that row's id.
// The second branch reads the statement's snapshot: a duplicate committed by a concurrent delivery
// after it began is not in it, and `store` looks it up once this transaction is over.
const INSERT_EVENT = `
  with inserted as (
    insert into "webhook_event" ("id", "gateway", "event_id", "event_type", "payload", "status", "raw_body", "last_error", "attempts", "next_attempt_at", "received_at")
    values ($1, $2, $3, $4, $5, $6, $7, $8, 0, now(), now())
    on conflict ("gateway", "event_id") do nothing
    returning "id")
  select "id", true as "stored" from inserted
  union all
  select "id", false as "stored" from "webhook_event" where "gateway" = $2 and "event_id" = $3 and not exists (select 1 from inserted)`;
const FIND_EVENT = `select "id" from "webhook_event" where "gateway" = $1 and "event_id" = $2`;

/**
 * The webhook inbox: stores each delivery once, keyed by its gateway and the gateway's event id,
 * with its processing job in the same transaction (never for a duplicate or a QUARANTINED event).
 *
 * It is the acknowledgement path, so it runs on a pool of its own (plain `pg`, fixed SQL text: no
 * unit of work, no query building): processing, which runs on the job runner and MikroORM's pool,
 * can never take the connections an acknowledgement waits for.
 */
export class WebhookInbox {
  constructor(
    private readonly pool: pg.Pool,
    private readonly enqueueProcessing: EnqueueProcessing,
  ) {}

  /**
   * Stores the event unless one with the same id is already stored. Resolves only once the
   * row is committed, so the caller may acknowledge; `stored: false` means a duplicate.
   */
  async store(event: IncomingWebhook): Promise<{ stored: boolean; id: string }> {
    const { quarantine } = event;
    const client = await this.pool.connect();
    let broken: unknown;
    try {
      let row: { stored: boolean; id: string } | null;
      await client.query('begin');
      try {
        const { rows } = await client.query<{ id: string; stored: boolean }>(INSERT_EVENT, [
          randomUUID(),
          event.gateway,
          event.eventId,
          event.eventType,
          JSON.stringify(event.payload),
          quarantine ? WebhookEventStatus.QUARANTINED : WebhookEventStatus.PENDING,
          quarantine ? quarantine.raw.toString('base64') : null,
          quarantine ? `quarantined: ${quarantine.problems.join('; ')}` : null,
        ]);
        row = rows[0] ?? null;
        if (row?.stored && !quarantine) await this.enqueueProcessing(client, row.id);
        await client.query('commit');
      } catch (error) {
        await client.query('rollback').catch(() => undefined);
        throw error;
      }
      if (row) return row;
      const { rows } = await client.query<{ id: string }>(FIND_EVENT, [event.gateway, event.eventId]);
      if (!rows[0]) throw new Error(`webhook event ${event.gateway}/${event.eventId} was neither stored nor found`);
      return { stored: false, id: rows[0].id };
    } catch (error) {
      broken = error;
      throw error;
    } finally {
      // A connection whose statement failed is not reused (it may be broken mid-protocol).
      client.release(broken instanceof Error ? broken : undefined);
    }
  }

  /** Closes the inbox's pool (the app's shutdown, after the HTTP server stopped taking requests). */
  async close(): Promise<void> {
    await this.pool.end();
  }
}
