import type { IncomingMessage, ServerResponse } from 'node:http';
import bodyParser from 'body-parser';
import type { GatewayLookup, WebhookRequest } from '../gateways/gateway.js';
import type { Logger } from '../logger.js';
import type { WebhookInbox } from './webhook.inbox.js';

const MAX_BODY = '512kb';
const PREFIX = '/webhooks/';

/** Answers the request when it is under `/webhooks/` (true), or leaves it to the app (false). */
export type WebhookRoute = (req: IncomingMessage, res: ServerResponse) => boolean;

/**
 * `POST /webhooks/:gateway` for every configured gateway (`/webhooks/razorpay`, …), as a plain
 * Node request handler the HTTP server calls before the Express app: a delivery never enters
 * Express's app and router (eleventh round: their per-request objects outlived each delivery
 * until old-space collections, ~20 KB promoted a delivery, a third of the acknowledgement's CPU;
 * docs/performance/webhook-acknowledgements.md). The body is read by body-parser's raw reader, as
 * `express.raw` read it (limit, Content-Encoding), so the gateway's adapter checks the exact bytes
 * it sent. The adapter verifies and reads the request (its headers, signature and envelope are its
 * business); this route stores what it accepted. Answers 200 only once the event is stored (also
 * for a duplicate), 400 with the adapter's reason for a refused request, 5xx when it could not
 * store (the gateway retries). A body PostgreSQL cannot hold as it is (invalid UTF-8, `\u0000`,
 * lone surrogates) is stored QUARANTINED (raw bytes beside a sanitised copy) and acknowledged, so
 * the gateway does not retry it for a day. An unknown gateway is a 404 before any byte is read,
 * another method on a known one a 405. Every answer, errors included, is a small JSON body that
 * echoes nothing of the request.
 */
export function createWebhookRoute(deps: {
  gateways: GatewayLookup;
  inbox: WebhookInbox;
  logger: Logger;
  /** Told of every answer of the POST route (metrics). */
  onAnswered?: (gateway: string, status: number, seconds: number) => void;
}): WebhookRoute {
  const { logger, onAnswered } = deps;
  const readBody = bodyParser.raw({ type: () => true, limit: MAX_BODY });

  async function receive(req: IncomingMessage & { body?: unknown }, res: ServerResponse, gatewayName: string): Promise<void> {
    const started = onAnswered ? performance.now() : 0;
    const gateway = deps.gateways.get(gatewayName);
    const raw: Buffer = Buffer.isBuffer(req.body) ? req.body : EMPTY;
    // Node already lower-cases header names and joins repeated ones (set-cookie aside, which no gateway reads).
    const receipt = gateway.receiveWebhook({ rawBody: raw, headers: req.headers as WebhookRequest['headers'] });
    let status: number;
    if (!receipt.ok) {
      logger.warn({ gateway: gateway.name, reason: receipt.reason, bytes: raw.length }, 'webhook refused');
      status = 400;
      sendJson(res, status, { error: receipt.reason, code: 'BAD_REQUEST' });
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
        logger.error({ gateway: gateway.name, eventId, error: errorSummary(error) }, 'webhook could not be stored');
        status = 503;
        sendJson(res, status, { error: 'could not store the event; retry', code: 'SERVICE_UNAVAILABLE' });
      }
    }
    onAnswered?.(gateway.name, status, (performance.now() - started) / 1000);
  }

  /** The body could not be read (too large, aborted, a Content-Encoding it cannot undo): a small JSON answer, never a stack. */
  function refuseBody(req: IncomingMessage, res: ServerResponse, error: unknown): void {
    const status = typeof error === 'object' && error !== null && 'status' in error && typeof error.status === 'number' ? error.status : 500;
    if (status === 413) {
      sendJson(res, 413, { error: `body is larger than ${MAX_BODY}`, code: 'PAYLOAD_TOO_LARGE' });
    } else if (status >= 400 && status < 500) {
      sendJson(res, 400, { error: 'body could not be read', code: 'BAD_REQUEST' });
    } else {
      logger.error({ path: pathOf(req.url), error: errorSummary(error) }, 'webhook route failed');
      sendJson(res, 500, { error: 'internal error; retry', code: 'INTERNAL_SERVER_ERROR' });
    }
  }

  return (req, res) => {
    const path = pathOf(req.url);
    if (path === null) return false;
    const gatewayName = gatewayOf(path);
    if (gatewayName === null || !deps.gateways.find(gatewayName)) {
      sendJson(res, 404, NOT_FOUND);
    } else if (req.method !== 'POST') {
      sendJson(res, 405, { error: 'method not allowed: signed events are POSTed here', code: 'METHOD_NOT_ALLOWED' }, { allow: 'POST' });
    } else {
      readBody(req, res, (error?: unknown) => {
        if (error) refuseBody(req, res, error);
        // Nothing in it should throw; if something did, the delivery is answered 500 (the gateway retries), never left waiting.
        else receive(req, res, gatewayName).catch((thrown: unknown) => (res.headersSent ? res.destroy() : refuseBody(req, res, thrown)));
      });
    }
    return true;
  };
}

const EMPTY = Buffer.alloc(0);
// The two answers of a stored delivery, serialised once (no JSON.stringify, no ETag per request).
const STORED = Buffer.from(JSON.stringify({ status: 'stored' }));
const DUPLICATE = Buffer.from(JSON.stringify({ status: 'duplicate' }));
const NOT_FOUND = { error: 'no such webhook route', code: 'NOT_FOUND' };
const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * The path of a request under `/webhooks/` (case-insensitive, as the app's routes are), without
 * its query; null for any other path. An absolute-form target (`POST http://host/webhooks/…`)
 * is read by its path.
 */
function pathOf(url: string | undefined): string | null {
  if (!url) return null;
  let path = url;
  if (!path.startsWith('/')) {
    try {
      path = new URL(path).pathname;
    } catch {
      return null;
    }
  }
  const query = path.indexOf('?');
  if (query !== -1) path = path.slice(0, query);
  return path.length >= PREFIX.length && path.slice(0, PREFIX.length).toLowerCase() === PREFIX ? path : null;
}

/** The gateway a webhook path names (`/webhooks/<name>`, one trailing slash allowed, percent-decoded), or null. */
function gatewayOf(path: string): string | null {
  let name = path.slice(PREFIX.length);
  if (name.endsWith('/')) name = name.slice(0, -1);
  if (name === '' || name.includes('/')) return null;
  try {
    return decodeURIComponent(name);
  } catch {
    return null;
  }
}

/** A stored delivery's answer (the hot path: one header object, a body serialised once). */
function answer(res: ServerResponse, body: Buffer): void {
  res.writeHead(200, { 'content-type': JSON_TYPE, 'content-length': body.length }).end(body);
}

function sendJson(res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}): void {
  const bytes = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { ...headers, 'content-type': JSON_TYPE, 'content-length': bytes.length }).end(bytes);
}

/** What may be logged of an error: its class and PostgreSQL's SQLSTATE, never its message. */
function errorSummary(error: unknown): { name: string; code: string | null } {
  if (typeof error !== 'object' || error === null) return { name: typeof error, code: null };
  const code = 'code' in error && typeof error.code === 'string' ? error.code : null;
  return { name: error.constructor?.name ?? 'Error', code };
}
