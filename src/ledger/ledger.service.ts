import type { EntityManager } from '@mikro-orm/postgresql';
import { topTransaction } from '../db/top-transaction.js';
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

/** How many committed accounts a process remembers. */
const KNOWN_ACCOUNTS = 10_000;

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

  /**
   * Accounts already committed, by code. An account is never updated or deleted once written, so
   * what a committed row says stays true: a code found here needs no statement. Only rows this
   * transaction did not insert are remembered (a row it inserted is not committed yet, and would
   * be gone if it rolled back); the next transaction that meets the code finds it committed.
   */
  readonly #committed = new Map<string, Pick<LedgerAccount, 'id' | 'code' | 'kind' | 'currency' | 'createdAt'>>();
  /** The codes each open transaction inserted (by its top-level transaction): not committed while it is open. */
  readonly #insertedBy = new WeakMap<object, Set<string>>();

  /** The accounts with these codes, created on first use (concurrent creators agree on one row). */
  async accountsFor(em: EntityManager, codes: string[], currency: string): Promise<Map<string, LedgerAccount>> {
    const unique = [...new Set(codes)];
    const found = new Map<string, LedgerAccount>();
    const missing: string[] = [];
    for (const code of unique) {
      const row = this.#committed.get(code);
      if (row) found.set(code, em.merge(LedgerAccount, { ...row }));
      else missing.push(code);
    }
    if (missing.length === 0) return found;
    const tried = new Map(missing.map((code) => [code, new LedgerAccount().id]));
    await em
      .createQueryBuilder(LedgerAccount)
      .insert(missing.map((code) => ({ id: tried.get(code)!, code, kind: accountKind(code), currency, createdAt: new Date() })))
      .onConflict('code')
      .ignore()
      .execute();
    const rows = await em.find(LedgerAccount, { code: { $in: missing } });
    const transaction = topTransaction(em);
    const ours = transaction ? (this.#insertedBy.get(transaction) ?? new Set<string>()) : new Set<string>();
    if (transaction) this.#insertedBy.set(transaction, ours);
    for (const row of rows) {
      found.set(row.code, row);
      // The id tried: this transaction inserted it now. Another id: the row existed, committed (an
      // insert of it under way elsewhere is waited for by the conflict), unless this transaction inserted it earlier.
      if (transaction && row.id === tried.get(row.code)) ours.add(row.code);
      else if (!ours.has(row.code)) this.remember(row);
    }
    return found;
  }

  /** At most {@link KNOWN_ACCOUNTS} codes (per-user wallets and payees are many): the oldest learned goes first. */
  private remember(row: LedgerAccount): void {
    if (this.#committed.size >= KNOWN_ACCOUNTS) this.#committed.delete(this.#committed.keys().next().value!);
    this.#committed.set(row.code, { id: row.id, code: row.code, kind: row.kind, currency: row.currency, createdAt: row.createdAt });
  }
}

