/**
 * HTTP for the PhonePe sandbox, at PhonePe's paths under one base (as its UAT host serves PG
 * and OAuth under one prefix): `/v1/oauth/token` (form), `/checkout/v2/*` and `/payments/v2/*`
 * (O-Bearer token, fault knobs), the hosted page `/pay/:merchantOrderId`, and `/control/*`
 * for tests and people. Handlers only translate HTTP; the sandbox owns the rules.
 */
import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Router } from 'express';
import { z } from 'zod';
import type { SandboxLogger } from './sandbox.callbacks.js';
import { PhonePeSandboxError } from './sandbox.errors.js';
import { faultsUpdateSchema } from './sandbox.faults.js';
import type { PhonePeSandbox } from './sandbox.gateway.js';
import { renderPayPage } from './sandbox.page.js';
import { queryFlag, readOutcome } from './sandbox.requests.js';

export interface PhonePeSandboxRouteDeps {
  sandbox: PhonePeSandbox;
  logger?: SandboxLogger | undefined;
}

const settleSchema = z.strictObject({ state: z.enum(['COMPLETED', 'FAILED']) });
const completeSchema = z.strictObject({ outcome: z.enum(['success', 'failure']) });
const releaseSchema = z.strictObject({ reverse: z.boolean().optional() });

function parseControl<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new PhonePeSandboxError(400, 'INVALID_REQUEST', `${issue.path.map(String).join('.') || 'body'}: ${issue.message}`);
}

/** Where this router is mounted, as the browser reaches it. */
function baseOf(req: Request): string {
  return `${req.protocol}://${req.get('host')}${req.baseUrl}`;
}

export function buildPhonePeSandboxRouter({ sandbox, logger }: PhonePeSandboxRouteDeps): Router {
  const router = express.Router();
  const faultMiddleware = sandbox.faultMiddleware();
  // Its own parsers, so the app needs no global one (which would take the webhook routes' raw body).
  router.use(express.json({ limit: '100kb' }));
  router.use(express.urlencoded({ extended: false, limit: '10kb' }));

  router.post('/v1/oauth/token', faultMiddleware, async (req, res) => {
    res.json(await sandbox.issueToken(req.body));
  });

  const authorized: RequestHandler = async (req, res, next) => {
    if (await sandbox.isAuthorized(req.get('authorization'))) return next();
    res.status(401).json(new PhonePeSandboxError(401, 'UNAUTHORIZED', 'Invalid or expired access token').toBody());
  };
  const api = [authorized, faultMiddleware];
  router.post('/checkout/v2/pay', ...api, async (req, res) => {
    res.json(await sandbox.pay(req.body, baseOf(req)));
  });
  router.get('/checkout/v2/order/:merchantOrderId/status', ...api, async (req, res) => {
    res.json(await sandbox.orderStatus(req.params.merchantOrderId as string, queryFlag(req.query.details)));
  });
  router.post('/payments/v2/refund', ...api, async (req, res) => {
    res.json(await sandbox.refund(req.body));
  });
  // The SDK uses GET; one doc page says POST: both answer.
  router.get('/payments/v2/refund/:merchantRefundId/status', ...api, async (req, res) => {
    res.json(await sandbox.refundStatus(req.params.merchantRefundId as string));
  });
  router.post('/payments/v2/refund/:merchantRefundId/status', ...api, async (req, res) => {
    res.json(await sandbox.refundStatus(req.params.merchantRefundId as string));
  });

  // The customer's browser: no token, as on PhonePe's hosted page.
  router.get('/pay/:merchantOrderId', async (req, res) => {
    const order = await sandbox.store.order(req.params.merchantOrderId);
    // The service's policy forbids every form (form-action 'none'); this page's own forms post
    // here and are redirected to the merchant's URL, which browsers check against form-action too.
    res.setHeader('Content-Security-Policy', payPagePolicy(order.redirectUrl));
    res.type('html').send(renderPayPage(req.params.merchantOrderId, order.amount, order.state));
  });
  router.post('/pay/:merchantOrderId', async (req, res) => {
    const result = await sandbox.choose(req.params.merchantOrderId, readOutcome(req.body));
    if (req.is('application/json')) {
      res.json(result);
      return;
    }
    res.redirect(303, result.redirectUrl);
  });

  router.post('/control/faults', (req, res) => {
    res.json(sandbox.setFaults(parseControl(faultsUpdateSchema, req.body)));
  });
  router.delete('/control/faults', (_req, res) => {
    res.json(sandbox.resetFaults());
  });
  router.post('/control/transactions/:transactionId/complete', async (req, res) => {
    res.json(await sandbox.completeLate(req.params.transactionId, parseControl(completeSchema, req.body).outcome));
  });
  router.post('/control/refunds/:merchantRefundId/settle', async (req, res) => {
    res.json(await sandbox.settleRefund(req.params.merchantRefundId, parseControl(settleSchema, req.body).state));
  });
  router.post('/control/callbacks/release', async (req, res) => {
    res.json({ released: await sandbox.releaseCallbacks(parseControl(releaseSchema, req.body).reverse ?? false) });
  });
  router.post('/control/orders/:merchantOrderId/expire', async (req, res) => {
    await sandbox.store.expireOrder(req.params.merchantOrderId);
    res.json({ expired: true });
  });
  router.post('/control/tokens/revoke', async (_req, res) => {
    await sandbox.tokens.revokeTokens();
    res.json({ revoked: true });
  });
  router.get('/control/state', async (_req, res) => {
    res.json(await sandbox.state());
  });

  router.use((_req, res) => {
    res.status(404).json(new PhonePeSandboxError(404, 'NOT_FOUND', 'No such path').toBody());
  });
  const renderError: ErrorRequestHandler = (error: unknown, req, res, _next) => {
    if (error instanceof PhonePeSandboxError) {
      res.status(error.status).json(error.toBody());
      return;
    }
    const status = typeof error === 'object' && error !== null && 'status' in error ? error.status : undefined;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      res.status(status).json(new PhonePeSandboxError(status, 'BAD_REQUEST', status === 413 ? 'Request body too large' : 'Request body is not valid').toBody());
      return;
    }
    const code = typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : null;
    logger?.warn({ path: req.path, error: { name: error instanceof Error ? error.name : typeof error, code } }, 'phonepe sandbox request failed');
    res.status(500).json(new PhonePeSandboxError(500, 'INTERNAL_SERVER_ERROR', 'The sandbox failed to process the request').toBody());
  };
  router.use(renderError);
  return router;
}

/** The hosted page's policy: no script, no style, its forms to itself and on to the merchant. */
function payPagePolicy(redirectUrl: string): string {
  let merchant = '';
  try {
    merchant = ` ${new URL(redirectUrl).origin}`;
  } catch {
    // An unreadable redirect URL: the page's forms still post to itself.
  }
  return `default-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'${merchant}`;
}
