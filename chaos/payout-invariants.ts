/**
 * The payouts' promises, checked against the service's database and the sandbox's own Route
 * state (its `sandbox_razorpay.route_transfers` and `route_reversals`, in the same database):
 * every captured payment that owes its payee a transfer has exactly one payout; no payout's
 * transfer made twice at the gateway (transfers matched by `notes.payout_id`); each paid payout
 * matches its one live transfer; reversal amounts at the gateway equal the service's (per payout,
 * and no reversal made twice, by `notes.reversal_id`); refused reversals are the payee's debt;
 * nothing left PENDING. The payee books balance per payee in `ledger check`.
 */
import type pg from 'pg';

type Fail = (rule: string, detail: string) => void;

interface PayoutRow {
  id: string;
  payment_id: string;
  payee_id: string;
  status: string;
  amount: string;
  amount_reversed: string;
  amount_receivable: string;
  /** What the payee's debt took off this payout before its transfer (payout.netting.ts). */
  amount_netted: string;
  razorpay_transfer_id: string | null;
  reversed_here: string;
  refused_here: string;
}

interface GatewayTransfer {
  id: string;
  payout_id: string | null;
  status: string;
  amount: string;
  reversed: string;
}

const PAID = ['PROCESSED', 'ON_HOLD', 'PARTIALLY_REVERSED', 'REVERSED'];
const GATEWAY_PAID = ['processed', 'partially_reversed', 'reversed'];

/** Whether the sandbox's Route tables exist (they do once an instance started in sandbox mode). */
async function hasRouteTables(db: pg.Client): Promise<boolean> {
  const { rows } = await db.query<{ t: string | null }>(`select to_regclass('sandbox_razorpay.route_reversals')::text as t`);
  return Boolean(rows[0]?.t);
}

/** Payout work still under way; empty once settled. */
export async function outstandingPayoutWork(db: pg.Client): Promise<string[]> {
  const open: string[] = [];
  const count = async (label: string, sql: string) => {
    const { rows } = await db.query<{ n: number }>(sql);
    if (rows[0]!.n > 0) open.push(`${rows[0]!.n} ${label}`);
  };
  await count('payouts PENDING', `select count(*)::int as n from payout where status = 'PENDING'`);
  await count('payout reversals PENDING', `select count(*)::int as n from payout_reversal where status = 'PENDING'`);
  await count('ACCRUED payouts of activated payees', `select count(*)::int as n from payout p join payee_account a on a.payee_id = p.payee_id where p.status = 'ACCRUED' and a.status = 'ACTIVATED'`);
  // Registered and waiting for Razorpay's activation (delayed, or its webhook lost): the activation check gets there.
  await count('payee accounts awaiting activation', `select count(*)::int as n from payee_account where status in ('REQUESTED', 'UNDER_REVIEW')`);
  if (await hasRouteTables(db)) await count('gateway transfers pending', `select count(*)::int as n from sandbox_razorpay.route_transfers where body->>'status' = 'pending'`);
  return open;
}

/** What the payouts came to, for the run's summary. */
export interface PayoutFigures {
  /** Each registered payee's account status at the end (REGISTERING: a registration cut by a kill holds its 5-minute lease). */
  payees: Record<string, string>;
  payouts: number;
  byStatus: Record<string, number>;
  transfers: number;
  failedTransfers: number;
  reversals: number;
  refusedReversals: number;
}

export async function payoutFigures(db: pg.Client): Promise<PayoutFigures> {
  const { rows: statuses } = await db.query<{ status: string; n: number }>(`select status, count(*)::int as n from payout group by status`);
  const byStatus = Object.fromEntries(statuses.map((r) => [r.status, r.n]));
  const { rows: [refused] } = await db.query<{ n: number }>(`select count(*)::int as n from payout_reversal where status = 'REFUSED'`);
  const { rows: payees } = await db.query<{ payee_id: string; status: string }>(`select payee_id, status from payee_account order by payee_id`);
  const figures: PayoutFigures = { payees: Object.fromEntries(payees.map((r) => [r.payee_id, r.status])), payouts: statuses.reduce((sum, r) => sum + r.n, 0), byStatus, transfers: 0, failedTransfers: 0, reversals: 0, refusedReversals: refused!.n };
  if (!(await hasRouteTables(db))) return figures;
  const { rows: [gateway] } = await db.query<{ transfers: number; failed: number; reversals: number }>(`
    select (select count(*)::int from sandbox_razorpay.route_transfers) as transfers,
      (select count(*)::int from sandbox_razorpay.route_transfers where body->>'status' = 'failed') as failed,
      (select count(*)::int from sandbox_razorpay.route_reversals) as reversals`);
  return { ...figures, transfers: gateway!.transfers, failedTransfers: gateway!.failed, reversals: gateway!.reversals };
}

