/**
 * The checkout simulator's request and answers: it stands in for the customer's browser
 * running Razorpay Checkout, so its answers are what Checkout hands the page.
 */
import { z } from 'zod';
import type { WireErrorDetail, WirePayment } from '../../gateways/razorpay/razorpay.wire.js';
import { invalidBody } from './sandbox.errors.js';
import type { DeliveryKnobs } from './sandbox.outbox.js';

/** Body of `POST /checkout/pay`. */
export const checkoutPaySchema = z.strictObject({
  order_id: z.string().min(1),
  outcome: z.enum(['success', 'failure']),
  method: z.enum(['card', 'upi', 'netbanking', 'wallet']).default('card'),
  webhookDelayMs: z.number().int().min(0).max(60_000).optional(),
  duplicateWebhooks: z.number().int().min(1).max(20).optional(),
  shuffleWebhooks: z.boolean().optional(),
  dropWebhooks: z.boolean().optional(),
  holdWebhooks: z.boolean().optional(),
  awaitWebhooks: z.boolean().optional(),
  authorizeOnly: z.boolean().optional(),
});

export type CheckoutPayRequest = z.input<typeof checkoutPaySchema>;
type CheckoutPayParsed = z.output<typeof checkoutPaySchema>;

/** What Checkout's success handler receives. */
export interface CheckoutSuccess {
  razorpay_payment_id: string;
  razorpay_order_id: string;
  razorpay_signature: string;
}

/** What Checkout's `payment.failed` handler receives (answered with HTTP 200, as Checkout does). */
export interface CheckoutFailure {
  error: Required<Pick<WireErrorDetail, 'code' | 'description' | 'source' | 'step' | 'reason'>> & {
    metadata: { payment_id: string; order_id: string };
  };
}

export type CheckoutPayResponse = CheckoutSuccess | CheckoutFailure;

/** Validates the simulator's body; a 400 naming the first bad field otherwise. */
export function readCheckoutPay(body: unknown): CheckoutPayParsed {
  const result = checkoutPaySchema.safeParse(body ?? {});
  if (result.success) return result.data;
  throw invalidBody(result.error.issues[0]!);
}

/** The simulator's webhook knobs in the dispatcher's terms. */
export function deliveryKnobs(request: CheckoutPayParsed): DeliveryKnobs {
  return {
    delayMs: request.webhookDelayMs,
    duplicates: request.duplicateWebhooks,
    reverse: request.shuffleWebhooks,
    drop: request.dropWebhooks,
    hold: request.holdWebhooks,
  };
}

/** Checkout's failure object for a failed attempt, carrying the payment's error fields. */
export function checkoutFailure(payment: WirePayment): CheckoutFailure {
  return {
    error: {
      code: payment.error_code ?? 'BAD_REQUEST_ERROR',
      description: payment.error_description ?? 'Payment failed',
      source: payment.error_source ?? 'NA',
      step: payment.error_step ?? 'NA',
      reason: payment.error_reason ?? 'payment_failed',
      metadata: { payment_id: payment.id, order_id: payment.order_id ?? '' },
    },
  };
}
