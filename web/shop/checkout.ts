/**
 * Takes the customer through the session's gateway. Razorpay: Checkout exactly as a real
 * integration opens it (load checkout.js, Razorpay's or in sandbox mode the sandbox's stand-in
 * with the same options and callbacks, then `new Razorpay(options).open()`); the `handler`
 * result goes to verifyPayment, which asks the gateway for the real status. PhonePe: the
 * browser goes to the session's redirectUrl (PhonePe's page) and comes back to the shop with
 * nothing that proves anything; the shop then calls confirmPayment, which asks PhonePe.
 */
import { ShopConfirmPaymentDocument, ShopVerifyPaymentDocument, type ShopCheckoutFragment, type ShopPaymentFragment } from '../../client/src/index.js';
import { request } from '../shared/api.js';

interface RazorpayResponse { razorpay_payment_id: string; razorpay_order_id: string; razorpay_signature: string }
interface RazorpayFailure { error: { description: string; reason: string; metadata: { payment_id: string } } }
interface RazorpayInstance { open(): void; on(event: 'payment.failed', listener: (response: RazorpayFailure) => void): void }
type RazorpayConstructor = new (options: Record<string, unknown>) => RazorpayInstance;

export type ShopGateway = 'RAZORPAY' | 'PHONEPE';
export interface ShopSettings { mode: 'sandbox' | 'live'; checkoutScript: string; demoSignIn: boolean; gateways: ShopGateway[] }

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

/** What the shop remembers while the customer is on PhonePe's page (this tab only). */
export interface PendingRedirect {
  paymentId: string;
  merchantOrderId: string;
  what: 'cart' | 'top-up';
  /** The cart checkout's idempotency key, so that paying again resumes the same order. */
  cartId?: string;
  idempotencyKey?: string;
}

const PENDING_KEY = 'shop.pendingRedirect';

/**
 * Opens Checkout for a session and settles when the customer paid (verified), or closed it.
 * For PhonePe the page is left for PhonePe's and this never settles: the return is handled by
 * `returnFromGateway` when the shop loads again.
 */
export async function openCheckout(settings: ShopSettings, session: ShopCheckoutFragment, description: string, pending: Omit<PendingRedirect, 'paymentId' | 'merchantOrderId'> = { what: 'cart' }): Promise<CheckoutOutcome> {
  if (session.gateway === 'PHONEPE') return redirectToPhonePe(session, pending);
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

function redirectToPhonePe(session: ShopCheckoutFragment, pending: Omit<PendingRedirect, 'paymentId' | 'merchantOrderId'>): Promise<never> {
  if (!session.redirectUrl) throw new Error('the service returned no PhonePe page for this payment');
  const record: PendingRedirect = { ...pending, paymentId: session.payment.id, merchantOrderId: session.razorpayOrderId };
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(record));
  location.assign(session.redirectUrl);
  return new Promise<never>(() => undefined);
}

/**
 * Back from PhonePe (`?merchantOrderId=` in the address): the payment this tab sent there, if
 * it is the one named, confirmed with the service (which asks PhonePe). The address is
 * cleaned either way; a return this tab did not start decides nothing.
 */
export async function returnFromGateway(): Promise<{ pending: PendingRedirect; payment: ShopPaymentFragment } | null> {
  const merchantOrderId = new URLSearchParams(location.search).get('merchantOrderId');
  if (merchantOrderId === null) return null;
  history.replaceState(null, '', location.pathname);
  const stored = sessionStorage.getItem(PENDING_KEY);
  const pending = stored ? (JSON.parse(stored) as PendingRedirect) : null;
  if (!pending || pending.merchantOrderId !== merchantOrderId) return null;
  sessionStorage.removeItem(PENDING_KEY);
  const { confirmPayment } = await request(ShopConfirmPaymentDocument, { paymentId: pending.paymentId });
  return { pending, payment: confirmPayment };
}
