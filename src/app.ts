import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express } from 'express';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from './config.js';
import type { Gateway } from './gateways/gateway.js';
import type { GatewayRegistry } from './gateways/gateway.registry.js';
import { createGatewayRegistry, createPayoutGateway } from './gateways/gateway.wiring.js';
import type { PayoutGateway } from './gateways/payout-gateway.js';
import { OperationBudget } from './graphql/budget.js';
import type { Context } from './graphql/context.js';
import { createErrorFormatter } from './graphql/format-error.js';
import { jitExecutor } from './graphql/executor.js';
import { mountGraphQLHttp } from './graphql/http.js';
import { createRequestLimits } from './graphql/limits.js';
import { operationLogging } from './graphql/logging.plugin.js';
import { requestErrorStatus } from './graphql/status.plugin.js';
import { startGraphQLWebSocket } from './graphql/ws.js';
import { errorAnswers } from './http/error-answers.js';
import { securityHeaders } from './http/security.js';
import { createHealthRouter } from './observability/health.js';
import { Metrics } from './observability/metrics.js';
import { requestContextMiddleware } from './observability/request-context.js';
import { createInProcessBus, createRedisBus, type MessageBus } from './graphql/pubsub.js';
import { buildAppSchema } from './graphql/schema.js';
import type { Logger } from './logger.js';
import { locateGateway } from './gateways/gateway.location.js';
import { createSandboxRouter, type SandboxGateway } from './sandbox/razorpay/index.js';
import { createPhonePeSandboxRouter, type PhonePeSandbox } from './sandbox/phonepe/index.js';
import { locatePhonePe } from './gateways/phonepe/phonepe.location.js';
import { ProcessingThread } from './processing-thread/processing.thread.js';
import { createServices, type Services } from './services.js';
import { createWebhookRoute, type WebhookRoute } from './webhooks/webhook.route.js';
import { createWebRouter } from './web/web.router.js';

export interface RunningApp {
  /** `http://127.0.0.1:<port>`: the GraphQL endpoint is `${url}/graphql`. */
  url: string;
  port: number;
  services: Services;
  /** Every configured gateway. */
  gateways: GatewayRegistry;
  /** The default gateway (Razorpay, or the sandbox in sandbox mode). */
  gateway: Gateway;
  bus: MessageBus;
  /** The in-process Razorpay sandbox (sandbox mode only). */
  sandbox: SandboxGateway | null;
  /** The in-process PhonePe sandbox (PhonePe in sandbox mode only). */
  phonepeSandbox: PhonePeSandbox | null;
  /** The worker thread processing webhook events (WEBHOOK_PROCESSING_THREAD), or null when they are processed on this loop. */
  processingThread: ProcessingThread | null;
  close(): Promise<void>;
}

export interface AppDeps {
  orm: MikroORM;
  logger: Logger;
  /** Tests may inject a gateway (it replaces the configured one of its name); otherwise Razorpay (or the sandbox) per config. */
  gateway?: Gateway;
  /** Tests may inject the payout (Route) gateway likewise. */
  payoutGateway?: PayoutGateway;
}

function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

/**
 * Starts the HTTP + WebSocket server: GraphQL at /graphql (queries over HTTP, subscriptions
 * over graphql-ws on the same path), the raw-body webhook route, health, and in sandbox mode
 * the Razorpay-compatible sandbox. The server listens first so the sandbox knows its own URL.
 */
