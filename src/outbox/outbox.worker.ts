import type { Logger } from '../logger.js';
import type { OutboxService } from './outbox.service.js';

/** Runs outbox deliveries on an interval; one pass at a time; stopping waits for the pass. */
export class OutboxWorker {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;

  constructor(
    private readonly outbox: OutboxService,
    private readonly logger: Logger,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.outbox.deliverDue()
        .catch((error: unknown) => this.logger.error({ err: error }, 'outbox delivery pass failed'))
        .finally(() => (this.running = null));
    }, this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
