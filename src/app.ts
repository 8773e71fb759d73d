import http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import express, { type Express } from 'express';
import cors from 'cors';
import { rateLimit } from 'express-rate-limit';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import { GraphQLError, type ExecutionResult } from 'graphql';
import type { MikroORM } from '@mikro-orm/postgresql';
import { authenticate } from './auth/auth.js';
import type { Config } from './config.js';
import type { Gateway } from './gateways/gateway.js';
import { RazorpayGateway } from './gateways/razorpay/razorpay.gateway.js';
import type { Context } from './graphql/context.js';
import { createErrorFormatter } from './graphql/format-error.js';
import { createLoaders } from './graphql/loaders.js';
import { operationLogging } from './graphql/logging.plugin.js';
import { createHealthRouter } from './observability/health.js';
import { Metrics } from './observability/metrics.js';
import { requestContextMiddleware } from './observability/request-context.js';
import { createInProcessBus, createRedisBus, type MessageBus } from './graphql/pubsub.js';
import { buildAppSchema } from './graphql/schema.js';
import type { Logger } from './logger.js';
import { createSandboxRouter, type SandboxGateway } from './sandbox/razorpay/index.js';
import { createServices, type Services } from './services.js';
import { createWebhookRouter } from './webhooks/webhook.route.js';
import { WebhookWorker } from './webhooks/webhook.worker.js';
import { PeriodicTask } from './util/periodic.js';

export interface RunningApp {
  /** `http://127.0.0.1:<port>`: the GraphQL endpoint is `${url}/graphql`. */
  url: string;
  port: number;
  services: Services;
  gateway: Gateway;
  bus: MessageBus;
  /** The in-process Razorpay sandbox (sandbox mode only). */
  sandbox: SandboxGateway | null;
  close(): Promise<void>;
}

export interface AppDeps {
  orm: MikroORM;
  logger: Logger;
  /** Tests may inject a gateway; otherwise Razorpay (or the sandbox) per config. */
  gateway?: Gateway;
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
  const httpServer = http.createServer(app);
  const port = await listen(httpServer, config.port, config.host);
  const selfUrl = `http://127.0.0.1:${port}`;
  const sandboxMode = config.razorpay.mode === 'sandbox';
  if (sandboxMode && config.env === 'production') throw new Error('the sandbox gateway is never mounted in production');

  const gateway: Gateway = deps.gateway ?? new RazorpayGateway({
    keyId: config.razorpay.keyId,
    keySecret: config.razorpay.keySecret,
    webhookSecrets: config.razorpay.webhookSecrets,
    apiUrl: config.razorpay.apiUrl ?? (sandboxMode ? `${selfUrl}/sandbox/razorpay` : undefined),
    timeoutMs: config.razorpay.timeoutMs,
    logger,
  });
  const bus = config.redisUrl ? createRedisBus(config.redisUrl) : createInProcessBus();
  const services = createServices({ orm, gateway, bus, config, logger });
  const worker = new WebhookWorker(services.webhookProcessor, logger, config.webhooks.workerIntervalMs);
  const outboxWorker = new PeriodicTask('outbox delivery', () => services.outbox.deliverDue(), config.outbox.intervalMs, logger);
  const reconcileWorker = new PeriodicTask('reconciliation', () => services.reconciler.runOnce(), config.reconcile.intervalMs, logger);
  const checkoutSweeper = new PeriodicTask('cart checkout sweep', () => services.checkout.sweep(), config.cart.sweepIntervalMs, logger);
  const metrics = new Metrics({ defaultMetrics: config.env !== 'test' });
  services.reconciler.onOutcome((outcome) => metrics.reconcileOutcomes.inc({ outcome }));
  services.webhookProcessor.onSettled((event, status) => {
    metrics.webhookLag.observe({ outcome: status }, (Date.now() - event.receivedAt.getTime()) / 1000);
  });

