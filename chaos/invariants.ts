import type pg from 'pg';
import type { ClientPaid, GatewayTruth } from './gateway-truth.js';

/** One broken promise: which rule, and the ids to look at. */
export interface Violation {
  rule: string;
  detail: string;
}

const MONEY_RECEIVED = `('CAPTURED', 'PARTIALLY_REFUNDED', 'REFUNDED')`;

interface PaymentRow {
  id: string;
  status: string;
  purpose: string;
  amount: string;
  razorpay_order_id: string | null;
  razorpay_payment_id: string | null;
  charges: number;
  capture_journals: number;
  wallet_credits: number;
  wallet_debits: number;
  bookings: number;
  booking_total: string | null;
  checkout_status: string | null;
}

/** Every payment with the counts the rules need, in one query. */
async function paymentRows(db: pg.Client): Promise<PaymentRow[]> {
  const { rows } = await db.query<PaymentRow>(`
    select p.id, p.status, p.purpose, p.amount, p.razorpay_order_id, p.razorpay_payment_id,
      (select count(*)::int from "transaction" t where t.payment_id = p.id and t.type = 'CHARGE' and t.status = 'COMPLETED') as charges,
      (select count(*)::int from journal j where j.payment_id = p.id and j.kind = 'PAYMENT_CAPTURE') as capture_journals,
      (select count(*)::int from "transaction" t where t.payment_id = p.id and t.type = 'WALLET_CREDIT' and p.purpose = 'WALLET_TOPUP') as wallet_credits,
      (select count(*)::int from "transaction" t where t.payment_id = p.id and t.type = 'WALLET_DEBIT') as wallet_debits,
      (select count(*)::int from booking b where b.payment_id = p.id) as bookings,
      (select sum(b.total_amount)::text from booking b where b.payment_id = p.id) as booking_total,
      (select c.status from cart_checkout c where c.payment_id = p.id limit 1) as checkout_status
    from payment p`);
  return rows;
}

/** Gateway payments that money reached: captured, or authorised (reconciliation must capture them), or seen paid by a browser. */
function paidAtGateway(truth: GatewayTruth, clientPaid: ClientPaid[]): Map<string, string> {
  const paid = new Map<string, string>(); // gateway payment id → order id
  for (const payment of truth.payments.values()) {
    if ((payment.captured || payment.status === 'authorized') && payment.order_id) paid.set(payment.id, payment.order_id);
  }
  for (const { paymentId, orderId } of clientPaid) paid.set(paymentId, orderId);
  return paid;
}

/** What is still to be done before the checks mean anything; empty once settled. */
export async function outstandingWork(db: pg.Client, truth: GatewayTruth, clientPaid: ClientPaid[]): Promise<string[]> {
  const open: string[] = [];
  const count = async (label: string, sql: string) => {
    const { rows } = await db.query<{ n: number }>(sql);
    if (rows[0]!.n > 0) open.push(`${rows[0]!.n} ${label}`);
  };
  await count('webhook events PENDING/FAILED', `select count(*)::int as n from webhook_event where status in ('PENDING', 'FAILED')`);
  await count('outbox deliveries PENDING', `select count(*)::int as n from outbox_delivery where status = 'PENDING'`);
  await count('refunds PENDING', `select count(*)::int as n from refund where status = 'PENDING'`);
  await count('booking refunds not yet accepted', `select count(*)::int as n from cart_checkout where refund_state in ('PENDING', 'IN_PROGRESS')`);
  // The gateway's own pending webhooks (the sandbox keeps them in PostgreSQL when it can).
  const { rows: [sandbox] } = await db.query<{ table: string | null }>(`select to_regclass('sandbox_razorpay.webhooks')::text as table`);
  if (sandbox?.table) await count('gateway webhooks still to deliver', `select count(*)::int as n from sandbox_razorpay.webhooks where outcome = 'pending'`);
  const authorised = [...truth.payments.values()].filter((p) => p.status === 'authorized').length;
  if (authorised > 0) open.push(`${authorised} payments only authorised at the gateway`);
  const received = new Set((await db.query<{ razorpay_order_id: string }>(`select razorpay_order_id from payment where status in ${MONEY_RECEIVED} and razorpay_order_id is not null`)).rows.map((r) => r.razorpay_order_id));
  const missing = [...paidAtGateway(truth, clientPaid).values()].filter((orderId) => !received.has(orderId)).length;
  if (missing > 0) open.push(`${missing} payments paid at the gateway not captured here`);
  return open;
}

