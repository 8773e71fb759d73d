/**
 * Signed webhook delivery like Razorpay's: at least once, each event POSTed with
 * `X-Razorpay-Signature` over the exact bytes sent and a stable `X-Razorpay-Event-Id`,
 * retried with backoff on failure. Fault knobs make it late, repeated, reordered or lost.
 */
import { createHmac } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { WireWebhookEnvelope } from '../../gateways/razorpay/razorpay.wire.js';
import { newId, nowSeconds } from './sandbox.ids.js';
import type { SandboxEvent } from './sandbox.store.js';

export interface SandboxLogger {
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
}

export interface DeliveryKnobs {
  /** Wait this long before the first delivery. */
  delayMs?: number;
  /** Deliver every event this many times, concurrently (same bytes, same event id). */
  duplicates?: number;
  /** Deliver the events last first. Reversed rather than random, so tests can rely on it. */
  reverse?: boolean;
  /** Deliver nothing, as when Razorpay's webhook is missed; reconciliation must cope. */
  drop?: boolean;
}

export interface WebhookRecord {
  eventId: string;
  event: string;
  outcome: 'pending' | 'delivered' | 'failed' | 'dropped';
  /** HTTP attempts made, over all duplicate deliveries. */
  attempts: number;
}

export interface WebhookDispatcherOptions {
  secret: string;
  url: () => string;
  accountId: string;
  logger?: SandboxLogger;
  /** Tries per delivery (Razorpay keeps trying for 24 hours; the sandbox gives up fast). */
  maxTries?: number;
  retryBaseMs?: number;
  /** Razorpay counts no answer within 5 seconds as a failure. */
  timeoutMs?: number;
}

interface SealedEvent {
  record: WebhookRecord;
  body: Buffer;
  signature: string;
}

const MAX_RECORDS = 200;

export class WebhookDispatcher {
  readonly #options: Required<Omit<WebhookDispatcherOptions, 'logger'>> & { logger: SandboxLogger | undefined };
  readonly #inFlight = new Set<Promise<void>>();
  readonly #records: WebhookRecord[] = [];

  constructor(options: WebhookDispatcherOptions) {
    this.#options = { maxTries: 3, retryBaseMs: 200, timeoutMs: 5_000, ...options, logger: options.logger };
  }

  /**
   * Seals the events now (event id, `created_at`, body bytes, signature), then delivers them
   * one event after the other, duplicates of one event at once. The returned promise never
   * rejects and settles when every delivery has succeeded or given up.
   */
  deliver(events: SandboxEvent[], knobs: DeliveryKnobs = {}): Promise<void> {
    const sealed = events.map((event) => this.#seal(event));
    if (knobs.drop) {
      for (const { record } of sealed) record.outcome = 'dropped';
      return Promise.resolve();
    }
    const ordered = knobs.reverse ? [...sealed].reverse() : sealed;
    const copies = Math.max(1, knobs.duplicates ?? 1);
    const run = (async () => {
      if (knobs.delayMs) await sleep(knobs.delayMs);
      for (const event of ordered) {
        const results = await Promise.all(Array.from({ length: copies }, () => this.#post(event)));
        event.record.outcome = results.every(Boolean) ? 'delivered' : 'failed';
      }
    })();
    this.#inFlight.add(run);
    void run.finally(() => this.#inFlight.delete(run));
    return run;
  }

  /** Resolves once nothing is being delivered, including deliveries started meanwhile. */
  async whenIdle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight]);
  }

  /** The latest events and what became of them, newest last. */
  records(): WebhookRecord[] {
    return this.#records.map((record) => ({ ...record }));
  }

  #seal(event: SandboxEvent): SealedEvent {
    const envelope: WireWebhookEnvelope = {
      entity: 'event',
      account_id: this.#options.accountId,
      event: event.event,
      contains: Object.keys(event.payload),
      payload: event.payload,
      created_at: nowSeconds(),
    };
    const body = Buffer.from(JSON.stringify(envelope), 'utf8');
    const signature = createHmac('sha256', this.#options.secret).update(body).digest('hex');
    const record: WebhookRecord = { eventId: newId('evt'), event: event.event, outcome: 'pending', attempts: 0 };
    this.#records.push(record);
    if (this.#records.length > MAX_RECORDS) this.#records.shift();
    return { record, body, signature };
  }

  /** One delivery with its retries; true once answered 2xx. */
  async #post({ record, body, signature }: SealedEvent): Promise<boolean> {
    const { maxTries, retryBaseMs, timeoutMs, logger } = this.#options;
    for (let attempt = 1; attempt <= maxTries; attempt += 1) {
      record.attempts += 1;
      let problem: string;
      try {
        const response = await fetch(this.#options.url(), {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            'X-Razorpay-Signature': signature,
            'X-Razorpay-Event-Id': record.eventId,
          },
          body,
          signal: AbortSignal.timeout(timeoutMs),
        });
        // Drain the body so the connection is released even when nobody reads it.
        await response.arrayBuffer();
        if (response.ok) {
          logger?.info({ eventId: record.eventId, event: record.event, attempt }, 'sandbox webhook delivered');
          return true;
        }
        problem = `HTTP ${response.status}`;
      } catch (error) {
        problem = error instanceof Error ? error.message : String(error);
      }
      const last = attempt === maxTries;
      logger?.warn(
        { eventId: record.eventId, event: record.event, attempt, problem },
        last ? 'sandbox webhook delivery failed; giving up' : 'sandbox webhook delivery failed; retrying',
      );
      if (!last) await sleep(retryBaseMs * 2 ** (attempt - 1));
    }
    return false;
  }
}