  app.use(requestContextMiddleware());
  app.use(metrics.middleware());
  app.use(createHealthRouter(orm, metrics));
  // Raw body: mounted before any JSON parser (see DESIGN.md).
  app.use(createWebhookRouter({ gateway, inbox: services.webhookInbox, logger, onStored: (id) => worker.processSoon(id) }));
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

  const schema = await buildAppSchema(bus);
  const formatError = createErrorFormatter(logger);
  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql', maxPayload: 64 * 1024 });
  const wsCleanup = useServer<Record<string, unknown>, { auth?: Context['auth'] }>(
    {
      schema,
      onConnect: async (ctx) => {
        const header = ctx.connectionParams?.authorization;
        ctx.extra.auth = await authenticate(typeof header === 'string' ? header : null, config.jwtSecret);
        return true;
      },
      context: (ctx): Context => ({
        auth: ctx.extra.auth ?? { user: null, error: null },
        services,
        loaders: createLoaders(orm, { cache: false }),
        requestId: randomUUID(),
      }),
      onNext: (_ctx, _id, _payload, _args, result) => formatResult(result as ExecutionResult, formatError),
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => new GraphQLError(formatError(e.toJSON(), e).message, { extensions: formatError(e.toJSON(), e).extensions })),
    },
    wsServer,
  );

  const armor = new ApolloArmor({
    maxDepth: { n: config.graphqlMaxDepth },
    maxAliases: { n: 15 },
    costLimit: { maxCost: 5000 },
    maxTokens: { n: 2000 },
    maxDirectives: { n: 20 },
  });
  const protection = armor.protect();
  const apollo = new ApolloServer<Context>({
    schema,
    includeStacktraceInErrorResponses: false,
    // main.ts owns shutdown (server, database, embedded PostgreSQL, in that order).
    stopOnTerminationSignals: false,
    introspection: config.env !== 'production',
    formatError,
    validationRules: protection.validationRules,
    plugins: [
      // graphql-armor is typed against Apollo's CommonJS build; the plugin objects are the same at run time.
      ...(protection.plugins as unknown as ApolloServerPlugin<Context>[]),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      operationLogging(logger, metrics),
      { async serverWillStart() { return { async drainServer() { await wsCleanup.dispose(); } }; } },
    ],
  });
  await apollo.start();
  app.use(
    '/graphql',
    cors<express.Request>(),
    rateLimit({ windowMs: 60_000, limit: config.rateLimitPerMinute, standardHeaders: 'draft-8', legacyHeaders: false }),
    express.json({ limit: '100kb' }),
    expressMiddleware(apollo, {
      context: async ({ req, res }) => ({
        auth: await authenticate(req.get('authorization'), config.jwtSecret),
        services,
        loaders: createLoaders(orm),
        requestId: String(res.locals.requestId),
      }),
    }),
  );

  worker.start();
  checkoutSweeper.start();
  outboxWorker.start();
  if (config.reconcile.enabled) reconcileWorker.start();
  logger.info({ port, gateway: config.razorpay.mode, bus: bus.kind }, 'payment service listening');

  let closed = false;
  return {
    url: selfUrl,
    port,
    services,
    gateway,
    bus,
    sandbox,
    async close() {
      if (closed) return;
      closed = true;
      // The sandbox stops delivering first; what it had pending is delivered after a restart.
      await sandbox?.close();
      await worker.stop();
      await checkoutSweeper.stop();
      await services.bookingRefunds.settled();
      await outboxWorker.stop();
      await reconcileWorker.stop();
      await apollo.stop();
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
      if (httpServer.listening) await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      await bus.close();
    },
  };
}

function formatResult(result: ExecutionResult, format: ReturnType<typeof createErrorFormatter>): ExecutionResult {
  if (!result.errors?.length) return result;
  return {
    ...result,
    errors: result.errors.map((error) => {
      const formatted = format(error.toJSON(), error);
      return new GraphQLError(formatted.message, { path: formatted.path, extensions: formatted.extensions });
    }),
  };
}