export async function startApp(config: Config, deps: AppDeps): Promise<RunningApp> {
  const { orm, logger } = deps;
  const app: Express = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  // Webhook deliveries are answered before the Express app (webhook.route.ts): set once the services exist.
  let webhookRoute: WebhookRoute | null = null;
  const httpServer = http.createServer((req, res) => {
    if (!webhookRoute?.(req, res)) void app(req, res);
  });
  const port = await listen(httpServer, config.port, config.host);
  const selfUrl = `http://127.0.0.1:${port}`;
  const sandboxMode = config.razorpay.mode === 'sandbox';
  if (sandboxMode && config.env === 'production') throw new Error('the sandbox gateway is never mounted in production');
  const phonepeSandboxMode = config.phonepe.enabled && config.phonepe.mode === 'sandbox';
  if (phonepeSandboxMode && config.env === 'production') throw new Error('the PhonePe sandbox is never mounted in production');

  const location = locateGateway(config, selfUrl);
  const gateways = createGatewayRegistry(config, { razorpay: location, phonepe: locatePhonePe(config, selfUrl) }, logger, deps.gateway);
  const payoutGateway = deps.payoutGateway ?? createPayoutGateway(config, location, logger);
  // The thread builds its own gateways from the configuration: one injected here (tests) would not be the one it uses.
  const processingThread = config.webhooks.processing && config.webhooks.thread;
  if (processingThread && (deps.gateway || deps.payoutGateway)) throw new Error('WEBHOOK_PROCESSING_THREAD=true cannot use an injected gateway: set it to false');
  const bus = config.redisUrl ? createRedisBus(config.redisUrl) : createInProcessBus();
  const services = createServices({ orm, gateways, payoutGateway, bus, config, logger });
  // Recurring passes: one at a time across all instances, on the job runner.
  services.jobs.every('cart.checkout-sweep', config.cart.sweepIntervalMs, () => services.checkout.sweep());
  if (config.reconcile.enabled) {
    services.jobs.every('reconciliation', config.reconcile.intervalMs, () => services.reconciler.runOnce());
    // Payee accounts whose activation webhook was lost: asked of Razorpay on the reconciler's schedule.
    services.jobs.every('payee.activation-check', config.reconcile.intervalMs, () => services.payeeAccounts.checkActivations());
    // Transfers whose webhook was lost, transfer and reversal jobs that died, activations missed.
    services.jobs.every('payout.reconcile', config.reconcile.intervalMs, () => services.payoutReconciler.runOnce());
  }
  const metrics = new Metrics({ defaultMetrics: config.env !== 'test' });
  services.reconciler.onOutcome((outcome) => metrics.reconcileOutcomes.inc({ outcome }));
  services.paymentCore.publisher.onPublished((delayMs) => metrics.publishDelay.observe(delayMs / 1000));
  services.webhookProcessor.onSettled((event, status) => {
    metrics.webhookLag.observe({ outcome: status }, (Date.now() - event.receivedAt.getTime()) / 1000);
  });
  // Processing in a worker thread: its outcomes and publishes reach these metrics, its messages this bus.
  const thread = processingThread ? new ProcessingThread({
    config, selfUrl, databaseUrl: orm.config.get('clientUrl')!, bus, logger,
    onSettled: (status, lagSeconds) => metrics.webhookLag.observe({ outcome: status }, lagSeconds),
    onPublished: (delayMs) => metrics.publishDelay.observe(delayMs / 1000),
  }) : null;

  // Raw body, read before any JSON parser (see DESIGN.md), and before the Express app itself: a
  // gateway's delivery needs no request id, no browser security headers, no per-request metrics
  // closure and none of Express's per-request objects; the route counts its own answers. Its
  // acknowledgement is the hot path of issue 11.
  webhookRoute = createWebhookRoute({ gateways, inbox: services.webhookInbox, logger, onAnswered: (gateway, status, seconds) => metrics.observeWebhook(gateway, status, seconds) });
  app.use(requestContextMiddleware());
  app.use(securityHeaders());
  app.use(metrics.middleware());
  app.use(createHealthRouter(orm, metrics, { token: config.metricsToken, open: config.env !== 'production' }));
  let sandbox: SandboxGateway | null = null;
  if (sandboxMode) {
    const router = await createSandboxRouter({
      keyId: config.razorpay.keyId,
      keySecret: config.razorpay.keySecret,
      webhookSecret: config.razorpay.webhookSecrets[0]!,
      webhookUrl: () => `${selfUrl}/webhooks/razorpay`,
      // Its own schema and pool in the service's database, so a restart forgets nothing.
      databaseUrl: orm.config.get('clientUrl')!,
      logger,
    });
    sandbox = router.sandbox;
    app.use('/sandbox/razorpay', router);
  }
  let phonepeSandbox: PhonePeSandbox | null = null;
  if (phonepeSandboxMode) {
    const router = await createPhonePeSandboxRouter({
      clientId: config.phonepe.clientId,
      clientSecret: config.phonepe.clientSecret,
      clientVersion: config.phonepe.clientVersion,
      webhookUsername: config.phonepe.webhookUsername,
      webhookPassword: config.phonepe.webhookPassword,
      webhookUrl: () => `${selfUrl}/webhooks/phonepe`,
      databaseUrl: orm.config.get('clientUrl')!,
      logger,
    });
    phonepeSandbox = router.sandbox;
    app.use('/sandbox/phonepe', router);
  }
  // The storefront, the operator console and GraphiQL (before /graphql, which it answers for browsers).
  app.use(createWebRouter({ config }));

  const schema = await buildAppSchema(bus);
  const formatError = createErrorFormatter(logger);
  // One set of limits and one operation budget for HTTP and WebSocket alike.
  const limits = createRequestLimits(config);
  const budget = new OperationBudget(config.rateLimitPerMinute, config.redisUrl);
  const ws = startGraphQLWebSocket({ httpServer, schema, config, services, orm, limits, budget, formatError, logger });
  const apollo = new ApolloServer<Context>({
    // The schema, executed by graphql-jit (see executor.ts).
    gateway: jitExecutor(schema),
    includeStacktraceInErrorResponses: false,
    // main.ts owns shutdown (server, database, embedded PostgreSQL, in that order).
    stopOnTerminationSignals: false,
    // The introspection policy is one of the shared limits' rules (refused in production).
    introspection: true,
    parseOptions: limits.parseOptions,
    validationRules: limits.validationRules,
    formatError,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // Apollo's default landing page loads scripts from a CDN.
      ApolloServerPluginLandingPageDisabled(),
      // Installed by default, its willResolveField wraps every field of every response in
      // instrumentation (13 % of a payments page's CPU); nothing here sets cache hints.
      ApolloServerPluginCacheControlDisabled(),
      operationLogging(logger, metrics),
      requestErrorStatus(),
      { async serverWillStart() { return { async drainServer() { await ws.dispose(); } }; } },
    ],
  });
  await apollo.start();
  mountGraphQLHttp(app, { apollo, config, services, orm, budget });
  // Keep last: routes mounted after these would never be reached.
  app.use(...errorAnswers(logger));

  // Runs every declared queue's jobs here (the library's schema is created or upgraded first).
  await services.jobs.startWorkers();
  await services.outbox.requeuePending();
  await services.bookingRefunds.requeueOwed();
  await services.webhookProcessor.requeueUnsettled();
  await thread?.start();
  services.webhookFeeder.start();
  logger.info({ port, gateway: config.razorpay.mode, gateways: gateways.names(), defaultGateway: gateways.default.name, bus: bus.kind }, 'payment service listening');

  let closed = false;
  return {
    url: selfUrl,
    port,
    services,
    gateways,
    gateway: gateways.default,
    bus,
    sandbox,
    phonepeSandbox,
    processingThread: thread,
    async close() {
      if (closed) return;
      closed = true;
      // The sandbox stops delivering first; what it had pending is delivered after a restart.
      await sandbox?.close();
      await phonepeSandbox?.close();
      await services.webhookFeeder.stop();
      // The thread's running events finish before the pools close (SIGTERM: main.ts calls this).
      await thread?.stop();
      await services.jobs.stop();
      await apollo.stop();
      await new Promise<void>((resolve) => ws.wsServer.close(() => resolve()));
      if (httpServer.listening) await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      await services.webhookInbox.close();
      await bus.close();
      await budget.close();
    },
  };
}
