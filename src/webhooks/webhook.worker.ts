import type { Logger } from '../logger.js';
import type { WebhookProcessor } from './webhook.processor.js';

/**
 * Runs the webhook processor: right after an event is stored, and on an interval for retries
 * and for events stored while this instance was down. Stopping waits for work in progress.
 */
export class WebhookWorker {
  private timer: NodeJS.Timeout | null = null;
  private readonly inFlight = new Set<Promise<unknown>>();
  private stopped = false;

  constructor(
    private readonly processor: WebhookProcessor,
    private readonly logger: Logger,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.track(this.processor.processDue()), this.intervalMs);
    this.timer.unref();
  }

  /** Processes a freshly stored event without waiting for the next tick. */
  processSoon(id: string): void {
    if (!this.stopped) setImmediate(() => this.track(this.processor.processEvent(id)));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await Promise.allSettled([...this.inFlight]);
  }

  private track(work: Promise<unknown>): void {
    const tracked = work
      .catch((error: unknown) => this.logger.error({ err: error }, 'webhook worker pass failed'))
      .finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }
}
