import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import type { Logger } from '../logger.js';

/** What a client is told about a request that failed before (or outside) its handler. */
interface ErrorAnswer {
  status: number;
  code: string;
  message: string;
}

interface HttpErrorLike {
  status?: unknown;
  statusCode?: unknown;
  type?: unknown;
  limit?: unknown;
}

/**
 * Turns body-parser's errors (and any other error with a 4xx status) into a fixed answer. The
 * library's own message is never passed on: it can quote the request (`unsupported charset
 * "X"`) and its stack names files.
 */
export function describeError(error: unknown): ErrorAnswer {
  const e = (typeof error === 'object' && error !== null ? error : {}) as HttpErrorLike;
  const status = Number(e.status ?? e.statusCode);
  switch (e.type) {
    case 'entity.parse.failed':
      return { status: 400, code: 'BAD_REQUEST', message: 'the request body is not valid JSON' };
    case 'entity.too.large':
      return { status: 413, code: 'PAYLOAD_TOO_LARGE', message: `the request body is too large${typeof e.limit === 'number' ? ` (at most ${e.limit} bytes)` : ''}` };
    case 'charset.unsupported':
      return { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'the request body must be UTF-8 (charset=utf-8)' };
    case 'encoding.unsupported':
      return { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Content-Encoding must be identity, gzip, deflate or br' };
    case 'request.aborted':
      return { status: 400, code: 'BAD_REQUEST', message: 'the request was aborted before its body arrived' };
    case 'request.size.invalid':
      return { status: 400, code: 'BAD_REQUEST', message: 'the request body is shorter or longer than its Content-Length' };
  }
  if (Number.isInteger(status) && status >= 400 && status < 500) {
    return { status, code: 'BAD_REQUEST', message: 'the request body could not be read (is its Content-Encoding right?)' };
  }
  return { status: 500, code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error: the operator has been told; retry later' };
}

/** GraphQL-shaped on /graphql (what a GraphQL client parses), a small JSON object elsewhere. */
export function sendErrorAnswer(req: Request, res: Response, answer: ErrorAnswer): void {
  res.status(answer.status);
  // Inside a router mounted on /graphql, req.path is relative to it.
  const path = req.baseUrl + req.path;
  if (path === '/graphql' || path.startsWith('/graphql/')) {
    res.json({ errors: [{ message: answer.message, extensions: { code: answer.code } }] });
  } else {
    res.json({ error: answer.message, code: answer.code });
  }
}

/**
 * The last handlers of the app: unknown routes get a JSON 404, and every error that reached
 * Express (a body the parser refused, a handler that threw) a JSON answer without stack, path
 * or the library's message — Express's own page is HTML with the stack outside production.
 */
export function errorAnswers(logger: Logger): [RequestHandler, ErrorRequestHandler] {
  const notFound: RequestHandler = (req, res) => {
    sendErrorAnswer(req, res, { status: 404, code: 'NOT_FOUND', message: `no route for ${req.method} on this path` });
  };
  const onError: ErrorRequestHandler = (error, req, res, next) => {
    const answer = describeError(error);
    if (answer.status >= 500) logger.error({ err: error, method: req.method, route: req.path }, 'unexpected error while serving a request');
    else logger.info({ status: answer.status, code: answer.code, route: req.path }, 'request refused');
    // Too late for an answer of our own: Express closes the connection.
    if (res.headersSent) return next(error);
    sendErrorAnswer(req, res, answer);
  };
  return [notFound, onError];
}
