/**
 * Opens Razorpay Checkout exactly as a real integration does: load checkout.js (Razorpay's, or
 * in sandbox mode the sandbox's stand-in with the same options and callbacks), then
 * `new Razorpay(options).open()`; the `handler` result goes to verifyPayment, which asks the
 * gateway for the real status (the browser's word is never taken for it).
 */
import { ShopVerifyPaymentDocument, type ShopCheckoutFragment, type ShopPaymentFragment } from '../../client/src/index.js';
import { request } from '../shared/api.js';

interface RazorpayResponse { razorpay_payment_id: string; razorpay_order_id: string; razorpay_signature: string }
interface RazorpayFailure { error: { description: string; reason: string; metadata: { payment_id: string } } }
interface RazorpayInstance { open(): void; on(event: 'payment.failed', listener: (response: RazorpayFailure) => void): void }
type RazorpayConstructor = new (options: Record<string, unknown>) => RazorpayInstance;

export interface ShopSettings { mode: 'sandbox' | 'live'; checkoutScript: string; demoSignIn: boolean }

let loading: Promise<RazorpayConstructor> | null = null;

/** Loads checkout.js once. */
export function loadCheckout(settings: ShopSettings): Promise<RazorpayConstructor> {
  loading ??= new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = settings.checkoutScript;
    script.onload = () => {
      const ctor = (window as unknown as { Razorpay?: RazorpayConstructor }).Razorpay;
      if (ctor) resolve(ctor);
      else reject(new Error('checkout.js loaded but defined no Razorpay'));
    };
    script.onerror = () => {
      loading = null;
      reject(new Error(`could not load ${settings.checkoutScript}`));
    };
    document.head.append(script);
  });
  return loading;
}

export type CheckoutOutcome =
  | { kind: 'verified'; payment: ShopPaymentFragment }
  | { kind: 'failed'; reason: string }
  | { kind: 'dismissed'; failedBefore: string | null };

/** Opens Checkout for a session and settles when the customer paid (verified), or closed it. */
export async function openCheckout(settings: ShopSettings, session: ShopCheckoutFragment, description: string): Promise<CheckoutOutcome> {
  const Razorpay = await loadCheckout(settings);
  return new Promise((resolve, reject) => {
    let lastFailure: string | null = null;
    const checkout = new Razorpay({
      key: session.keyId,
      order_id: session.razorpayOrderId,
      amount: session.amount,
      currency: session.currency,
      name: 'Payment service demo',
      description,
      handler: (response: RazorpayResponse) => {
        request(ShopVerifyPaymentDocument, {
          input: {
            razorpayOrderId: response.razorpay_order_id,
            razorpayPaymentId: response.razorpay_payment_id,
            razorpaySignature: response.razorpay_signature,
          },
        }).then((data) => resolve({ kind: 'verified', payment: data.verifyPayment }), reject);
      },
      modal: { ondismiss: () => resolve({ kind: 'dismissed', failedBefore: lastFailure }) },
    });
    checkout.on('payment.failed', (response) => {
      lastFailure = response.error.description;
    });
    checkout.open();
  });
}
