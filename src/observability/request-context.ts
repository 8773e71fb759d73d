import { AsyncLocalStorage } from 'node:async_hooks';
import type { RequestHandler } from 'express';
import { randomUUID } from 'node:crypto';

interface RequestContext {
  requestId: string;
}

const storage = new AsyncLocalStorage<RequestContext>();
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;

/**
 * Gives every HTTP request an id (the caller's `X-Request-Id` when well-formed, else a new one),
 * echoed in the response and visible to everything the request runs — log lines and the audit
 * trail — without passing it through every call.
 */
export function requestContextMiddleware(): RequestHandler {
  return (req, res, next) => {
    const given = req.get('x-request-id');
    const requestId = given && REQUEST_ID.test(given) ? given : randomUUID();
    res.setHeader('x-request-id', requestId);
    res.locals.requestId = requestId;
    storage.run({ requestId }, next);
  };
}

/** The id of the request being served, or null outside one (workers, CLI). */
export function currentRequestId(): string | null {
  return storage.getStore()?.requestId ?? null;
}

/** Runs `work` as part of a request id (a webhook's processing, a worker's pass). */
export function withRequestId<T>(requestId: string, work: () => T): T {
  return storage.run({ requestId }, work);
}
