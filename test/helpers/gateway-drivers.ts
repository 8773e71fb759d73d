/**
 * What a customer and a gateway do, per gateway, so that one test table runs the same flow
 * through Razorpay and PhonePe (both sandboxes over real HTTP):
 * - pay: Razorpay's Checkout (the sandbox's `checkout/pay`) or PhonePe's hosted page (the
 *   sandbox's page, chosen as a test does), with the gateway's notifications delivered,
 *   repeated or dropped;
 * - confirm: what the client calls afterwards: verifyPayment with Checkout's signed result, or
 *   confirmPayment (PhonePe gives the client nothing signed);
 * - notify: the gateway's notification of that attempt delivered once more, as the gateway
 *   would send it (a signed Razorpay webhook; a PhonePe callback with the shared credential).
 */
import { expect } from 'vitest';
import { callbackAuthorization } from '../../src/gateways/phonepe/phonepe.callbacks.js';
import { WebhookEvent, WebhookEventStatus } from '../../src/webhooks/webhook-event.entity.js';
import { ConfirmPaymentDocument, VerifyPaymentDocument, type PaymentFieldsFragment, type PaymentGateway } from '../graphql/generated.js';
import { pay, paymentEvent, postWebhook, releaseWebhooks, wirePayment } from './checkout.js';
import { eventually, type GraphQLResponse, type TestServer } from './server.js';

/** The part of a createOrder / addWalletBalance / processCart session a driver needs. */
export interface Session {
  razorpayOrderId: string;
  redirectUrl?: string | null;
  amount: number;
  payment: { id: string };
}

/** One attempt at the gateway: its id as the service records it, and what confirming needs. */
export interface Attempt {
  gatewayPaymentId: string;
  outcome: 'success' | 'failure' | 'pending';
  /** Razorpay: Checkout's signed result; PhonePe: nothing. */
  signature: string | null;
}

export interface PayOptions {
  outcome?: 'success' | 'failure' | 'pending';
  /**
   * The gateway's notifications: delivered (default), never sent, held until
   * `releaseNotifications` (so they arrive after the confirmation, by construction), or sent
   * `copies` times.
   */
  notifications?: 'deliver' | 'drop' | 'hold' | { copies: number };
  /** Resolve only once the sandbox has delivered them. */
  awaitNotifications?: boolean;
  /** How the customer pays (PhonePe: always UPI, its sandbox page's default). */
  method?: 'upi' | 'card';
}

/** The service's answer to the client's confirmation, whichever mutation made it. */
export interface Confirmed {
  errors: GraphQLResponse<unknown>['errors'];
  payment: PaymentFieldsFragment | null;
}

export interface GatewayDriver {
  gateway: PaymentGateway;
  /** The mutation the client calls after paying. */
  confirmedBy: 'verifyPayment' | 'confirmPayment';
  pay(server: TestServer, session: Session, options?: PayOptions): Promise<Attempt>;
  confirm(server: TestServer, token: string, session: Session, attempt: Attempt): Promise<Confirmed>;
  /** The gateway's "paid" notification for a successful attempt, delivered once more; the HTTP status. */
  notify(server: TestServer, session: Session, attempt: Attempt): Promise<number>;
  /** Lets held notifications go, in order. */
  releaseNotifications(server: TestServer): Promise<void>;
  /** The public key the session carries (Razorpay's key id; PhonePe's client id). */
  keyId(server: TestServer): string;
}

