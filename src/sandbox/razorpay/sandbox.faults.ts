/**
 * Fault knobs for the sandbox's REST API and refunds, so the adapter's timeouts, retries
 * and pending-refund handling can be exercised over real HTTP.
 */
import type { RequestHandler } from 'express';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { SandboxApiError } from './sandbox.errors.js';
import type { RefundOutcome } from './sandbox.store.js';

export interface SandboxFaults {
  /** Status new refunds get: `pending` ones wait for a settle call. */
  refundOutcome: RefundOutcome;
  /** The next `count` `/v1` requests are answered with `status` and not processed. */
  failNextRequests: { count: number; status: number };
  /** Added before every `/v1` answer (injected failures included). */
  latencyMs: number;
}

/** Body of `POST /control/faults`: every field optional; given fields replace the current ones. */
export const faultsUpdateSchema = z.strictObject({
  refundOutcome: z.enum(['processed', 'pending', 'failed']).optional(),
  failNextRequests: z
    .strictObject({ count: z.number().int().min(0).max(1_000), status: z.number().int().min(400).max(599) })
    .optional(),
  latencyMs: z.number().int().min(0).max(60_000).optional(),
});

export type SandboxFaultsUpdate = z.infer<typeof faultsUpdateSchema>;

const NO_FAULTS: SandboxFaults = {
  refundOutcome: 'processed',
  failNextRequests: { count: 0, status: 500 },
  latencyMs: 0,
};

/** The error Razorpay sends with each injected status. */
function injectedError(status: number): SandboxApiError {
  if (status === 429) return new SandboxApiError(429, 'Too many requests', null, 'BAD_REQUEST_ERROR');
  if (status >= 500) {
    return new SandboxApiError(status, 'The server encountered an error. The incident has been reported to admins.');
  }
  return new SandboxApiError(status, `Injected fault: HTTP ${status}`);
}

export class FaultInjector {
  #faults: SandboxFaults = structuredClone(NO_FAULTS);

  /** A copy of the current knobs. */
  current(): SandboxFaults {
    return structuredClone(this.#faults);
  }

  /** Replaces the knobs given, keeps the others. */
  update(update: SandboxFaultsUpdate): SandboxFaults {
    this.#faults = {
      refundOutcome: update.refundOutcome ?? this.#faults.refundOutcome,
      failNextRequests: update.failNextRequests ? { ...update.failNextRequests } : this.#faults.failNextRequests,
      latencyMs: update.latencyMs ?? this.#faults.latencyMs,
    };
    return this.current();
  }

  /** Back to a well-behaved gateway. */
  reset(): void {
    this.#faults = structuredClone(NO_FAULTS);
  }

  /**
   * Middleware for `/v1`: waits `latencyMs`, then answers an injected failure while any are
   * left. The failure is counted when the request arrives, so concurrent requests each
   * take their own.
   */
  middleware(): RequestHandler {
    return async (_req, _res, next) => {
      const { failNextRequests, latencyMs } = this.#faults;
      let fail: number | null = null;
      if (failNextRequests.count > 0) {
        failNextRequests.count -= 1;
        fail = failNextRequests.status;
      }
      if (latencyMs > 0) await sleep(latencyMs);
      if (fail !== null) throw injectedError(fail);
      next();
    };
  }
}
