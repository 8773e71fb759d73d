import type { EntityManager } from '@mikro-orm/postgresql';

export interface LedgerProblem {
  rule: 'journal_unbalanced' | 'journal_empty' | 'wallet_balance_mismatch' | 'capture_journal_missing' | 'capture_journal_duplicate' | 'capture_journal_without_capture'
    | 'refund_journal_missing' | 'refund_journal_duplicate' | 'refund_journal_without_refund' | 'amount_refunded_mismatch'
    | 'refunds_pending_mismatch';
  id: string;
  detail: string;
}

export interface LedgerReport {
  journals: number;
  entries: number;
  wallets: number;
  capturedPayments: number;
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
    const [counts] = await run(`select (select count(*) from journal)::int as journals, (select count(*) from journal_entry)::int as entries,
        (select count(*) from wallet)::int as wallets, (select count(*) from payment where status in ${CAPTURED})::int as captured`);
    return {
      journals: Number(counts!.journals),
      entries: Number(counts!.entries),
      wallets: Number(counts!.wallets),
      capturedPayments: Number(counts!.captured),
      problems,
    };
  });
}
