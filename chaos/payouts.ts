/**
 * The payouts side of a run: the payees the workload's card orders name, registered and
 * activated as Route linked accounts at the sandbox (one before the workload, one during it,
 * while instances are killed), the sandbox's Route and transfer knobs set on every instance each
 * time it starts, and an operator who refunds payments whose payout was transferred (reversals).
 */
import type { ServiceClient } from './client.js';
import type { ClientPaid } from './gateway-truth.js';
import { CREATE_ORDER, PROCESSED_PAYOUTS, REFUND, REGISTER_PAYEE, VERIFY_PAYMENT, type Session } from './operations.js';
import type { PayoutPlan } from './plan.js';
import type { Random } from './prng.js';

/** The payees the card orders name (chaos/workload.ts): the first registered before the workload, the second during it. */
export const PAYEES = ['cleaner-1', 'tutor-2'] as const;

export interface PayoutStats {
  payeesRegistered: number;
  /** The payee buyer's orders paid at the gateway. */
  payeeOrdersPaid: number;
  refundsAfterPayout: number;
  refundsAfterPayoutRefused: number;
}

export function newPayoutStats(): PayoutStats {
  return { payeesRegistered: 0, payeeOrdersPaid: 0, refundsAfterPayout: 0, refundsAfterPayoutRefused: 0 };
}

/** The sandbox's Route activation knob and (in some runs) its transfer faults, on one instance. */
export async function applyPayoutKnobs(url: string, plan: PayoutPlan): Promise<void> {
  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${url}/sandbox/razorpay/control${path}`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) throw new Error(`POST ${path}: ${response.status} ${await response.text()}`);
  };
  await post('/route', { activation: plan.activation, delayMs: 600, dropWebhooks: plan.dropActivationWebhooks });
  const faults = plan.transferFaults;
  if (!faults) return;
  await post('/transfers', {
    failTransfers: faults.failTransfers,
    refuseReversals: faults.refuseReversals,
    ...(faults.lateAnswer && { lateAnswers: { count: 1, delayMs: 5_500 } }),
    ...(faults.delayedProcessing && { processing: 'delayed', delayMs: 400 }),
  });
}

/** Registers `payeeId` as a linked account (an individual), as an operator would; re-sent through crashes. */
export async function registerPayee(client: ServiceClient, adminToken: string, seed: number, payeeId: string, n: number, stats: PayoutStats): Promise<void> {
  const digits = String(n).padStart(4, '0');
  const registered = await client.gql<{ registerPayeeAccount: { status: string } }>(adminToken, REGISTER_PAYEE, {
    i: {
      payeeId, email: `chaos-${seed}-${payeeId}@example.com`, phone: '9876543210', legalName: 'Asha Kumari', beneficiaryName: 'Asha Kumari',
      bankAccountNumber: `50100${digits}987654`, ifsc: 'HDFC0001234', pan: `ABCPK${digits}Z`,
      street1: '12 MG Road', city: 'Bengaluru', state: 'Karnataka', postalCode: '560001',
    },
  });
  if (registered.data) stats.payeesRegistered += 1;
  else client.unexpected('REGISTER_PAYEE', JSON.stringify(registered.errors).slice(0, 200));
}

interface PayoutNode {
  id: string;
  paymentId: string;
  amount: number;
  status: string;
}

/**
 * The operator refunds payments whose payout Razorpay processed (up to `plan.refundsAfterPayout`,
 * part or all of what is left), so their transfers are reversed; it looks every 300 ms until it
 * made its refunds, or until the workload is over and 1.5 s more passed.
 */
export async function refundAfterPayouts(
  client: ServiceClient, adminToken: string, random: Random, plan: PayoutPlan, key: string, workloadDone: () => boolean, stats: PayoutStats,
): Promise<void> {
  const refunded = new Set<string>();
  let giveUpAt = Number.POSITIVE_INFINITY;
  while (refunded.size < plan.refundsAfterPayout && Date.now() < giveUpAt) {
    if (workloadDone() && giveUpAt === Number.POSITIVE_INFINITY) giveUpAt = Date.now() + 1_500;
    const listed = await client.gql<{ payouts: { edges: { node: PayoutNode }[] } }>(adminToken, PROCESSED_PAYOUTS, { f: { statuses: ['PROCESSED'] } });
    const candidates = (listed.data?.payouts.edges ?? []).map((e) => e.node).filter((p) => !refunded.has(p.paymentId));
    if (candidates.length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 300));
      continue;
    }
    const payout = random.pick(candidates);
    refunded.add(payout.paymentId);
    // Part of the payee's share (a partial reversal), or everything left (a full one).
    const amount = random.chance(0.35) ? undefined : random.int(1, Math.max(1, payout.amount));
    const answer = await client.gql(adminToken, REFUND, { i: { paymentId: payout.paymentId, amount, destination: 'SOURCE', reason: 'chaos run: after the payout', idempotencyKey: `${key}-${refunded.size}` } });
    if (answer.data) stats.refundsAfterPayout += 1;
    else stats.refundsAfterPayoutRefused += 1;
  }
}

/**
 * A buyer of the payees' services: `plan.payeeOrders` card orders, each to one of the payees
 * (the second one perhaps not registered yet: its payout accrues), paid in Checkout with the
 * webhooks as they come and verified; what it paid is recorded as the customers' is.
 */
export async function payeeOrders(
  client: ServiceClient, token: string, random: Random, plan: PayoutPlan, key: string, clientPaid: ClientPaid[], stats: PayoutStats,
): Promise<void> {
  for (let o = 0; o < plan.payeeOrders; o += 1) {
    const input = { amount: random.int(20, 600) * 100, payeeId: PAYEES[o % PAYEES.length], reference: `${key}-${o}`, idempotencyKey: `${key}-${o}` };
    const session = (await client.gql<{ createOrder: Session }>(token, CREATE_ORDER, { i: input })).data?.createOrder;
    if (!session) continue;
    const paid = await client.checkoutPay({ order_id: session.razorpayOrderId, outcome: 'success', method: random.pick(['card', 'upi']), ...(random.chance(0.3) && { duplicateWebhooks: 2 }) });
    const success = paid.json as { razorpay_payment_id?: string; razorpay_signature?: string };
    if (paid.status !== 200 || !success.razorpay_payment_id) continue;
    stats.payeeOrdersPaid += 1;
    clientPaid.push({ orderId: session.razorpayOrderId, paymentId: success.razorpay_payment_id });
    await client.gql(token, VERIFY_PAYMENT, { i: { razorpayOrderId: session.razorpayOrderId, razorpayPaymentId: success.razorpay_payment_id, razorpaySignature: success.razorpay_signature } });
  }
}
