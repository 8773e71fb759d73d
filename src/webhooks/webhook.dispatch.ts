import type { DeferredUpdate } from '../db/insert-new-at-once.js';
import type { Gateway, GatewayEvent, GatewayLookup, GatewayName } from '../gateways/gateway.js';

/** What a handler made of an event: done, or nothing to do and why. */
export type HandlerResult = { outcome: 'processed' } | { outcome: 'ignored'; reason: string };

export type GatewayEventKind = GatewayEvent['kind'];

/** Where an event came from: the gateway that sent it (to confirm with, when untrusted) and the audit source. */
export interface EventOrigin {
  gateway: Gateway;
  /** `webhook:<event id>`, recorded on every change the event causes. */
  source: string;
  /**
   * The event's PROCESSED outcome as an update for the transaction that makes the event's change
   * (`updateWithNewRows`): it then commits with the change, in the change's own statement, and the
   * processor writes no outcome of its own (issue 11: one statement fewer an event). Only for a
   * transaction whose commit the handler waits for before it answers `processed`; a handler that
   * writes nothing leaves it, and the processor writes the outcome as before.
   */
  processedWithChange?: DeferredUpdate;
}

/** Handles one kind of event; throws to have the event retried later. */
export type GatewayEventHandler<K extends GatewayEventKind = GatewayEventKind> = (
  event: Extract<GatewayEvent, { kind: K }>,
  origin: EventOrigin,
) => Promise<HandlerResult>;

/** A stored event as the processor hands it over. */
export interface StoredEvent {
  gateway: GatewayName;
  eventId: string;
  eventType: string;
  payload: Record<string, unknown>;
}

/**
 * From a stored event to its handler: the event's own gateway decodes it into the neutral
 * vocabulary, and the handler registered for its kind ('payment', 'refund') acts on it. Neither
 * this file nor any handler knows a gateway's wire format.
 */
export class WebhookDispatch {
  readonly #handlers = new Map<GatewayEventKind, GatewayEventHandler<never>>();

  constructor(private readonly gateways: GatewayLookup) {}

  /** Registers the handler of a kind of event (one per kind; a later one replaces it). */
  on<K extends GatewayEventKind>(kind: K, handler: GatewayEventHandler<K>): void {
    this.#handlers.set(kind, handler as unknown as GatewayEventHandler<never>);
  }

  /** The stored event in neutral terms; throws when its gateway is not configured or the payload is malformed. */
  decode(stored: StoredEvent): GatewayEvent {
    return this.gateways.get(stored.gateway).decodeWebhook(stored.eventType, stored.payload);
  }

  /** Runs the handler of the event's kind; a throw means "retry later". */
  async dispatch(stored: StoredEvent, event: GatewayEvent, processedWithChange?: DeferredUpdate): Promise<HandlerResult> {
    const handler = this.#handlers.get(event.kind) as GatewayEventHandler | undefined;
    if (!handler) return { outcome: 'ignored', reason: (event.kind === 'other' && event.reason) || `no handler for event type ${event.type}` };
    return handler(event, { gateway: this.gateways.get(stored.gateway), source: `webhook:${stored.eventId}`, processedWithChange });
  }
}
