import type { Services } from '../../src/services.js';
import type { EventOrigin, HandlerResult, WebhookDispatch } from '../../src/webhooks/webhook.dispatch.js';

const byType = new WeakMap<WebhookDispatch, Map<string, (origin: EventOrigin) => Promise<HandlerResult>>>();

/**
 * For tests of the processor's mechanics (claims, retries, replay): a handler for one event
 * type the service itself does not act on (decoded as kind 'other'). Other such types keep the
 * service's answer, "no handler". The handler is given the event's origin (`settleWith` on a first attempt).
 */
export function handleEventType(services: Services, eventType: string, handler: (origin: EventOrigin) => Promise<HandlerResult>): void {
  const dispatch = services.webhookDispatch;
  let handlers = byType.get(dispatch);
  if (!handlers) {
    const registered = new Map<string, (origin: EventOrigin) => Promise<HandlerResult>>();
    handlers = registered;
    byType.set(dispatch, registered);
    dispatch.on('other', (event, origin) => registered.get(event.type)?.(origin) ??
      Promise.resolve({ outcome: 'ignored', reason: event.reason ?? `no handler for event type ${event.type}` }));
  }
  handlers.set(eventType, handler);
}
