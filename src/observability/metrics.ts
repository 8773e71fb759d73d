import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RequestHandler } from 'express';

/**
 * Prometheus metrics of one running app (its own registry, so several apps in one process —
 * tests — do not collide). Served at /metrics.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly httpRequests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by route and status code',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route',
    labelNames: ['route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly graphqlErrors = new Counter({
    name: 'graphql_errors_total',
    help: 'GraphQL errors returned, by extensions.code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  readonly webhookLag = new Histogram({
    name: 'webhook_processing_lag_seconds',
    help: 'Time from storing a webhook event to finishing its processing',
    labelNames: ['outcome'] as const,
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120, 600, 3600],
    registers: [this.registry],
  });
  readonly publishDelay = new Histogram({
    name: 'payment_publish_delay_seconds',
    help: "Time from a payment change's updatedAt (set in its transaction) to its publish to subscribers after the commit",
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly webhookBacklog = new Gauge({
    name: 'webhook_backlog',
    help: 'Stored webhook events not yet processed (PENDING or FAILED awaiting retry), at the last scrape',
    registers: [this.registry],
  });

  readonly reconcileOutcomes = new Counter({
    name: 'reconciliation_outcomes_total',
    help: 'Payments examined by reconciliation, by outcome (changed, captured, unchanged, error)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly outboxBacklog = new Gauge({
    name: 'outbox_backlog',
    help: 'Outbox deliveries not yet delivered (PENDING), at the last scrape',
    registers: [this.registry],
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  readonly #webhookLabels = new Map<string, { count: { inc(): void }; duration: { observe(value: number): void } }>();

  /**
   * One answer of a webhook route, counted as `middleware()` counts the others (the webhook routes
   * are answered before the Express app): label children kept per gateway and status, nothing allocated per delivery.
   */
  observeWebhook(gateway: string, status: number, seconds: number): void {
    const key = `${gateway} ${status}`;
    let children = this.#webhookLabels.get(key);
    if (!children) {
      const route = `/webhooks/${gateway}`;
      children = { count: this.httpRequests.labels(route, 'POST', String(status)), duration: this.httpDuration.labels(route) };
      this.#webhookLabels.set(key, children);
    }
    children.count.inc();
    children.duration.observe(seconds);
  }

  /** Counts every HTTP request by its route (never the raw URL, which may carry ids). */
  middleware(): RequestHandler {
    return (req, res, next) => {
      const stop = this.httpDuration.startTimer();
      res.on('finish', () => {
        // By now a router has reset baseUrl/path; the original URL is stable (query dropped).
        const route = routeLabel(req.originalUrl.split('?')[0] ?? '');
        this.httpRequests.inc({ route, method: req.method, status: String(res.statusCode) });
        stop({ route });
      });
      next();
    };
  }
}

const ROUTES = ['/graphql', '/webhooks/razorpay', '/healthz', '/readyz', '/metrics'];

function routeLabel(path: string): string {
  if (ROUTES.includes(path)) return path;
  if (path.startsWith('/sandbox/')) return '/sandbox';
  return 'other';
}
