/** What the app mounts at `/sandbox/razorpay` in sandbox mode. */
import type { Router } from 'express';
import { SandboxGateway, type SandboxOptions } from './sandbox.gateway.js';
import { buildSandboxRouter } from './sandbox.routes.js';

/** The router, with the sandbox that owns it for tests to drive directly. */
export type SandboxRouter = Router & { sandbox: SandboxGateway };

/**
 * The sandbox as an Express 5 router for mounting at `/sandbox/razorpay`. It parses its own
 * JSON; the sandbox that owns it is `router.sandbox`, for tests to set faults, settle
 * refunds or read state. Resolves once its storage is ready and the webhooks an earlier
 * instance left pending are on their way; `router.sandbox.close()` stops it.
 */
export async function createSandboxRouter(options: SandboxOptions): Promise<SandboxRouter> {
  const sandbox = new SandboxGateway(options);
  // Built here, not by the sandbox, so the routes depend on the sandbox and never the reverse.
  const router = buildSandboxRouter({
    sandbox,
    isAuthorized: (header) => sandbox.isAuthorized(header),
    faultMiddleware: sandbox.faultMiddleware(),
    logger: options.logger,
  });
  await sandbox.start();
  return Object.assign(router, { sandbox });
}