export async function checkPayouts(db: pg.Client, fail: Fail): Promise<void> {
  // Every captured payment that owes a transfer (payout.rules.ts `owesTransfer`: from the payment, or a direct
  // transfer for a wallet- or PhonePe-paid share) has exactly one payout; no other payment has one.
  const { rows: owing } = await db.query<{ id: string; status: string; owes: boolean; payouts: number }>(`
    select p.id, p.status,
      (p.status in ('CAPTURED', 'PARTIALLY_REFUNDED', 'REFUNDED') and p.purpose <> 'WALLET_TOPUP' and p.payee_id is not null and p.payee_amount > 0
        and p.currency = 'INR') as owes,
      (select count(*)::int from payout o where o.payment_id = p.id) as payouts
    from payment p`);
  for (const p of owing) {
    if (p.owes && p.payouts !== 1) fail('payout-once', `payment ${p.id} (${p.status}) owes its payee a transfer and has ${p.payouts} payouts`);
    if (!p.owes && p.payouts !== 0) fail('payout-once', `payment ${p.id} (${p.status}) owes no transfer and has ${p.payouts} payouts`);
  }

  const { rows: payouts } = await db.query<PayoutRow>(`
    select o.id, o.payment_id, o.payee_id, o.status, o.amount, o.amount_reversed, o.amount_receivable, o.amount_netted, o.razorpay_transfer_id,
      coalesce((select sum(r.amount) from payout_reversal r where r.payout_id = o.id and r.status = 'PROCESSED'), 0)::text as reversed_here,
      coalesce((select sum(r.amount) from payout_reversal r where r.payout_id = o.id and r.status = 'REFUSED'), 0)::text as refused_here
    from payout o`);
  for (const o of payouts) {
    if (o.status === 'PENDING') fail('payout-settled', `payout ${o.id} is still PENDING`);
    if (o.amount_reversed !== o.reversed_here) fail('payout-reversed-amount', `payout ${o.id}: amount_reversed ${o.amount_reversed}, processed reversals ${o.reversed_here}`);
    if (o.amount_receivable !== o.refused_here) fail('payout-receivable', `payout ${o.id}: amount_receivable ${o.amount_receivable}, refused reversals ${o.refused_here}`);
  }
  const { rows: pendingReversals } = await db.query<{ n: number }>(`select count(*)::int as n from payout_reversal where status = 'PENDING'`);
  if (pendingReversals[0]!.n > 0) fail('payout-settled', `${pendingReversals[0]!.n} payout reversals still PENDING`);
  if (!(await hasRouteTables(db))) return;

  // The gateway's side: its transfers by notes.payout_id, its reversals by transfer and notes.reversal_id.
  const { rows: transfers } = await db.query<GatewayTransfer>(`
    select t.id, t.body->'notes'->>'payout_id' as payout_id, t.body->>'status' as status, t.body->>'amount' as amount,
      coalesce((select sum((r.body->>'amount')::bigint) from sandbox_razorpay.route_reversals r where r.transfer_id = t.id), 0)::text as reversed
    from sandbox_razorpay.route_transfers t`);
  const byId = new Map(payouts.map((o) => [o.id, o]));
  const live = new Map<string, GatewayTransfer[]>();
  for (const t of transfers) {
    if (!t.payout_id || !byId.has(t.payout_id)) {
      fail('transfer-known', `gateway transfer ${t.id} names payout ${t.payout_id ?? '(none)'}, which does not exist here`);
      continue;
    }
    if (t.status !== 'failed') live.set(t.payout_id, [...(live.get(t.payout_id) ?? []), t]);
  }
  for (const o of payouts) {
    const mine = live.get(o.id) ?? [];
    if (mine.length > 1) fail('transfer-once', `payout ${o.id} was transferred ${mine.length} times at the gateway: ${mine.map((t) => t.id).join(', ')}`);
    const transfer = mine[0];
    // What the gateway was asked to send: the share less what netting took for the payee's debt.
    const sent = String(Number(o.amount) - Number(o.amount_netted));
    // Refunded in full before its transfer was asked for (REVERSED), or absorbed whole by the payee's
    // debt (PROCESSED): nothing to send, and no transfer (payout.transfers.ts, payout.netting.ts).
    const nothingOwed = sent === '0' && o.razorpay_transfer_id === null;
    if (PAID.includes(o.status) && !nothingOwed) {
      if (!transfer) fail('paid-payout-transferred', `payout ${o.id} is ${o.status} with no live transfer at the gateway`);
      else {
        if (transfer.id !== o.razorpay_transfer_id) fail('paid-payout-transferred', `payout ${o.id} records ${o.razorpay_transfer_id}, the gateway's live transfer is ${transfer.id}`);
        if (transfer.amount !== sent) fail('transfer-amount', `payout ${o.id}: ${sent} sent here, ${transfer.amount} at the gateway`);
        if (!GATEWAY_PAID.includes(transfer.status)) fail('paid-payout-transferred', `payout ${o.id} is ${o.status}, its transfer ${transfer.id} is ${transfer.status}`);
      }
    } else if (transfer) {
      fail('unpaid-payout-transferred', `payout ${o.id} is ${o.status} but transfer ${transfer.id} is ${transfer.status} at the gateway`);
    }
    const reversedThere = mine.reduce((sum, t) => sum + Number(t.reversed), 0);
    if (String(reversedThere) !== o.reversed_here) fail('reversal-amount', `payout ${o.id}: reversed ${o.reversed_here} here, ${reversedThere} at the gateway`);
  }

  const { rows: reversals } = await db.query<{ reversal_id: string | null; n: number; ids: string }>(`
    select body->'notes'->>'reversal_id' as reversal_id, count(*)::int as n, string_agg(id, ', ') as ids
    from sandbox_razorpay.route_reversals group by 1`);
  const { rows: processed } = await db.query<{ id: string }>(`select id from payout_reversal where status = 'PROCESSED'`);
  const known = new Set(processed.map((r) => r.id));
  for (const r of reversals) {
    if (r.n > 1) fail('reversal-once', `reversal ${r.reversal_id ?? '(no reversal_id)'} was made ${r.n} times at the gateway: ${r.ids}`);
    if (!r.reversal_id || !known.has(r.reversal_id)) fail('reversal-known', `gateway reversal ${r.ids} (reversal_id ${r.reversal_id ?? 'none'}) is no processed reversal here`);
  }
}
