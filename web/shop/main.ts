/** The storefront: sign in, browse, fill a cart, pay through Razorpay Checkout, PhonePe's page or the wallet, top up, watch payments live. */
import {
  ShopAddToCartDocument,
  ShopCartDocument,
  ShopProcessCartDocument,
  ShopProductsDocument,
  ShopRemoveCartItemDocument,
  ShopTopUpDocument,
  ShopUpdateCartItemDocument,
  ShopWalletDocument,
  type ShopCartFragment,
  type ShopPaymentFragment,
} from '../../client/src/index.js';
import { closeLive, describeError, idempotencyKey, request, session } from '../shared/api.js';
import { announce, byId } from '../shared/dom.js';
import { parseRupees, rupees } from '../shared/format.js';
import { openCheckout, returnFromGateway, type CheckoutOutcome, type ShopGateway, type ShopSettings } from './checkout.js';
import { followMyPayments, showBooking, upsertPayment, waitForPayment } from './payments.js';
import { renderCart, renderCatalog, renderWallet } from './views.js';

let settings: ShopSettings;
let cart: ShopCartFragment | null = null;
let stopFeed: (() => void) | null = null;
let busy = false;

const payGateway = byId<HTMLButtonElement>('pay-gateway');
const payWallet = byId<HTMLButtonElement>('pay-wallet');
const GATEWAY_NAMES: Record<ShopGateway, string> = { RAZORPAY: 'Razorpay', PHONEPE: 'PhonePe' };

/** The gateway the shopper picked for cart payments and top-ups. */
function chosenGateway(): ShopGateway {
  return (document.querySelector<HTMLInputElement>('input[name="gateway"]:checked')?.value as ShopGateway | undefined) ?? 'RAZORPAY';
}

const GATEWAY_KEY = 'shop.gateway';

/**
 * One radio button per gateway on offer; checked: this tab's last choice (kept across PhonePe's
 * redirect), else the default. The pay button names the choice.
 */
function renderGatewayChoice(gateways: ShopGateway[]): void {
  const choice = byId('gateway-choice');
  choice.hidden = gateways.length < 2;
  const remembered = sessionStorage.getItem(GATEWAY_KEY);
  const checked = gateways.find((g) => g === remembered) ?? gateways[0];
  const options = byId('gateway-options');
  options.replaceChildren(...gateways.map((gateway) => {
    const label = document.createElement('label');
    const radio = document.createElement('input');
    radio.type = 'radio';
    radio.name = 'gateway';
    radio.value = gateway;
    radio.checked = gateway === checked;
    radio.addEventListener('change', () => {
      sessionStorage.setItem(GATEWAY_KEY, chosenGateway());
      payGateway.textContent = `Pay with ${GATEWAY_NAMES[chosenGateway()]}`;
    });
    label.append(radio, ` ${GATEWAY_NAMES[gateway]}`);
    return label;
  }));
  payGateway.textContent = `Pay with ${GATEWAY_NAMES[chosenGateway()]}`;
}

function setCart(next: ShopCartFragment | null): void {
  cart = next;
  renderCart(byId('cart'), cart, {
    setQuantity: (productId, quantity) => void act(async () => setCart((await request(ShopUpdateCartItemDocument, { input: { productId, quantity } })).updateCartItem)),
    remove: (productId) => void act(async () => setCart((await request(ShopRemoveCartItemDocument, { input: { productId } })).removeCartItem)),
  });
  const payable = !!cart && cart.status === 'ACTIVE' && cart.lines.length > 0;
  // A checkout closed unpaid can be resumed (same idempotency key, same order).
  const resumable = !!cart && cart.status === 'CHECKED_OUT' && cart.payment?.status === 'CREATED' && checkoutKeys.has(cart.id);
  payGateway.disabled = !(payable || resumable) || busy;
  payWallet.disabled = !payable || busy;
}

/** Runs one user action: errors are announced, the pay buttons are off meanwhile. */
async function act(action: () => Promise<void>): Promise<void> {
  busy = true;
  payGateway.disabled = payWallet.disabled = true;
  try {
    await action();
  } catch (error) {
    announce(describeError(error), 'error');
  } finally {
    busy = false;
    setCart(cart);
  }
}

