/**
 * The sandbox's stand-in for Razorpay's checkout.js (served at /sandbox/razorpay/checkout.js).
 * Same surface as the real one: `new Razorpay(options)`, `.on('payment.failed', cb)`, `.open()`,
 * `.close()`; `options.handler` gets `{ razorpay_payment_id, razorpay_order_id,
 * razorpay_signature }`, `options.modal.ondismiss` runs when the customer closes it. Instead
 * of Razorpay's form, a modal offers: pay by UPI, pay by card, fail the payment, or close. It
 * pays through the sandbox's `/checkout/pay`, which also sends the matching signed webhooks.
 */

interface CheckoutOptions {
  key: string;
  order_id: string;
  amount?: number | string;
  currency?: string;
  name?: string;
  description?: string;
  handler?: (response: { razorpay_payment_id: string; razorpay_order_id: string; razorpay_signature: string }) => void;
  modal?: { ondismiss?: () => void; escape?: boolean };
  prefill?: Record<string, string>;
  notes?: Record<string, string>;
  theme?: { color?: string };
}

interface FailureResponse {
  error: { code: string; description: string; source: string; step: string; reason: string; metadata: { payment_id: string; order_id: string } };
}

type Listener = (response: FailureResponse) => void;

// Where this script came from is where the sandbox is: /sandbox/razorpay/checkout.js → /sandbox/razorpay/.
const script = document.currentScript as HTMLScriptElement | null;
const sandboxBase = new URL('.', script?.src ?? `${location.origin}/sandbox/razorpay/checkout.js`).toString();

function formatAmount(amount: number | string | undefined, currency = 'INR'): string {
  const paise = typeof amount === 'string' ? Number.parseInt(amount, 10) : amount;
  if (paise === undefined || !Number.isSafeInteger(paise)) return '';
  const whole = BigInt(paise) / BigInt(100); // integer division, truncating like the sign of paise
  const fraction = String(Math.abs(paise % 100)).padStart(2, '0');
  return currency === 'INR'
    ? `${new Intl.NumberFormat('en-IN', { style: 'currency', currency: 'INR', maximumFractionDigits: 0 }).format(whole)}.${fraction}`
    : `${currency} ${whole}.${fraction}`;
}

function styled<K extends keyof HTMLElementTagNameMap>(tag: K, style: Partial<CSSStyleDeclaration>, text?: string): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  Object.assign(element.style, style);
  if (text !== undefined) element.textContent = text;
  return element;
}

class Razorpay {
  private readonly listeners = new Map<string, Listener[]>();
  private overlay: HTMLDivElement | null = null;
  private busy = false;

  constructor(private readonly options: CheckoutOptions) {
    if (!options || typeof options.key !== 'string' || options.key === '') throw new Error('Razorpay: options.key is required');
    if (typeof options.order_id !== 'string' || options.order_id === '') throw new Error('Razorpay: options.order_id is required');
  }

  on(event: string, listener: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }

  open(): this {
    if (this.overlay) return this;
    const overlay = styled('div', { position: 'fixed', inset: '0', background: 'rgba(15,23,42,0.6)', display: 'flex', alignItems: 'center', justifyContent: 'center', zIndex: '2147483647' });
    const dialog = styled('div', { background: '#fff', color: '#0f172a', borderRadius: '8px', padding: '24px', width: 'min(360px, 90vw)', fontFamily: 'system-ui, sans-serif', boxShadow: '0 10px 40px rgba(0,0,0,0.3)' });
    dialog.setAttribute('role', 'dialog');
    dialog.setAttribute('aria-modal', 'true');
    dialog.setAttribute('aria-labelledby', 'rzp-sandbox-title');
    const title = styled('h2', { margin: '0 0 4px', fontSize: '18px' }, 'Razorpay Checkout (sandbox)');
    title.id = 'rzp-sandbox-title';
    const merchant = styled('p', { margin: '0 0 12px', color: '#475569' }, [this.options.name, this.options.description].filter(Boolean).join(' · '));
    const amount = styled('p', { margin: '0 0 16px', fontSize: '24px', fontWeight: '600' }, formatAmount(this.options.amount, this.options.currency));
    amount.setAttribute('data-testid', 'rzp-amount');
    const status = styled('p', { margin: '12px 0 0', minHeight: '1.2em', color: '#b91c1c' });
    status.setAttribute('role', 'status');
    status.setAttribute('aria-live', 'polite');
    const button = (label: string, background: string, onClick: () => void) => {
      const b = styled('button', { display: 'block', width: '100%', margin: '8px 0 0', padding: '10px', border: '0', borderRadius: '6px', background, color: '#fff', fontSize: '15px', cursor: 'pointer' }, label);
      b.type = 'button';
      b.addEventListener('click', onClick);
      return b;
    };
    const buttons = [
      button('Pay with UPI', '#2563eb', () => void this.pay('success', 'upi', status)),
      button('Pay with card', '#1d4ed8', () => void this.pay('success', 'card', status)),
      button('Fail payment', '#b91c1c', () => void this.pay('failure', 'card', status)),
      button('Close', '#475569', () => this.dismiss()),
    ];
    dialog.append(title, merchant, amount, ...buttons, status);
    overlay.append(dialog);
    overlay.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && this.options.modal?.escape !== false) this.dismiss();
      if (event.key === 'Tab') {
        // Keep focus inside the modal, as Razorpay's does.
        const first = buttons[0]!;
        const last = buttons[buttons.length - 1]!;
        if (event.shiftKey && document.activeElement === first) { event.preventDefault(); last.focus(); }
        else if (!event.shiftKey && document.activeElement === last) { event.preventDefault(); first.focus(); }
      }
    });
    document.body.append(overlay);
    this.overlay = overlay;
    buttons[0]!.focus();
    return this;
  }

  close(): void {
    this.overlay?.remove();
    this.overlay = null;
  }

  private dismiss(): void {
    if (this.busy) return;
    this.close();
    this.options.modal?.ondismiss?.();
  }

  private async pay(outcome: 'success' | 'failure', method: 'upi' | 'card', status: HTMLElement): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    status.style.color = '#0f172a';
    status.textContent = 'Processing…';
    try {
      const response = await fetch(new URL('checkout/pay', sandboxBase), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ order_id: this.options.order_id, outcome, method }),
      });
      const body = (await response.json()) as Record<string, unknown>;
      if (!response.ok) {
        status.style.color = '#b91c1c';
        status.textContent = `The sandbox refused the payment (HTTP ${response.status}).`;
        return;
      }
      if ('razorpay_payment_id' in body) {
        this.close();
        this.options.handler?.(body as never);
        return;
      }
      // Like Razorpay: a failed attempt is reported and the modal stays open for another try.
      const failure = body as unknown as FailureResponse;
      status.style.color = '#b91c1c';
      status.textContent = `Payment failed: ${failure.error.description}`;
      for (const listener of this.listeners.get('payment.failed') ?? []) listener(failure);
    } catch {
      status.style.color = '#b91c1c';
      status.textContent = 'Could not reach the sandbox; try again.';
    } finally {
      this.busy = false;
    }
  }
}

(window as unknown as { Razorpay: typeof Razorpay }).Razorpay = Razorpay;
