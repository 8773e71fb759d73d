import type { EntityManager } from '@mikro-orm/postgresql';

export interface LedgerProblem {
  rule: 'journal_unbalanced' | 'journal_empty' | 'wallet_balance_mismatch' | 'capture_journal_missing' | 'capture_journal_duplicate' | 'capture_journal_without_capture';
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
 * one capture journal, and no other payment has one. Read-only; one consistent snapshot.
 */
export async function checkLedger(em: EntityManager): Promise<LedgerReport> {
  const run = async (sql: string) => (await em.getConnection().execute(sql)) as Record<string, unknown>[];
  return em.transactional(async () => {
    await em.getConnection().execute('set transaction isolation level repeatable read, read only');
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
