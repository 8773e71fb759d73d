/**
 * Signed webhook delivery like Razorpay's: at least once, each event POSTed with
 * `X-Razorpay-Signature` over the exact bytes sent and a stable `X-Razorpay-Event-Id`,
 * retried with backoff on failure. Fault knobs make it late, repeated, reordered or lost.
 * Events come from the outbox (sealed with the change that caused them); what becomes of
 * each is written back there, and deliveries cut short by a shutdown or a crash stay pending
 * for the next instance to finish.
 */
import { createHmac } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { QueuedBatch, QueuedEvent, WebhookOutbox } from './sandbox.outbox.js';

export type { DeliveryKnobs, WebhookRecord } from './sandbox.outbox.js';

export interface SandboxLogger {
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
}

export interface WebhookDispatcherOptions {
  outbox: WebhookOutbox;
  secret: string;
  url: () => string;
  logger?: SandboxLogger;
  /** Tries per delivery (Razorpay keeps trying for 24 hours; the sandbox gives up fast). */
  maxTries?: number;
  retryBaseMs?: number;
  /** Razorpay counts no answer within 5 seconds as a failure. */
  timeoutMs?: number;
}

export class WebhookDispatcher {
  readonly #options: Required<Omit<WebhookDispatcherOptions, 'logger'>> & { logger: SandboxLogger | undefined };
  readonly #inFlight = new Set<Promise<void>>();
  readonly #stopping = new AbortController();
  /** Held batches by id: `release` delivers one, `settle` ends its wait without delivering (stop). */
  readonly #held = new Map<string, { release: () => void; settle: () => void }>();

  constructor(options: WebhookDispatcherOptions) {
    this.#options = { maxTries: 3, retryBaseMs: 200, timeoutMs: 5_000, ...options, logger: options.logger };
  }

  /**
   * Delivers a batch one event after the other, duplicates of one event at once, from its due
   * time. The returned promise never rejects and settles when every delivery has succeeded,
   * given up, or been cut short by `stop()` (then the rest stays pending in the outbox).
   * A held batch waits, outside `whenIdle`, until `release` names it.
   */
  deliver(batch: QueuedBatch): Promise<void> {
    if (batch.dropped || batch.events.length === 0) return Promise.resolve();
    if (batch.held) {
      if (this.#stopping.signal.aborted) return Promise.resolve();
      return new Promise<void>((resolve) => {
        this.#held.set(batch.batchId, {
          release: () => resolve(this.deliver({ ...batch, held: false })),
          settle: resolve,
        });
      });
    }
    const signal = this.#stopping.signal;
    const run = (async () => {
      const wait = batch.dueAt - Date.now();
      if (wait > 0) await sleep(wait, undefined, { signal });
      for (const event of batch.events) {
        const attempts = { count: 0 };
        const results = await Promise.all(Array.from({ length: batch.copies }, () => this.#post(event, attempts, signal)));
        await this.#options.outbox.finish(event.eventId, results.every(Boolean) ? 'delivered' : 'failed', attempts.count);
      }
    })().catch((error: unknown) => {
      if (signal.aborted) return;
      this.#options.logger?.warn({ problem: error instanceof Error ? error.message : String(error) }, 'sandbox webhook delivery stopped');
    });
    this.#inFlight.add(run);
    void run.finally(() => this.#inFlight.delete(run));
    return run;
  }

  /** Resolves once nothing is being delivered, including deliveries started meanwhile. */
  async whenIdle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight]);
  }

  /** Starts the held batches named (released in the outbox first), from their due time. */
  release(batchIds: string[]): void {
    for (const batchId of batchIds) {
      const held = this.#held.get(batchId);
      this.#held.delete(batchId);
      held?.release();
    }
  }

  /** Cuts every delivery short (what is left stays pending) and waits for them to stop. */
  async stop(): Promise<void> {
    this.#stopping.abort();
    for (const held of this.#held.values()) held.settle();
    this.#held.clear();
    await this.whenIdle();
  }

  /** One delivery with its retries; true once answered 2xx. Throws if stopped meanwhile. */
  async #post({ eventId, event, body }: QueuedEvent, attempts: { count: number }, stopping: AbortSignal): Promise<boolean> {
    const { maxTries, retryBaseMs, timeoutMs, logger, secret } = this.#options;
    const signature = createHmac('sha256', secret).update(body).digest('hex');
    for (let attempt = 1; attempt <= maxTries; attempt += 1) {
      stopping.throwIfAborted();
      attempts.count += 1;
      let problem: string;
      try {
        const response = await fetch(this.#options.url(), {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            'X-Razorpay-Signature': signature,
            'X-Razorpay-Event-Id': eventId,
          },
          body,
          signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), stopping]),
        });
        // Drain the body so the connection is released even when nobody reads it.
        await response.arrayBuffer();
        if (response.ok) {
          logger?.info({ eventId, event, attempt }, 'sandbox webhook delivered');
          return true;
        }
        problem = `HTTP ${response.status}`;
      } catch (error) {
        stopping.throwIfAborted();
        problem = error instanceof Error ? error.message : String(error);
      }
      const last = attempt === maxTries;
      logger?.warn(
        { eventId, event, attempt, problem },
        last ? 'sandbox webhook delivery failed; giving up' : 'sandbox webhook delivery failed; retrying',
      );
      if (!last) await sleep(retryBaseMs * 2 ** (attempt - 1), undefined, { signal: stopping });
    }
    return false;
  }
}
