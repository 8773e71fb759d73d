import type { Services } from '../../src/services.js';
import type { HandlerResult, WebhookDispatch } from '../../src/webhooks/webhook.dispatch.js';

const byType = new WeakMap<WebhookDispatch, Map<string, () => Promise<HandlerResult>>>();

/**
 * For tests of the processor's mechanics (claims, retries, replay): a handler for one event
 * type the service itself does not act on (decoded as kind 'other'). Other such types keep the
 * service's answer, "no handler".
 */
export function handleEventType(services: Services, eventType: string, handler: () => Promise<HandlerResult>): void {
  const dispatch = services.webhookDispatch;
  let handlers = byType.get(dispatch);
  if (!handlers) {
    const registered = new Map<string, () => Promise<HandlerResult>>();
    handlers = registered;
    byType.set(dispatch, registered);
    dispatch.on('other', (event) => registered.get(event.type)?.() ??
      Promise.resolve({ outcome: 'ignored', reason: event.reason ?? `no handler for event type ${event.type}` }));
  }
  handlers.set(eventType, handler);
}
