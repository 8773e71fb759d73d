/**
 * HTTP for the sandbox: Razorpay's REST paths under `/v1` (basic auth, fault knobs),
 * the Checkout simulator and the control endpoints. Handlers only translate HTTP; the
 * sandbox gateway and its store own the rules.
 */
import express, { type ErrorRequestHandler, type RequestHandler, type Router } from 'express';
import { z } from 'zod';
import type { WireCollection, WirePayment } from '../../gateways/razorpay/razorpay.wire.js';
import { SandboxApiError, invalid, invalidBody } from './sandbox.errors.js';
import { faultsUpdateSchema } from './sandbox.faults.js';
import type { SandboxGateway } from './sandbox.gateway.js';
import { createCheckoutJsRouter } from './checkout-js/checkout-js.route.js';
import { readCaptureInput, readOrderInput, readRefundInput } from './sandbox.requests.js';
import type { SandboxLogger } from './sandbox.webhooks.js';
import { mountRouteRoutes } from './sandbox.route.routes.js';
import { mountDirectTransferRoutes } from './sandbox.direct-transfers.js';
import { mountTransferRoutes } from './sandbox.transfers.routes.js';

export interface SandboxRouteDeps {
  sandbox: SandboxGateway;
  isAuthorized(authorizationHeader: string | undefined): boolean;
  faultMiddleware: RequestHandler;
  logger?: SandboxLogger;
}

const MIN_IDEMPOTENCY_KEY = 10;

const settleSchema = z.strictObject({ status: z.enum(['processed', 'failed']) });
/** Which held webhooks to release: the batch holding `eventId`, or all of them. */
const releaseSchema = z.union([
  z.strictObject({ eventId: z.string().min(1) }),
  z.strictObject({ all: z.literal(true) }),
]);

/** Validates a control body with zod, answering Razorpay's 400 shape on failure. */
function parseControl<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  throw invalidBody(result.error.issues[0]!);
}

function idempotencyKey(header: string | undefined): string | null {
  if (header === undefined) return null;
  if (header.length < MIN_IDEMPOTENCY_KEY) {
    throw invalid('X-Refund-Idempotency', `X-Refund-Idempotency must be at least ${MIN_IDEMPOTENCY_KEY} characters`);
  }
  return header;
}

/** Express 5 forwards rejected promises to the error handler, so handlers may just throw. */
export function buildSandboxRouter({ sandbox, isAuthorized, faultMiddleware, logger }: SandboxRouteDeps): Router {
  const router = express.Router();
  // The sandbox parses its own JSON so the app need not mount a global parser (which
  // would take the raw body from the webhook route).
  router.use(express.json({ limit: '100kb' }));

  const authorize: RequestHandler = (req, res, next) => {
    const header = req.get('authorization');
    if (isAuthorized(header)) return next();
    const description = header
      ? 'The api key provided is invalid'
      : 'Please provide your api key for authentication purposes.';
    res.status(401).json(new SandboxApiError(401, description).toBody());
  };
  router.use('/v1', authorize);
  router.use('/v1', faultMiddleware);
  // Route onboarding (linked accounts) under /v2, and its control endpoints.
  mountRouteRoutes(router, sandbox.route, authorize, faultMiddleware);
  // Route transfers under /v1 (behind the auth and faults above), and their control endpoints.
  mountTransferRoutes(router, sandbox.transfers);
  mountDirectTransferRoutes(router, sandbox.directTransfers);

  router.post('/v1/orders', async (req, res) => {
    res.json(await sandbox.createOrder(readOrderInput(req.body)));
  });
  router.get('/v1/orders/:id', async (req, res) => {
    res.json(await sandbox.store.order(req.params.id));
  });
  router.get('/v1/orders/:id/payments', async (req, res) => {
    const items = await sandbox.store.orderPayments(req.params.id);
    const collection: WireCollection<WirePayment> = { entity: 'collection', count: items.length, items };
    res.json(collection);
  });
  router.get('/v1/payments/:id', async (req, res) => {
    res.json(await sandbox.store.payment(req.params.id));
  });
  router.post('/v1/payments/:id/capture', async (req, res) => {
    res.json(await sandbox.capturePayment(req.params.id, readCaptureInput(req.body)));
  });
  router.post('/v1/payments/:id/refund', async (req, res) => {
    const key = idempotencyKey(req.get('x-refund-idempotency'));
    res.json(await sandbox.refundPayment(req.params.id, readRefundInput(req.body), key));
  });
  router.get('/v1/payments/:id/refunds/:refundId', async (req, res) => {
    res.json(await sandbox.store.paymentRefund(req.params.id, req.params.refundId));
  });
  router.get('/v1/refunds/:id', async (req, res) => {
    res.json(await sandbox.store.refund(req.params.id));
  });
  router.use(['/v1', '/v2'], (_req, res) => {
    res.status(404).json(new SandboxApiError(404, 'The requested URL was not found on the server.').toBody());
  });

  router.use(createCheckoutJsRouter());
  // Stands in for the customer's browser, so no basic auth (Checkout has only the key id).
  router.post('/checkout/pay', async (req, res) => {
    res.json(await sandbox.pay(req.body));
  });

  router.post('/control/faults', (req, res) => {
    res.json(sandbox.setFaults(parseControl(faultsUpdateSchema, req.body)));
  });
  router.delete('/control/faults', (_req, res) => {
    sandbox.resetFaults();
    res.json(sandbox.faults());
  });
  router.post('/control/refunds/:id/settle', async (req, res) => {
    const { status } = parseControl(settleSchema, req.body);
    res.json(await sandbox.settleRefund(req.params.id, status));
  });
  router.post('/control/payments/:id/authorize', async (req, res) => {
    res.json(await sandbox.authorizeLatePayment(req.params.id));
  });
  router.post('/control/webhooks/release', async (req, res) => {
    const which = parseControl(releaseSchema, req.body);
    res.json({ released: await sandbox.releaseWebhooks('eventId' in which ? [which.eventId] : null) });
  });
  router.get('/control/state', async (_req, res) => {
    res.json(await sandbox.state());
  });

  // Every other path under the sandbox: Razorpay's 404 body rather than Express's HTML page.
  router.use((_req, res) => {
    res.status(404).json(new SandboxApiError(404, 'The requested URL was not found on the server.').toBody());
  });

  const renderError: ErrorRequestHandler = (error: unknown, req, res, _next) => {
    if (error instanceof SandboxApiError) {
      res.status(error.status).json(error.toBody());
      return;
    }
    // body-parser's errors carry a 4xx status: malformed JSON or a body over the limit.
    const status = typeof error === 'object' && error !== null && 'status' in error ? error.status : undefined;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const description = status === 413 ? 'The request body is too large.' : 'The request body is not valid JSON.';
      res.status(status).json(new SandboxApiError(status, description, 'body').toBody());
      return;
    }
    // Only the class and SQLSTATE: a database error's message can quote values and SQL.
    const code = typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : null;
    logger?.warn({ path: req.path, error: { name: error instanceof Error ? error.name : typeof error, code } }, 'sandbox request failed');
    res.status(500).json(new SandboxApiError(500, 'The server encountered an error.').toBody());
  };
  router.use(renderError);
  return router;
}