async function refresh(): Promise<void> {
  const [products, current, wallet] = await Promise.all([
    request(ShopProductsDocument, { first: 50 }),
    request(ShopCartDocument),
    request(ShopWalletDocument, { first: 5 }),
  ]);
  renderCatalog(byId('catalog'), products.products.edges.map((e) => e.node), (product) => void act(async () => {
    setCart((await request(ShopAddToCartDocument, { input: { productId: product.id, quantity: 1 } })).addCartItem);
    announce(`${product.name} added to your cart.`);
  }));
  setCart(current.cart);
  renderWallet(byId('wallet-balance'), byId('wallet-transactions'), wallet.wallet);
}

async function refreshWallet(): Promise<void> {
  renderWallet(byId('wallet-balance'), byId('wallet-transactions'), (await request(ShopWalletDocument, { first: 5 })).wallet);
}

/** After Checkout: wait for the payment to settle and say how it went. */
async function afterCheckout(outcome: CheckoutOutcome, what: string): Promise<ShopPaymentFragment | null> {
  if (outcome.kind === 'dismissed') {
    announce(outcome.failedBefore ? `Payment failed: ${outcome.failedBefore.replace(/\.$/, '')}. ${what} is still payable.` : 'Checkout closed; nothing was paid.', outcome.failedBefore ? 'error' : 'info');
    return null;
  }
  if (outcome.kind === 'failed') {
    announce(`Payment failed: ${outcome.reason}`, 'error');
    return null;
  }
  upsertPayment(outcome.payment);
  if (outcome.payment.status === 'CREATED') {
    // Back from PhonePe's page without a payment (gone back, or still pending at the bank).
    announce(`Not paid yet: PhonePe has no completed payment for this order. ${what} is still payable.`, 'error');
    return null;
  }
  announce(`Payment ${outcome.payment.status.toLowerCase()}; confirming…`);
  return waitForPayment(outcome.payment.id, (p) => p.status !== 'CREATED' && p.status !== 'AUTHORIZED');
}

/**
 * One idempotency key per cart checkout: paying again for a CHECKED_OUT cart (Checkout was
 * closed unpaid) reuses it and gets the same order back; once the cart is ACTIVE again (the
 * attempt failed or expired) the next checkout is a new one.
 */
const checkoutKeys = new Map<string, string>();

/** After a cart's gateway payment: the booking, or why not (the cart is payable again). */
async function finishCartPayment(outcome: CheckoutOutcome, paymentId: string): Promise<void> {
  const paid = await afterCheckout(outcome, 'Your cart');
  if (paid?.status === 'CAPTURED') {
    const booked = paid.booking ? paid : await waitForPayment(paid.id, (p) => !!p.booking);
    announce(`Paid ${rupees(paid.amount, paid.currency)}. Booking ${booked.booking!.reference} confirmed.`);
    await showBooking(booked.booking!.id);
  } else if (paid) {
    announce(`Payment ${paid.status.toLowerCase()}: ${paid.failureReason ?? 'see My payments'}. Your cart is still payable.`, 'error');
  } else if (outcome.kind === 'dismissed' && outcome.failedBefore) {
    // The failure reaches the service by webhook; the cart is payable again once it has.
    await waitForPayment(paymentId, (p) => p.status === 'FAILED' || p.status === 'CAPTURED', 30_000);
  }
  setCart((await request(ShopCartDocument)).cart);
}

payGateway.addEventListener('click', () => void act(async () => {
  if (!cart) return;
  const key = (cart.status === 'CHECKED_OUT' && checkoutKeys.get(cart.id)) || idempotencyKey();
  checkoutKeys.set(cart.id, key);
  const { processCart } = await request(ShopProcessCartDocument, { input: { cartId: cart.id, method: 'GATEWAY', gateway: chosenGateway(), idempotencyKey: key } });
  setCart(processCart.cart);
  if (!processCart.checkout) throw new Error('the service returned no checkout session for a gateway payment');
  const outcome = await openCheckout(settings, processCart.checkout, `Cart of ${processCart.cart.itemCount} item(s)`, { what: 'cart', cartId: cart.id, idempotencyKey: key });
  await finishCartPayment(outcome, processCart.payment.id);
}));

