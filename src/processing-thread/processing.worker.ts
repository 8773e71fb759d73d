import 'reflect-metadata';
import { parentPort, workerData } from 'node:worker_threads';
import { MikroORM } from '@mikro-orm/postgresql';
import { ormConfig } from '../db/mikro-orm.config.js';
import { locateGateway } from '../gateways/gateway.location.js';
import { createGatewayRegistry, createPayoutGateway } from '../gateways/gateway.wiring.js';
import { locatePhonePe } from '../gateways/phonepe/phonepe.location.js';
import { createRedisBus } from '../graphql/pubsub.js';
import { createLogger } from '../logger.js';
import { createServices } from '../services.js';
import { WEBHOOK_PROCESS_JOB } from '../webhooks/webhook.processor.js';
import { lowerThisThreadPriority } from './thread-priority.js';
import { createParentBus, type FromThread, type ThreadData, type ToThread } from './thread.protocol.js';

/**
 * The webhook processing thread (WEBHOOK_PROCESSING_THREAD): the services on an ORM and pool of
 * its own, running the webhook queue's jobs and nothing else, so processing never runs on the
 * event loop that acknowledges deliveries. The main thread keeps the route, the inbox, the feeder
 * and every other queue. A payment's live message goes to the main thread's bus (or, with
 * `REDIS_URL`, straight to Redis); outcomes go to the main thread's metrics.
 */
const port = parentPort!;
const { config: shared, selfUrl, databaseUrl } = workerData as ThreadData;
// This thread is where processing runs: its services run the queue (services.ts leaves it to a thread otherwise).
const config = { ...shared, webhooks: { ...shared.webhooks, thread: false } };
const logger = createLogger(config.logLevel, undefined, config.logFormat).child({ thread: 'webhook-processing' });
const post = (message: FromThread) => port.postMessage(message);
// Before any work: when the cores are short, the main thread's acknowledgements run first.
const priority = lowerThisThreadPriority(config.webhooks.threadNice);
if (priority.threadId === null && config.webhooks.threadNice > 0) logger.warn({ reason: priority.reason }, 'webhook processing thread: its priority could not be lowered');

const orm = await MikroORM.init(ormConfig({ clientUrl: databaseUrl, logger }));
const bus = config.redisUrl ? createRedisBus(config.redisUrl) : createParentBus(port);
const location = locateGateway(config, selfUrl);
const gateways = createGatewayRegistry(config, { razorpay: location, phonepe: locatePhonePe(config, selfUrl) }, logger);
const services = createServices({ orm, gateways, payoutGateway: createPayoutGateway(config, location, logger), bus, config, logger });
services.webhookProcessor.onSettled((event, status) => post({ kind: 'settled', status, lagSeconds: (Date.now() - event.receivedAt.getTime()) / 1000 }));
services.paymentCore.publisher.onPublished((delayMs) => post({ kind: 'published', delayMs }));
await services.jobs.startWorkers([WEBHOOK_PROCESS_JOB]);

port.on('message', (message: ToThread) => {
  if (message.kind !== 'stop') return;
  // The running jobs finish (the job runner's graceful stop), then the pools close and the thread ends.
  void (async () => {
    await services.jobs.stop();
    await services.webhookInbox.close();
    await bus.close();
    await orm.close();
    // Whatever else holds the loop (a kept-alive gateway socket), the thread ends here.
    process.exit(0);
  })().catch((error: unknown) => {
    logger.error({ err: error }, 'webhook processing thread: unclean stop');
    process.exit(1);
  });
});
post({ kind: 'ready', priority });
