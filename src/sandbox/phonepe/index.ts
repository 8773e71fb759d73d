/** The PhonePe sandbox's public surface: what the app mounts and what tests drive. */
import type { Router } from 'express';
import { PhonePeSandbox, type PhonePeSandboxOptions } from './sandbox.gateway.js';
import { buildPhonePeSandboxRouter } from './sandbox.routes.js';

export { PhonePeSandbox, type PhonePeSandboxOptions, type PhonePeSandboxState } from './sandbox.gateway.js';
export type { PhonePeSandboxFaults, PhonePeSandboxFaultsUpdate } from './sandbox.faults.js';
export type { CallbackRecord } from './sandbox.callbacks.js';

export type PhonePeSandboxRouter = Router & { sandbox: PhonePeSandbox };

/**
 * The sandbox as an Express 5 router for mounting at `/sandbox/phonepe` (the adapter's
 * PHONEPE_API_URL). Resolves once its storage is ready; `router.sandbox.close()` stops it.
 */
export async function createPhonePeSandboxRouter(options: PhonePeSandboxOptions): Promise<PhonePeSandboxRouter> {
  const sandbox = new PhonePeSandbox(options);
  await sandbox.start();
  return Object.assign(buildPhonePeSandboxRouter({ sandbox, logger: options.logger }), { sandbox });
}