payWallet.addEventListener('click', () => void act(async () => {
  if (!cart) return;
  const { processCart } = await request(ShopProcessCartDocument, { input: { cartId: cart.id, method: 'WALLET', idempotencyKey: idempotencyKey() } });
  upsertPayment(processCart.payment);
  setCart(processCart.cart);
  if (processCart.booking) {
    announce(`Paid ${rupees(processCart.payment.amount, processCart.payment.currency)} from your wallet. Booking ${processCart.booking.reference} confirmed.`);
    await showBooking(processCart.booking.id);
  }
  await refreshWallet();
  setCart((await request(ShopCartDocument)).cart);
}));

byId<HTMLFormElement>('top-up').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = byId<HTMLInputElement>('top-up-amount');
  const amount = parseRupees(input.value);
  if (amount === null || amount <= 0) {
    announce('Top-up amount: enter rupees, e.g. 500 or 499.50', 'error');
    input.focus();
    return;
  }
  void act(async () => {
    const { addWalletBalance } = await request(ShopTopUpDocument, { input: { amount, gateway: chosenGateway(), idempotencyKey: idempotencyKey() } });
    const paid = await afterCheckout(await openCheckout(settings, addWalletBalance, 'Wallet top-up', { what: 'top-up' }), 'The top-up');
    if (paid?.status === 'CAPTURED') announce(`Wallet topped up by ${rupees(paid.amount, paid.currency)}.`);
    await refreshWallet();
    input.value = '';
  });
});

async function signedIn(label: string): Promise<void> {
  const who = byId('who');
  who.textContent = `Signed in as ${label}`;
  who.hidden = false;
  stopFeed?.();
  await closeLive();
  const live = byId('live');
  stopFeed = followMyPayments((status) => {
    live.dataset.status = status;
    live.textContent = status === 'connected' ? 'live' : status;
  }, (message) => announce(message, 'error'));
  await refresh();
  announce(`Signed in as ${label}.`);
}

byId<HTMLFormElement>('sign-in').addEventListener('submit', (event) => {
  event.preventDefault();
  const userId = byId<HTMLInputElement>('demo-user').value.trim();
  void act(async () => {
    const response = await fetch('/shop/demo-session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId }) });
    const body = (await response.json()) as { token?: string; error?: { message: string } };
    if (!response.ok || !body.token) throw new Error(body.error?.message ?? `sign-in failed (HTTP ${response.status})`);
    session.token = body.token;
    await signedIn(userId);
  });
});

byId('use-token').addEventListener('click', () => void act(async () => {
  const token = byId<HTMLInputElement>('token').value.trim();
  if (!token) throw new Error('Bearer token: paste a token (npm run token -- --user <id>)');
  session.token = token;
  await signedIn('the token’s user');
}));

async function start(): Promise<void> {
  settings = (await (await fetch('/shop/settings.json')).json()) as ShopSettings;
  if (!settings.demoSignIn) {
    byId('demo-user-label').hidden = true;
    byId('demo-sign-in').hidden = true;
  }
  renderGatewayChoice(settings.gateways);
  if (session.token) await act(async () => {
    await signedIn('the saved session');
    await afterGatewayReturn();
  });
}

/** Back from PhonePe's page: confirmPayment decides, never the return itself. */
async function afterGatewayReturn(): Promise<void> {
  const returned = await returnFromGateway();
  if (!returned) return;
  const { pending, payment } = returned;
  if (pending.cartId && pending.idempotencyKey) checkoutKeys.set(pending.cartId, pending.idempotencyKey);
  const outcome: CheckoutOutcome = { kind: 'verified', payment };
  if (pending.what === 'cart') {
    await finishCartPayment(outcome, payment.id);
    return;
  }
  const paid = await afterCheckout(outcome, 'The top-up');
  if (paid?.status === 'CAPTURED') announce(`Wallet topped up by ${rupees(paid.amount, paid.currency)}.`);
  await refreshWallet();
}

void start();
