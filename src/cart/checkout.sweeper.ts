import type { BookingFailureRefunds } from '../bookings/booking.refunds.js';
import type { Logger } from '../logger.js';
import type { CheckoutService } from './checkout.service.js';

/**
 * Runs on a timer (started by app.ts, like the webhook worker): releases the carts of expired
 * checkouts and asks again for refunds still owed by failed bookings. One pass at a time;
 * stopping waits for the pass and the refunds in progress.
 */
export class CheckoutSweeper {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly checkouts: CheckoutService,
    private readonly refunds: BookingFailureRefunds,
    private readonly logger: Logger,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.sweep()
        .catch((error: unknown) => this.logger.error({ err: error }, 'cart checkout sweep failed'))
        .finally(() => {
          this.running = null;
        });
    }, this.intervalMs);
    this.timer.unref();
  }

  /** One pass, as of `now`. */
  async sweep(now = new Date()): Promise<void> {
    await this.checkouts.releaseExpired(now);
    await this.refunds.retryDue(now);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
    await this.refunds.settled();
  }
}
