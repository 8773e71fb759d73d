import { createHmac } from 'node:crypto';
import { SANDBOX_KEY_SECRET, SANDBOX_WEBHOOK_SECRET } from '../../src/config.js';

export interface CheckoutSuccess {
  razorpay_payment_id: string;
  razorpay_order_id: string;
  razorpay_signature: string;
}

export interface CheckoutFailure {
  error: { code: string; description: string; reason: string; metadata: { payment_id: string; order_id: string } };
}

export interface PayOptions {
  outcome?: 'success' | 'failure';
  method?: 'card' | 'upi' | 'netbanking' | 'wallet';
  webhookDelayMs?: number;
  duplicateWebhooks?: number;
  shuffleWebhooks?: boolean;
  dropWebhooks?: boolean;
  /** Keep the webhooks pending until `releaseWebhooks` (orders deliveries without a clock). */
  holdWebhooks?: boolean;
  awaitWebhooks?: boolean;
  authorizeOnly?: boolean;
}

/** Stands in for the customer paying in Razorpay Checkout, through the sandbox over HTTP. */
export async function pay(baseUrl: string, orderId: string, options: PayOptions = {}): Promise<CheckoutSuccess & CheckoutFailure> {
  const response = await fetch(`${baseUrl}/sandbox/razorpay/checkout/pay`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ order_id: orderId, outcome: options.outcome ?? 'success', method: options.method ?? 'card', ...options }),
  });
  const body = (await response.json()) as CheckoutSuccess & CheckoutFailure;
  if (!response.ok) throw new Error(`checkout/pay answered ${response.status}: ${JSON.stringify(body)}`);
  return body;
}

/** Sets sandbox fault knobs over HTTP (`/control/faults`). */
export async function setSandboxFaults(baseUrl: string, faults: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${baseUrl}/sandbox/razorpay/control/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(faults),
  });
  if (!response.ok) throw new Error(`control/faults answered ${response.status}: ${await response.text()}`);
}

/** Releases held webhooks over HTTP (`/control/webhooks/release`): the batch of `eventId`, or all. */
export async function releaseWebhooks(baseUrl: string, which: { eventId: string } | { all: true }): Promise<string[]> {
  const response = await fetch(`${baseUrl}/sandbox/razorpay/control/webhooks/release`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(which),
  });
  if (!response.ok) throw new Error(`control/webhooks/release answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { released: string[] }).released;
}

/** What Checkout would sign for `orderId|paymentId` with the sandbox key secret. */
export function checkoutSignature(orderId: string, paymentId: string, secret = SANDBOX_KEY_SECRET): string {
  return createHmac('sha256', secret).update(`${orderId}|${paymentId}`).digest('hex');
}

/** POSTs a webhook body to the service, signed like Razorpay (or with `signature` as given). */
export async function postWebhook(
  baseUrl: string,
  body: string | Buffer,
  options: { eventId?: string; signature?: string | null; secret?: string } = {},
): Promise<{ status: number; body: string }> {
  const signature = options.signature === undefined
    ? createHmac('sha256', options.secret ?? SANDBOX_WEBHOOK_SECRET).update(body).digest('hex')
    : options.signature;
  const response = await fetch(`${baseUrl}/webhooks/razorpay`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(signature !== null ? { 'x-razorpay-signature': signature } : {}),
      ...(options.eventId ? { 'x-razorpay-event-id': options.eventId } : {}),
    },
    body,
  });
  return { status: response.status, body: await response.text() };
}

let sequence = 0;
/** A Razorpay-shaped payment entity for hand-built webhooks. */
export function wirePayment(orderId: string, paymentId: string, status: 'authorized' | 'captured' | 'failed', amount: number) {
  return {
    id: paymentId,
    entity: 'payment',
    amount,
    currency: 'INR',
    status,
    order_id: orderId,
    invoice_id: null,
    international: false,
    method: 'card',
    amount_refunded: 0,
    refund_status: null,
    captured: status === 'captured',
    description: null,
    card_id: 'card_AAAAAAAAAAAAAA',
    card: { id: 'card_AAAAAAAAAAAAAA', last4: '1111', network: 'Visa', type: 'credit', issuer: null, international: false, emi: false },
    bank: null,
    wallet: null,
    vpa: null,
    email: 'customer@example.com',
    contact: '+919999999999',
    notes: [],
    fee: status === 'captured' ? 1180 : null,
    tax: status === 'captured' ? 180 : null,
    error_code: status === 'failed' ? 'BAD_REQUEST_ERROR' : null,
    error_description: status === 'failed' ? 'Payment processing failed because of incorrect OTP' : null,
    error_source: status === 'failed' ? 'customer' : null,
    error_step: status === 'failed' ? 'payment_authentication' : null,
    error_reason: status === 'failed' ? 'incorrect_otp' : null,
    created_at: Math.floor(Date.now() / 1000),
  };
}

/** A signed-ready webhook envelope carrying a payment snapshot. */
export function paymentEvent(event: string, payment: ReturnType<typeof wirePayment>): { body: string; eventId: string } {
  sequence += 1;
  const envelope = {
    entity: 'event',
    account_id: 'acc_TESTACCOUNT001',
    event,
    contains: ['payment'],
    payload: { payment: { entity: payment } },
    created_at: Math.floor(Date.now() / 1000),
  };
  return { body: JSON.stringify(envelope), eventId: `evt_test_${Date.now().toString(36)}_${sequence}` };
}
