import Table from 'cli-table3';

/** No colour codes: the output is read by people and by scripts alike. */
const PLAIN = { head: [] as string[], border: [] as string[] };
import type { MikroORM } from '@mikro-orm/postgresql';
import { WebhookEvent, WebhookEventStatus } from '../webhooks/webhook-event.entity.js';
import { type WebhookProcessor } from '../webhooks/webhook.processor.js';
import type { Print } from './ledger.commands.js';

/** `webhooks list [--failed]`: stored events, newest first; --failed shows FAILED, DEAD and QUARANTINED ones. */
export async function webhooksList(orm: MikroORM, options: { failed: boolean; limit: number }, print: Print): Promise<number> {
  const needsOperator = [WebhookEventStatus.FAILED, WebhookEventStatus.DEAD, WebhookEventStatus.QUARANTINED];
  const where = options.failed ? { status: { $in: needsOperator } } : {};
  const events = await orm.em.fork().find(WebhookEvent, where, { orderBy: { receivedAt: 'desc' }, limit: options.limit });
  const table = new Table({ head: ['received', 'event id', 'type', 'status', 'attempts', 'next attempt', 'last error'], style: PLAIN });
  for (const e of events) {
    table.push([e.receivedAt.toISOString(), e.eventId, e.eventType, e.status, e.attempts, e.status === WebhookEventStatus.FAILED ? e.nextAttemptAt.toISOString() : '', (e.lastError ?? '').slice(0, 80)]);
  }
  print(table.toString());
  print(`${events.length} event(s)`);
  return events.length;
}

/**
 * `webhooks replay <eventId>`: queues a stored event's job again now (the running service's
 * workers process it, through the same handlers: each applies a change at most once) and waits for its outcome.
 */
export async function webhooksReplay(orm: MikroORM, processor: WebhookProcessor, eventId: string, print: Print): Promise<boolean> {
  const event = await orm.em.fork().findOne(WebhookEvent, { eventId });
  if (!event) {
    print(`no stored event with id ${eventId}`);
    return false;
  }
  if (event.status === WebhookEventStatus.QUARANTINED) {
    print(`event ${eventId} is QUARANTINED (${event.lastError ?? 'its body could not be stored as sent'}): it is never replayed; reconciliation settles its payment from Razorpay`);
    return false;
  }
  const after = await processor.replayAndWait(eventId);
  if (!after) {
    print(`event ${eventId} is queued or being processed right now; retry in a minute`);
    return false;
  }
  const status = after.status === WebhookEventStatus.PENDING ? 'queued (the running service processes it)' : after.status;
  print(`event ${eventId} (${event.eventType}) replayed: ${status}`);
  return true;
}
