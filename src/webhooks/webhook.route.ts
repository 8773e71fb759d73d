import express, { type ErrorRequestHandler, type NextFunction, type Request, type Response, type Router } from 'express';
import type { GatewayLookup, WebhookRequest } from '../gateways/gateway.js';
import type { Logger } from '../logger.js';
import type { WebhookInbox } from './webhook.inbox.js';

const MAX_BODY = '512kb';

/**
 * `POST /webhooks/:gateway` for every configured gateway (`/webhooks/razorpay`, …): mounted
 * before any JSON parser so the gateway's adapter checks the exact bytes it sent. The adapter
 * verifies and reads the request (its headers, signature and envelope are its business); this
 * route stores what it accepted. Answers 200 only once the event is stored (also for a
 * duplicate), 400 with the adapter's reason for a refused request, 5xx when it could not store
 * (the gateway retries). A body PostgreSQL cannot hold as it is (invalid UTF-8, `\u0000`, lone
 * surrogates) is stored QUARANTINED (raw bytes beside a sanitised copy) and acknowledged, so the
 * gateway does not retry it for a day. An unknown gateway is a 404 before any byte is read.
 * Every answer, errors included, is a small JSON body that echoes nothing of the request.
 */
export function createWebhookRouter(deps: {
  gateways: GatewayLookup;
  inbox: WebhookInbox;
  logger: Logger;
  /** Told of every answer of the POST route (metrics); the route is mounted before the app's own metrics middleware. */
  onAnswered?: (gateway: string, status: number, seconds: number) => void;
}): Router {
  const router = express.Router();
  const { logger, onAnswered } = deps;
  const knownGateway = (req: Request, res: Response, next: NextFunction) => {
    if (deps.gateways.find(String(req.params.gateway))) next();
    else notFound(res);
  };
  router.post('/webhooks/:gateway', knownGateway, express.raw({ type: () => true, limit: MAX_BODY }), async (req: Request, res: Response) => {
    const started = onAnswered ? performance.now() : 0;
    const gateway = deps.gateways.get(String(req.params.gateway));
    const raw: Buffer = Buffer.isBuffer(req.body) ? req.body : EMPTY;
    // Node already lower-cases header names and joins repeated ones (set-cookie aside, which no gateway reads).
    const receipt = gateway.receiveWebhook({ rawBody: raw, headers: req.headers as WebhookRequest['headers'] });
    let status: number;
    if (!receipt.ok) {
      logger.warn({ gateway: gateway.name, reason: receipt.reason, bytes: raw.length }, 'webhook refused');
      status = 400;
      res.status(status).json({ error: receipt.reason, code: 'BAD_REQUEST' });
    } else {
      const { eventId, eventType, payload, quarantine } = receipt;
      try {
        const { stored } = await deps.inbox.store({ gateway: gateway.name, eventId, eventType, payload, quarantine });
        if (quarantine) logger.warn({ gateway: gateway.name, eventId, eventType, problems: quarantine.problems }, 'webhook stored QUARANTINED for an operator');
        else if (logger.isLevelEnabled('info')) logger.info({ gateway: gateway.name, eventId, eventType, duplicate: !stored }, 'webhook stored');
        status = 200;
        answer(res, stored ? STORED : DUPLICATE);
      } catch (error) {
        // The driver's message quotes the SQL and the values: only its class and SQLSTATE are logged.
        logger.error({ gateway: gateway.name, eventId, error: storeErrorSummary(error) }, 'webhook could not be stored');
        status = 503;
        res.status(status).json({ error: 'could not store the event; retry', code: 'SERVICE_UNAVAILABLE' });
      }
    }
    onAnswered?.(gateway.name, status, (performance.now() - started) / 1000);
  });
  router.all('/webhooks/:gateway', knownGateway, (_req, res) => {
    res.status(405).set('Allow', 'POST').json({ error: 'method not allowed: signed events are POSTed here', code: 'METHOD_NOT_ALLOWED' });
  });
  router.all('/webhooks/*path', (_req, res) => notFound(res));
  router.use('/webhooks', renderWebhookError(deps.logger));
  return router;
}

const EMPTY = Buffer.alloc(0);
// The two answers of a stored delivery, serialised once (no JSON.stringify, no ETag per request).
const STORED = Buffer.from(JSON.stringify({ status: 'stored' }));
const DUPLICATE = Buffer.from(JSON.stringify({ status: 'duplicate' }));
const JSON_TYPE = 'application/json; charset=utf-8';

function answer(res: Response, body: Buffer): void {
  res.writeHead(200, { 'content-type': JSON_TYPE, 'content-length': body.length }).end(body);
}

function notFound(res: Response): void {
  res.status(404).json({ error: 'no such webhook route', code: 'NOT_FOUND' });
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
