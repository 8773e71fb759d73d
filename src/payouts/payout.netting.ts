import type { EntityManager } from '@mikro-orm/postgresql';
import { JournalKind } from '../ledger/ledger.entities.js';
import type { LedgerService } from '../ledger/ledger.service.js';
import type { Payout } from './payout.entity.js';
import { nettable } from './payout.rules.js';
import { postPayoutJournal } from './payout.journals.js';

/**
 * First key of the transaction-scoped advisory lock that serialises netting per payee
 * (`pg_advisory_xact_lock(NETTING_LOCK_SPACE, hashtext(payee:currency))`). Only netting takes
 * it, and always last (after the payment's and the payout's row locks), so it closes no cycle
 * with any other lock; two-key locks never meet the one-key ones used elsewhere.
 */
export const NETTING_LOCK_SPACE = 727_013;

/**
 * In `em`'s transaction (the payout locked, its transfer about to be asked for the first time):
 * keeps back from the payout's share what its payee owes (refused reversals not yet netted,
 * over all its payouts), records it as `amountNetted` and books it (PAYOUT_NETTED: payable →
 * receivable settled). Two payouts of one payee netting at once queue on the payee's lock, and
 * the second reads the debt after the first committed, so a debt is netted once.
 */
export async function netPayeeDebt(em: EntityManager, ledger: LedgerService, payout: Payout): Promise<number> {
  if (payout.amountNetted > 0 || payout.amount <= 0) return 0;
  await em.execute('select pg_advisory_xact_lock(?, hashtext(?))', [NETTING_LOCK_SPACE, `${payout.payeeId}:${payout.currency}`]);
  const [row] = await em.execute<{ debt: string }[]>(
    `select (coalesce(sum(amount_receivable), 0) - coalesce(sum(amount_netted), 0))::text as debt
       from payout where payee_id = ? and currency = ?`,
    [payout.payeeId, payout.currency],
  );
  const netted = nettable(Number(row?.debt ?? 0), payout.amount);
  if (netted <= 0) return 0;
  payout.amountNetted = netted;
  await postPayoutJournal(ledger, em, payout, 'netted', JournalKind.PAYOUT_NETTED, netted, { reference: 'netted' });
  return netted;
}
