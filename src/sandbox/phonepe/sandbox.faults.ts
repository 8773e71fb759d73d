/**
 * Fault knobs for the PhonePe sandbox, so the adapter's timeouts, retries, token refresh and
 * the service's handling of late, repeated and reordered callbacks run over real HTTP.
 */
import type { RequestHandler } from 'express';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { PhonePeSandboxError } from './sandbox.errors.js';
import type { CallbackKnobs, RefundOutcome } from './sandbox.rows.js';

export interface PhonePeSandboxFaults {
  /** The next `count` API requests (token included) are answered with `status` and not processed. */
  failNextRequests: { count: number; status: number };
  /** Added before every API answer (injected failures included): beyond the adapter's timeout, a timeout. */
  latencyMs: number;
  /** Lifetime of new tokens. */
  tokenTtlSeconds: number;
  /** State new refunds get (the answer always says PENDING): PENDING ones wait for a settle call. */
  refundOutcome: RefundOutcome;
  /** Callbacks: held until released (then in order or reversed), sent `copies` times, the next `dropNext` never sent. */
  callbacks: { hold: boolean; copies: number; dropNext: number };
}

export const faultsUpdateSchema = z.strictObject({
  failNextRequests: z.strictObject({ count: z.number().int().min(0).max(1_000), status: z.number().int().min(400).max(599) }).optional(),
  latencyMs: z.number().int().min(0).max(60_000).optional(),
  tokenTtlSeconds: z.number().int().min(1).max(86_400).optional(),
  refundOutcome: z.enum(['COMPLETED', 'PENDING', 'FAILED']).optional(),
  callbacks: z.strictObject({
    hold: z.boolean().optional(),
    copies: z.number().int().min(1).max(10).optional(),
    dropNext: z.number().int().min(0).max(1_000).optional(),
  }).optional(),
});

export type PhonePeSandboxFaultsUpdate = z.infer<typeof faultsUpdateSchema>;

const NO_FAULTS: PhonePeSandboxFaults = {
  failNextRequests: { count: 0, status: 500 },
  latencyMs: 0,
  tokenTtlSeconds: 3600,
  refundOutcome: 'COMPLETED',
  callbacks: { hold: false, copies: 1, dropNext: 0 },
};

export class FaultInjector {
  #faults: PhonePeSandboxFaults = structuredClone(NO_FAULTS);

  current(): PhonePeSandboxFaults {
    return structuredClone(this.#faults);
  }

  update(update: PhonePeSandboxFaultsUpdate): PhonePeSandboxFaults {
    const parsed = faultsUpdateSchema.parse(update);
    this.#faults = {
      failNextRequests: parsed.failNextRequests ? { ...parsed.failNextRequests } : this.#faults.failNextRequests,
      latencyMs: parsed.latencyMs ?? this.#faults.latencyMs,
      tokenTtlSeconds: parsed.tokenTtlSeconds ?? this.#faults.tokenTtlSeconds,
      refundOutcome: parsed.refundOutcome ?? this.#faults.refundOutcome,
      callbacks: { ...this.#faults.callbacks, ...parsed.callbacks },
    };
    return this.current();
  }

  reset(): void {
    this.#faults = structuredClone(NO_FAULTS);
  }

  /** The knobs for the callbacks of one change; takes one of `dropNext`. */
  takeCallbackKnobs(): CallbackKnobs {
    const { callbacks } = this.#faults;
    const drop = callbacks.dropNext > 0;
    if (drop) callbacks.dropNext -= 1;
    return { hold: callbacks.hold, copies: callbacks.copies, drop };
  }

  /** For the API paths: waits `latencyMs`, then answers an injected failure while any are left (counted on arrival). */
  middleware(): RequestHandler {
    return async (_req, _res, next) => {
      const { failNextRequests, latencyMs } = this.#faults;
      let fail: number | null = null;
      if (failNextRequests.count > 0) {
        failNextRequests.count -= 1;
        fail = failNextRequests.status;
      }
      if (latencyMs > 0) await sleep(latencyMs);
      if (fail !== null) {
        throw fail >= 500
          ? new PhonePeSandboxError(fail, 'INTERNAL_SERVER_ERROR', 'There is an error trying to process your transaction at the moment')
          : new PhonePeSandboxError(fail, fail === 429 ? 'TOO_MANY_REQUESTS' : 'INJECTED_FAULT', `Injected fault: HTTP ${fail}`);
      }
      next();
    };
  }
}