/**
 * The promises, checked against the database and the gateway: every payment paid at the
 * gateway captured here exactly once (one charge, one capture journal, one wallet credit for a
 * top-up, one booking for a cart), nothing captured here the gateway did not take, no refund
 * twice, every event processed and delivered.
 */
/** `outboxReceived`: deliveries per message id at the run's one subscriber; null when none is configured. */
export async function checkInvariants(db: pg.Client, truth: GatewayTruth, clientPaid: ClientPaid[], outboxReceived: Map<string, number> | null): Promise<Violation[]> {
  const violations: Violation[] = [];
  const fail = (rule: string, detail: string) => violations.push({ rule, detail });
  const payments = await paymentRows(db);
  const byOrder = new Map<string, PaymentRow[]>();
  for (const p of payments) if (p.razorpay_order_id) byOrder.set(p.razorpay_order_id, [...(byOrder.get(p.razorpay_order_id) ?? []), p]);

  for (const [gatewayId, orderId] of paidAtGateway(truth, clientPaid)) {
    const rows = byOrder.get(orderId) ?? [];
    const gateway = truth.payments.get(gatewayId);
    if (!gateway) fail('gateway-lost-payment', `${gatewayId} (order ${orderId}) was paid in Checkout but the gateway no longer knows it`);
    else if (!gateway.captured) fail('paid-not-captured-at-gateway', `${gatewayId} (order ${orderId}) is ${gateway.status} at the gateway`);
    if (rows.length !== 1) fail('paid-once', `order ${orderId} has ${rows.length} payments here`);
    const row = rows[0];
    if (row && !['CAPTURED', 'PARTIALLY_REFUNDED', 'REFUNDED'].includes(row.status)) fail('paid-is-captured', `payment ${row.id} (${gatewayId}) is ${row.status} although paid at the gateway`);
  }
  for (const p of payments) {
    const received = ['CAPTURED', 'PARTIALLY_REFUNDED', 'REFUNDED'].includes(p.status);
    // A top-up's refund to its source debits the wallet too; only other payments are paid from it.
    const fromWallet = p.purpose !== 'WALLET_TOPUP' && p.wallet_debits > 0;
    if (received && p.capture_journals !== 1) fail('capture-journal-once', `payment ${p.id} has ${p.capture_journals} capture journals`);
    if (!received && p.capture_journals !== 0) fail('capture-journal-once', `payment ${p.id} is ${p.status} with ${p.capture_journals} capture journals`);
    if (received && !fromWallet && p.charges !== 1) fail('charge-once', `payment ${p.id} has ${p.charges} completed charges`);
    if (fromWallet && p.wallet_debits > 1) fail('wallet-debit-once', `payment ${p.id} has ${p.wallet_debits} wallet debits`);
    if (p.purpose === 'WALLET_TOPUP' && p.wallet_credits !== (received ? 1 : 0)) fail('top-up-credited-once', `top-up ${p.id} (${p.status}) has ${p.wallet_credits} wallet credits`);
    if (received && !fromWallet) {
      const gateway = p.razorpay_payment_id ? truth.payments.get(p.razorpay_payment_id) : undefined;
      if (!gateway?.captured) fail('captured-here-paid-there', `payment ${p.id} is ${p.status} but gateway payment ${p.razorpay_payment_id} is ${gateway?.status ?? 'unknown'}`);
      else if (String(gateway.amount) !== p.amount) fail('captured-amount', `payment ${p.id}: ${p.amount} here, ${gateway.amount} at the gateway`);
    }
    if (p.purpose === 'CART') {
      const expected = received && p.checkout_status !== 'BOOKING_FAILED' ? 1 : 0;
      if (p.bookings !== expected) fail('booking-once', `cart payment ${p.id} (${p.status}, checkout ${p.checkout_status}) has ${p.bookings} bookings`);
      if (p.bookings === 1 && p.booking_total !== p.amount) fail('booking-amount', `cart payment ${p.id}: booking ${p.booking_total}, paid ${p.amount}`);
    } else if (p.bookings > 0) fail('booking-once', `${p.purpose} payment ${p.id} has ${p.bookings} bookings`);
  }
  await checkRefunds(db, truth, fail);
  await checkEvents(db, outboxReceived, fail);
  return violations;
}

