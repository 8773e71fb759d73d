import { createHash } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import type { Gateway } from '../gateways/gateway.js';
import type { Logger } from '../logger.js';
import type { WebhookInbox } from './webhook.inbox.js';

const MAX_BODY = '512kb';
const EVENT_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,100}$/;

/**
 * `POST /webhooks/razorpay`: mounted before any JSON parser so the signature is checked over
 * the exact bytes Razorpay signed. Answers 200 only once the event is stored (also for a
 * duplicate), 400 for a bad signature or body, 5xx when it could not store (Razorpay retries).
 */
export function createWebhookRouter(deps: {
  gateway: Gateway;
  inbox: WebhookInbox;
  logger: Logger;
  onStored: (id: string) => void;
}): Router {
  const router = express.Router();
  router.post('/webhooks/razorpay', express.raw({ type: () => true, limit: MAX_BODY }), async (req: Request, res: Response) => {
    const raw: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const signature = req.get('x-razorpay-signature');
    const refuse = (reason: string) => {
      deps.logger.warn({ reason, eventId: req.get('x-razorpay-event-id') ?? null, bytes: raw.length }, 'webhook refused');
      res.status(400).json({ error: reason });
    };
    if (!signature) return refuse('missing X-Razorpay-Signature header');
    if (!deps.gateway.verifyWebhookSignature(raw, signature)) return refuse('X-Razorpay-Signature does not match the body');

    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch {
      return refuse('body is not valid JSON');
    }
    if (!isEnvelope(json)) return refuse('body is not a Razorpay event (entity "event" with an event name and payload)');
    const headerId = req.get('x-razorpay-event-id');
    if (headerId !== undefined && !EVENT_ID_PATTERN.test(headerId)) return refuse('X-Razorpay-Event-Id is malformed');
    // Razorpay always sends the id; without one, the body's hash still makes redelivery idempotent.
    const eventId = headerId ?? `sha256:${createHash('sha256').update(raw).digest('hex').slice(0, 64)}`;

    try {
      const { stored, id } = await deps.inbox.store({ eventId, eventType: json.event, payload: json as unknown as Record<string, unknown> });
      deps.logger.info({ eventId, eventType: json.event, duplicate: !stored }, 'webhook stored');
      res.status(200).json({ status: stored ? 'stored' : 'duplicate' });
      if (stored) deps.onStored(id);
    } catch (error) {
      deps.logger.error({ err: error, eventId }, 'webhook could not be stored');
      res.status(503).json({ error: 'could not store the event; retry' });
    }
  });
  return router;
}

function isEnvelope(value: unknown): value is { entity: 'event'; event: string; payload: object } {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return v.entity === 'event' && typeof v.event === 'string' && v.event.length > 0 && v.event.length <= 64 &&
    typeof v.payload === 'object' && v.payload !== null;
}
