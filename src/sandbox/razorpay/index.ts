/** The sandbox's public surface: what the app mounts and what tests drive. */
export { createSandboxRouter, type SandboxRouter } from './sandbox.router.js';
export { SandboxGateway, type DeliveryOptions, type SandboxDump, type SandboxOptions } from './sandbox.gateway.js';
export type { CheckoutPayRequest, CheckoutPayResponse, CheckoutSuccess, CheckoutFailure } from './sandbox.checkout.js';
export type { SandboxFaults, SandboxFaultsUpdate } from './sandbox.faults.js';
export type { RefundOutcome } from './sandbox.store.js';
export type { DeliveryKnobs, WebhookRecord } from './sandbox.outbox.js';
export type { SandboxLogger } from './sandbox.webhooks.js';