const razorpay: GatewayDriver = {
  gateway: 'RAZORPAY',
  confirmedBy: 'verifyPayment',
  async pay(server, session, options = {}) {
    const notifications = options.notifications ?? 'deliver';
    const outcome = options.outcome ?? 'success';
    if (outcome === 'pending') throw new Error('Razorpay Checkout has no pending outcome (PhonePe only)');
    const result = await pay(server.url, session.razorpayOrderId, {
      outcome,
      method: options.method ?? 'card',
      dropWebhooks: notifications === 'drop',
      holdWebhooks: notifications === 'hold',
      ...(typeof notifications === 'object' && { duplicateWebhooks: notifications.copies }),
      awaitWebhooks: options.awaitNotifications ?? false,
    });
    return outcome === 'success'
      ? { gatewayPaymentId: result.razorpay_payment_id, outcome, signature: result.razorpay_signature }
      : { gatewayPaymentId: result.error.metadata.payment_id, outcome, signature: null };
  },
  async confirm(server, token, session, attempt) {
    const response = await server.gql(VerifyPaymentDocument, {
      input: { razorpayOrderId: session.razorpayOrderId, razorpayPaymentId: attempt.gatewayPaymentId, razorpaySignature: attempt.signature ?? '0'.repeat(64) },
    }, token);
    return { errors: response.errors, payment: response.data?.verifyPayment ?? null };
  },
  async notify(server, session, attempt) {
    const { body, eventId } = paymentEvent('payment.captured', wirePayment(session.razorpayOrderId, attempt.gatewayPaymentId, 'captured', session.amount));
    return (await postWebhook(server.url, body, { eventId })).status;
  },
  async releaseNotifications(server) {
    await releaseWebhooks(server.url, { all: true });
  },
  keyId: (server) => server.config.razorpay.keyId,
};

const phonepe: GatewayDriver = {
  gateway: 'PHONEPE',
  confirmedBy: 'confirmPayment',
  async pay(server, session, options = {}) {
    const sandbox = server.app.phonepeSandbox!;
    const notifications = options.notifications ?? 'deliver';
    const outcome = options.outcome ?? 'success';
    // The knobs are read synchronously when the page's choice is stored, so concurrent payers
    // each add their own drop.
    if (notifications === 'drop') sandbox.setFaults({ callbacks: { dropNext: sandbox.setFaults({}).callbacks.dropNext + 1 } });
    if (typeof notifications === 'object') sandbox.setFaults({ callbacks: { copies: notifications.copies } });
    if (notifications === 'hold') sandbox.setFaults({ callbacks: { hold: true } });
    try {
      const response = await fetch(session.redirectUrl!, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ outcome }) });
      const body = (await response.json()) as { transaction: { transactionId: string } | null };
      if (!response.ok || !body.transaction) throw new Error(`PhonePe sandbox page answered ${response.status}: ${JSON.stringify(body)}`);
      if (options.awaitNotifications) await sandbox.whenCallbacksSettled();
      return { gatewayPaymentId: `${session.razorpayOrderId}:${body.transaction.transactionId}`, outcome, signature: null };
    } finally {
      if (typeof notifications === 'object') sandbox.setFaults({ callbacks: { copies: 1 } });
      if (notifications === 'hold') sandbox.setFaults({ callbacks: { hold: false } });
    }
  },
  async confirm(server, token, session) {
    const response = await server.gql(ConfirmPaymentDocument, { paymentId: session.payment.id }, token);
    return { errors: response.errors, payment: response.data?.confirmPayment ?? null };
  },
  async notify(server, session) {
    const payload = await server.app.phonepeSandbox!.store.orderStatus(session.razorpayOrderId, true, { hold: false, copies: 1, drop: true });
    const { webhookUsername, webhookPassword } = server.config.phonepe;
    const response = await fetch(`${server.url}/webhooks/phonepe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: callbackAuthorization(webhookUsername, webhookPassword) },
      body: JSON.stringify({ type: 'CHECKOUT_ORDER_COMPLETED', event: 'checkout.order.completed', payload }),
    });
    await response.body?.cancel();
    return response.status;
  },
  async releaseNotifications(server) {
    await server.app.phonepeSandbox!.releaseCallbacks(false);
  },
  keyId: (server) => server.config.phonepe.clientId,
};

/** The table: `describe.each(GATEWAY_DRIVERS)('$gateway', (driver) => …)`. */
export const GATEWAY_DRIVERS: readonly GatewayDriver[] = [razorpay, phonepe];

/**
 * Waits until both sandboxes have delivered every notification and the inbox has handled each;
 * none may be DEAD.
 */
export async function notificationsDone(server: TestServer): Promise<void> {
  await server.app.sandbox!.whenWebhooksSettled();
  await server.app.phonepeSandbox?.whenCallbacksSettled();
  const em = () => server.db.orm.em.fork();
  await eventually(
    async () => (await em().count(WebhookEvent, { status: { $in: [WebhookEventStatus.PENDING, WebhookEventStatus.FAILED] } })) === 0,
    10_000,
    'every stored webhook handled',
  );
  expect(await em().find(WebhookEvent, { status: WebhookEventStatus.DEAD })).toEqual([]);
}
