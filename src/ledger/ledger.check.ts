import type { EntityManager } from '@mikro-orm/postgresql';

export interface LedgerProblem {
  rule: 'journal_unbalanced' | 'journal_empty' | 'wallet_balance_mismatch' | 'capture_journal_missing' | 'capture_journal_duplicate' | 'capture_journal_without_capture'
    | 'refund_journal_missing' | 'refund_journal_duplicate' | 'refund_journal_without_refund' | 'amount_refunded_mismatch'
    | 'refunds_pending_mismatch' | 'payee_balance_mismatch' | 'payee_in_transit_mismatch' | 'payee_paid_mismatch' | 'payee_receivable_mismatch'
    | 'payout_journal_missing' | 'payout_journal_without_transfer';
  id: string;
  detail: string;
}

export interface LedgerReport {
  journals: number;
  entries: number;
  wallets: number;
  capturedPayments: number;
  /** Payees with a payout or a payee account in the books (checked per payee). */
  payees: number;
  problems: LedgerProblem[];
}

const CAPTURED = `('CAPTURED', 'PARTIALLY_REFUNDED', 'REFUNDED')`;

/**
 * Proves the books: every journal has entries summing to zero; every wallet's cached balance
 * equals its ledger account's credit balance; every payment whose money arrived has exactly
 * one capture journal, and no other payment has one; every PROCESSED refund has exactly one
 * REFUND journal (no other refund has one), and each payment's amountRefunded is the sum of its
 * PROCESSED refunds. Read-only; one consistent snapshot.
 */
