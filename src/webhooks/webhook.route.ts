import { createHash } from 'node:crypto';
import express, { type ErrorRequestHandler, type Request, type Response, type Router } from 'express';
import type { Gateway } from '../gateways/gateway.js';
import type { Logger } from '../logger.js';
import { decodeBody, MAX_WEBHOOK_DEPTH, nestingDepth } from './webhook.body.js';
import type { WebhookInbox } from './webhook.inbox.js';

const MAX_BODY = '512kb';
const EVENT_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,100}$/;

/**
 * `POST /webhooks/razorpay`: mounted before any JSON parser so the signature is checked over
 * the exact bytes Razorpay signed. Answers 200 only once the event is stored (also for a
 * duplicate), 400 for a bad signature or body, 5xx when it could not store (Razorpay retries).
 * A signed body PostgreSQL cannot hold as it is (invalid UTF-8, `\u0000`, lone surrogates) is
 * stored QUARANTINED (raw bytes beside a sanitised copy) and acknowledged, so Razorpay does not
 * retry it for a day; nesting deeper than MAX_WEBHOOK_DEPTH is refused before parsing. Every
 * answer, errors included, is a small JSON body that echoes nothing of the request.
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
      res.status(400).json({ error: reason, code: 'BAD_REQUEST' });
    };
    if (!signature) return refuse('missing X-Razorpay-Signature header');
    if (!deps.gateway.verifyWebhookSignature(raw, signature)) return refuse('X-Razorpay-Signature does not match the body');

    if (nestingDepth(raw) > MAX_WEBHOOK_DEPTH) return refuse(`body nests deeper than ${MAX_WEBHOOK_DEPTH} levels`);
    let decoded: ReturnType<typeof decodeBody>;
    try {
      decoded = decodeBody(raw);
    } catch {
      return refuse('body is not valid JSON');
    }
    const { json, problems } = decoded;
    if (!isEnvelope(json)) return refuse('body is not a Razorpay event (entity "event" with an event name and payload)');
    const headerId = req.get('x-razorpay-event-id');
    if (headerId !== undefined && !EVENT_ID_PATTERN.test(headerId)) return refuse('X-Razorpay-Event-Id is malformed');
    // Razorpay always sends the id; without one, the body's hash still makes redelivery idempotent.
    const eventId = headerId ?? `sha256:${createHash('sha256').update(raw).digest('hex').slice(0, 64)}`;

    try {
      const quarantine = problems.length > 0 ? { raw, problems } : undefined;
      const { stored, id } = await deps.inbox.store({ eventId, eventType: json.event, payload: json as unknown as Record<string, unknown>, quarantine });
      if (quarantine) deps.logger.warn({ eventId, eventType: json.event, problems, duplicate: !stored }, 'webhook stored QUARANTINED for an operator');
      else deps.logger.info({ eventId, eventType: json.event, duplicate: !stored }, 'webhook stored');
      res.status(200).json({ status: stored ? 'stored' : 'duplicate' });
      if (stored) deps.onStored(id);
    } catch (error) {
      // The driver's message quotes the SQL and the values: only its class and SQLSTATE are logged.
      deps.logger.error({ eventId, error: storeErrorSummary(error) }, 'webhook could not be stored');
      res.status(503).json({ error: 'could not store the event; retry', code: 'SERVICE_UNAVAILABLE' });
    }
  });
  router.all('/webhooks/razorpay', (_req, res) => {
    res.status(405).set('Allow', 'POST').json({ error: 'method not allowed: signed events are POSTed here', code: 'METHOD_NOT_ALLOWED' });
  });
  router.all('/webhooks/*path', (_req, res) => {
    res.status(404).json({ error: 'no such webhook route', code: 'NOT_FOUND' });
  });
  router.use('/webhooks', renderWebhookError(deps.logger));
  return router;
}

/** Errors before the handler (body too large, aborted upload) as small JSON bodies, never a stack. */
function renderWebhookError(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const status = typeof error === 'object' && error !== null && 'status' in error && typeof error.status === 'number' ? error.status : 500;
    if (status === 413) {
      res.status(413).json({ error: `body is larger than ${MAX_BODY}`, code: 'PAYLOAD_TOO_LARGE' });
    } else if (status >= 400 && status < 500) {
      res.status(400).json({ error: 'body could not be read', code: 'BAD_REQUEST' });
    } else {
      logger.error({ path: req.path, error: storeErrorSummary(error) }, 'webhook route failed');
      res.status(500).json({ error: 'internal error; retry', code: 'INTERNAL_SERVER_ERROR' });
    }
  };
}

/** What may be logged of a storage error: its class and PostgreSQL's SQLSTATE, never its message. */
function storeErrorSummary(error: unknown): { name: string; code: string | null } {
  if (typeof error !== 'object' || error === null) return { name: typeof error, code: null };
  const code = 'code' in error && typeof error.code === 'string' ? error.code : null;
  return { name: error.constructor?.name ?? 'Error', code };
}

function isEnvelope(value: unknown): value is { entity: 'event'; event: string; payload: object } {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return v.entity === 'event' && typeof v.event === 'string' && v.event.length > 0 && v.event.length <= 64 &&
    typeof v.payload === 'object' && v.payload !== null;
}
