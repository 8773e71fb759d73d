import { createHash, timingSafeEqual } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Router } from 'express';
import express from 'express';
import type { Metrics } from './metrics.js';
import { DeliveryStatus, OutboxDelivery } from '../outbox/outbox.entities.js';
import { WebhookEvent, WebhookEventStatus } from '../webhooks/webhook-event.entity.js';

const CHECK_TIMEOUT_MS = 2_000;

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([work, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms).unref())]);
}

/**
 * `/healthz`: the process is up. `/readyz`: the database answers and every migration is
 * applied (503 with the reason otherwise, so a load balancer stops sending traffic).
 * `/metrics`: Prometheus text, with the webhook and outbox backlogs read at scrape time, for a
 * scraper sending `Authorization: Bearer <METRICS_TOKEN>`; without a token configured it is
 * open only when `open` (development, test) and answers 404 otherwise.
 */
export function createHealthRouter(orm: MikroORM, metrics: Metrics, access: { token: string | null; open: boolean }): Router {
  const router = express.Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    try {
      await withTimeout(orm.em.fork().getConnection().execute('select 1'), CHECK_TIMEOUT_MS, 'the database');
      const pending = await withTimeout(orm.getMigrator().getPendingMigrations(), CHECK_TIMEOUT_MS, 'the migration table');
      if (pending.length > 0) {
        res.status(503).json({ status: 'not ready', reason: `${pending.length} migration(s) not applied` });
        return;
      }
      res.json({ status: 'ready' });
    } catch (error) {
      res.status(503).json({ status: 'not ready', reason: error instanceof Error ? error.message.split('\n')[0] : 'database unavailable' });
    }
  });
  router.get('/metrics', async (req, res) => {
    if (!access.token && !access.open) {
      res.status(404).json({ error: 'metrics are served only with METRICS_TOKEN set', code: 'NOT_FOUND' });
      return;
    }
    if (access.token && !bearerMatches(req.get('authorization'), access.token)) {
      res.status(401).setHeader('www-authenticate', 'Bearer').json({ error: 'send Authorization: Bearer <METRICS_TOKEN>', code: 'UNAUTHENTICATED' });
      return;
    }
    try {
      metrics.webhookBacklog.set(await orm.em.fork().count(WebhookEvent, { status: { $in: [WebhookEventStatus.PENDING, WebhookEventStatus.FAILED] } }));
      metrics.outboxBacklog.set(await orm.em.fork().count(OutboxDelivery, { status: DeliveryStatus.PENDING }));
    } catch {
      // The backlog gauges keep its last value while the database is away; the rest still serves.
    }
    res.setHeader('content-type', metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  });
  return router;
}

/** Compares hashes, so neither the token's content nor its length shows in the timing. */
function bearerMatches(header: string | undefined, token: string): boolean {
  const given = /^Bearer\s+(\S+)$/i.exec(header?.trim() ?? '')?.[1];
  if (!given) return false;
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(token));
}
