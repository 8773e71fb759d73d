import type { Services } from '../../src/services.js';
import type { EventOrigin, HandlerResult, WebhookDispatch } from '../../src/webhooks/webhook.dispatch.js';

type TestHandler = (origin: EventOrigin) => Promise<HandlerResult>;
const byType = new WeakMap<WebhookDispatch, Map<string, TestHandler>>();

/**
 * For tests of the processor's mechanics (claims, retries, replay): a handler for one event
 * type the service itself does not act on (decoded as kind 'other'). Other such types keep the
 * service's answer, "no handler".
 */
export function handleEventType(services: Services, eventType: string, handler: TestHandler): void {
  const dispatch = services.webhookDispatch;
  let handlers = byType.get(dispatch);
  if (!handlers) {
    const registered = new Map<string, TestHandler>();
    handlers = registered;
    byType.set(dispatch, registered);
    dispatch.on('other', (event, origin) => registered.get(event.type)?.(origin) ??
      Promise.resolve({ outcome: 'ignored', reason: event.reason ?? `no handler for event type ${event.type}` }));
  }
  handlers.set(eventType, handler);
}
