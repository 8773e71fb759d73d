import type { Logger } from '../logger.js';

/**
 * Runs `task` every `intervalMs`, one run at a time (a slow run is never overlapped), logging
 * failures instead of crashing; `stop()` waits for the run in progress.
 */
export class PeriodicTask {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;

  constructor(
    private readonly name: string,
    private readonly task: () => Promise<unknown>,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.runNow(), this.intervalMs);
    this.timer.unref();
  }

  /** Runs the task now unless a run is in progress. */
  runNow(): Promise<unknown> {
    this.running ??= this.task()
      .catch((error: unknown) => this.logger.error({ err: error, task: this.name }, `${this.name} failed`))
      .finally(() => (this.running = null));
    return this.running;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