export async function checkLedger(em: EntityManager): Promise<LedgerReport> {
  return em.transactional(async (tx) => {
    // Through the transaction's own connection: `getConnection().execute` would take another one
    // from the pool, outside this snapshot (and SET TRANSACTION there would do nothing).
    const run = (sql: string) => tx.execute<Record<string, unknown>[]>(sql);
    await tx.execute('set transaction isolation level repeatable read, read only');
    const problems: LedgerProblem[] = [];
    for (const row of await run(`select j.id, coalesce(sum(e.amount), 0)::text as sum, count(e.id)::int as n
        from journal j left join journal_entry e on e.journal_id = j.id
        group by j.id having count(e.id) = 0 or sum(e.amount) <> 0 order by j.id`)) {
      problems.push(Number(row.n) === 0
        ? { rule: 'journal_empty', id: String(row.id), detail: 'journal has no entries' }
        : { rule: 'journal_unbalanced', id: String(row.id), detail: `entries sum to ${row.sum}, not 0` });
    }
    for (const row of await run(`select w.id, w.user_id, w.balance::text as cached, (-coalesce(sum(e.amount), 0))::text as ledger
        from wallet w left join journal_entry e on e.account_id = w.account_id
        group by w.id having w.balance <> -coalesce(sum(e.amount), 0) order by w.id`)) {
      problems.push({ rule: 'wallet_balance_mismatch', id: String(row.id), detail: `wallet of ${row.user_id}: cached balance ${row.cached}, ledger ${row.ledger}` });
    }
    for (const row of await run(`select p.id, p.status, count(j.id)::int as n
        from payment p left join journal j on j.payment_id = p.id and j.kind = 'PAYMENT_CAPTURE'
        group by p.id
        having (p.status in ${CAPTURED} and count(j.id) <> 1) or (p.status not in ${CAPTURED} and count(j.id) > 0)
        order by p.id`)) {
      const n = Number(row.n);
      const captured = ['CAPTURED', 'PARTIALLY_REFUNDED', 'REFUNDED'].includes(String(row.status));
      problems.push(!captured
        ? { rule: 'capture_journal_without_capture', id: String(row.id), detail: `payment is ${row.status} but has ${n} capture journal(s)` }
        : n === 0
          ? { rule: 'capture_journal_missing', id: String(row.id), detail: `payment is ${row.status} with no capture journal` }
          : { rule: 'capture_journal_duplicate', id: String(row.id), detail: `payment has ${n} capture journals` });
    }
    for (const row of await run(`select r.id, r.status, count(j.id)::int as n
        from refund r left join journal j on j.refund_id = r.id and j.kind = 'REFUND'
        group by r.id
        having (r.status = 'PROCESSED' and count(j.id) <> 1) or (r.status <> 'PROCESSED' and count(j.id) > 0)
        order by r.id`)) {
      const n = Number(row.n);
      problems.push(row.status !== 'PROCESSED'
        ? { rule: 'refund_journal_without_refund', id: String(row.id), detail: `refund is ${row.status} but has ${n} REFUND journal(s)` }
        : n === 0
          ? { rule: 'refund_journal_missing', id: String(row.id), detail: 'refund is PROCESSED with no REFUND journal' }
          : { rule: 'refund_journal_duplicate', id: String(row.id), detail: `refund has ${n} REFUND journals` });
    }
    for (const row of await run(`select p.id, p.amount_refunded::text as recorded, coalesce(sum(r.amount), 0)::text as refunded
        from payment p left join refund r on r.payment_id = p.id and r.status = 'PROCESSED'
        group by p.id having p.amount_refunded <> coalesce(sum(r.amount), 0) order by p.id`)) {
      problems.push({ rule: 'amount_refunded_mismatch', id: String(row.id), detail: `payment's amountRefunded is ${row.recorded}, its PROCESSED refunds sum to ${row.refunded}` });
    }
    // A top-up refund holds its amount in refunds_pending:<currency> from reservation until it is settled.
    for (const row of await run(`with held as (
          select a.currency, -coalesce(sum(e.amount), 0) as ledger from ledger_account a left join journal_entry e on e.account_id = a.id
           where a.code like 'refunds_pending:%' group by a.currency),
        pending as (
          select r.currency, sum(r.amount) as pending from refund r join payment p on p.id = r.payment_id
           where r.status = 'PENDING' and p.purpose = 'WALLET_TOPUP' group by r.currency)
        select coalesce(h.currency, p.currency) as currency, coalesce(h.ledger, 0)::text as ledger, coalesce(p.pending, 0)::text as pending
          from held h full join pending p on p.currency = h.currency
         where coalesce(h.ledger, 0) <> coalesce(p.pending, 0)`)) {
      problems.push({ rule: 'refunds_pending_mismatch', id: String(row.currency), detail: `refunds_pending holds ${row.ledger}, pending top-up refunds sum to ${row.pending}` });
    }
    problems.push(...(await checkPayees(run)));
    const [counts] = await run(`select (select count(*) from journal)::int as journals, (select count(*) from journal_entry)::int as entries,
        (select count(*) from wallet)::int as wallets, (select count(*) from payment where status in ${CAPTURED})::int as captured,
        (select count(distinct payee_id) from payment where payee_id is not null and status in ${CAPTURED})::int as payees`);
    return {
      journals: Number(counts!.journals),
      entries: Number(counts!.entries),
      wallets: Number(counts!.wallets),
      capturedPayments: Number(counts!.captured),
      payees: Number(counts!.payees),
      problems,
    };
  });
}

type Run = (sql: string) => Promise<Record<string, unknown>[]>;

/** Balance of each payee's account of one kind (`payee_payable`…), by payee id, debit positive. */
const payeeBalances = (prefix: string) => `select substring(a.code from '^${prefix}:(.*):[A-Z]{3}$') as payee, a.currency, coalesce(sum(e.amount), 0) as balance
    from ledger_account a left join journal_entry e on e.account_id = a.id where a.code like '${prefix}:%' group by a.code, a.currency`;

/**
 * Per payee (issue 13): payable + in transit + paid + receivable equals minus (its share of
 * captured payments less the payee part of their refunds, by the same cumulative rounding as
 * the REFUND journals); in transit is exactly the transfers made and not yet processed or
 * failed (each its share less what was netted); paid exactly what processed transfers gave less
 * what reversals took back; the receivable exactly the refused reversals less the debt later
 * payouts netted. And a payout has its PAYOUT_TRANSFER journal
 * exactly when its transfer is recorded.
 */