async function checkRefunds(db: pg.Client, truth: GatewayTruth, fail: (rule: string, detail: string) => void): Promise<void> {
  const { rows: refunds } = await db.query<{ id: string; status: string; amount: string; destination: string; razorpay_refund_id: string | null; wallet_funded: boolean }>(`
    select r.id, r.status, r.amount, r.destination, r.razorpay_refund_id,
      (p.purpose <> 'WALLET_TOPUP' and exists (select 1 from "transaction" t where t.payment_id = r.payment_id and t.type = 'WALLET_DEBIT')) as wallet_funded
    from refund r join payment p on p.id = r.payment_id`);
  const atGateway = new Map<string, typeof truth.refunds>();
  for (const refund of truth.refunds) {
    const key = refund.receipt ?? `(no receipt) ${refund.id}`;
    atGateway.set(key, [...(atGateway.get(key) ?? []), refund]);
  }
  const known = new Set(refunds.map((r) => r.id));
  for (const [receipt, list] of atGateway) {
    if (list.length > 1) fail('refund-once', `refund ${receipt} was made ${list.length} times at the gateway: ${list.map((r) => r.id).join(', ')}`);
    if (!known.has(receipt)) fail('refund-known', `gateway refund ${list.map((r) => r.id).join(', ')} (receipt ${receipt}) has no refund here`);
  }
  for (const refund of refunds) {
    const gateway = (atGateway.get(refund.id) ?? []).filter((r) => r.status !== 'failed');
    const viaGateway = refund.destination === 'SOURCE' && !refund.wallet_funded;
    if (refund.status === 'PENDING') fail('refund-settled', `refund ${refund.id} is still PENDING`);
    if (refund.status === 'PROCESSED' && viaGateway && gateway.length !== 1) fail('refund-at-gateway', `refund ${refund.id} is PROCESSED here with ${gateway.length} live refunds at the gateway`);
    if (refund.status === 'FAILED' && gateway.some((r) => r.status === 'processed')) fail('refund-failed-but-paid', `refund ${refund.id} is FAILED here but ${gateway[0]!.id} processed at the gateway`);
    if (!viaGateway && gateway.length > 0) fail('refund-destination', `refund ${refund.id} to ${refund.destination} also went through the gateway`);
    for (const g of gateway) if (String(g.amount) !== refund.amount) fail('refund-amount', `refund ${refund.id}: ${refund.amount} here, ${g.amount} at the gateway`);
  }
  for (const payment of truth.payments.values()) {
    if (payment.amount_refunded > payment.amount) fail('refund-at-most-paid', `gateway payment ${payment.id} refunded ${payment.amount_refunded} of ${payment.amount}`);
  }
}

async function checkEvents(db: pg.Client, outboxReceived: Map<string, number> | null, fail: (rule: string, detail: string) => void): Promise<void> {
  const { rows: webhooks } = await db.query<{ status: string; n: number }>(`select status, count(*)::int as n from webhook_event where status in ('PENDING', 'FAILED', 'DEAD') group by status`);
  for (const row of webhooks) fail('webhooks-processed', `${row.n} webhook events left ${row.status}`);
  const { rows: deliveries } = await db.query<{ status: string; n: number }>(`select status, count(*)::int as n from outbox_delivery where status <> 'DELIVERED' group by status`);
  for (const row of deliveries) fail('outbox-delivered', `${row.n} outbox deliveries left ${row.status}`);
  if (!outboxReceived) return;
  const { rows: messages } = await db.query<{ id: string; type: string; deliveries: number }>(
    `select m.id, m.type, (select count(*)::int from outbox_delivery d where d.message_id = m.id) as deliveries from outbox_message m`,
  );
  const undelivered = messages.filter((m) => m.deliveries !== 1);
  if (undelivered.length > 0) fail('outbox-enqueued', `${undelivered.length} outbox messages without exactly one delivery to the subscriber`);
  const unseen = messages.filter((m) => !outboxReceived.has(m.id));
  if (unseen.length > 0) fail('outbox-received', `${unseen.length} outbox messages never reached the subscriber, e.g. ${unseen.slice(0, 3).map((m) => `${m.type} ${m.id}`).join(', ')}`);
}
