/**
 * The Razorpay sandbox over real HTTP for the adapter's tests: the sandbox (its own database), a
 * raw-body webhook route that records what it receives the way the service receives it, the real
 * RazorpayGateway pointed at it, and helpers to pay, fail and expect gateway errors. Call
 * `useRazorpaySandbox()` once at the top of a test file.
 */
import express from 'express';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { GatewayError, type GatewayErrorKind } from '../../src/gateways/gateway.js';
import { RazorpayGateway, type RazorpayGatewayOptions } from '../../src/gateways/razorpay/razorpay.gateway.js';
import { parseWebhookEnvelope } from '../../src/gateways/razorpay/razorpay.mappers.js';
import type { WireWebhookEnvelope } from '../../src/gateways/razorpay/razorpay.wire.js';
import { createSandboxRouter, type CheckoutFailure, type CheckoutSuccess, type SandboxRouter } from '../../src/sandbox/razorpay/index.js';
import { createTestDatabase, type TestDatabase } from './database.js';

export const KEY_ID = 'rzp_test_integration01';
export const KEY_SECRET = 'integration_key_secret';
export const WEBHOOK_SECRET = 'integration_webhook_secret';

export interface ReceivedWebhook {
  raw: Buffer;
  signature: string | undefined;
  eventId: string | undefined;
  envelope: WireWebhookEnvelope;
}

export const received: ReceivedWebhook[] = [];
/** Statuses the webhook route answers next, one per delivery; 200 once empty. */
export const webhookAnswers: number[] = [];
export const warnings: Record<string, unknown>[] = [];
const servers: http.Server[] = [];
export let baseUrl: string;
export let router: SandboxRouter;
let db: TestDatabase;
export let gateway: RazorpayGateway;

export async function listen(app: http.RequestListener): Promise<{ server: http.Server; url: string }> {
  const server = http.createServer(app);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

export function adapter(overrides: Partial<RazorpayGatewayOptions> = {}): RazorpayGateway {
  return new RazorpayGateway({
    keyId: KEY_ID,
    keySecret: KEY_SECRET,
    webhookSecrets: [WEBHOOK_SECRET],
    apiUrl: `${baseUrl}/sandbox/razorpay`,
    timeoutMs: 2_000,
    maxRetries: 3,
    retryBaseMs: 5,
    logger: { warn: (obj) => warnings.push(obj) },
    ...overrides,
  });
}

export async function post<T>(path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T }> {
  const response = await fetch(`${baseUrl}/sandbox/razorpay${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as T };
}

export async function pay(orderId: string, knobs: Record<string, unknown> = {}): Promise<CheckoutSuccess> {
  const { status, body } = await post<CheckoutSuccess>('/checkout/pay', { order_id: orderId, outcome: 'success', method: 'card', ...knobs });
  expect(status).toBe(200);
  return body;
}

export async function failAttempt(orderId: string, knobs: Record<string, unknown> = {}): Promise<CheckoutFailure> {
  const { status, body } = await post<CheckoutFailure>('/checkout/pay', { order_id: orderId, outcome: 'failure', method: 'upi', ...knobs });
  expect(status).toBe(200);
  return body;
}

export async function newOrder(amount = 50_000, autoCapture = true): Promise<string> {
  return (await gateway.createOrder({ amount, currency: 'INR', receipt: `rcpt_${Date.now()}`, autoCapture })).id;
}

export async function expectGatewayError(promise: Promise<unknown>, kind: GatewayErrorKind, message?: RegExp): Promise<GatewayError> {
  const error = await promise.then(
    () => expect.fail('expected a GatewayError'),
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(GatewayError);
  const gatewayError = error as GatewayError;
  expect(gatewayError.kind).toBe(kind);
  if (message) expect(gatewayError.message).toMatch(message);
  return gatewayError;
}

export const events = (): string[] => received.map((webhook) => webhook.envelope.event);

/**
 * Registers the file's hooks: one sandbox (its own database) and a raw-body webhook route before
 * the file's tests, faults, received webhooks and warnings reset after each, everything closed after all.
 */
export function useRazorpaySandbox(): void {
  beforeAll(async () => {
    db = await createTestDatabase({ poolMax: 1 });
    router = await createSandboxRouter({
      keyId: KEY_ID,
      keySecret: KEY_SECRET,
      webhookSecret: WEBHOOK_SECRET,
      databaseUrl: db.url,
      webhookUrl: () => `${baseUrl}/hooks`,
      webhookRetryBaseMs: 10,
    });
    const app = express();
    app.post('/hooks', express.raw({ type: '*/*' }), (req, res) => {
      const raw = req.body as Buffer;
      received.push({
        raw,
        signature: req.get('x-razorpay-signature'),
        eventId: req.get('x-razorpay-event-id'),
        envelope: parseWebhookEnvelope(JSON.parse(raw.toString('utf8'))),
      });
      res.status(webhookAnswers.shift() ?? 200).end();
    });
    app.use('/sandbox/razorpay', router);
    baseUrl = (await listen(app)).url;
    gateway = adapter();
  });

  afterEach(async () => {
    await router.sandbox.whenWebhooksSettled();
    router.sandbox.resetFaults();
    received.length = 0;
    webhookAnswers.length = 0;
    warnings.length = 0;
  });

  afterAll(async () => {
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    await router.sandbox.close();
    await db.drop();
  });
}

