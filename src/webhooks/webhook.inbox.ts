import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { GatewayName } from '../gateways/gateway.js';
import { WebhookEvent, WebhookEventStatus } from './webhook-event.entity.js';

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

/** Adds the processing job of a newly stored event, in the transaction that stores it. */
export type EnqueueProcessing = (em: EntityManager, id: string) => Promise<void>;

/**
 * The webhook inbox: stores each delivery once, keyed by its gateway and the gateway's event id,
 * with its processing job in the same transaction (never for a duplicate or a QUARANTINED event).
 */
export class WebhookInbox {
  constructor(
    private readonly orm: MikroORM,
    private readonly enqueueProcessing: EnqueueProcessing,
  ) {}

  /**
   * Stores the event unless one with the same id is already stored. Resolves only once the
   * row is committed, so the caller may acknowledge; `stored: false` means a duplicate.
   */
  async store(event: IncomingWebhook): Promise<{ stored: boolean; id: string }> {
    const em = this.orm.em.fork();
    const { quarantine, ...fields } = event;
    const row = Object.assign(new WebhookEvent(), fields);
    const inserted = await em.transactional(async (tx) => {
      const rows: { id: string }[] = await tx
        .createQueryBuilder(WebhookEvent)
        .insert({
          id: row.id,
          gateway: row.gateway,
          eventId: row.eventId,
          eventType: row.eventType,
          payload: row.payload,
          status: quarantine ? WebhookEventStatus.QUARANTINED : WebhookEventStatus.PENDING,
          rawBody: quarantine ? quarantine.raw.toString('base64') : null,
          lastError: quarantine ? `quarantined: ${quarantine.problems.join('; ')}` : null,
          attempts: 0,
          nextAttemptAt: row.nextAttemptAt,
          receivedAt: row.receivedAt,
        })
        .onConflict(['gateway', 'event_id'])
        .ignore()
        .returning('id')
        .execute('all');
      if (rows.length > 0 && !quarantine) await this.enqueueProcessing(tx, rows[0]!.id);
      return rows;
    });
    if (inserted.length > 0) return { stored: true, id: inserted[0]!.id };
    const existing = await em.findOneOrFail(WebhookEvent, { gateway: event.gateway, eventId: event.eventId });
    return { stored: false, id: existing.id };
  }
}
