import { signToken } from '../src/auth/auth.js';
import type { ServiceClient, GqlResult } from './client.js';
import type { ClientPaid } from './gateway-truth.js';
import {
  ADD_CART_ITEM, ADD_WALLET_BALANCE, CREATE_ORDER, PAY_WITH_WALLET, PROCESS_CART, REFUND, VERIFY_PAYMENT, type Session,
} from './operations.js';
import type { Random } from './prng.js';

/** Counts of what the customers did and what they were told. */
export interface WorkloadStats {
  flows: Record<string, number>;
  checkoutsPaid: number;
  checkoutsFailed: number;
  /** Checkout attempts the gateway refused or could not answer (e.g. an order it no longer knows). */
  checkoutsRefused: number;
  verified: number;
  walletPaid: number;
  walletRefused: number;
  refundsAccepted: number;
  refundsRefused: number;
}

export function newWorkloadStats(): WorkloadStats {
  return { flows: {}, checkoutsPaid: 0, checkoutsFailed: 0, checkoutsRefused: 0, verified: 0, walletPaid: 0, walletRefused: 0, refundsAccepted: 0, refundsRefused: 0 };
}

export interface Customer {
  index: number;
  userId: string;
  random: Random;
  client: ServiceClient;
  token: string;
}

export interface WorkloadContext {
  seed: number;
  jwtSecret: string;
  adminToken: string;
  productIds: string[];
  stats: WorkloadStats;
  /** Every payment a browser was told succeeded: money the gateway took. */
  clientPaid: ClientPaid[];
}

type Flow = 'cardOrder' | 'topUp' | 'walletPay' | 'cart';
const FLOWS: readonly Flow[] = ['cardOrder', 'cardOrder', 'topUp', 'walletPay', 'cart', 'cart'];

/** Webhook knobs of the sandbox: late, repeated, reordered or lost. */
const WEBHOOK_KNOBS: readonly Record<string, unknown>[] = [
  {}, { duplicateWebhooks: 3 }, { shuffleWebhooks: true }, { dropWebhooks: true }, { webhookDelayMs: 150, duplicateWebhooks: 2 }, { shuffleWebhooks: true, duplicateWebhooks: 2 },
];

export async function newCustomer(index: number, seed: number, random: Random, client: ServiceClient, jwtSecret: string): Promise<Customer> {
  const userId = `chaos-${seed}-u${index}`;
  return { index, userId, random, client, token: await signToken({ id: userId, role: 'customer' }, jwtSecret) };
}

/** One customer's session: `flows` flows one after the other, each drawn from its own stream. */
export async function runCustomer(customer: Customer, flows: number, context: WorkloadContext): Promise<void> {
  for (let f = 0; f < flows; f += 1) {
    // Every customer starts with a top-up, so that wallet payments have money to spend.
    const flow = f === 0 ? 'topUp' : customer.random.pick(FLOWS);
    context.stats.flows[flow] = (context.stats.flows[flow] ?? 0) + 1;
    const key = `chaos-${context.seed}-u${customer.index}-f${f}`;
    if (flow === 'cardOrder') await cardOrder(customer, key, context);
    else if (flow === 'topUp') await topUp(customer, key, context);
    else if (flow === 'walletPay') await walletPay(customer, key, context);
    else await cartCheckout(customer, key, context);
  }
}

/** The same request twice at once sometimes, as a double-clicking customer sends it. */
async function maybeTwice<T>(random: Random, send: () => Promise<GqlResult<T>>): Promise<GqlResult<T>> {
  if (!random.chance(0.25)) return send();
  const [first] = await Promise.all([send(), send()]);
  return first;
}

async function cardOrder(customer: Customer, key: string, context: WorkloadContext): Promise<void> {
  const { random, client, token } = customer;
  const input = { amount: random.int(10, 500) * 100, payeeId: random.pick(['cleaner-1', 'tutor-2', null]), reference: key, idempotencyKey: key };
  const created = await maybeTwice(random, () => client.gql<{ createOrder: Session }>(token, CREATE_ORDER, { i: input }));
  const session = created.data?.createOrder;
  if (!session) return;
  const captured = await payAtCheckout(customer, session, context);
  if (captured) await maybeRefund(customer, session, `${key}-r`, context);
}

async function topUp(customer: Customer, key: string, context: WorkloadContext): Promise<void> {
  const { random, client, token } = customer;
  const created = await maybeTwice(random, () => client.gql<{ addWalletBalance: Session }>(token, ADD_WALLET_BALANCE, { i: { amount: random.int(50, 1_000) * 100, idempotencyKey: key } }));
  const session = created.data?.addWalletBalance;
  if (!session) return;
  const captured = await payAtCheckout(customer, session, context);
  // A top-up goes back to its source only (and only while unspent).
  if (captured) await maybeRefund(customer, session, `${key}-r`, context, ['SOURCE']);
}