async function checkPayees(run: Run): Promise<LedgerProblem[]> {
  const problems: LedgerProblem[] = [];
  for (const row of await run(`with owed as (
        select p.payee_id as payee, p.currency,
               sum(p.payee_amount - (p.amount_refunded - floor((p.platform_fee::numeric * p.amount_refunded * 2 + p.amount) / (p.amount * 2))::bigint)) as owed
          from payment p where p.payee_id is not null and p.purpose <> 'WALLET_TOPUP' and p.status in ${CAPTURED} group by p.payee_id, p.currency),
      books as (
        select payee, currency, sum(balance) as balance from (
          ${payeeBalances('payee_payable')} union all ${payeeBalances('payee_in_transit')} union all
          ${payeeBalances('payee_paid')} union all ${payeeBalances('payee_receivable')}) b group by payee, currency)
      select coalesce(o.payee, b.payee) as payee, coalesce(o.owed, 0)::text as owed, (-coalesce(b.balance, 0))::text as booked
        from owed o full join books b on b.payee = o.payee and b.currency = o.currency
       where coalesce(o.owed, 0) <> -coalesce(b.balance, 0) order by 1`)) {
    problems.push({ rule: 'payee_balance_mismatch', id: String(row.payee), detail: `payable + in transit + paid + receivable is ${row.booked}; captured share less refunds is ${row.owed}` });
  }
  const compare = async (rule: LedgerProblem['rule'], prefix: string, expected: string, what: string, sign: 1 | -1) => {
    for (const row of await run(`with expected as (${expected}), booked as (${payeeBalances(prefix)})
        select coalesce(x.payee, b.payee) as payee, coalesce(x.amount, 0)::text as expected, (${sign} * coalesce(b.balance, 0))::text as booked
          from expected x full join booked b on b.payee = x.payee and b.currency = x.currency
         where coalesce(x.amount, 0) <> ${sign} * coalesce(b.balance, 0) order by 1`)) {
      problems.push({ rule, id: String(row.payee), detail: `${prefix} holds ${row.booked}; ${what} sum to ${row.expected}` });
    }
  };
  await compare('payee_in_transit_mismatch', 'payee_in_transit',
    `select payee_id as payee, currency, sum(amount - amount_netted) as amount from payout where razorpay_transfer_id is not null and status = 'PENDING' group by payee_id, currency`,
    'transfers made and not processed or failed', -1);
  await compare('payee_paid_mismatch', 'payee_paid',
    `select payee_id as payee, currency, sum(amount - amount_netted - amount_reversed) as amount from payout
      where status in ('PROCESSED', 'ON_HOLD', 'PARTIALLY_REVERSED', 'REVERSED') and razorpay_transfer_id is not null group by payee_id, currency`,
    'processed transfers less reversals', -1);
  await compare('payee_receivable_mismatch', 'payee_receivable',
    `select payee_id as payee, currency, sum(amount_receivable - amount_netted) as amount from payout group by payee_id, currency`,
    'refused reversals less what later payouts netted', 1);
  // Every transfer booked (PAYOUT_TRANSFER) was failed (PAYOUT_FAILED) except the one the payout has now.
  for (const row of await run(`select o.id, o.razorpay_transfer_id,
        count(j.id) filter (where j.kind = 'PAYOUT_TRANSFER')::int as made, count(j.id) filter (where j.kind = 'PAYOUT_FAILED')::int as failed
      from payout o left join journal j on j.payout_id = o.id
      group by o.id
      having count(j.id) filter (where j.kind = 'PAYOUT_TRANSFER') - count(j.id) filter (where j.kind = 'PAYOUT_FAILED')
             <> (case when o.razorpay_transfer_id is null then 0 else 1 end)
      order by o.id`)) {
    problems.push(row.razorpay_transfer_id
      ? { rule: 'payout_journal_missing', id: String(row.id), detail: `payout has transfer ${row.razorpay_transfer_id}; ${row.made} PAYOUT_TRANSFER and ${row.failed} PAYOUT_FAILED journal(s)` }
      : { rule: 'payout_journal_without_transfer', id: String(row.id), detail: `payout has no transfer now; ${row.made} PAYOUT_TRANSFER and ${row.failed} PAYOUT_FAILED journal(s)` });
  }
  return problems;
}
