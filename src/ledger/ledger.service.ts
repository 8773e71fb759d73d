import type { EntityManager } from '@mikro-orm/postgresql';
import type { Payment } from '../payments/payment.entity.js';
import { AccountKind, Journal, JournalEntry, type JournalKind, type JournalPayout, type JournalRefund, LedgerAccount } from './ledger.entities.js';
import { assertBalanced, type LedgerLine } from './ledger.lines.js';

/** The kind of an account follows from its code's prefix (see `accounts` in ledger.lines.ts). */
export function accountKind(code: string): AccountKind {
  if (code.startsWith('gateway_clearing:') || code.startsWith('payee_receivable:')) return AccountKind.ASSET;
  if (code.startsWith('platform_fees:') || code.startsWith('platform_sales:')) return AccountKind.REVENUE;
  if (code.startsWith('wallet:') || code.startsWith('payee_payable:') || code.startsWith('refunds_pending:')
    || code.startsWith('payee_in_transit:') || code.startsWith('payee_paid:')) return AccountKind.LIABILITY;
  throw new RangeError(`unknown ledger account code ${code}`);
}

export interface JournalRequest {
  kind: JournalKind;
  payment?: Payment | null;
  /** Refund journals name their refund (one of each kind per refund, by a unique index). */
  refund?: JournalRefund | null;
  /** Payout journals name their payout (one of each kind per payout) or their reversal (one per reversal). */
  payout?: JournalPayout | null;
  payoutReversal?: JournalPayout | null;
  /** The gateway object the journal books (a transfer id), unique per payout and kind. */
  reference?: string | null;
  description: string;
  currency: string;
  lines: LedgerLine[];
}

/**
 * Double-entry bookkeeping. Rules kept: a journal is posted whole or not at all, inside the
 * caller's transaction; its lines are integers summing to zero (checked here, and again by a
 * deferred database trigger at commit); nothing is ever updated or deleted.
 */
export class LedgerService {
  /** Finds or creates the accounts, then writes the journal and its entries (flushed by the caller's transaction). */
  async post(em: EntityManager, request: JournalRequest): Promise<Journal> {
    assertBalanced(request.lines);
    const accounts = await this.accountsFor(em, request.lines.map((l) => l.account), request.currency);
    const journal = Object.assign(new Journal(), {
      kind: request.kind,
      payment: request.payment ?? null,
      refund: request.refund ?? null,
      payout: request.payout ?? null,
      payoutReversal: request.payoutReversal ?? null,
      reference: request.reference ?? null,
      description: request.description.slice(0, 255),
    });
    em.persist(journal);
    for (const line of request.lines) {
      em.persist(Object.assign(new JournalEntry(), { journal, account: accounts.get(line.account)!, amount: line.amount }));
    }
    return journal;
  }

  /** The accounts with these codes, created on first use (concurrent creators agree on one row). */
  async accountsFor(em: EntityManager, codes: string[], currency: string): Promise<Map<string, LedgerAccount>> {
    const unique = [...new Set(codes)];
    await em
      .createQueryBuilder(LedgerAccount)
      .insert(unique.map((code) => ({ id: new LedgerAccount().id, code, kind: accountKind(code), currency, createdAt: new Date() })))
      .onConflict('code')
      .ignore()
      .execute();
    const rows = await em.find(LedgerAccount, { code: { $in: unique } });
    return new Map(rows.map((row) => [row.code, row]));
  }
}