async function walletPay(customer: Customer, key: string, context: WorkloadContext): Promise<void> {
  const { random, client, token } = customer;
  const created = await client.gql<{ createOrder: Session }>(token, CREATE_ORDER, { i: { amount: random.int(10, 300) * 100, reference: key, idempotencyKey: key } });
  const session = created.data?.createOrder;
  if (!session) return;
  const paid = await maybeTwice(random, () => client.gql<{ payWithWallet: { status: string } }>(token, PAY_WITH_WALLET, { i: { paymentId: session.payment.id, idempotencyKey: `${key}-w` } }));
  if (paid.data?.payWithWallet) {
    context.stats.walletPaid += 1;
    await maybeRefund(customer, session, `${key}-r`, context);
  } else {
    context.stats.walletRefused += 1;
  }
}

async function cartCheckout(customer: Customer, key: string, context: WorkloadContext): Promise<void> {
  const { random, client, token } = customer;
  let cartId: string | null = null;
  for (let l = random.int(1, 3); l > 0; l -= 1) {
    const added = await client.gql<{ addCartItem: { id: string } }>(token, ADD_CART_ITEM, { i: { productId: random.pick(context.productIds), quantity: random.int(1, 3) } });
    // A cart still checked out (its payment pending) takes no items: this flow ends here.
    if (!added.data) return;
    cartId = added.data.addCartItem.id;
  }
  const method = random.chance(0.3) ? 'WALLET' : 'GATEWAY';
  const processed = await maybeTwice(random, () =>
    client.gql<{ processCart: { payment: Session['payment']; checkout: { razorpayOrderId: string } | null } }>(token, PROCESS_CART, { i: { cartId, method, idempotencyKey: key } }),
  );
  const result = processed.data?.processCart;
  if (!result) {
    if (method === 'WALLET') context.stats.walletRefused += 1;
    return;
  }
  if (method === 'WALLET') {
    context.stats.walletPaid += 1;
    return;
  }
  if (result.checkout) await payAtCheckout(customer, { razorpayOrderId: result.checkout.razorpayOrderId, payment: result.payment }, context);
}

/**
 * The customer in Checkout: sometimes a failed attempt first, usually a successful one (some
 * only authorised), with the sandbox's webhook knobs; then verifyPayment, unless the customer
 * closes the tab (webhooks or reconciliation must do it). True when told CAPTURED.
 */
async function payAtCheckout(customer: Customer, session: Session, context: WorkloadContext): Promise<boolean> {
  const { random, client, token } = customer;
  const method = random.pick(['card', 'upi', 'netbanking', 'wallet']);
  if (random.chance(0.2)) {
    const failed = await client.checkoutPay({ order_id: session.razorpayOrderId, outcome: 'failure', method, ...random.pick(WEBHOOK_KNOBS) });
    if (failed.status === 200) context.stats.checkoutsFailed += 1;
    else context.stats.checkoutsRefused += 1;
  }
  if (random.chance(0.12)) return false; // never paid: the order stays CREATED (or FAILED)
  const paid = await client.checkoutPay({
    order_id: session.razorpayOrderId, outcome: 'success', method, authorizeOnly: random.chance(0.1), ...random.pick(WEBHOOK_KNOBS),
  });
  const success = paid.json as { razorpay_payment_id?: string; razorpay_signature?: string };
  if (paid.status !== 200 || !success.razorpay_payment_id) {
    context.stats.checkoutsRefused += 1;
    return false;
  }
  context.stats.checkoutsPaid += 1;
  context.clientPaid.push({ orderId: session.razorpayOrderId, paymentId: success.razorpay_payment_id });
  if (random.chance(0.2)) return false; // the tab was closed before the page called verifyPayment
  const verified = await maybeTwice(random, () => client.gql<{ verifyPayment: { status: string } }>(token, VERIFY_PAYMENT, {
    i: { razorpayOrderId: session.razorpayOrderId, razorpayPaymentId: success.razorpay_payment_id, razorpaySignature: success.razorpay_signature },
  }));
  if (verified.data?.verifyPayment) context.stats.verified += 1;
  return verified.data?.verifyPayment.status === 'CAPTURED';
}

/**
 * An operator refunds part of some captured payments: sometimes twice at once with different
 * keys (racing for what remains), sometimes the same request twice (same key).
 */
async function maybeRefund(customer: Customer, session: Session, key: string, context: WorkloadContext, destinations = ['SOURCE', 'SOURCE', 'WALLET']): Promise<void> {
  const { random, client } = customer;
  if (!random.chance(0.4)) return;
  const count = random.chance(0.3) ? 2 : 1;
  const requests = Array.from({ length: count }, (_, r) => ({
    paymentId: session.payment.id,
    amount: random.chance(0.2) ? undefined : random.int(1, Math.floor(session.payment.amount * 0.7)),
    destination: random.pick(destinations),
    reason: 'chaos run',
    idempotencyKey: `${key}${r}`,
  }));
  const results = await Promise.all(requests.map((i) => maybeTwice(random, () => client.gql(context.adminToken, REFUND, { i }))));
  for (const result of results) {
    if (result.data) context.stats.refundsAccepted += 1;
    else context.stats.refundsRefused += 1;
  }
}
