import type { GatewayName } from '../gateways/gateway.js';

/**
 * What a stored event's processing job carries. Every job names the event row (`id`); the jobs the
 * feeder adds also carry what processing reads of it (`event`: set when it was stored and never
 * changed after), so their first attempt reads nothing before its handler and counts its attempt
 * in the statement that writes its outcome (issue 11, sixteenth round: one statement an event
 * fewer). Retries, replays and a restart's requeue carry the id alone and claim the row first.
 */
export interface WebhookJobData {
  id: string;
  event?: CarriedEvent;
}

/** The stored event as its job carries it. */
export interface CarriedEvent {
  gateway: GatewayName;
  eventId: string;
  eventType: string;
  payload: Record<string, unknown>;
  /** When it was stored, as PostgreSQL wrote it (text: the ORM's connection leaves timestamps unparsed). */
  receivedAt: string;
}

/** A stored event's row as the feeder takes it (json parsed, timestamps as text). */
export interface CarriedEventRow {
  id: string;
  gateway: GatewayName;
  event_id: string;
  event_type: string;
  payload: Record<string, unknown>;
  received_at: string;
}

/** The job of an event the feeder took. */
export function carriedJob(row: CarriedEventRow): WebhookJobData {
  return { id: row.id, event: { gateway: row.gateway, eventId: row.event_id, eventType: row.event_type, payload: row.payload, receivedAt: row.received_at } };
}
