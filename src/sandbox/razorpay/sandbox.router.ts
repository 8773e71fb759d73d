/** What the app mounts at `/sandbox/razorpay` in sandbox mode. */
import type { Router } from 'express';
import { SandboxGateway, type SandboxOptions } from './sandbox.gateway.js';

/** The router, with the sandbox that owns it for tests to drive directly. */
export type SandboxRouter = Router & { sandbox: SandboxGateway };

/**
 * The sandbox as an Express 5 router for mounting at `/sandbox/razorpay`. It parses its own
 * JSON; the sandbox that owns it is `router.sandbox`, for tests to set faults, settle
 * refunds or read state.
 */
export function createSandboxRouter(options: SandboxOptions): SandboxRouter {
  const sandbox = new SandboxGateway(options);
  return Object.assign(sandbox.router, { sandbox });
}
